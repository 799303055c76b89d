//! The one way a server function learns who is calling: the signed-in
//! account, its school and permissions, checked on every call.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use tower_sessions::Expiry;

use super::accounts::AccountRecord;
use super::backend::SessionAccount;
use super::client_addr::{client_addr, TrustedProxies};
use super::session_policy::idle_timeout_secs;
use super::{AuthSession, ACCOUNT_ID_KEY, SIGNED_IN_AT_KEY, TOUCHED_AT_KEY};
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::error::AppError;

pub async fn auth_session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>()
        .await
        .map_err(|error| {
            tracing::error!(%error, "the auth layer is missing");
            AppError::Internal
        })
}

/// The caller's network address, as the audit log and rate limits see it.
pub async fn request_client_addr() -> IpAddr {
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()
        .map(|c| c.0);
    let headers = leptos_axum::extract::<http::HeaderMap>()
        .await
        .unwrap_or_default();
    let trusted = leptos::prelude::use_context::<TrustedProxies>().unwrap_or_default();
    client_addr(peer, &headers, &trusted)
}

/// The account signed in on this session, if any. The session rules
/// (timeouts, inactivation) were applied by [`super::session_policy`].
pub async fn current_account() -> Result<Option<SessionAccount>, AppError> {
    Ok(auth_session().await?.user)
}

/// The signed-in user, even one who still has to choose a new password.
pub async fn require_user_allowing_password_change() -> Result<SignedInUser, AppError> {
    current_account()
        .await?
        .map(|a| a.user)
        .ok_or(AppError::NotSignedIn)
}

/// The signed-in user, who has no password change pending.
pub async fn require_user() -> Result<SignedInUser, AppError> {
    let user = require_user_allowing_password_change().await?;
    if user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(user)
}

/// The signed-in user, when they hold `permission`.
pub async fn require(permission: Permission) -> Result<SignedInUser, AppError> {
    let user = require_user().await?;
    if !user.can(permission) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// Signs `account` in on this session: always a new session id, the
/// role's idle timeout, and the time the absolute lifetime counts from.
pub async fn start_session(
    auth: &mut AuthSession,
    account: &AccountRecord,
    now: i64,
) -> Result<(), AppError> {
    auth.session.cycle_id().await.map_err(session_error)?;
    auth.login(&SessionAccount::from(account))
        .await
        .map_err(session_error)?;
    let idle = idle_timeout_secs(account.role());
    auth.session
        .set_expiry(Some(Expiry::OnInactivity(time::Duration::seconds(idle))));
    for key in [SIGNED_IN_AT_KEY, TOUCHED_AT_KEY] {
        auth.session.insert(key, now).await.map_err(session_error)?;
    }
    auth.session
        .insert(ACCOUNT_ID_KEY, &account.id)
        .await
        .map_err(session_error)?;
    Ok(())
}

fn session_error(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "session store failed");
    AppError::Internal
}

/// Marks this response as one no cache may keep (it carries a password or
/// an access code). Every server-function response is `no-store` already;
/// this says so where it matters most.
pub fn no_store() {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
}
