//! Reset links (DESIGN.md §3 "Forgotten password" tokens) and the
//! operator's owner recovery.

use app::error::AppError;
use app::recovery::ssr::issue_owner_recovery;
use app::recovery::LinkState;

use crate::helpers::{
    app_error, deliver, link_in, new_client, queued, spawn_app, TestApp, PASSWORD,
};

const NEW: &str = "quiet-harbour-58";

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

/// What `/reset-password/{token}` (or, with `page`, another link page)
/// learns about a link.
async fn link_state_on(app: &TestApp, token: &str, page: &str) -> LinkState {
    app.call("reset_link_state", &[("token", token), ("page", page)])
        .await
        .json()
        .await
        .unwrap()
}

async fn link_state(app: &TestApp, token: &str) -> LinkState {
    link_state_on(app, token, "ResetPassword").await
}

/// "Set password" with `password` on a link page.
async fn set_password_on(
    app: &TestApp,
    token: &str,
    page: &str,
    password: &str,
) -> reqwest::Response {
    app.call(
        "reset_password_with_token",
        &[
            ("token", token),
            ("page", page),
            ("new_password", password),
            ("confirm_new_password", password),
        ],
    )
    .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    set_password_on(app, token, "ResetPassword", password).await
}

#[tokio::test]
async fn an_owner_recovery_link_works_once() {
    let app = spawn_app().await;
    app.world().await;
    let owner_elsewhere = new_client();
    app.signed_in_as(&owner_elsewhere, "OAK", "admin", PASSWORD)
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

const ANSWER: &str =
    "If an account uses that address, we have sent a link. It works once, for 60 minutes.";

async fn forgot(app: &TestApp, email: &str) -> String {
    let response = app
        .call("request_password_reset", &[("email", email)])
        .await;
    assert_eq!(response.status(), 200, "{email}");
    // The link is queued after the answer: wait for that.
    app.state.reset_requests.flush().await;
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_emailed_link() {
    let app = spawn_app().await;
    app.world().await;
    assert_eq!(forgot(&app, " Teacher@Oakwood.example ").await, ANSWER);
    let messages = queued(&app).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "teacher@oakwood.example");

    let emails = deliver(&app).await;
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0].contains("To: teacher@oakwood.example"),
        "{}",
        emails[0]
    );
    assert!(
        emails[0].contains(&format!("{}/reset-password/", app.url)),
        "{}",
        emails[0]
    );
    assert!(emails[0].contains("Oakwood Primary"));
    let token = link_in(&emails[0]);
    assert_eq!(reset(&app, &token, NEW).await.status(), 200);
    assert_eq!(app.sign_in("OAK", "teacher", NEW).await.status(), 200);
    let messages = queued(&app).await;
    assert!(
        messages[1].1.contains("was just changed"),
        "a 'your password was changed' email follows"
    );
    assert!(app
        .audit_actions()
        .await
        .contains(&"reset_link_sent".into()));
}

#[tokio::test]
async fn unknown_owner_and_inactive_addresses_get_the_same_answer_and_nothing_is_sent() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.set_flag(&world.oak_lead, "active", false).await;
    for email in [
        "nobody@nowhere.example",
        "owner@oakwood.example",
        "OWNER@riverside.example",
        "lead@oakwood.example",
    ] {
        assert_eq!(forgot(&app, email).await, ANSWER, "{email}");
    }
    assert!(queued(&app).await.is_empty());
    let (tokens,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reset_tokens")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(tokens, 0);
}

#[tokio::test]
async fn at_most_three_links_an_hour_per_account() {
    let app = spawn_app().await;
    app.world().await;
    for _ in 0..5 {
        assert_eq!(forgot(&app, "office@oakwood.example").await, ANSWER);
    }
    assert_eq!(queued(&app).await.len(), 3);
    app.state.clock.advance(3601);
    forgot(&app, "office@oakwood.example").await;
    assert_eq!(queued(&app).await.len(), 4);
}

/// A known address used to wait for the database's write lock before it
/// was answered and an unknown one did not, so a long write (a class reset,
/// an import) told them apart. Both are answered while the lock is held now;
/// the link is queued once it is free.
#[tokio::test]
async fn the_answer_does_not_wait_for_a_database_busy_writing() {
    let app = spawn_app().await;
    app.world().await;
    let writing = app::db::begin_write(&app.state.db).await.unwrap();
    for email in ["teacher@oakwood.example", "nobody@nowhere.example"] {
        let response = app
            .call("request_password_reset", &[("email", email)])
            .await;
        assert_eq!(response.status(), 200, "{email}");
        assert_eq!(response.json::<String>().await.unwrap(), ANSWER);
    }
    let waiting = app::mail::outbox::opened_messages(&app.state.db, &app.state.sealer)
        .await
        .unwrap();
    assert!(
        waiting.is_empty(),
        "nothing is queued while the lock is held"
    );
    writing.rollback().await.unwrap();
    let messages = queued(&app).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "teacher@oakwood.example");
}

