//! Pages a browser may not see, answered as such before any WebAssembly
//! loads: a signed-out browser is sent to sign in at once, and a page its
//! signed-in user may not open answers 403, not 200. The refused page still
//! answers (it says so in words, in the site's frame); only its status
//! changes, so a crawler, a proxy's log or a security scan sees a refusal
//! as one. Which pages need which permission is
//! [`app::auth::permissions::page_permission`].

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::auth::permissions::page_permission;
use app::auth::ssr::AuthSession;
use app::routes::{needs_sign_in, LOGIN};

pub async fn page_access(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let path = request.uri().path();
    let user = request
        .extensions()
        .get::<AuthSession>()
        .and_then(|auth| auth.user.as_ref())
        .map(|account| &account.user);
    let Some(user) = user else {
        if needs_sign_in(path) {
            // 302, as the pages that redirect while rendering answer.
            return (StatusCode::FOUND, [(header::LOCATION, LOGIN)]).into_response();
        }
        return next.run(request).await;
    };
    let refused = page_permission(path).is_some_and(|permission| !user.can(permission));
    let mut response = next.run(request).await;
    // Anything else (a redirect to sign in or to choose a new password, an
    // error) keeps its own status.
    if refused && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    response
}
