//! `classkeys admin check-reveals`: every learner's reveal copy opens under
//! the server's keys, belongs to the learner's current password version,
//! and is the password the stored hash accepts. After restoring a backup,
//! rotating the key, or a crash in the middle of a class reset, it shows
//! that nothing was half-written.

use super::hashing::StoredHash;
use super::sealing::{Sealed, SealedFor};
use crate::error::AppError;
use crate::state::AppState;

/// What the check found. `is_sound` when every copy matched.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RevealCheck {
    pub checked: usize,
    pub matching: usize,
    /// Usernames (school code/username) whose copy is of another password
    /// version, will not open, or is not the password the hash accepts.
    pub stale: Vec<String>,
    pub unopenable: Vec<String>,
    pub differing: Vec<String>,
}

impl RevealCheck {
    pub fn is_sound(&self) -> bool {
        self.matching == self.checked
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    school_id: String,
    label: String,
    password_hash: String,
    password_version: i64,
    reveal_version: i64,
    key_id: String,
    sealed: String,
}

/// Checks every learner that has a reveal copy (argon2 verifications, in
/// the server's hashing queue).
pub async fn check_reveal_copies(state: &AppState) -> Result<RevealCheck, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.school_id, s.code || '/' || a.username AS label, a.password_hash, \
         a.password_version, r.password_version AS reveal_version, r.key_id, r.sealed \
         FROM accounts a JOIN learner_password_reveals r ON r.account_id = a.id \
         JOIN schools s ON s.id = a.school_id WHERE a.role = 'learner' ORDER BY label",
    )
    .fetch_all(&state.db)
    .await?;
    let mut check = RevealCheck {
        checked: rows.len(),
        ..RevealCheck::default()
    };
    for row in rows {
        if row.reveal_version != row.password_version {
            check.stale.push(row.label);
            continue;
        }
        let sealed = Sealed {
            key_id: row.key_id,
            sealed: row.sealed,
        };
        let sealed_for = SealedFor::LearnerPassword {
            school_id: &row.school_id,
            learner_id: &row.id,
            password_version: row.password_version,
        };
        let Ok(password) = state.sealer.open(&sealed, &sealed_for) else {
            check.unopenable.push(row.label);
            continue;
        };
        let hash = StoredHash(row.password_hash);
        if state.hasher.verify(&password, Some(&hash)).await {
            check.matching += 1;
        } else {
            check.differing.push(row.label);
        }
    }
    Ok(check)
}