#[tokio::test]
async fn a_badly_typed_address_is_explained() {
    let app = spawn_app().await;
    let (status, error) = app_error(
        app.call("request_password_reset", &[("email", "not an email")])
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(error.field(), Some("email"));
}

#[tokio::test]
async fn queued_email_survives_a_restart() {
    let app = spawn_app().await;
    app.world().await;
    forgot(&app, "teacher@oakwood.example").await;
    // A new process: a fresh pool on the same database file delivers it.
    let url = crate::test_database::app_database_url(app.data.path());
    let db = app::db::connect(&url).await.unwrap();
    let folder = app.data.path().join("after-restart");
    let mailer = app::mail::transport::Mailer::files(folder.clone()).unwrap();
    let sent =
        app::mail::outbox::deliver_due(&db, &app.state.sealer, &mailer, app.state.clock.now())
            .await
            .unwrap();
    assert_eq!(sent, 1);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
    let (status,): (String,) = sqlx::query_as("SELECT status FROM outgoing_messages")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "sent");
}

#[tokio::test]
async fn undeliverable_email_is_retried_later_not_lost() {
    let app = spawn_app().await;
    // A second ticking mid-test must not move the expected retry time.
    app.state.clock.freeze();
    app.world().await;
    forgot(&app, "teacher@oakwood.example").await;
    // A folder that cannot be written: a file stands where it should be.
    let blocked = app.data.path().join("blocked");
    std::fs::write(&blocked, "not a folder").unwrap();
    let mailer = app::mail::transport::Mailer::Files {
        transport: lettre::AsyncFileTransport::new(&blocked),
        folder: blocked,
    };
    let sent = crate::helpers::deliver_with(&app, &mailer).await;
    assert_eq!(sent, 0);
    let (status, attempts, next): (String, i64, i64) =
        sqlx::query_as("SELECT status, attempts, next_attempt_at FROM outgoing_messages")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert_eq!(next, app.state.clock.now() + 30);
    assert_eq!(deliver(&app).await.len(), 0, "not due again yet");
    app.state.clock.advance(30);
    assert_eq!(deliver(&app).await.len(), 1);
}

#[tokio::test]
async fn at_most_ten_links_an_hour_from_one_address() {
    let app = spawn_app().await;
    let world = app.world().await;
    for n in 0..12 {
        let email = format!("staff{n}@oakwood.example");
        app.account(
            &world.oak,
            "staff",
            &format!("staff{n}"),
            Some(&email),
            (false, false),
        )
        .await;
        assert_eq!(forgot(&app, &email).await, ANSWER);
    }
    assert_eq!(queued(&app).await.len(), 10);
}

#[tokio::test]
async fn an_email_whose_link_expired_while_queued_is_never_sent() {
    let app = spawn_app().await;
    app.world().await;
    forgot(&app, "teacher@oakwood.example").await;
    app.state.clock.advance(60 * 60);
    assert_eq!(deliver(&app).await.len(), 0);
    let (status, body): (String, String) =
        sqlx::query_as("SELECT status, body_text || body_html FROM outgoing_messages")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), body.as_str()), ("failed", ""));
}

#[tokio::test]
async fn a_message_given_up_after_every_attempt_keeps_no_link() {
    let app = spawn_app().await;
    app.world().await;
    forgot(&app, "teacher@oakwood.example").await;
    sqlx::query("UPDATE outgoing_messages SET attempts = 7, recipient = 'not an address'")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(deliver(&app).await.len(), 0);
    let (status, body): (String, String) =
        sqlx::query_as("SELECT status, body_text || body_html FROM outgoing_messages")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), body.as_str()), ("failed", ""));
}

