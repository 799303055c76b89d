//! `classkeys admin backup --to FILE`: an online, consistent copy of the
//! SQLite database while the server keeps running.
//!
//! SQLite's `VACUUM INTO` writes the copy from one read transaction, so it
//! is consistent however many writes happen meanwhile, and it blocks no
//! writer (WAL mode). The copy is made in an owner-only folder beside FILE,
//! made owner-only itself, then moved into place: the password hashes and
//! sealed reveal copies in it are never readable by other users, and FILE
//! never exists half-written.
//!
//! PostgreSQL is backed up with its own tool, `pg_dump` (see the README).

use std::path::Path;

use app::db::{Backend, Db};

/// What `admin backup` says on PostgreSQL.
pub const POSTGRES_ADVICE: &str = "this database is PostgreSQL: back it up with pg_dump, \
e.g. pg_dump --format=custom --file=classkeys.dump \"$DATABASE_URL\" \
(a consistent snapshot that blocks no writer; restore with pg_restore)";

/// Copies the database to `to`, which must not exist yet; returns its size.
pub async fn backup_to(db: &Db, to: &Path) -> Result<u64, String> {
    if Backend::of(db) == Backend::Postgres {
        return Err(POSTGRES_ADVICE.into());
    }
    // Absolute, so SQLite never reads it as a `file:` URI.
    let to = &std::path::absolute(to).map_err(|e| format!("{}: {e}", to.display()))?;
    if to.exists() {
        return Err(format!(
            "{} already exists: choose a new file name",
            to.display()
        ));
    }
    let (Some(folder), Some(name)) = (to.parent(), to.file_name()) else {
        return Err(format!("{} is not a file name", to.display()));
    };
    let staging = folder.join(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        app::db::new_id()
    ));
    app::files::create_private_dir(&staging)
        .map_err(|e| format!("cannot write in {}: {e}", folder.display()))?;
    let copy = staging.join("copy.db");
    let result = async {
        let target = copy
            .to_str()
            .ok_or("the backup path is not valid UTF-8")?
            .replace('\'', "''");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'")))
            .execute(db)
            .await
            .map_err(|e| format!("cannot copy the database: {e}"))?;
        app::files::make_private(&copy).map_err(|e| e.to_string())?;
        // A hard link fails if FILE appeared meanwhile: never overwritten.
        std::fs::hard_link(&copy, to)
            .map_err(|e| format!("cannot move the copy to {}: {e}", to.display()))?;
        std::fs::metadata(to)
            .map(|m| m.len())
            .map_err(|e| e.to_string())
    }
    .await;
    let _ = std::fs::remove_dir_all(&staging);
    result
}
