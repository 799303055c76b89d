//! The axum router: Leptos pages and server functions, static files,
//! sessions and the hardening layers.

use std::sync::LazyLock;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use app::auth::ssr::account_prefetch::prefetch_accounts;
use app::auth::ssr::backend::Backend;
use app::auth::ssr::client_addr::TrustedProxies;
use app::auth::ssr::cookies::cookie_name;
use app::auth::ssr::session_policy::enforce_session_policy;
use app::auth::ssr::session_store::SqlSessionStore;
use app::auth::ssr::SecureCookies;
use app::auth::ssr::STAFF_IDLE_SECS;
use app::state::AppState;
use app::{shell, App};

use crate::hardening;

/// Largest request body accepted: forms are small.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;
/// Largest roster upload request: a 5 MB file, base64 in JSON.
pub const UPLOAD_BODY_LIMIT_BYTES: usize = 7 * 1024 * 1024;
/// Longest a request may take, body included: a slow client cannot hold a
/// connection and its worker for longer (answered 408).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub struct RouterSettings {
    pub leptos_options: LeptosOptions,
    pub secure_cookies: bool,
    pub trusted_proxies: TrustedProxies,
}

/// The app's page routes, generated once per process. Generating them runs
/// the app with resource loading switched off for the whole process
/// (`leptos_server`'s `SuppressResourceLoad`, a global flag), and a
/// resource first polled meanwhile by a page that another router is
/// rendering never loads: that page hangs until the request timeout
/// (leptos-rs/leptos#4773). Generated once, before the first router
/// exists, nothing can render meanwhile; routers built later (a test's
/// apps, side by side in one process) reuse the list.
pub fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

pub fn build_router(state: AppState, settings: RouterSettings) -> Router {
    let RouterSettings {
        leptos_options,
        secure_cookies,
        trusted_proxies,
    } = settings;
    let routes = app_routes();
    let sso_routes = crate::sso::routes(crate::sso::SsoState {
        app: state.clone(),
        trusted_proxies: trusted_proxies.clone(),
        secure_cookies,
    });
    let context = {
        let state = state.clone();
        let trusted_proxies = trusted_proxies.clone();
        move || {
            provide_context(state.clone());
            provide_context(trusted_proxies.clone());
            provide_context(SecureCookies(secure_cookies));
            crate::page_csp::provide_request_nonce();
        }
    };

    // A refused `POST /login` is answered with the sign-in page, rendered
    // as a GET of it would be.
    let sign_in_form = crate::sign_in_form::SignInFormState {
        app: state.clone(),
        trusted_proxies: trusted_proxies.clone(),
        secure_cookies,
        render: {
            let context = context.clone();
            let options = leptos_options.clone();
            std::sync::Arc::new(move |request| {
                let options = options.clone();
                leptos_axum::render_app_async_with_context(context.clone(), move || {
                    shell(options.clone())
                })(request)
            })
        },
    };

    let session_layer =
        SessionManagerLayer::new(SqlSessionStore::new(state.db.clone(), state.clock.clone()))
            // `__Host-classkeys_session` over https, as every cookie.
            .with_name(cookie_name("classkeys_session", secure_cookies).into_owned())
            .with_secure(secure_cookies)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
                STAFF_IDLE_SECS,
            )));
    // Not saved on every request: the session policy writes the row when
    // something changed, or at most once a minute to move the idle timeout.
    let auth_layer = AuthManagerLayerBuilder::new(
        Backend {
            db: state.db.clone(),
        },
        session_layer,
    )
    .build();

    let pages = Router::new()
        .leptos_routes_with_context(&leptos_options, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .route(
            app::routes::LOGIN,
            axum::routing::post(move |request| {
                crate::sign_in_form::post(sign_in_form.clone(), request)
            }),
        )
        .merge(sso_routes)
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .layer(from_fn(hardening::server_fn_error_status))
        .layer(from_fn(crate::page_access::page_access))
        .layer(from_fn_with_state(
            state.clock.clone(),
            enforce_session_policy,
        ))
        .layer(auth_layer)
        // The account is read with the session, for the backend to take.
        .layer(from_fn(prefetch_accounts))
        .layer(from_fn_with_state(
            state.clone(),
            crate::health::database_outage,
        ))
        // Pages and server functions are compressed as they are made.
        .layer(CompressionLayer::new().br(true).gzip(true))
        .with_state(leptos_options.clone());

    // The hashed JS/WASM/CSS need no session: serve them before the auth layers.
    let pkg_dir = format!(
        "{}/{}",
        leptos_options.site_root, leptos_options.site_pkg_dir
    );
    // Sent as compressed at build time (scripts/precompress.mjs): the
    // `.br` or `.gz` beside a file when the browser takes it, never
    // compressed again per request.
    let assets = Router::new().nest_service(
        "/pkg",
        ServeDir::new(pkg_dir)
            .precompressed_br()
            .precompressed_gzip(),
    );

    let mut router = assets
        .merge(crate::health::routes(state.clone()))
        .merge(pages)
        .layer(from_fn(hardening::refuse_cross_site))
        .layer(from_fn(hardening::security_headers))
        // Refuses bodies over their limit with 413 before they are read.
        .layer(from_fn(hardening::body_limit))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span));
    if secure_cookies {
        router = router.layer(from_fn(hardening::strict_transport));
    }
    router
}

