//! Getting back into an account with a single-use link: the
//! `/reset-password/{token}` page and the tokens behind it (DESIGN.md §3
//! "Forgotten password"). The operator's owner recovery prints such a link.

pub mod api;
pub mod forgot_page;
pub mod reset_page;
#[cfg(feature = "ssr")]
pub mod reset_requests;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

use crate::password_rules::{PasswordContext, PasswordPolicy};

/// What a reset link is for; a token works only for its own purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenPurpose {
    ResetPassword,
    Welcome,
    OwnerRecovery,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::Welcome => "welcome",
            TokenPurpose::OwnerRecovery => "owner_recovery",
        }
    }
}

/// The page a link is opened on. Each page accepts only its own kind of
/// link: a welcome link does nothing on `/reset-password/…`, and a reset
/// link nothing on `/welcome/…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPage {
    /// `/reset-password/{token}`: "Forgot password?", staff-sent resets and
    /// the operator's owner recovery.
    ResetPassword,
    /// `/welcome/{token}`: a new staff member chooses a first password.
    Welcome,
}

impl LinkPage {
    /// Where the page goes once the password is set: a first password is
    /// "set", never "changed".
    pub fn after_password(self) -> &'static str {
        match self {
            LinkPage::ResetPassword => crate::routes::AFTER_PASSWORD_CHANGE,
            LinkPage::Welcome => crate::routes::AFTER_FIRST_PASSWORD,
        }
    }

    pub fn accepts(self) -> &'static [TokenPurpose] {
        match self {
            LinkPage::ResetPassword => &[TokenPurpose::ResetPassword, TokenPurpose::OwnerRecovery],
            LinkPage::Welcome => &[TokenPurpose::Welcome],
        }
    }

    /// The path a link for `purpose` opens.
    pub fn for_purpose(purpose: TokenPurpose) -> LinkPage {
        match purpose {
            TokenPurpose::Welcome => LinkPage::Welcome,
            TokenPurpose::ResetPassword | TokenPurpose::OwnerRecovery => LinkPage::ResetPassword,
        }
    }

    pub fn path_prefix(self) -> &'static str {
        match self {
            LinkPage::ResetPassword => crate::routes::RESET_PASSWORD_PREFIX,
            LinkPage::Welcome => crate::routes::WELCOME_PREFIX,
        }
    }
}

/// What the reset page learns about its link before showing the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// The link works: the form may be shown for this account.
    Valid {
        display_name: String,
        school_name: String,
        rules: (PasswordPolicy, PasswordContext),
    },
    /// Used already, expired, replaced by a newer link, or never issued.
    Unusable,
}
