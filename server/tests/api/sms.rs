//! "Reset password via SMS": offered only with SMS on and a mobile number,
//! one credit per SMS the gateway accepted, none on failure or at zero.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::routing::post;
use axum::Json;

use crate::helpers::{app_error, spawn_app, spawn_app_configured, TestApp, World, PASSWORD};

async fn prepare(app: &TestApp, credits: i64) -> World {
    let world = app.world().await;
    sqlx::query("UPDATE schools SET sms_enabled = TRUE, sms_credits = $1 WHERE id = $2")
        .bind(credits)
        .bind(&world.oak)
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE accounts SET mobile = '+447700900123' WHERE id = $1")
        .bind(&world.oak_teacher)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.sign_in("OAK", "office", PASSWORD).await;
    world
}

async fn credits(app: &TestApp, world: &World) -> i64 {
    let (credits,): (i64,) = sqlx::query_as("SELECT sms_credits FROM schools WHERE id = $1")
        .bind(&world.oak)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    credits
}

async fn send(app: &TestApp, account: &str) -> reqwest::Response {
    app.call("send_staff_reset_sms", &[("account_id", account)])
        .await
}

fn sms_files(app: &TestApp) -> Vec<String> {
    let folder = app.data.path().join("outbox/sms");
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

#[tokio::test]
async fn an_sms_with_a_working_link_costs_one_credit() {
    let app = spawn_app().await;
    let world = prepare(&app, 2).await;
    let response = send(&app, &world.oak_teacher).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<i64>().await.unwrap(), 1, "credits left");
    assert_eq!(credits(&app, &world).await, 1);

    let files = sms_files(&app);
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with("To: +447700900123\n"), "{}", files[0]);
    let start = files[0].find("/reset-password/").unwrap() + "/reset-password/".len();
    let token: String = files[0][start..].chars().take(43).collect();
    let form = [
        ("token", token.as_str()),
        ("page", "ResetPassword"),
        ("new_password", "amber-meadow-64"),
        ("confirm_new_password", "amber-meadow-64"),
    ];
    assert_eq!(
        app.call("reset_password_with_token", &form).await.status(),
        200
    );
    let (detail,): (String,) =
        sqlx::query_as("SELECT detail FROM audit_events WHERE action = 'reset_link_sent'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(detail, "by SMS");
}

#[tokio::test]
async fn with_no_credits_nothing_is_sent_and_the_message_says_why() {
    let app = spawn_app().await;
    let world = prepare(&app, 0).await;
    let (status, error) = app_error(send(&app, &world.oak_teacher).await).await;
    assert_eq!(status, 409);
    assert!(error.to_string().contains("no SMS credits left"), "{error}");
    assert!(sms_files(&app).is_empty());
    assert_eq!(credits(&app, &world).await, 0);
    assert_eq!(app.usable_links(&world.oak_teacher).await, 0);
}

#[tokio::test]
async fn sms_is_offered_only_when_switched_on_and_to_a_mobile_number() {
    let app = spawn_app().await;
    let world = prepare(&app, 5).await;
    let (_, error) = app_error(send(&app, &world.oak_lead).await).await;
    assert!(error.to_string().contains("no mobile number"), "{error}");
    sqlx::query("UPDATE schools SET sms_enabled = FALSE")
        .execute(&app.state.db)
        .await
        .unwrap();
    let (_, error) = app_error(send(&app, &world.oak_teacher).await).await;
    assert!(error.to_string().contains("SMS is switched off"), "{error}");
    assert_eq!(credits(&app, &world).await, 5);
    assert!(sms_files(&app).is_empty());
}

