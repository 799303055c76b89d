//! The connection pool and the embedded migrations, on SQLite (the
//! embedded default) or PostgreSQL (for many schools on several servers).
//!
//! One code path serves both: queries go through sqlx's `Any` driver in SQL
//! both databases read the same way (`$1` placeholders, `ON CONFLICT`,
//! `RETURNING`), and only what truly differs lives here: how a pool is
//! opened, which migrations apply, and how a write transaction takes its lock.

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::Executor;

/// The pool every query runs on.
pub type Db = sqlx::AnyPool;
/// A write transaction.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// One connection, e.g. inside a transaction (`&mut *tx`).
pub type Conn = sqlx::AnyConnection;

/// The two databases ClassKeys runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a `DATABASE_URL` names, if it is one ClassKeys supports.
    pub fn of_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// The backend behind an open pool.
    pub fn of(db: &Db) -> Backend {
        Backend::of_url(db.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
    }
}

/// Opens the database at `url`. SQLite files are created if missing and run
/// in WAL mode with a busy timeout, so concurrent readers and writers wait
/// for each other instead of failing with "database is locked".
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url).ok_or_else(|| {
        sqlx::Error::Configuration("DATABASE_URL must be sqlite:// or postgres://".into())
    })?;
    let (url, max_connections) = match backend {
        Backend::Sqlite => (sqlite_url_creating(url), 8),
        Backend::Postgres => (url.to_owned(), 16),
    };
    let options: AnyConnectOptions = url.parse()?;
    AnyPoolOptions::new()
        .max_connections(max_connections)
        // No ping before every query: it doubled the round trips (SQLite's
        // worker thread; PostgreSQL's server process) for every page. A
        // connection that died with a restarted PostgreSQL fails its next
        // query instead, which answers 503 once and is then replaced.
        .test_before_acquire(false)
        // A request waits at most this long for a connection, then answers
        // 503 (`is_unreachable`) instead of hanging while the database is down.
        .acquire_timeout(Duration::from_secs(3))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
}

/// `mode=rwc` creates a missing SQLite file, as the embedded default must.
fn sqlite_url_creating(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The file of a `sqlite://` URL, if it names one (not `:memory:`).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

/// The migrations embedded for `db`'s backend: `migrations/sqlite` or
/// `migrations/postgres`.
fn migrator(db: &Db) -> sqlx::migrate::Migrator {
    match Backend::of(db) {
        Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
    }
}

/// Applies the migrations that have not run yet.
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    migrator(db).run(db).await
}

/// Whether every embedded migration has been applied (for `/readyz`).
pub async fn migrations_applied(db: &Db) -> Result<bool, sqlx::Error> {
    let latest = migrator(db)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or_default();
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(db)
            .await?;
    Ok(applied.unwrap_or_default() >= latest)
}

