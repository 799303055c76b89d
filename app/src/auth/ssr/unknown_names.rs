//! Sign-in names that belong to no account are counted and locked as an
//! account is (10 failures within 15 minutes lock it for 15). Without this,
//! the "locked" answer told which emails and usernames have accounts:
//! after ten wrong passwords a real one answered "locked" and an invented
//! one never did.
//!
//! A name is kept only as a keyed hash of the school code and the name as
//! typed (lower case), never the text: it may be a password typed into the
//! wrong field. Rotating the secret key starts every count again.

use super::credentials::LOCKOUT_SECS;
use super::failures::{self, count_failure, CountedBy, MAX_FAILURES};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::db::{begin_write, Db};
use crate::error::AppError;
use crate::state::AppState;

/// The key a sign-in name is counted under.
pub fn name_key(state: &AppState, school_code: &str, name: &str) -> String {
    let code = school_code.trim().to_lowercase();
    let name = name.trim().to_lowercase();
    state.sealer.sign_in_name_key(&format!("{code}\0{name}"))
}

/// Until when the name is locked, if it is at `now`.
pub async fn locked_until(db: &Db, key: &str, now: i64) -> Result<Option<i64>, sqlx::Error> {
    let until: Option<(i64,)> =
        sqlx::query_as("SELECT locked_until FROM unknown_sign_in_locks WHERE name_key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    Ok(until.map(|(until,)| until).filter(|until| *until > now))
}

/// Counts a failure of the name and audits it (`event`); returns whether
/// the name is locked now.
pub async fn record_failure(
    state: &AppState,
    key: &str,
    event: AuditEvent,
    now: i64,
) -> Result<bool, AppError> {
    let mut tx = begin_write(&state.db).await?;
    let failures = count_failure(&mut tx, CountedBy::UnknownName, key, now).await?;
    let locked = failures >= MAX_FAILURES;
    if locked {
        sqlx::query(
            "INSERT INTO unknown_sign_in_locks (name_key, locked_until) VALUES ($1, $2) \
             ON CONFLICT (name_key) DO UPDATE SET locked_until = excluded.locked_until",
        )
        .bind(key)
        .bind(now + LOCKOUT_SECS)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM unknown_sign_in_failures WHERE name_key = $1")
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    audit(&mut *tx, AuditAction::SignInFailed, event, now).await?;
    tx.commit().await?;
    Ok(locked)
}

/// Forgets failures that have left the window and locks that have ended.
pub async fn forget_old(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    failures::forget_old(db, CountedBy::UnknownName, now).await?;
    sqlx::query("DELETE FROM unknown_sign_in_locks WHERE locked_until <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}