#[tokio::test]
async fn the_last_credit_is_spent_once_by_two_admins_at_the_same_time() {
    let app = spawn_app().await;
    let world = prepare(&app, 1).await;
    let (a, b) = tokio::join!(
        send(&app, &world.oak_teacher),
        send(&app, &world.oak_teacher)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(credits(&app, &world).await, 0);
    assert_eq!(sms_files(&app).len(), 1);
}

/// A stand-in SMS gateway that records what it is sent and answers `status`.
async fn gateway(status: StatusCode) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let router = axum::Router::new().route(
        "/send",
        post(move |Json(body): Json<serde_json::Value>| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(body);
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn a_gateway_posts_to_and_body_as_json() {
    let (url, received) = gateway(StatusCode::ACCEPTED).await;
    let app = spawn_app_configured(false, &[("SMS_GATEWAY_URL", &url)]).await;
    let world = prepare(&app, 3).await;
    assert_eq!(send(&app, &world.oak_teacher).await.status(), 200);
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["to"], "+447700900123");
    assert!(received[0]["body"]
        .as_str()
        .unwrap()
        .contains("/reset-password/"));
    assert_eq!(
        received[0].as_object().unwrap().len(),
        2,
        "just to and body"
    );
    assert_eq!(credits(&app, &world).await, 2);
}

#[tokio::test]
async fn a_refusing_gateway_costs_no_credit_and_leaves_no_live_link() {
    let (url, received) = gateway(StatusCode::INTERNAL_SERVER_ERROR).await;
    let app = spawn_app_configured(false, &[("SMS_GATEWAY_URL", &url)]).await;
    let world = prepare(&app, 3).await;
    let (status, error) = app_error(send(&app, &world.oak_teacher).await).await;
    assert_eq!(status, 409);
    assert!(error.to_string().contains("no credit was used"), "{error}");
    assert_eq!(received.lock().unwrap().len(), 1, "it was tried");
    assert_eq!(credits(&app, &world).await, 3);
    assert_eq!(app.usable_links(&world.oak_teacher).await, 0);
    let sent: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit_events WHERE action = 'reset_link_sent'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert!(
        sent.is_empty(),
        "nothing was sent, so nothing is logged as sent"
    );
}

#[tokio::test]
async fn an_unreachable_gateway_costs_no_credit() {
    // A port that was free a moment ago: nothing listens there now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    drop(listener);
    let app = spawn_app_configured(false, &[("SMS_GATEWAY_URL", &url)]).await;
    let world = prepare(&app, 1).await;
    assert_eq!(send(&app, &world.oak_teacher).await.status(), 409);
    assert_eq!(credits(&app, &world).await, 1);
}

#[tokio::test]
async fn a_refused_sms_leaves_a_link_already_emailed_working() {
    let (url, _received) = gateway(StatusCode::BAD_GATEWAY).await;
    let app = spawn_app_configured(false, &[("SMS_GATEWAY_URL", &url)]).await;
    let world = prepare(&app, 3).await;
    let emailed = app
        .call(
            "send_staff_reset_email",
            &[("account_id", &world.oak_teacher)],
        )
        .await;
    assert_eq!(emailed.status(), 200);
    assert_eq!(send(&app, &world.oak_teacher).await.status(), 409);
    assert_eq!(
        app.usable_links(&world.oak_teacher).await,
        1,
        "the emailed link"
    );
}

#[tokio::test]
async fn an_accepted_sms_retires_earlier_links() {
    let app = spawn_app().await;
    let world = prepare(&app, 3).await;
    let by_email = app
        .call(
            "send_staff_reset_email",
            &[("account_id", &world.oak_teacher)],
        )
        .await;
    assert_eq!(by_email.status(), 200);
    assert_eq!(app.usable_links(&world.oak_teacher).await, 1, "the email's");
    assert_eq!(send(&app, &world.oak_teacher).await.status(), 200);
    assert_eq!(
        app.usable_links(&world.oak_teacher).await,
        1,
        "only the SMS link"
    );
}

#[tokio::test]
async fn no_sms_to_another_schools_staff_or_to_a_learner() {
    let app = spawn_app().await;
    let world = prepare(&app, 3).await;
    for account in [&world.riv_teacher, &world.oak_learner, &world.oak_parent] {
        assert_eq!(send(&app, account).await.status(), 404);
    }
    assert_eq!(credits(&app, &world).await, 3);
}
