//! Failed sign-ins of an account, or of a name that belongs to no account
//! (`unknown_names`), over a sliding window (DESIGN.md §3 "Sign
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

/// What failures are counted by: an account, or a sign-in name that
/// belongs to no account (`unknown_names`, under a keyed hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedBy {
    Account,
    UnknownName,
}

/// The statements on one table of failures: the SQL stays fixed text,
/// one set per table.
struct Statements {
    drop_old_of_key: &'static str,
    insert: &'static str,
    count_of_key: &'static str,
    drop_old: &'static str,
}

impl CountedBy {
    fn statements(self) -> &'static Statements {
        match self {
            CountedBy::Account => &Statements {
                drop_old_of_key:
                    "DELETE FROM sign_in_failures WHERE account_id = $1 AND failed_at < $2",
                insert: "INSERT INTO sign_in_failures (account_id, failed_at) VALUES ($1, $2)",
                count_of_key: "SELECT COUNT(*) FROM sign_in_failures WHERE account_id = $1",
                drop_old: "DELETE FROM sign_in_failures WHERE failed_at < $1",
            },
            CountedBy::UnknownName => &Statements {
                drop_old_of_key:
                    "DELETE FROM unknown_sign_in_failures WHERE name_key = $1 AND failed_at < $2",
                insert:
                    "INSERT INTO unknown_sign_in_failures (name_key, failed_at) VALUES ($1, $2)",
                count_of_key: "SELECT COUNT(*) FROM unknown_sign_in_failures WHERE name_key = $1",
                drop_old: "DELETE FROM unknown_sign_in_failures WHERE failed_at < $1",
            },
        }
    }
}

/// Counts a failure of `key` at `now`; returns its failures within the
/// window ending at `now`, this one included. Times are whole seconds, so
/// a failure dated exactly 15 minutes ago may be 899.1 s old: it still
/// counts, and leaves the window a second later.
pub async fn count_failure(
    tx: &mut Tx,
    by: CountedBy,
    key: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let sql = by.statements();
    sqlx::query(sql.drop_old_of_key)
        .bind(key)
        .bind(now - FAILURE_WINDOW_SECS)
        .execute(&mut **tx)
        .await?;
    sqlx::query(sql.insert)
        .bind(key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let (failures,): (i64,) = sqlx::query_as(sql.count_of_key)
        .bind(key)
        .fetch_one(&mut **tx)
        .await?;
    Ok(failures)
}

/// Forgets every failure that has left the window, of keys that never
/// failed again (the next failure of a key drops its own).
pub async fn forget_old(db: &crate::db::Db, by: CountedBy, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(by.statements().drop_old)
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
