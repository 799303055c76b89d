//! `/healthz` and `/readyz` for load balancers, and what requests answer
//! while the database cannot be reached.

use app::error::AppError;

use crate::helpers::{spawn_app, PASSWORD};

async fn get(app: &crate::helpers::TestApp, path: &str) -> (u16, String, bool) {
    let response = app
        .client
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let sets_cookie = response.headers().contains_key("set-cookie");
    (status, response.text().await.unwrap(), sets_cookie)
}

#[tokio::test]
async fn a_running_server_is_healthy_and_ready_without_a_session() {
    let app = spawn_app().await;
    assert_eq!(get(&app, "/healthz").await, (200, "ok".into(), false));
    assert_eq!(get(&app, "/readyz").await, (200, "ready".into(), false));
}

#[tokio::test]
async fn a_database_missing_a_migration_is_not_ready() {
    let app = spawn_app().await;
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
    let (status, text, _) = get(&app, "/readyz").await;
    assert_eq!(status, 503);
    assert!(text.contains("migrations"), "{text}");
    assert_eq!(
        get(&app, "/healthz").await.0,
        200,
        "the process is still alive"
    );
}

#[tokio::test]
async fn without_its_database_a_server_says_so_with_503_and_stays_alive() {
    let app = spawn_app().await;
    app.world().await;
    assert_eq!(app.sign_in("OAK", "teacher", PASSWORD).await.status(), 200);
    // Every connection gone, as when the database stops.
    app.state.db.close().await;
    let (status, text, _) = get(&app, "/readyz").await;
    assert_eq!(
        (status, text.as_str()),
        (503, "not ready: the database cannot be reached")
    );
    assert_eq!(get(&app, "/healthz").await.0, 200);
    // A call gets the error the page shows in words…
    let response = app.sign_in("OAK", "teacher", PASSWORD).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "30");
    let error: AppError = response.json().await.unwrap();
    assert_eq!(error, AppError::Unavailable);
    assert!(error.to_string().contains("cannot reach its database"));
    // …and a page says it too.
    let (status, page, _) = get(&app, "/classes").await;
    assert_eq!(status, 503);
    assert!(page.contains("cannot reach its database"), "{page}");
}