/// Deletes expired sessions, and finished or expired parent sign-ups,
/// every ten minutes.
pub fn spawn_session_cleanup(state: &AppState) {
    use tower_sessions::session_store::ExpiredDeletion;
    let store = SqlSessionStore::new(state.db.clone(), state.clock.clone());
    let state = state.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(600));
        loop {
            interval.tick().await;
            if let Err(error) = store.delete_expired().await {
                tracing::warn!(%error, "could not delete expired sessions");
            }
            let now = state.clock.now();
            if let Err(error) = app::parents::ssr::signup::forget_finished(&state.db, now).await {
                tracing::warn!(%error, "could not delete finished parent sign-ups");
            }
            if let Err(error) = app::roster::jobs::forget_old(&state.db, now).await {
                tracing::warn!(%error, "could not delete old roster import jobs");
            }
            if let Err(error) = app::auth::ssr::failures::forget_old(
                &state.db,
                app::auth::ssr::failures::CountedBy::Account,
                now,
            )
            .await
            {
                tracing::warn!(%error, "could not delete old failed sign-ins");
            }
            if let Err(error) = app::auth::ssr::unknown_names::forget_old(&state.db, now).await {
                tracing::warn!(%error, "could not delete old failed sign-ins of unknown names");
            }
        }
    });
}

/// The span of one request in the logs: method and path, with the token of
/// a link page (`/reset-password/…`, `/welcome/…`, `/parent/confirm/…`)
/// replaced, so logs never hold a live link.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
    )
}

fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    use app::routes::{PARENT_CONFIRM_PREFIX, RESET_PASSWORD_PREFIX, WELCOME_PREFIX};
    [RESET_PASSWORD_PREFIX, WELCOME_PREFIX, PARENT_CONFIRM_PREFIX]
        .into_iter()
        .find(|prefix| path.starts_with(prefix))
        .map_or(path.into(), |prefix| format!("{prefix}…").into())
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn reset_tokens_never_reach_the_logs() {
        assert_eq!(
            loggable_path("/reset-password/abcDEF123_-abcDEF123_-abcDEF123_-abcDEF1234"),
            "/reset-password/…"
        );
        assert_eq!(
            loggable_path("/welcome/abcDEF123_-abcDEF123_-abcDEF123_-abcDEF1234"),
            "/welcome/…"
        );
        assert_eq!(
            loggable_path("/parent/confirm/abcDEF123_-abcDEF123_-abcDEF123_-abcDEF1234"),
            "/parent/confirm/…"
        );
        assert_eq!(loggable_path("/staff"), "/staff");
    }
}
