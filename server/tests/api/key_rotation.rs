//! Rotating the server key (issue #9, defect 6): parent access codes, reveal
//! copies and queued email keep working with the old key listed as old, and
//! `rotate_to_current_key` moves everything to the new key in one go.

use app::learners::ssr::{open_reveal_copy, LearnerRecord};
use app::passwords::rotation::{rotate_to_current_key, Rotated};
use app::passwords::sealing::{Sealer, SecretKey};
use app::state::AppState;
use secrecy::ExposeSecret;

use crate::helpers::{queued, spawn_app, TestApp, PASSWORD};

fn key_copy(key: &SecretKey) -> SecretKey {
    SecretKey::from_base64(key.to_base64().expose_secret()).unwrap()
}

fn state_with(app: &TestApp, sealer: Sealer) -> AppState {
    AppState::new(app.state.db.clone(), sealer, &app.url)
}

async fn learner_of_code(state: &AppState, code: &str) -> Option<String> {
    let mut tx = app::db::begin_write(&state.db).await.unwrap();
    let found = app::parents::ssr::find_learner(&mut tx, state, code)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    found.map(|(learner, _)| learner)
}

/// A learner with a parent code and a shown password, and a queued email,
/// all sealed under the app's first key; returns the code and that key.
async fn sealed_world(app: &TestApp) -> (String, String, SecretKey) {
    let world = app.world().await;
    app.class(&world.oak, "Year 3 Hazel", &[], &[&world.oak_learner])
        .await;
    assert_eq!(app.sign_in("OAK", "office", PASSWORD).await.status(), 200);
    let code: String = app
        .call(
            "regenerate_parent_access_code",
            &[("learner_id", &world.oak_learner)],
        )
        .await
        .json()
        .await
        .unwrap();
    app.reset_learner_as(&app.client, &world.oak_learner, "greenfox47")
        .await;
    let forgot = app
        .call(
            "request_password_reset",
            &[("email", "teacher@oakwood.example")],
        )
        .await;
    assert_eq!(forgot.status(), 200);
    app.state.reset_requests.flush().await;
    let key_file = std::fs::read_to_string(app.data.path().join("secret.key")).unwrap();
    (
        code,
        world.oak_learner,
        SecretKey::from_base64(&key_file).unwrap(),
    )
}

#[tokio::test]
async fn defect_6_parent_codes_and_passwords_survive_a_full_key_rotation() {
    let app = spawn_app().await;
    let (code, learner_id, old_key) = sealed_world(&app).await;
    let new_key = SecretKey::generate();

    // Step 1: the new key is current, the old one listed as old. Codes typed
    // by parents still find their child (they all failed here before).
    let rotating = state_with(&app, Sealer::new(key_copy(&new_key), vec![old_key]));
    assert_eq!(
        learner_of_code(&rotating, &code).await.as_deref(),
        Some(learner_id.as_str())
    );
    // Step 2: `classkeys admin rotate-key`.
    let rotated = rotate_to_current_key(&rotating).await.unwrap();
    assert_eq!(
        rotated,
        Rotated {
            learner_passwords: 1,
            parent_access_codes: 1,
            queued_emails: 1,
            sso_client_secrets: 0
        }
    );
    // Step 3: the old key is gone; everything opens with the new one alone.
    let after = state_with(&app, Sealer::new(new_key, vec![]));
    assert_eq!(
        learner_of_code(&after, &code).await.as_deref(),
        Some(learner_id.as_str())
    );
    let learner: LearnerRecord = sqlx::query_as(
        "SELECT id, school_id, username, first_name, last_name, password_version, password_set_by, \
         locked_until FROM accounts WHERE id = $1",
    )
    .bind(&learner_id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let password = open_reveal_copy(&after, &learner).await.unwrap().unwrap();
    assert_eq!(password.expose_secret(), "greenfox47");
    let emails = app::mail::outbox::opened_messages(&after.db, &after.sealer)
        .await
        .unwrap();
    assert!(emails[0].1.contains("/reset-password/"), "{emails:?}");
    assert!(app
        .audit_actions()
        .await
        .contains(&"secret_key_rotated".to_string()));
}

#[tokio::test]
async fn a_rotation_missing_an_old_key_changes_nothing() {
    let app = spawn_app().await;
    let (code, learner_id, _old_key) = sealed_world(&app).await;
    let forgetful = state_with(&app, Sealer::new(SecretKey::generate(), vec![]));
    let error = rotate_to_current_key(&forgetful).await.unwrap_err();
    assert!(
        error.to_string().contains("CLASSKEYS_OLD_SECRET_KEYS"),
        "{error}"
    );
    // The running app (old key current) still has everything.
    assert_eq!(
        learner_of_code(&app.state, &code).await.as_deref(),
        Some(learner_id.as_str())
    );
    assert!(queued(&app).await[0].1.contains("/reset-password/"));
}

#[tokio::test]
async fn a_rotation_also_seals_email_queued_before_bodies_were_sealed() {
    let app = spawn_app().await;
    app.world().await;
    // As an earlier version queued it: plain text, no key id.
    sqlx::query(
        "INSERT INTO outgoing_messages (id, channel, recipient, subject, body_text, body_html, \
         next_attempt_at, created_at) VALUES ('old', 'email', 'teacher@oakwood.example', 'Hi', \
         'a live link http://x/reset-password/abc', '<p>link</p>', 0, 0)",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
    let rotated = rotate_to_current_key(&app.state).await.unwrap();
    assert_eq!(rotated.queued_emails, 1);
    let (key_id, text): (Option<String>, String) =
        sqlx::query_as("SELECT key_id, body_text FROM outgoing_messages WHERE id = 'old'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(key_id.as_deref(), Some(app.state.sealer.current_key_id()));
    assert!(!text.contains("reset-password"), "sealed now: {text}");
    assert!(queued(&app).await[0].1.contains("/reset-password/abc"));
}
