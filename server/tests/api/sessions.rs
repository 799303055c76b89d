//! Sessions: DESIGN.md §3 "Sessions", "My account", forced change.

use app::error::AppError;

use crate::helpers::{app_error, new_client, spawn_app, PASSWORD};

const NEW_PASSWORD: &str = "violet-canyon-93";

#[tokio::test]
async fn changing_ones_password_ends_every_session_this_one_included() {
    let app = spawn_app().await;
    app.world().await;
    let tablet = new_client();
    app.sign_in("OAK", "teacher", PASSWORD).await;
    app.signed_in_as(&tablet, "OAK", "teacher", PASSWORD).await;
    let response = app
        .plain_form_post(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"],
        "/login?notice=password-changed"
    );
    assert!(app.current_user().await.is_none(), "this session ended");
    assert!(
        app.current_user_of(&tablet).await.is_none(),
        "the other device's session ended"
    );
    let (_, error) = app_error(app.sign_in("OAK", "teacher", PASSWORD).await).await;
    assert_eq!(
        error,
        AppError::BadCredentials,
        "the old password no longer works"
    );
    assert_eq!(
        app.sign_in("OAK", "teacher", NEW_PASSWORD).await.status(),
        200
    );
    assert!(app
        .audit_actions()
        .await
        .contains(&"password_changed".to_string()));
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_follows_the_rules() {
    let app = spawn_app().await;
    app.world().await;
    app.sign_in("OAK", "teacher", PASSWORD).await;
    let cases = [
        (
            "wrong-current-1",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "current_password",
            "Your current password is not right.",
        ),
        (
            PASSWORD,
            "short1",
            "short1",
            "new_password",
            "The password must be at least 8 characters long.",
        ),
        (
            PASSWORD,
            "violetcanyon",
            "violetcanyon",
            "new_password",
            "The password must contain at least one digit (0–9).",
        ),
        (
            PASSWORD,
            "password1",
            "password1",
            "new_password",
            "That password is too common and easy to guess. Please choose another.",
        ),
        (
            PASSWORD,
            "Teacher",
            "Teacher",
            "new_password",
            "The password must be at least 8 characters long.",
        ),
        (
            PASSWORD,
            "oakwood-primary",
            "oakwood-primary",
            "new_password",
            "The password must contain at least one digit (0–9).",
        ),
        (
            PASSWORD,
            NEW_PASSWORD,
            "violet-canyon-94",
            "confirm_new_password",
            "The two passwords do not match.",
        ),
        (
            PASSWORD,
            PASSWORD,
            PASSWORD,
            "new_password",
            "Choose a password different from your current one.",
        ),
    ];
    for (current, new, confirm, field, message) in cases {
        let response = app
            .call(
                "change_password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_new_password", confirm),
                ],
            )
            .await;
        let (status, error) = app_error(response).await;
        assert_eq!(status, 422, "{new}");
        assert_eq!(error.field(), Some(field), "{new}");
        assert_eq!(error.to_string(), message, "{new}");
    }
    assert!(
        app.current_user().await.is_some(),
        "nothing changed, still signed in"
    );
}

#[tokio::test]
async fn the_password_may_not_be_the_schools_name_or_code() {
    let app = spawn_app().await;
    let world = app.world().await;
    sqlx::query("UPDATE schools SET name = 'Oakwood Primary 2024' WHERE id = $1")
        .bind(&world.oak)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.sign_in("OAK", "teacher", PASSWORD).await;
    let response = app
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Oakwood Primary 2024"),
                ("confirm_new_password", "Oakwood Primary 2024"),
            ],
        )
        .await;
    let (_, error) = app_error(response).await;
    assert_eq!(
        error.to_string(),
        "The password must not be the username or the school's name or code."
    );
}