#[tokio::test]
async fn defect_7_a_link_works_only_on_the_page_of_its_purpose() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "office", PASSWORD).await;
    let added = app
        .call_json(
            "add_staff_member",
            serde_json::json!({ "member": {
                "display_name": "Nina New", "username": "n.new", "email": "nina@oakwood.example",
                "mobile": "", "full_admin": false, "lead_teacher": false, "class_ids": [],
            }}),
        )
        .await;
    assert_eq!(added.status(), 200);
    forgot(&app, "teacher@oakwood.example").await;
    let emails = deliver(&app).await;
    let welcome = link_in(emails.iter().find(|e| e.contains("nina@")).unwrap());
    let reset_token = link_in(emails.iter().find(|e| e.contains("teacher@")).unwrap());

    // Each link on the other page: unusable, and nothing spent.
    for (token, page) in [(&welcome, "ResetPassword"), (&reset_token, "Welcome")] {
        assert_eq!(link_state_on(&app, token, page).await, LinkState::Unusable);
        let response = set_password_on(&app, token, page, NEW).await;
        assert_eq!(response.status(), 409, "{page}");
    }
    assert_eq!(app.usable_links(&world.oak_teacher).await, 1, "not spent");

    // Each on its own page works.
    for (token, page) in [(&welcome, "Welcome"), (&reset_token, "ResetPassword")] {
        let response = set_password_on(&app, token, page, NEW).await;
        assert_eq!(response.status(), 200, "{page}");
    }
}

#[tokio::test]
async fn defect_7_reactivating_an_account_retires_links_sent_before() {
    let app = spawn_app().await;
    let world = app.world().await;
    forgot(&app, "teacher@oakwood.example").await;
    let token = link_in(&deliver(&app).await[0]);
    assert_eq!(app.usable_links(&world.oak_teacher).await, 1);

    assert_eq!(app.sign_in("OAK", "office", PASSWORD).await.status(), 200);
    for active in ["false", "true"] {
        let response = app
            .call(
                "set_account_active",
                &[("account_id", &world.oak_teacher), ("active", active)],
            )
            .await;
        assert_eq!(response.status(), 200, "active = {active}");
    }
    assert_eq!(app.usable_links(&world.oak_teacher).await, 0);
    assert_eq!(
        link_state_on(&app, &token, "ResetPassword").await,
        LinkState::Unusable
    );
}

#[tokio::test]
async fn defect_5_a_queued_link_is_sealed_and_every_file_is_owner_only() {
    let app = spawn_app().await;
    app.world().await;
    forgot(&app, "teacher@oakwood.example").await;
    let (text, html): (String, String) =
        sqlx::query_as("SELECT body_text, body_html FROM outgoing_messages")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(
        !text.contains("reset-password") && !html.contains("reset-password"),
        "the database holds no live link while the email waits: {text}"
    );
    assert!(queued(&app).await[0].1.contains("/reset-password/"));

    let emails = deliver(&app).await;
    assert_eq!(emails.len(), 1);
    let mode = |path: &std::path::Path| app::files::mode(path).unwrap();
    let outbox = app.data.path().join("outbox/email");
    assert_eq!(mode(&outbox), 0o700);
    for file in std::fs::read_dir(&outbox).unwrap() {
        assert_eq!(mode(&file.unwrap().path()), 0o600);
    }
    assert_eq!(mode(app.data.path()), 0o700, "the data folder");
    if crate::test_database::postgres().is_none() {
        assert_eq!(mode(&app.data.path().join("classkeys.db")), 0o600);
    }
}

#[tokio::test]
async fn defect_3_reset_links_from_one_ipv6_slash_64_share_one_limit() {
    let app =
        crate::helpers::spawn_app_configured(false, &[("CLASSKEYS_TRUSTED_PROXIES", "127.0.0.1")])
            .await;
    let world = app.world().await;
    for n in 0..12 {
        let email = format!("staff{n}@oakwood.example");
        app.account(
            &world.oak,
            "staff",
            &format!("staff{n}"),
            Some(&email),
            (false, false),
        )
        .await;
        // Every request from another address of one /64.
        let response = app
            .call_from(
                &format!("2001:db8:9:9::{:x}", n + 1),
                "request_password_reset",
                &[("email", &email)],
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(queued(&app).await.len(), 10);
}

#[tokio::test]
async fn one_link_used_twice_at_once_works_exactly_once() {
    let app = spawn_app().await;
    app.world().await;
    forgot(&app, "teacher@oakwood.example").await;
    let token = link_in(&deliver(&app).await[0]);
    let (first, second) = tokio::join!(
        reset(&app, &token, "quiet-harbour-58"),
        reset(&app, &token, "amber-meadow-64"),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let winner = if first.status() == 200 {
        "quiet-harbour-58"
    } else {
        "amber-meadow-64"
    };
    assert_eq!(app.sign_in("OAK", "teacher", winner).await.status(), 200);
}