/// Starts a transaction that holds the write lock from its first statement,
/// so a transaction that reads and then writes never races another:
/// SQLite's `BEGIN IMMEDIATE` (a deferred transaction can fail with
/// "database is locked" regardless of the busy timeout); on PostgreSQL a
/// transaction-scoped advisory lock that every write transaction takes, the
/// same one-writer-at-a-time rule across every server on the database.
pub async fn begin_write(db: &Db) -> Result<Tx, sqlx::Error> {
    match Backend::of(db) {
        Backend::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            // As SQLite's busy timeout: wait at most 15 s for the lock; and
            // a server that stalls mid-transaction (paused, cut off) loses
            // it after 30 s idle instead of holding every writer up.
            sqlx::raw_sql(
                "SET LOCAL lock_timeout = '15s'; \
                 SET LOCAL idle_in_transaction_session_timeout = '30s'",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// The advisory lock key of [`begin_write`] on PostgreSQL ("CKWRITE1").
const WRITE_LOCK: i64 = 0x434b_5752_4954_4531;

/// Whether `error` means the database cannot be reached right now (down,
/// restarting, failing over, or every connection busy past the timeout),
/// rather than a fault in the request: the answer is then 503, and the
/// request can be tried again.
pub fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        // PostgreSQL's "connection exception" (08…) and "operator
        // intervention" (57P…: shutting down, cannot connect now) classes.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// A yes/no computed in SQL (`EXISTS (…)`, `x IS NOT NULL`). PostgreSQL
/// answers a bool; SQLite, which has no bool type, answers 1 or 0 for an
/// expression (columns declared BOOLEAN read as bools on both). Read such a
/// column as `Flag` (`#[sqlx(try_from = "Flag")]` on a `bool` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl sqlx::Type<sqlx::Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <bool as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <bool as sqlx::Type<sqlx::Any>>::compatible(ty)
            || <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        if <bool as sqlx::Type<sqlx::Any>>::compatible(&value.type_info()) {
            <bool as sqlx::Decode<sqlx::Any>>::decode(value).map(Flag)
        } else {
            <i64 as sqlx::Decode<sqlx::Any>>::decode(value).map(|n| Flag(n != 0))
        }
    }
}

/// A new random id for any row.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new id that sorts by when it was made (a UUIDv7: the time in
/// milliseconds, then a counter and randomness; in order within a process),
/// for rows that are only ever appended, such as audit events: each insert
/// lands at the end of the primary key's index instead of on a random page
/// of it. Not for ids shown in addresses, where the time it carries would
/// say when the row was made.
pub fn new_time_ordered_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
pub mod testing {
    use super::*;

    /// A fresh, migrated database in a temporary folder, kept alive by the guard.
    pub async fn fresh_db() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = connect(&url).await.expect("open database");
        migrate(&db).await.expect("migrations apply");
        (db, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::fresh_db;
    use super::*;

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(like_pattern(" 50%_A\\ "), "%50\\%\\_a\\\\%");
    }

    #[tokio::test]
    async fn migrations_apply_to_an_empty_database() {
        let (db, _dir) = fresh_db().await;
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&db)
                .await
                .unwrap();
        let names: Vec<&str> = tables.iter().map(|(name,)| name.as_str()).collect();
        for table in [
            "accounts",
            "audit_events",
            "class_teachers",
            "classes",
            "enrolments",
            "learner_password_reveals",
            "outgoing_messages",
            "parent_access_codes",
            "parent_links",
            "reset_tokens",
            "schools",
            "sessions",
        ] {
            assert!(names.contains(&table), "missing table {table} in {names:?}");
        }
        // Running them again changes nothing and does not fail.
        migrate(&db).await.unwrap();
    }

    #[tokio::test]
    async fn boolean_columns_and_yes_no_expressions_read_as_bools() {
        let (db, _dir) = fresh_db().await;
        sqlx::query("INSERT INTO schools (id, name, code, created_at) VALUES ('s', 'S', 'S', 0)")
            .execute(&db)
            .await
            .unwrap();
        // A column declared BOOLEAN (the patched Any driver), then expressions.
        let (visible, sms): (bool, bool) =
            sqlx::query_as("SELECT learner_passwords_visible, sms_enabled FROM schools")
                .fetch_one(&db)
                .await
                .unwrap();
        assert!(visible && !sms);
        let (Flag(yes), Flag(no)): (Flag, Flag) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM schools), code IS NULL FROM schools WHERE id = 's'",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        assert!(yes && !no);
    }

    #[tokio::test]
    async fn the_database_runs_in_wal_mode() {
        let (db, _dir) = fresh_db().await;
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[tokio::test]
    async fn concurrent_writers_never_see_database_is_locked() {
        let (db, _dir) = fresh_db().await;
        sqlx::query("INSERT INTO schools (id, name, code, created_at) VALUES ('s', 'S', 'S', 0)")
            .execute(&db)
            .await
            .unwrap();
        let writers = (0..40).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = begin_write(&db).await?;
                let (credits,): (i64,) =
                    sqlx::query_as("SELECT sms_credits FROM schools WHERE id = 's'")
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query("UPDATE schools SET sms_credits = $1 WHERE id = 's'")
                    .bind(credits + 1)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.unwrap().expect("no write fails");
        }
        let (credits,): (i64,) = sqlx::query_as("SELECT sms_credits FROM schools WHERE id = 's'")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(credits, 40, "every read-modify-write was serialised");
    }
}

/// `%text%` for `LIKE … ESCAPE '\\'`, lower-case, with LIKE's own
/// wildcards taken literally: a search box's "contains".
pub fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
