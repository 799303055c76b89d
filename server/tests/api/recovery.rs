//! Reset links (DESIGN.md §3 "Forgotten password" tokens) and the
//! operator's owner recovery.

use app::error::AppError;
use app::recovery::ssr::issue_owner_recovery;
use app::recovery::LinkState;

use crate::helpers::{app_error, new_client, spawn_app, TestApp, PASSWORD};

const NEW: &str = "quiet-harbour-58";

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

async fn link_state(app: &TestApp, token: &str) -> LinkState {
    app.call("reset_link_state", &[("token", token)])
        .await
        .json()
        .await
        .unwrap()
}

async fn reset(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.call(
        "reset_password_with_token",
        &[
            ("token", token),
            ("new_password", password),
            ("confirm_new_password", password),
        ],
    )
    .await
}

#[tokio::test]
async fn an_owner_recovery_link_works_once() {
    let app = spawn_app().await;
    app.world().await;
    let owner_elsewhere = new_client();
    app.sign_in_as(&owner_elsewhere, "OAK", "admin", PASSWORD)
        .await;

    let link = issue_owner_recovery(&app.state, "oak").await.unwrap();
    assert!(
        link.starts_with(&format!("{}/reset-password/", app.url)),
        "built from the public URL: {link}"
    );
    let token = token_of(&link);
    assert!(matches!(
        link_state(&app, &token).await,
        LinkState::Valid { .. }
    ));

    assert_eq!(reset(&app, &token, NEW).await.status(), 200);
    assert!(
        app.current_user().await.is_none(),
        "the link signs nobody in"
    );
    assert!(
        app.current_user_of(&owner_elsewhere).await.is_none(),
        "every session of the owner ended"
    );
    assert_eq!(app.sign_in("OAK", "admin", NEW).await.status(), 200);

    let (status, error) = app_error(reset(&app, &token, "other-pass-word-7").await).await;
    assert_eq!(status, 409);
    assert!(
        error.to_string().contains("expired or was already used"),
        "{error}"
    );
    assert_eq!(link_state(&app, &token).await, LinkState::Unusable);
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"owner_recovery_link_issued".into())
            && actions.contains(&"password_reset_by_link".into()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_link_expires_after_sixty_minutes() {
    let app = spawn_app().await;
    app.world().await;
    let token = token_of(&issue_owner_recovery(&app.state, "OAK").await.unwrap());
    app.state.clock.advance(59 * 60);
    assert!(matches!(
        link_state(&app, &token).await,
        LinkState::Valid { .. }
    ));
    app.state.clock.advance(60);
    assert_eq!(link_state(&app, &token).await, LinkState::Unusable);
    assert_eq!(app_error(reset(&app, &token, NEW).await).await.0, 409);
}

#[tokio::test]
async fn a_newer_link_or_a_password_change_kills_earlier_links() {
    let app = spawn_app().await;
    app.world().await;
    let first = token_of(&issue_owner_recovery(&app.state, "OAK").await.unwrap());
    let second = token_of(&issue_owner_recovery(&app.state, "OAK").await.unwrap());
    assert_eq!(link_state(&app, &first).await, LinkState::Unusable);
    assert!(matches!(
        link_state(&app, &second).await,
        LinkState::Valid { .. }
    ));

    app.sign_in("OAK", "admin", PASSWORD).await;
    let form = [
        ("current_password", PASSWORD),
        ("new_password", NEW),
        ("confirm_new_password", NEW),
    ];
    assert_eq!(app.call("change_password", &form).await.status(), 200);
    assert_eq!(link_state(&app, &second).await, LinkState::Unusable);
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    app.world().await;
    let token = token_of(&issue_owner_recovery(&app.state, "OAK").await.unwrap());
    assert_eq!(token.len(), 43, "256 bits in base64url");
    let rows: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM reset_tokens")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].0, token);
    assert!(!rows[0].0.contains(&token));
}

#[tokio::test]
async fn a_refused_new_password_leaves_the_link_usable() {
    let app = spawn_app().await;
    app.world().await;
    let token = token_of(&issue_owner_recovery(&app.state, "OAK").await.unwrap());
    let (status, error) = app_error(reset(&app, &token, "password1").await).await;
    assert_eq!(status, 422);
    assert!(error.to_string().contains("too common"));
    assert_eq!(reset(&app, &token, NEW).await.status(), 200);
}

#[tokio::test]
async fn made_up_tokens_are_simply_unusable() {
    let app = spawn_app().await;
    for token in [
        "",
        "x",
        "'; DROP TABLE accounts; --",
        &"A".repeat(43),
        &"é".repeat(43),
    ] {
        assert_eq!(
            link_state(&app, token).await,
            LinkState::Unusable,
            "{token}"
        );
        assert_eq!(
            app_error(reset(&app, token, NEW).await).await.0,
            409,
            "{token}"
        );
    }
}

#[tokio::test]
async fn recovery_needs_a_school_with_an_owner() {
    let app = spawn_app().await;
    app.world().await;
    let error = issue_owner_recovery(&app.state, "NOPE").await.unwrap_err();
    assert!(matches!(error, AppError::Invalid { .. }), "{error:?}");
}
