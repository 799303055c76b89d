//! The status of a page its signed-in user may not open: 403, not 200.
//! The page itself still answers (it says so in words, in the site's
//! frame); only its status changes, so a crawler, a proxy's log or a
//! security scan sees a refusal as one. Which pages need which permission
//! is [`app::auth::permissions::page_permission`].

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use app::auth::permissions::page_permission;
use app::auth::ssr::AuthSession;

pub async fn refused_pages_are_forbidden(request: Request, next: Next) -> Response {
    let refused = request.method() == Method::GET
        && page_permission(request.uri().path()).is_some_and(|permission| {
            request
                .extensions()
                .get::<AuthSession>()
                .and_then(|auth| auth.user.as_ref())
                .is_some_and(|account| !account.user.can(permission))
        });
    let mut response = next.run(request).await;
    // Anything else (a redirect to sign in or to choose a new password, an
    // error) keeps its own status.
    if refused && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    response
}
