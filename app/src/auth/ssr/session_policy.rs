//! Middleware that applies the session rules of DESIGN.md §3 to every
//! request, before any handler sees the session: the role's idle timeout,
//! the absolute lifetime, and the end of sessions whose account was
//! inactivated or whose password changed.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Expiry;

use super::{
    AuthSession, ABSOLUTE_LIFETIME_SECS, ACCOUNT_ID_KEY, LEARNER_AND_PARENT_IDLE_SECS,
    SIGNED_IN_AT_KEY, STAFF_IDLE_SECS, TOUCHED_AT_KEY, TOUCH_EVERY_SECS,
};
use crate::auth::Role;
use crate::clock::Clock;

pub fn idle_timeout_secs(role: Role) -> i64 {
    match role {
        Role::Owner | Role::Staff => STAFF_IDLE_SECS,
        Role::Learner | Role::Parent => LEARNER_AND_PARENT_IDLE_SECS,
    }
}

pub async fn enforce_session_policy(
    State(clock): State<Clock>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(auth) = request.extensions_mut().get_mut::<AuthSession>() {
        if let Err(error) = apply(auth, clock.now()).await {
            tracing::error!(%error, "could not apply the session policy");
            auth.user = None;
        }
    }
    next.run(request).await
}

/// One value of the session, if set.
async fn read<T: serde::de::DeserializeOwned>(
    auth: &AuthSession,
    key: &str,
) -> Result<Option<T>, String> {
    auth.session.get(key).await.map_err(|e| e.to_string())
}

async fn apply(auth: &mut AuthSession, now: i64) -> Result<(), String> {
    match auth.user.as_ref().map(|account| account.user.role) {
        Some(role) => {
            let signed_in_at: Option<i64> = read(auth, SIGNED_IN_AT_KEY).await?;
            if signed_in_at.is_none_or(|at| now - at >= ABSOLUTE_LIFETIME_SECS) {
                auth.logout().await.map_err(|e| e.to_string())?;
            } else {
                // Activity moves the idle timeout on, but the row is written
                // at most once a minute, not on every page and call.
                let touched_at: Option<i64> = read(auth, TOUCHED_AT_KEY).await?;
                if touched_at.is_none_or(|at| now - at >= TOUCH_EVERY_SECS) {
                    auth.session
                        .insert(TOUCHED_AT_KEY, now)
                        .await
                        .map_err(|e| e.to_string())?;
                    // tower-sessions keeps no per-session expiry policy, so
                    // the role's idle timeout is set again at each write.
                    auth.session
                        .set_expiry(Some(Expiry::OnInactivity(time::Duration::seconds(
                            idle_timeout_secs(role),
                        ))));
                }
            }
        }
        None => {
            // Signed in once, but the account is now inactive or its
            // password or session epoch changed: end the session for good.
            let account: Option<String> = read(auth, ACCOUNT_ID_KEY).await?;
            if account.is_some() {
                auth.session.flush().await.map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}
