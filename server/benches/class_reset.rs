//! A whole-class reset of 30 learners on the server (hash in parallel, one
//! transaction), against 30 one-at-a-time hashes. Run with
//! `cargo bench -p server --bench class_reset`.

use criterion::{criterion_group, criterion_main, Criterion};
use secrecy::SecretString;

use app::auth::{Role, SignedInUser};
use app::learners::ssr::{learners_in_class, set_learner_passwords, LearnerRecord, ResetScope};
use app::passwords::hashing::hash_blocking;
use app::schools::ssr::{create_school, school_settings, NewSchool, SchoolSettings};
use app::state::AppState;
use server::config::Config;
use server::startup::open_state;

const LEARNERS: usize = 30;

struct World {
    state: AppState,
    owner: SignedInUser,
    settings: SchoolSettings,
    learners: Vec<LearnerRecord>,
    _data: tempfile::TempDir,
}

async fn world() -> World {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_string_lossy().to_string();
    let config =
        Config::from_lookup(|name| (name == "CLASSKEYS_DATA").then(|| dir.clone())).unwrap();
    let state = open_state(&config, "http://127.0.0.1").await.unwrap();
    let school_id = create_school(
        &state,
        NewSchool {
            name: "Bench Primary".into(),
            code: "BEN".into(),
            owner_email: "owner@bench.example".into(),
            owner_display_name: "Owner".into(),
            owner_password: SecretString::from("bench-owner-pass-1"),
            time_zone: None,
        },
    )
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO classes (id, school_id, name, created_at) VALUES ('class', $1, 'Year 3', 0)",
    )
    .bind(&school_id)
    .execute(&state.db)
    .await
    .unwrap();
    let hash = hash_blocking("start-pass-1").unwrap().0;
    for n in 0..LEARNERS {
        let id = format!("learner{n}");
        sqlx::query(
            "INSERT INTO accounts (id, school_id, role, username, display_name, password_hash, created_at) \
             VALUES ($1, $2, 'learner', $1, $1, $3, 0)",
        )
        .bind(&id)
        .bind(&school_id)
        .bind(&hash)
        .execute(&state.db)
        .await
        .unwrap();
        sqlx::query("INSERT INTO enrolments (class_id, account_id) VALUES ('class', $1)")
            .bind(&id)
            .execute(&state.db)
            .await
            .unwrap();
    }
    let settings = school_settings(&state.db, &school_id).await.unwrap();
    let learners = learners_in_class(&state.db, &school_id, "class")
        .await
        .unwrap();
    let owner = SignedInUser {
        id: "owner".into(),
        school_id,
        school_name: "Bench Primary".into(),
        school_code: "BEN".into(),
        username: "admin".into(),
        display_name: "Owner".into(),
        role: Role::Owner,
        is_full_admin: false,
        is_lead_teacher: false,
        must_change_password: false,
    };
    World {
        state,
        owner,
        settings,
        learners,
        _data: data,
    }
}

fn class_reset(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(world());
    let changes: Vec<(LearnerRecord, SecretString)> = world
        .learners
        .iter()
        .enumerate()
        .map(|(n, learner)| {
            (
                learner.clone(),
                SecretString::from(format!("greenfox{:02}", n % 100)),
            )
        })
        .collect();
    let mut group = c.benchmark_group("whole-class reset, 30 learners");
    group.sample_size(10);
    group.bench_function("reset_class (parallel hashing, one transaction)", |b| {
        b.to_async(&runtime).iter(|| async {
            let scope = ResetScope::WholeClass {
                class_id: "class",
                class_name: "Year 3",
            };
            set_learner_passwords(
                &world.state,
                &world.owner,
                &world.settings,
                &changes,
                scope,
                "bench",
            )
            .await
            .unwrap()
        })
    });
    group.bench_function("30 hashes one after another", |b| {
        b.iter(|| {
            for n in 0..LEARNERS {
                hash_blocking(&format!("greenfox{n:02}")).unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, class_reset);
criterion_main!(benches);
