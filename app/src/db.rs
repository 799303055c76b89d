//! The connection pool and the embedded migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The pool every query runs on. SQLite by default.
pub type Db = sqlx::SqlitePool;
/// A write transaction.
pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

/// Opens (creating if needed) the database at `url`, in WAL mode with a busy
/// timeout, so concurrent readers and writers wait for each other instead of
/// failing with "database is locked".
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(15))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(8)
        // A connection to a local file does not go stale: pinging it before
        // every query only doubled the hops to SQLite's worker thread.
        .test_before_acquire(false)
        .connect_with(options)
        .await
}

/// The file of a `sqlite://` URL, if it names one (not `:memory:`).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

/// Applies the migrations in `migrations/` that have not run yet.
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("../migrations").run(db).await
}

/// Starts a transaction that takes SQLite's write lock at once. A deferred
/// transaction that reads first and writes later can fail with "database is
/// locked" regardless of the busy timeout; an immediate one waits instead.
pub async fn begin_write(db: &Db) -> Result<Tx, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
}

/// A new random id for any row.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
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
