//! The operator command line, run as the real binary.

use std::io::Write;
use std::process::{Command, Stdio};

/// `admin create-school` for Elm Infants (code ELM); the password goes on stdin.
const CREATE_ELM: [&str; 8] = [
    "admin",
    "create-school",
    "--name",
    "Elm Infants",
    "--code",
    "ELM",
    "--owner-email",
    "head@elm.example",
];

fn classkeys(data: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_classkeys"))
        .args(args)
        .env("CLASSKEYS_DATA", data)
        .env("DATABASE_URL", crate::test_database::app_database_url(data))
        .env_remove("CLASSKEYS_SECRET_KEY")
        .env_remove("CLASSKEYS_PUBLIC_URL")
        .env_remove("LEPTOS_SITE_ADDR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn admin_create_school_opens_a_school_once() {
    let data = tempfile::tempdir().unwrap();
    let args = [
        "admin",
        "create-school",
        "--name",
        "Elm Infants",
        "--code",
        "elm",
        "--owner-email",
        "head@elm.example",
    ];
    let created = classkeys(data.path(), &args, "elm-owner-pass-7\n");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    // Without --time-zone, the operator hears where its times read.
    assert!(String::from_utf8_lossy(&created.stdout).contains("Its times show in UTC"));
    if crate::test_database::postgres().is_none() {
        assert!(data.path().join("classkeys.db").exists());
    }
    assert!(data.path().join("secret.key").exists());

    let again = classkeys(data.path(), &args, "elm-owner-pass-7\n");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("ELM is already used"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn admin_create_school_takes_the_schools_time_zone_and_refuses_an_unknown_one() {
    let data = tempfile::tempdir().unwrap();
    let with_zone = |zone: &str| {
        let mut args = CREATE_ELM.to_vec();
        args.extend(["--time-zone", zone]);
        classkeys(data.path(), &args, "elm-owner-pass-7\n")
    };
    let refused = with_zone("Mars/Olympus");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("“Mars/Olympus” is not a time zone"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let created = with_zone("Europe/London");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(!String::from_utf8_lossy(&created.stdout).contains("UTC"));
    let zone = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = app::db::connect(&crate::test_database::app_database_url(data.path()))
            .await
            .unwrap();
        let (zone,): (String,) = sqlx::query_as("SELECT time_zone FROM schools WHERE code = 'ELM'")
            .fetch_one(&db)
            .await
            .unwrap();
        zone
    });
    assert_eq!(zone, "Europe/London");
}

#[test]
fn admin_create_school_refuses_a_weak_owner_password() {
    let data = tempfile::tempdir().unwrap();
    let args = CREATE_ELM;
    let refused = classkeys(data.path(), &args, "password1\n");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("too common"));
}

#[test]
fn migrate_and_demo_run_on_an_empty_folder() {
    let data = tempfile::tempdir().unwrap();
    assert!(classkeys(data.path(), &["migrate"], "").status.success());
    let demo = classkeys(data.path(), &["demo"], "");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
}

#[tokio::test]
async fn demo_can_make_bigger_classes_for_load_tests() {
    let data = tempfile::tempdir().unwrap();
    let demo = classkeys(data.path(), &["demo", "--learners-per-class", "3"], "");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let db = app::db::connect(&crate::test_database::app_database_url(data.path()))
        .await
        .unwrap();
    let (learners,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE role = 'learner'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        learners,
        4 * 3,
        "three Oakwood classes and one Riverside class of 3"
    );
}

#[test]
fn admin_recover_owner_prints_a_single_use_link() {
    let data = tempfile::tempdir().unwrap();
    let args = CREATE_ELM;
    assert!(classkeys(data.path(), &args, "elm-owner-pass-7\n")
        .status
        .success());
    let recovered = classkeys(
        data.path(),
        &["admin", "recover-owner", "--school", "ELM"],
        "",
    );
    assert!(
        recovered.status.success(),
        "{}",
        String::from_utf8_lossy(&recovered.stderr)
    );
    let stdout = String::from_utf8_lossy(&recovered.stdout);
    assert!(
        stdout.contains("http://127.0.0.1:3000/reset-password/"),
        "{stdout}"
    );
    let unknown = classkeys(
        data.path(),
        &["admin", "recover-owner", "--school", "XYZ"],
        "",
    );
    assert!(!unknown.status.success());
}

#[test]
fn admin_add_sms_credits_adds_to_a_school_and_explains_mistakes() {
    let data = tempfile::tempdir().unwrap();
    assert!(classkeys(data.path(), &CREATE_ELM, "elm-owner-pass-7\n")
        .status
        .success());
    let add = |school: &str, credits: &str| {
        classkeys(
            data.path(),
            &[
                "admin",
                "add-sms-credits",
                "--school",
                school,
                "--credits",
                credits,
            ],
            "",
        )
    };
    let first = add("elm", "25");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        "Elm Infants now has 25 SMS credits."
    );
    let second = add("ELM", "5");
    assert_eq!(
        String::from_utf8_lossy(&second.stdout).trim(),
        "Elm Infants now has 30 SMS credits."
    );
    let unknown = add("NOPE", "5");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no school with the code NOPE"));
    let zero = add("ELM", "0");
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("between 1 and 1,000,000"));
}

#[tokio::test]
async fn admin_backup_copies_a_live_database_owner_only_once() {
    let data = tempfile::tempdir().unwrap();
    assert!(
        classkeys(data.path(), &["demo", "--learners-per-class", "3"], "")
            .status
            .success()
    );
    // The server's own pool stays open on the database while the copy is made.
    let live = app::db::connect(&crate::test_database::app_database_url(data.path()))
        .await
        .unwrap();
    let target = data.path().join("backups").join("nightly.db");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let to = target.to_str().unwrap();
    let backup = classkeys(data.path(), &["admin", "backup", "--to", to], "");
    if crate::test_database::postgres().is_some() {
        assert!(!backup.status.success());
        let said = String::from_utf8_lossy(&backup.stderr);
        assert!(said.contains("pg_dump"), "{said}");
        return;
    }
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    assert!(String::from_utf8_lossy(&backup.stdout).contains("secret key"));
    assert_eq!(app::files::mode(&target).unwrap(), 0o600);
    // Nothing left beside it (no half-written or staging files).
    let beside: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(beside.len(), 1, "only the copy");
    let copy = app::db::connect(&format!("sqlite://{to}")).await.unwrap();
    let count = |db: app::db::Db| async move {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE role = 'learner'")
            .fetch_one(&db)
            .await
            .unwrap();
        n
    };
    assert_eq!(count(copy).await, count(live).await);
    // An existing file is never overwritten.
    let again = classkeys(data.path(), &["admin", "backup", "--to", to], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
