//! The single sign-on routes: plain axum handlers, because they redirect
//! the browser to the school's provider and take its answer back
//! (DESIGN.md §3 "Single sign-on"). The flow itself is `app::sso::ssr`.
//!
//! `GET /sso/start?school_code=…` and `GET /sso/test` only start a flow:
//! they change no account. The callback changes state only through the
//! single-use `state` it carries, and only in the browser that started it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use app::auth::permissions::Permission;
use app::auth::ssr::client_addr::{client_addr, TrustedProxies};
use app::auth::ssr::cookies::{cookie_in, cookie_name};
use app::auth::ssr::guard::start_session;
use app::auth::ssr::AuthSession;
use app::routes::{HOME, LOGIN, SETTINGS};
use app::sso::settings_section::TEST_PATH;
use app::sso::ssr::flow::{self, Callback, Finished, Purpose, StartRequest, PENDING_SECS};
use app::sso::ssr::settings::{for_school, school_id_of};
use app::sso::{CALLBACK_PATH, START_PATH};
use app::state::AppState;

use crate::see_other::{cookie, see_other, signed_in_cookies};

/// The longest a callback waits on the provider (discovery, keys, token).
const CALLBACK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(25);

#[derive(Clone)]
pub struct SsoState {
    pub app: AppState,
    pub trusted_proxies: TrustedProxies,
    pub secure_cookies: bool,
}

pub fn routes<S: Clone + Send + Sync + 'static>(state: SsoState) -> Router<S> {
    Router::new()
        .route(START_PATH, get(start))
        .route(TEST_PATH, get(test))
        .route(CALLBACK_PATH, get(callback))
        .with_state(state)
}

/// The cookie that ties a callback to the browser that started the flow
/// (`__Host-classkeys_sso` over https, as every cookie: `cookie_name`).
const BROWSER_COOKIE: &str = "classkeys_sso";

fn with_outcome(page: &str, code: &str) -> String {
    format!("{page}?sso={code}")
}

async fn start(
    State(state): State<SsoState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<StartRequest>,
) -> Response {
    let client = client_addr(Some(peer), &headers, &state.trusted_proxies);
    let refused = |code| see_other(&with_outcome(LOGIN, code), vec![]);
    let school = match school_id_of(&state.app.db, &query.school_code).await {
        Ok(Some(id)) => for_school(&state.app, &id).await,
        Ok(None) => Ok(None),
        Err(error) => Err(error),
    };
    let school = match school {
        Ok(Some(school)) if school.staff_enabled || school.learners_enabled => school,
        Ok(_) => return refused("not_enabled"),
        Err(_) => return refused("provider_error"),
    };
    begin(&state, &school, Purpose::SignIn, LOGIN, client).await
}

/// "Test sign-in" on `/settings`: a full admin or the owner goes through
/// the provider; nothing is linked and nobody is signed in.
async fn test(
    State(state): State<SsoState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    auth: AuthSession,
) -> Response {
    let client = client_addr(Some(peer), &headers, &state.trusted_proxies);
    let Some(user) = auth
        .user
        .map(|account| account.user)
        .filter(|user| !user.must_change_password && user.can(Permission::SchoolSettings))
    else {
        return see_other(LOGIN, vec![]);
    };
    match for_school(&state.app, &user.school_id).await {
        Ok(Some(school)) => {
            begin(
                &state,
                &school,
                Purpose::Test { admin_id: user.id },
                SETTINGS,
                client,
            )
            .await
        }
        Ok(None) => see_other(SETTINGS, vec![]),
        Err(_) => see_other(&with_outcome(SETTINGS, "provider_error"), vec![]),
    }
}

async fn begin(
    state: &SsoState,
    school: &app::sso::ssr::settings::SchoolSso,
    purpose: Purpose,
    back_to: &str,
    client: IpAddr,
) -> Response {
    match flow::begin(&state.app, school, purpose, client).await {
        Ok(started) => see_other(
            &started.authorize_url,
            vec![cookie(
                BROWSER_COOKIE,
                &started.browser_token,
                PENDING_SECS,
                state.secure_cookies,
            )],
        ),
        Err(code) => see_other(&with_outcome(back_to, code), vec![]),
    }
}

async fn callback(
    State(state): State<SsoState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    mut auth: AuthSession,
    Query(answer): Query<Callback>,
) -> Response {
    let app = &state.app;
    let client: IpAddr = client_addr(Some(peer), &headers, &state.trusted_proxies);
    let secure = state.secure_cookies;
    let forget_browser = cookie(BROWSER_COOKIE, "", 0, secure);
    // Paced like password sign-ins: a network that fails a lot waits.
    let now = app.clock.now();
    let admitted = match app.network_limiter.admit(client, now, app.pauses.now_ms()) {
        Ok(admitted) => admitted,
        Err(_) => return see_other(&with_outcome(LOGIN, "slow_down"), vec![forget_browser]),
    };
    app.pauses.pause(admitted.wait).await;
    // Within the router's 30 s request limit, whatever the provider does.
    let finished = tokio::time::timeout(
        CALLBACK_DEADLINE,
        flow::finish(
            app,
            &answer,
            cookie_in(&headers, &cookie_name(BROWSER_COOKIE, secure)),
            &client.to_string(),
        ),
    )
    .await
    .unwrap_or(Ok(Finished::Refused {
        code: "unreachable",
        test: false,
    }));
    drop(admitted);
    match finished {
        Ok(Finished::SignedIn(account)) => {
            if start_session(&mut auth, &account, app.clock.now())
                .await
                .is_err()
            {
                return see_other(&with_outcome(LOGIN, "provider_error"), vec![forget_browser]);
            }
            let mut cookies = vec![forget_browser];
            cookies.extend(signed_in_cookies(&account.school_code, secure));
            see_other(HOME, cookies)
        }
        Ok(Finished::Tested(code)) => {
            see_other(&with_outcome(SETTINGS, code), vec![forget_browser])
        }
        Ok(Finished::Refused { code, test }) => {
            if matches!(code, "no_account" | "invalid_token" | "expired") {
                app.network_limiter.record_failure(client, now);
            }
            let page = if test { SETTINGS } else { LOGIN };
            see_other(&with_outcome(page, code), vec![forget_browser])
        }
        Err(error) => {
            tracing::error!(%error, "single sign-on callback failed");
            see_other(&with_outcome(LOGIN, "provider_error"), vec![forget_browser])
        }
    }
}
