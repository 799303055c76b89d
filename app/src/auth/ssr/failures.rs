//! An account's failed sign-ins over a sliding window (DESIGN.md §3 "Sign
//! in": 10 failed attempts within 15 minutes lock the account). Each
//! failure is a row while it is within the window, so any 15 minutes count,
//! not a window that starts at the first failure and lets up to 18 through
//! around its end.
//!
//! Callers hold the write lock ([`crate::db::begin_write`]), so two
//! failures of one account are never counted at the same time.

use crate::db::Tx;

/// Failed sign-ins within [`FAILURE_WINDOW_SECS`] that lock an account...
pub const MAX_FAILURES: i64 = 10;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// Counts a failure at `now`; returns the account's failures within the
/// window ending at `now`, this one included. Times are whole seconds, so
/// a failure dated exactly 15 minutes ago may be 899.1 s old: it still
/// counts, and leaves the window a second later.
pub async fn count_failure(tx: &mut Tx, account_id: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_failures WHERE account_id = $1 AND failed_at < $2")
        .bind(account_id)
        .bind(now - FAILURE_WINDOW_SECS)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO sign_in_failures (account_id, failed_at) VALUES ($1, $2)")
        .bind(account_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let (failures,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sign_in_failures WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(failures)
}

/// Forgets every failure that has left the window, of accounts that never
/// failed again (the next failure of an account drops its own).
pub async fn forget_old(db: &crate::db::Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_failures WHERE failed_at < $1")
        .bind(now - FAILURE_WINDOW_SECS)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets the account's failures: it signed in, was locked or unlocked,
/// or has a new password.
pub async fn clear<'e, E>(executor: E, account_id: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM sign_in_failures WHERE account_id = $1")
        .bind(account_id)
        .execute(executor)
        .await?;
    Ok(())
}
