//! Emails are unique across the whole platform, case-insensitively; the
//! unique index on `lower(email)` is the last word, also between two saves
//! racing each other.

use crate::db::Tx;
use crate::error::AppError;

/// The one answer to an email already in use (DESIGN.md §3).
pub const EMAIL_TAKEN: &str = "This email address is already used by another account.";

/// Fails with [`EMAIL_TAKEN`] when an account other than `except` uses `email`.
pub async fn ensure_email_free(tx: &mut Tx, email: &str, except: &str) -> Result<(), AppError> {
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM accounts WHERE lower(email) = lower($1) AND id <> $2")
            .bind(email)
            .bind(except)
            .fetch_optional(&mut **tx)
            .await?;
    match taken {
        Some(_) => Err(AppError::invalid("email", EMAIL_TAKEN)),
        None => Ok(()),
    }
}

/// Maps a violation of the email index to [`EMAIL_TAKEN`] (and leaves
/// every other error, the username index's included, as it is).
pub fn email_conflict(error: sqlx::Error) -> AppError {
    match &error {
        sqlx::Error::Database(db)
            if db.is_unique_violation()
                && (db.constraint() == Some("accounts_email_unique")
                    || db.message().contains("accounts_email_unique")) =>
        {
            AppError::invalid("email", EMAIL_TAKEN)
        }
        _ => error.into(),
    }
}
