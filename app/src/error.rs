//! AppError: the one error type every server function returns.

use serde::{Deserialize, Serialize};
use server_fn_error::*;

/// What went wrong, in terms a user (or the UI) can act on. Unexpected
/// failures are logged on the server and reach the browser only as
/// [`AppError::Internal`], never with SQL or library text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("We could not find that.")]
    NotFound,
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    /// The sign-in details were wrong. Deliberately says nothing about which part.
    #[error("The school code, username or password is not right.")]
    BadCredentials,
    #[error("This account is locked after too many failed sign-ins. Try again in {} or ask your teacher or the school office to unlock it.", minutes_text(*retry_after_secs))]
    Locked { retry_after_secs: u64 },
    #[error("Too many attempts from this network. Please wait {} and try again.", minutes_text(*retry_after_secs))]
    TooManyAttempts { retry_after_secs: u64 },
    /// Many sign-ins from this network failed lately and its next turn is
    /// more than a few seconds away.
    #[error("Many sign-ins from this network failed just now. Please wait {} and try again.", seconds_text(*retry_after_secs))]
    SlowDown { retry_after_secs: u64 },
    /// A platform-wide limit was reached (e.g. wrong parent access codes
    /// from everywhere together): nobody's fault in particular.
    #[error("ClassKeys is taking no more of these for a while. Please try again in {}.", minutes_text(*retry_after_secs))]
    Busy { retry_after_secs: u64 },
    #[error("This account is switched off. Please ask the school office.")]
    AccountInactive,
    /// The school requires single sign-on for staff (not for its owner).
    #[error("Your school signs staff in with single sign-on. Use the single sign-on button on this page instead of a password.")]
    SingleSignOnRequired,
    #[error("Please choose a new password before you continue.")]
    PasswordChangeRequired,
    #[error("That request came from another site and was refused.")]
    CrossSite,
    /// The database cannot be reached (restarting, failing over, down).
    #[error("ClassKeys cannot reach its database just now. Please try again in a minute.")]
    Unavailable,
    #[error("Something went wrong. Please try again.")]
    Internal,
}

fn seconds_text(secs: u64) -> String {
    match secs.max(1) {
        1 => "a second".to_string(),
        secs => format!("{secs} seconds"),
    }
}

fn minutes_text(secs: u64) -> String {
    let minutes = secs.div_ceil(60).max(1);
    if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    }
}

/// What a save made from a stale form answers (409): nothing was changed.
pub const STALE_EDIT: &str = "Someone else changed this a moment ago. Reload to see their change.";

impl AppError {
    /// Another save (or reset) changed the row since this form was loaded.
    pub fn stale() -> Self {
        AppError::Conflict(STALE_EDIT.into())
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The HTTP status the server answers with for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::CrossSite | AppError::AccountInactive => 403,
            AppError::SingleSignOnRequired => 403,
            AppError::PasswordChangeRequired => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::Locked { .. } => 423,
            AppError::TooManyAttempts { .. }
            | AppError::Busy { .. }
            | AppError::SlowDown { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
        }
    }

    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The browser could not reach the server: say so plainly.
            ServerFnErrorErr::Request(_) => AppError::Conflict(
                "Cannot reach ClassKeys. Check the connection and try again.".into(),
            ),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::invalid("", "The form was incomplete. Please fill it in again.")
            }
            // On the server, a request body that does not parse is bad
            // input (422), never a server fault.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => {
                AppError::invalid("", "The form was incomplete. Please fill it in again.")
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                let _ = other;
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                AppError::Conflict("That is already in use.".into())
            }
            _ if crate::db::is_unreachable(&error) => {
                tracing::warn!(%error, "the database cannot be reached");
                AppError::Unavailable
            }
            _ => {
                tracing::error!(%error, "database error");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_message_rounds_up_to_whole_minutes() {
        let text = AppError::Locked {
            retry_after_secs: 61,
        }
        .to_string();
        assert!(text.contains("2 minutes"), "{text}");
        let text = AppError::Locked {
            retry_after_secs: 5,
        }
        .to_string();
        assert!(text.contains("1 minute "), "{text}");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_request_that_does_not_parse_is_bad_input_not_a_fault() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "missing field `version`".into(),
        ));
        assert_eq!(err.status_code(), 422);
    }

    #[test]
    fn internal_errors_never_carry_detail() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "no such table: accounts".into(),
        ));
        assert_eq!(err, AppError::Internal);
        assert_eq!(err.to_string(), "Something went wrong. Please try again.");
    }
}
