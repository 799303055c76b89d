//! Health checks for load balancers and orchestrators: `/healthz` says the
//! process answers (it touches nothing else, so a database outage never
//! gets healthy servers restarted), `/readyz` says this server can serve:
//! its database answers and every migration it embeds has been applied.

use std::time::Duration;

use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// How long `/readyz` waits for the database before calling it unreachable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz` and `GET /readyz`, outside sessions and page rendering.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

async fn healthz() -> Response {
    answer(StatusCode::OK, "ok")
}

async fn readyz(State(state): State<AppState>) -> Response {
    let check = async {
        sqlx::query("SELECT 1").execute(&state.db).await?;
        app::db::migrations_applied(&state.db).await
    };
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(true)) => answer(StatusCode::OK, "ready"),
        Ok(Ok(false)) => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database lacks migrations this server needs (run `classkeys migrate`)",
        ),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: the database did not answer");
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database cannot be reached",
            )
        }
        Err(_) => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database did not answer within 2 seconds",
        ),
    }
}

fn answer(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// How long the outage check waits for the database.
const OUTAGE_CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// Turns a bare 500 into "503, try again" when the reason is that the
/// database cannot be reached: a page or call that failed before it could
/// say why (the session layer cannot load a session without the database)
/// then tells the user what is going on, and a load balancer sees a server
/// that is unavailable rather than broken. Costs nothing on other answers.
pub async fn database_outage(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_call = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let reachable = tokio::time::timeout(
        OUTAGE_CHECK_TIMEOUT,
        sqlx::query("SELECT 1").execute(&state.db),
    )
    .await
    .is_ok_and(|answer| answer.is_ok());
    if reachable {
        return response;
    }
    let message = app::error::AppError::Unavailable;
    let mut unavailable = if is_call {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&message).unwrap_or_default(),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>ClassKeys is unavailable</title></head><body><main>\
                 <h1>ClassKeys is unavailable</h1><p>{message}</p></main></body></html>"
            ),
        )
            .into_response()
    };
    unavailable
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    unavailable
}
