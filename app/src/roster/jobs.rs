//! Running imports: the apply runs as a background task on the server that
//! accepted it, and the browser asks how far it is, from whichever server
//! its request reaches. A job belongs to the user who started it; its
//! outcome (with the new accounts' passwords) is handed out once, then the
//! job is gone. One import at a time per school.
//!
//! The running server counts hashes in memory ([`ImportJob`]) and writes
//! its progress to the `import_jobs` row a few times a second; the outcome
//! is sealed with the server key before it is stored.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use secrecy::ExposeSecret;

use super::{ImportProgress, ImportSummary};
use crate::auth::SignedInUser;
use crate::db::{begin_write, new_id};
use crate::error::AppError;
use crate::passwords::sealing::{Sealed, SealedFor};
use crate::state::AppState;

pub const HASHING: &str = "Making passwords";
pub const SAVING: &str = "Saving the roster";
/// How often the running server writes its progress.
const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// A job whose row has not moved for this long, without an outcome, died
/// with its server.
pub const STALE_SECS: i64 = 60;
/// Outcomes nobody came back for are deleted after a day.
pub const FORGET_AFTER_SECS: i64 = 24 * 3600;

const DIED: &str = "The server running this import stopped before it could report. \
Preview the file again to see whether the import was saved.";

/// One running import, as the server running it sees it.
pub struct ImportJob {
    id: String,
    /// Passwords to hash, and how many are done.
    pub total: usize,
    pub hashed: AtomicUsize,
    stage: Mutex<&'static str>,
    ended: AtomicBool,
}

impl ImportJob {
    pub fn set_stage(&self, stage: &'static str) {
        *self.stage.lock().unwrap_or_else(|e| e.into_inner()) = stage;
    }

