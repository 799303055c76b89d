//! Signing in with a password: the one path behind the `/login` form
//! (`POST /login`) and the `sign_in` server function.

use super::credentials::{check_credentials, SignInAttempt};
use super::guard::start_session;
use super::AuthSession;
use crate::error::AppError;
use crate::routes::{HOME, NEW_PASSWORD};
use crate::state::AppState;

/// The school code cookie lives a year: the device is the school's.
pub const SCHOOL_CODE_COOKIE_SECS: i64 = 31_536_000;

/// Where a successful sign-in goes next, and the school code to remember.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub school_code: String,
    pub next: &'static str,
}

/// Checks the attempt (lockout, pacing, argon2) and starts a new session.
pub async fn sign_in(
    state: &AppState,
    auth: &mut AuthSession,
    attempt: &SignInAttempt,
) -> Result<SignedIn, AppError> {
    let account = check_credentials(state, attempt).await?;
    start_session(auth, &account, state.clock.now()).await?;
    Ok(SignedIn {
        next: if account.must_change_password {
            NEW_PASSWORD
        } else {
            HOME
        },
        school_code: account.school_code,
    })
}
