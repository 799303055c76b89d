//! Running imports: the apply runs as a background task and the browser
//! asks how far it is. A job belongs to the user who started it; its
//! outcome (with the new accounts' passwords) is handed out once, then the
//! job is gone. One import at a time per school.
//!
//! Jobs live in this process's memory: behind several servers, the
//! progress calls must reach the server that runs the import (sticky
//! sessions); the import itself is one database transaction either way.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::{ImportProgress, ImportSummary};
use crate::auth::SignedInUser;
use crate::error::AppError;

/// One running (or just ended) import.
pub struct ImportJob {
    school_id: String,
    user_id: String,
    /// Passwords to hash, and how many are done.
    pub total: usize,
    pub hashed: AtomicUsize,
    stage: Mutex<&'static str>,
    outcome: Mutex<Option<Result<ImportSummary, String>>>,
}

impl ImportJob {
    pub fn set_stage(&self, stage: &'static str) {
        *self.stage.lock().unwrap_or_else(|e| e.into_inner()) = stage;
    }

    pub fn finish(&self, outcome: Result<ImportSummary, String>) {
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
    }

    fn ended(&self) -> bool {
        self.outcome
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    fn progress(&self) -> ImportProgress {
        let outcome = self
            .outcome
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let stage = *self.stage.lock().unwrap_or_else(|e| e.into_inner());
        let hashed = self.hashed.load(Ordering::Relaxed).min(self.total);
        // Hashing is nearly all the work; saving is the last 5%.
        let percent = match (&outcome, stage) {
            (Some(_), _) => 100,
            (None, SAVING) => 95,
            (None, _) if self.total == 0 => 0,
            (None, _) => (hashed * 95 / self.total) as u8,
        };
        let stage = match stage {
            HASHING => format!("Making passwords: {hashed} of {} new learners", self.total),
            other => other.to_string(),
        };
        ImportProgress {
            percent,
            stage,
            outcome,
        }
    }
}

pub const HASHING: &str = "Making passwords";
pub const SAVING: &str = "Saving the roster";

/// Every import of this process, by job id.
#[derive(Clone, Default)]
pub struct ImportJobs(Arc<Mutex<HashMap<String, Arc<ImportJob>>>>);

impl ImportJobs {
    fn jobs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<ImportJob>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new job for `user`'s school, or a refusal while one runs there.
    pub fn start(
        &self,
        user: &SignedInUser,
        total: usize,
    ) -> Result<(String, Arc<ImportJob>), AppError> {
        let mut jobs = self.jobs();
        if jobs
            .values()
            .any(|job| job.school_id == user.school_id && !job.ended())
        {
            return Err(AppError::Conflict(
                "Another import for this school is running. Wait for it to end, then preview again."
                    .into(),
            ));
        }
        let id = crate::db::new_id();
        let job = Arc::new(ImportJob {
            school_id: user.school_id.clone(),
            user_id: user.id.clone(),
            total,
            hashed: AtomicUsize::new(0),
            stage: Mutex::new(HASHING),
            outcome: Mutex::new(None),
        });
        jobs.insert(id.clone(), job.clone());
        Ok((id, job))
    }

    /// How far `job_id` is, for the user who started it; once it has ended
    /// the job is forgotten, so its outcome is read only once.
    pub fn progress(&self, user: &SignedInUser, job_id: &str) -> Result<ImportProgress, AppError> {
        let mut jobs = self.jobs();
        let job = jobs
            .get(job_id)
            .filter(|job| job.user_id == user.id && job.school_id == user.school_id)
            .ok_or(AppError::NotFound)?;
        let progress = job.progress();
        if progress.outcome.is_some() {
            jobs.remove(job_id);
        }
        Ok(progress)
    }
}
