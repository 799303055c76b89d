//! `POST /login`: the sign-in page's plain HTML form. A right password is
//! answered with a 303 to the home page (or the new-password form) and a
//! new session; anything else with the sign-in page again, rendered with
//! its message and what was typed (never the password), under the error's
//! status. The checks are the `sign_in` server function's
//! (`app::auth::ssr::sign_in`).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use axum::body::Body;
use axum::extract::{ConnectInfo, Form, FromRequest};
use axum::http::{header, Method, Request, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use app::auth::login_page::PostedLogin;
use app::auth::ssr::client_addr::{client_addr, TrustedProxies};
use app::auth::ssr::credentials::SignInAttempt;
use app::auth::ssr::sign_in::sign_in;
use app::auth::ssr::AuthSession;
use app::error::AppError;
use app::state::AppState;

use crate::see_other::{see_other, signed_in_cookies};

/// Renders a page for a request (Leptos, the whole app, as for a GET).
pub type RenderPage =
    dyn Fn(Request<Body>) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>> + Send + Sync;

#[derive(Clone)]
pub struct SignInFormState {
    pub app: AppState,
    pub trusted_proxies: TrustedProxies,
    pub secure_cookies: bool,
    pub render: std::sync::Arc<RenderPage>,
}

/// What the form sends. A field left out is taken as empty, so a
/// hand-made post gets the page's own messages instead of a bare 422.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    school_code: String,
    username: String,
    password: String,
}

pub async fn post(state: SignInFormState, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    // A body that is not the form is checked as an empty one: the same
    // message as for empty fields, before any other work.
    let SignInForm {
        school_code,
        username,
        password,
    } = Form::<SignInForm>::from_request(Request::from_parts(parts.clone(), body), &())
        .await
        .map(|Form(form)| form)
        .unwrap_or_default();
    // What comes back if the attempt is refused: never the password.
    let typed = PostedLogin {
        school_code: school_code.clone(),
        username: username.clone(),
        error: None,
    };
    let Some(mut auth) = parts.extensions.get::<AuthSession>().cloned() else {
        tracing::error!("the auth layer is missing");
        return page_again(&state, parts, typed, AppError::Internal).await;
    };
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let attempt = SignInAttempt {
        school_code,
        username,
        password: password.into(),
        client: client_addr(peer, &parts.headers, &state.trusted_proxies),
    };
    match sign_in(&state.app, &mut auth, &attempt).await {
        Ok(signed_in) => see_other(
            signed_in.next,
            signed_in_cookies(&signed_in.school_code, state.secure_cookies),
        ),
        Err(error) => page_again(&state, parts, typed, error).await,
    }
}

/// The sign-in page once more, with `error` and what was typed.
async fn page_again(
    state: &SignInFormState,
    mut parts: axum::http::request::Parts,
    mut typed: PostedLogin,
    error: AppError,
) -> Response {
    parts.method = Method::GET;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    typed.error = Some(error.to_string());
    parts.extensions.insert(typed);
    let mut response = (state.render)(Request::from_parts(parts, Body::empty())).await;
    if response.status().is_success() {
        *response.status_mut() =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
    }
    response
}
