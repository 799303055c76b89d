//! Parents: sign-up with a learner's code (two carers per code), linking
//! more children, regenerated codes, and nothing else for a parent.

use app::error::AppError;
use app::parents::ChildRow;

use crate::helpers::{app_error, new_client, spawn_app, TestApp, World, PASSWORD};

/// A fresh parent access code for the fixture learner, as staff would see it.
async fn code_for(app: &TestApp, learner: &str) -> String {
    let mut tx = app::db::begin_write(&app.state.db).await.unwrap();
    let (school,): (String,) = sqlx::query_as("SELECT school_id FROM accounts WHERE id = $1")
        .bind(learner)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let code = app::parents::ssr::store_access_code(&mut tx, &app.state, &school, learner, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    code
}

async fn sign_up(
    app: &TestApp,
    client: &reqwest::Client,
    code: &str,
    email: &str,
) -> reqwest::Response {
    app.call_as(
        client,
        "parent_sign_up",
        &[
            ("parent_access_code", code),
            ("email", email),
            ("password", "sunny-garden-31"),
            ("confirm_password", "sunny-garden-31"),
        ],
    )
    .await
}

async fn children(app: &TestApp, client: &reqwest::Client) -> Vec<ChildRow> {
    let response = app.call_as(client, "my_children", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn prepared() -> (TestApp, World) {
    let app = spawn_app().await;
    let world = app.world().await;
    app.class(
        &world.oak,
        "Year 3 Hazel",
        &[],
        &[&world.oak_learner, &world.oak_learner2],
    )
    .await;
    (app, world)
}

#[tokio::test]
async fn a_code_serves_two_parents_who_then_see_their_child() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let mum = new_client();
    let typed = code.to_lowercase().replace('-', " ");
    assert_eq!(
        sign_up(&app, &mum, &typed, "Mum@Home.example")
            .await
            .status(),
        200
    );
    let user = app.current_user_of(&mum).await.expect("signed in");
    assert_eq!(user.role, app::auth::Role::Parent);
    assert_eq!(
        children(&app, &mum).await,
        [ChildRow {
            name: "amelias display".into(),
            classes: vec!["Year 3 Hazel".into()],
            school: "Oakwood Primary".into()
        }]
    );
    let dad = new_client();
    assert_eq!(
        sign_up(&app, &dad, &code, "dad@home.example")
            .await
            .status(),
        200
    );
    assert_eq!(children(&app, &dad).await.len(), 1);

    // Parents sign in with email and password, no school code.
    let again = new_client();
    let response = app
        .sign_in_as(&again, "", "mum@home.example", "sunny-garden-31")
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn sign_up_refuses_a_wrong_code_a_taken_email_and_a_weak_password() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let client = new_client();
    let (_, error) = app_error(sign_up(&app, &client, "AAA-AAA-AAA", "x@home.example").await).await;
    assert_eq!(error.field(), Some("code"));
    let (_, error) =
        app_error(sign_up(&app, &client, &code, "OWNER@riverside.example").await).await;
    assert_eq!(
        error.to_string(),
        "This email address is already used by another account."
    );
    let weak = app
        .call_as(
            &client,
            "parent_sign_up",
            &[
                ("parent_access_code", &code),
                ("email", "y@home.example"),
                ("password", "password1"),
                ("confirm_password", "password1"),
            ],
        )
        .await;
    assert_eq!(app_error(weak).await.1.field(), Some("password"));
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE role = 'parent'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1, "only the fixture parent");
}

#[tokio::test]
async fn guessing_codes_is_cut_off_after_twenty_wrong_ones() {
    let (app, _world) = prepared().await;
    let client = new_client();
    for _ in 0..20 {
        let response = sign_up(&app, &client, "AAA-AAA-AAA", "g@home.example").await;
        assert_eq!(response.status(), 422);
    }
    let (status, error) =
        app_error(sign_up(&app, &client, "AAA-AAA-AAA", "g@home.example").await).await;
    assert_eq!(status, 429);
    assert!(matches!(error, AppError::TooManyAttempts { .. }));
}

#[tokio::test]
async fn a_regenerated_code_refuses_the_old_one_and_keeps_links() {
    let (app, world) = prepared().await;
    let old = code_for(&app, &world.oak_learner).await;
    let mum = new_client();
    sign_up(&app, &mum, &old, "mum@home.example").await;

    let teacher = new_client();
    let hazel: (String,) = sqlx::query_as("SELECT id FROM classes WHERE name = 'Year 3 Hazel'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO class_teachers (class_id, account_id) VALUES ($1, $2)")
        .bind(&hazel.0)
        .bind(&world.oak_teacher)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.sign_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    let response = app
        .call_as(
            &teacher,
            "regenerate_parent_access_code",
            &[("learner_id", &world.oak_learner)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let new: String = response.json().await.unwrap();
    assert_ne!(new, old);

    let late = new_client();
    let (_, error) = app_error(sign_up(&app, &late, &old, "late@home.example").await).await;
    assert_eq!(error.field(), Some("code"), "the old code stopped working");
    assert_eq!(
        sign_up(&app, &late, &new, "late@home.example")
            .await
            .status(),
        200
    );
    assert_eq!(children(&app, &mum).await.len(), 1, "existing links stay");

    // Another school's teacher cannot.
    let riv = new_client();
    app.sign_in_as(&riv, "RIV", "teacher", PASSWORD).await;
    let response = app
        .call_as(
            &riv,
            "regenerate_parent_access_code",
            &[("learner_id", &world.oak_learner)],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert!(app
        .audit_actions()
        .await
        .contains(&"parent_code_regenerated".into()));
}

#[tokio::test]
async fn add_a_child_links_another_learner_of_the_same_school() {
    let (app, world) = prepared().await;
    let first = code_for(&app, &world.oak_learner).await;
    let second = code_for(&app, &world.oak_learner2).await;
    let mum = new_client();
    sign_up(&app, &mum, &first, "mum@home.example").await;
    let added = app
        .call_as(&mum, "add_child", &[("parent_access_code", &second)])
        .await;
    assert_eq!(added.status(), 200);
    assert_eq!(children(&app, &mum).await.len(), 2);

    let riv_learner = app
        .account(&world.riv, "learner", "kestrel1", None, (false, false))
        .await;
    let elsewhere = code_for(&app, &riv_learner).await;
    let refused = app
        .call_as(&mum, "add_child", &[("parent_access_code", &elsewhere)])
        .await;
    let (_, error) = app_error(refused).await;
    assert_eq!(error.field(), Some("code"), "answered like a wrong code");
    assert_eq!(children(&app, &mum).await.len(), 2);
}

#[tokio::test]
async fn a_parent_can_call_no_staff_function() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let mum = new_client();
    sign_up(&app, &mum, &code, "mum@home.example").await;
    let forms: [(&str, Vec<(&str, &str)>); 8] = [
        ("list_classes", vec![]),
        ("school_learners", vec![]),
        (
            "reveal_learner_password",
            vec![("learner_id", &world.oak_learner)],
        ),
        (
            "reset_learner_password",
            vec![
                ("learner_id", &world.oak_learner),
                ("password", "greenfox47"),
            ],
        ),
        (
            "regenerate_parent_access_code",
            vec![("learner_id", &world.oak_learner)],
        ),
        ("staff_directory", vec![]),
        (
            "send_staff_reset_email",
            vec![("account_id", &world.oak_teacher)],
        ),
        ("possible_duplicates", vec![]),
    ];
    for (name, form) in forms {
        let response = app.call_as(&mum, name, &form).await;
        assert_eq!(response.status(), 403, "{name}");
    }
    let staff_child = new_client();
    app.sign_in_as(&staff_child, "OAK", "teacher", PASSWORD)
        .await;
    assert_eq!(
        app.call_as(&staff_child, "my_children", &[]).await.status(),
        403
    );
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_limit() {
    let (app, _world) = prepared().await;
    let client = new_client();
    let guesses = (0..30).map(|_| sign_up(&app, &client, "AAA-AAA-AAA", "g@home.example"));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
}