    fn stage(&self) -> &'static str {
        *self.stage.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the outcome (sealed) for the user to read once.
    pub async fn finish(
        &self,
        state: &AppState,
        outcome: Result<ImportSummary, String>,
    ) -> Result<(), AppError> {
        self.ended.store(true, Ordering::Relaxed);
        let text = serde_json::to_string(&outcome).map_err(|_| AppError::Internal)?;
        let sealed = state
            .sealer
            .seal(&text, &SealedFor::ImportOutcome { job_id: &self.id });
        let stored = sqlx::query(
            "UPDATE import_jobs SET hashed = total, stage = $1, outcome_key_id = $2, \
             outcome_sealed = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(self.stage())
        .bind(&sealed.key_id)
        .bind(&sealed.sealed)
        .bind(state.clock.now())
        .bind(&self.id)
        .execute(&state.db)
        .await?;
        if stored.rows_affected() == 0 {
            // Declared dead (it stopped moving for a minute) and deleted.
            tracing::error!(job = %self.id, "a roster import finished after it was reported as stopped");
        }
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct JobRow {
    total: i64,
    hashed: i64,
    stage: String,
    outcome_key_id: Option<String>,
    outcome_sealed: Option<String>,
    updated_at: i64,
}

/// Starts a job for `user`'s school, or refuses while one runs there; the
/// running server then writes its progress until the job ends.
pub async fn start(
    state: &AppState,
    user: &SignedInUser,
    total: usize,
) -> Result<(String, Arc<ImportJob>), AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let (running,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM import_jobs WHERE school_id = $1 AND outcome_sealed IS NULL \
         AND updated_at > $2",
    )
    .bind(&user.school_id)
    .bind(now - STALE_SECS)
    .fetch_one(&mut *tx)
    .await?;
    if running > 0 {
        return Err(AppError::Conflict(
            "Another import for this school is running. Wait for it to end, then preview again."
                .into(),
        ));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO import_jobs (id, school_id, user_id, total, stage, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(&user.school_id)
    .bind(&user.id)
    .bind(total as i64)
    .bind(HASHING)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let job = Arc::new(ImportJob {
        id: id.clone(),
        total,
        hashed: AtomicUsize::new(0),
        stage: Mutex::new(HASHING),
        ended: AtomicBool::new(false),
    });
    // The writer holds the job weakly: if the import's task ends without
    // finishing (a panic), the writer stops and the row goes stale.
    tokio::spawn(write_progress(state.clone(), Arc::downgrade(&job)));
    Ok((id, job))
}

/// Writes the job's progress to its row until the job ends.
async fn write_progress(state: AppState, job: Weak<ImportJob>) {
    let mut interval = tokio::time::interval(FLUSH_EVERY);
    loop {
        interval.tick().await;
        let Some(job) = job.upgrade() else { return };
        if job.ended.load(Ordering::Relaxed) {
            return;
        }
        let written = sqlx::query(
            "UPDATE import_jobs SET hashed = $1, stage = $2, updated_at = $3 \
             WHERE id = $4 AND outcome_sealed IS NULL",
        )
        .bind(job.hashed.load(Ordering::Relaxed).min(job.total) as i64)
        .bind(job.stage())
        .bind(state.clock.now())
        .bind(&job.id)
        .execute(&state.db)
        .await;
        if let Err(error) = written {
            tracing::warn!(%error, job = %job.id, "could not write an import's progress");
        }
    }
}

/// How far `job_id` is, for the user who started it. Once it has ended the
/// job is deleted as its outcome is read, so the outcome (with passwords)
/// is handed out once, even to two polls at the same moment.
pub async fn progress(
    state: &AppState,
    user: &SignedInUser,
    job_id: &str,
) -> Result<ImportProgress, AppError> {
    let row: JobRow = sqlx::query_as(
        "SELECT total, hashed, stage, outcome_key_id, outcome_sealed, updated_at FROM import_jobs \
         WHERE id = $1 AND user_id = $2 AND school_id = $3",
    )
    .bind(job_id)
    .bind(&user.id)
    .bind(&user.school_id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let died = row.outcome_sealed.is_none() && row.updated_at <= state.clock.now() - STALE_SECS;
    let outcome = match (&row.outcome_key_id, &row.outcome_sealed) {
        (Some(key_id), Some(sealed)) => Some(open_outcome(state, job_id, key_id, sealed)),
        _ if died => Some(Err(DIED.to_string())),
        _ => None,
    };
    if outcome.is_some() {
        // Deleted only as it was read: a stored outcome, or a job still as
        // stale as it was (if it finished meanwhile, the next poll gets it).
        let taken = sqlx::query(
            "DELETE FROM import_jobs WHERE id = $1 AND (outcome_sealed IS NOT NULL \
             OR (outcome_sealed IS NULL AND updated_at = $2))",
        )
        .bind(job_id)
        .bind(row.updated_at)
        .execute(&state.db)
        .await?;
        if taken.rows_affected() == 0 {
            if row.outcome_sealed.is_some() {
                // Another poll took it a moment ago.
                return Err(AppError::NotFound);
            }
            return Ok(progress_of(&row, None));
        }
    }
    Ok(progress_of(&row, outcome))
}

fn open_outcome(
    state: &AppState,
    job_id: &str,
    key_id: &str,
    sealed: &str,
) -> Result<ImportSummary, String> {
    let sealed = Sealed {
        key_id: key_id.to_string(),
        sealed: sealed.to_string(),
    };
    let text = state
        .sealer
        .open(&sealed, &SealedFor::ImportOutcome { job_id })
        .map_err(|error| {
            tracing::error!(%error, job = %job_id, "an import's summary would not open");
            "The import's summary could not be read.".to_string()
        })?;
    serde_json::from_str(text.expose_secret())
        .map_err(|_| "The import's summary could not be read.".to_string())?
}

fn progress_of(row: &JobRow, outcome: Option<Result<ImportSummary, String>>) -> ImportProgress {
    let (total, hashed) = (row.total.max(0) as usize, row.hashed.max(0) as usize);
    let hashed = hashed.min(total);
    // Hashing is nearly all the work; saving is the last 5%.
    let percent = match (&outcome, row.stage.as_str()) {
        (Some(_), _) => 100,
        (None, SAVING) => 95,
        (None, _) if total == 0 => 0,
        (None, _) => (hashed * 95 / total) as u8,
    };
    let stage = match row.stage.as_str() {
        HASHING => format!("Making passwords: {hashed} of {total} new learners"),
        other => other.to_string(),
    };
    ImportProgress {
        percent,
        stage,
        outcome,
    }
}

/// Deletes outcomes nobody came back for, and jobs that died.
pub async fn forget_old(db: &crate::db::Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM import_jobs WHERE updated_at < $1")
        .bind(now - FORGET_AFTER_SECS)
        .execute(db)
        .await?;
    Ok(())
}
