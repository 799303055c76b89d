//! Authorisation of "sign out everywhere" (DESIGN.md §1 user management):
//! role, school and owner protections, checked on the server.

use app::error::AppError;

use crate::helpers::{app_error, new_client, spawn_app, PASSWORD};

#[tokio::test]
async fn a_full_admin_signs_a_teacher_out_everywhere() {
    let app = spawn_app().await;
    let world = app.world().await;
    let teacher = new_client();
    app.signed_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    app.sign_in("OAK", "office", PASSWORD).await;
    assert_eq!(
        app.call("sign_out_everywhere", &[("account_id", &world.oak_teacher)])
            .await
            .status(),
        200
    );
    assert!(app.current_user_of(&teacher).await.is_none());
    assert!(
        app.current_user().await.is_some(),
        "the admin stays signed in"
    );
    assert!(app
        .audit_actions()
        .await
        .contains(&"signed_out_everywhere".to_string()));
}

#[tokio::test]
async fn another_schools_account_answers_as_if_it_did_not_exist() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "office", PASSWORD).await;
    let other_school = app_error(
        app.call("sign_out_everywhere", &[("account_id", &world.riv_teacher)])
            .await,
    )
    .await;
    let missing = app_error(
        app.call("sign_out_everywhere", &[("account_id", "no-such-account")])
            .await,
    )
    .await;
    assert_eq!(other_school, (404, AppError::NotFound));
    assert_eq!(other_school, missing);
}

#[tokio::test]
async fn a_full_admin_cannot_touch_the_owner_but_the_owner_can() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "office", PASSWORD).await;
    let (status, error) = app_error(
        app.call("sign_out_everywhere", &[("account_id", &world.oak_owner)])
            .await,
    )
    .await;
    assert_eq!((status, error), (403, AppError::Forbidden));
    let owner = new_client();
    app.signed_in_as(&owner, "OAK", "admin", PASSWORD).await;
    assert_eq!(
        app.call_as(
            &owner,
            "sign_out_everywhere",
            &[("account_id", &world.oak_admin)]
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn teachers_lead_teachers_learners_and_parents_are_refused() {
    let app = spawn_app().await;
    let world = app.world().await;
    for (school, username) in [
        ("OAK", "teacher"),
        ("OAK", "lead"),
        ("OAK", "amelias"),
        ("", "parent@home.example"),
    ] {
        let client = new_client();
        assert_eq!(
            app.sign_in_as(&client, school, username, PASSWORD)
                .await
                .status(),
            200,
            "{username}"
        );
        let (status, error) = app_error(
            app.call_as(
                &client,
                "sign_out_everywhere",
                &[("account_id", &world.oak_learner2)],
            )
            .await,
        )
        .await;
        assert_eq!((status, error), (403, AppError::Forbidden), "{username}");
    }
}

#[tokio::test]
async fn nobody_signed_in_is_asked_to_sign_in() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (status, error) = app_error(
        app.call("sign_out_everywhere", &[("account_id", &world.oak_teacher)])
            .await,
    )
    .await;
    assert_eq!((status, error), (401, AppError::NotSignedIn));
    let (status, _) = app_error(
        app.call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "violet-canyon-93"),
                ("confirm_new_password", "violet-canyon-93"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = app_error(app.call("password_rules", &[]).await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_inactive_admin_can_do_nothing() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "office", PASSWORD).await;
    app.set_flag(&world.oak_admin, "active", false).await;
    let (status, _) = app_error(
        app.call("sign_out_everywhere", &[("account_id", &world.oak_teacher)])
            .await,
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn password_rules_are_the_callers_schools() {
    let app = spawn_app().await;
    let world = app.world().await;
    sqlx::query("UPDATE schools SET min_password_length = 12 WHERE id = $1")
        .bind(&world.oak)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.sign_in("OAK", "teacher", PASSWORD).await;
    let (policy, context): (
        app::password_rules::PasswordPolicy,
        app::password_rules::PasswordContext,
    ) = app.call("password_rules", &[]).await.json().await.unwrap();
    assert_eq!(policy.min_length, 12);
    assert_eq!(context.school_code, "OAK");
    assert_eq!(context.username, "teacher");
}

#[tokio::test]
async fn pages_a_signed_in_user_may_not_open_answer_403() {
    let app = spawn_app().await;
    app.world().await;
    const EVERY_PAGE: [&str; 10] = [
        "/classes",
        "/staff",
        "/users",
        "/settings",
        "/audit",
        "/school/import",
        "/school/rollover",
        "/school/learners",
        "/school/accounts",
        "/school/cards",
    ];
    const LEAD_PAGES: [&str; 6] = [
        "/classes",
        "/audit",
        "/school/import",
        "/school/learners",
        "/school/accounts",
        "/school/cards",
    ];
    // Who signs in, and which of the pages they may open (DESIGN.md §1).
    let people: [(&str, &str, &[&str]); 6] = [
        ("OAK", "admin", &EVERY_PAGE),
        ("OAK", "office", &EVERY_PAGE),
        ("OAK", "lead", &LEAD_PAGES),
        ("OAK", "teacher", &["/classes"]),
        ("OAK", "amelias", &[]),
        ("", "parent@home.example", &[]),
    ];
    for (school, username, may_open) in people {
        let browser = new_client();
        app.signed_in_as(&browser, school, username, PASSWORD).await;
        for page in EVERY_PAGE {
            let response = browser
                .get(format!("{}{page}", app.url))
                .send()
                .await
                .unwrap();
            let expected = if may_open.contains(&page) { 200 } else { 403 };
            assert_eq!(response.status(), expected, "{username} opens {page}");
            // A refusal is still the page, in the site's frame.
            let body = response.text().await.unwrap();
            assert!(body.contains("<title>"), "{username} opens {page}: {body}");
        }
    }
}

#[tokio::test]
async fn a_signed_out_browser_is_sent_to_sign_in_before_any_page_loads() {
    let app = spawn_app().await;
    app.world().await;
    let browser = new_client();
    // Pages whose content loads with their own WebAssembly chunk, which a
    // signed-out browser used to fetch only to be sent on.
    for page in [
        "/staff",
        "/settings",
        "/account",
        "/parent",
        "/school/cards",
        "/classes/c1/cards",
    ] {
        let response = browser
            .get(format!("{}{page}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302, "{page}");
        assert_eq!(response.headers()["location"], "/login", "{page}");
    }
    // Pages for signed-out people are answered.
    for page in ["/login", "/forgot-password", "/parent/signup", "/badge"] {
        let response = browser
            .get(format!("{}{page}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{page}");
    }
}