#[tokio::test]
async fn a_user_who_must_change_their_password_can_do_nothing_else_first() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.set_flag(&world.oak_admin, "must_change_password", true)
        .await;
    let response = app.sign_in("OAK", "office", PASSWORD).await;
    assert_eq!(response.headers()["location"], "/account/new-password");
    assert!(app.current_user().await.unwrap().must_change_password);
    let (status, error) = app_error(
        app.call("sign_out_everywhere", &[("account_id", &world.oak_teacher)])
            .await,
    )
    .await;
    assert_eq!((status, error), (403, AppError::PasswordChangeRequired));

    let response = app
        .call(
            "choose_new_password",
            &[
                ("new_password", NEW_PASSWORD),
                ("confirm_new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let user = app
        .current_user()
        .await
        .expect("still signed in after the forced change");
    assert!(!user.must_change_password);
    assert_eq!(
        app.call("sign_out_everywhere", &[("account_id", &world.oak_teacher)])
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_forced_change_ends_other_sessions() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.set_flag(&world.oak_teacher, "must_change_password", true)
        .await;
    let other = new_client();
    app.sign_in("OAK", "teacher", PASSWORD).await;
    app.signed_in_as(&other, "OAK", "teacher", PASSWORD).await;
    app.call(
        "choose_new_password",
        &[
            ("new_password", NEW_PASSWORD),
            ("confirm_new_password", NEW_PASSWORD),
        ],
    )
    .await;
    assert!(app.current_user().await.is_some());
    assert!(app.current_user_of(&other).await.is_none());
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = spawn_app().await;
    app.world().await;
    app.sign_in("OAK", "teacher", PASSWORD).await;
    let response = app.plain_form_post("sign_out", &[]).await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/login?notice=signed-out");
    assert!(app.current_user().await.is_none());
    assert!(app.audit_actions().await.contains(&"sign_out".to_string()));
}

#[tokio::test]
async fn inactivating_an_account_ends_its_sessions_at_once() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "teacher", PASSWORD).await;
    assert!(app.current_user().await.is_some());
    app.set_flag(&world.oak_teacher, "active", false).await;
    assert!(app.current_user().await.is_none());
    // Reactivated, the old session stays ended; a new sign-in works.
    app.set_flag(&world.oak_teacher, "active", true).await;
    assert!(app.current_user().await.is_none());
    assert_eq!(app.sign_in("OAK", "teacher", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn staff_sessions_end_after_two_idle_hours_learner_sessions_after_one() {
    let app = spawn_app().await;
    app.world().await;
    let learner = new_client();
    app.sign_in("OAK", "teacher", PASSWORD).await;
    app.signed_in_as(&learner, "OAK", "amelias", PASSWORD).await;
    app.state.clock.advance(59 * 60);
    assert!(app.current_user().await.is_some());
    assert!(
        app.current_user_of(&learner).await.is_some(),
        "activity moves the idle timeout on"
    );
    app.state.clock.advance(61 * 60);
    assert!(
        app.current_user_of(&learner).await.is_none(),
        "learner idle for 61 minutes"
    );
    assert!(
        app.current_user().await.is_some(),
        "staff idle for 61 minutes"
    );
    app.state.clock.advance(2 * 60 * 60 + 1);
    assert!(
        app.current_user().await.is_none(),
        "staff idle for over 2 hours"
    );
}

#[tokio::test]
async fn a_busy_session_still_ends_after_twelve_hours() {
    let app = spawn_app().await;
    app.world().await;
    app.sign_in("OAK", "teacher", PASSWORD).await;
    for _ in 0..11 {
        app.state.clock.advance(60 * 60);
        assert!(app.current_user().await.is_some());
    }
    app.state.clock.advance(60 * 60);
    assert!(app.current_user().await.is_none());
}

/// Issue #11: activity writes the session row at most once a minute (it
/// was written on every page and call), and still moves the idle timeout on.
#[tokio::test]
async fn activity_writes_the_session_at_most_once_a_minute() {
    let app = spawn_app().await;
    app.world().await;
    app.state.clock.freeze();
    app.sign_in("OAK", "teacher", PASSWORD).await;
    let expires_at = || async {
        let (at,): (i64,) = sqlx::query_as("SELECT expires_at FROM sessions")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        at
    };
    let written = expires_at().await;
    app.state.clock.advance(30);
    for _ in 0..3 {
        assert!(app.current_user().await.is_some());
    }
    assert_eq!(expires_at().await, written, "no write within the minute");
    app.state.clock.advance(31);
    assert!(app.current_user().await.is_some());
    // Dated by the test clock, give or take the wall clock's second.
    let moved = expires_at().await - written;
    assert!(
        (60..=62).contains(&moved),
        "a minute on, the idle timeout moved on ({moved} s)"
    );
}
