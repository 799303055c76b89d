//! Getting back into an account with a single-use link: the
//! `/reset-password/{token}` page and the tokens behind it (DESIGN.md §3
//! "Forgotten password"). The operator's owner recovery prints such a link.

pub mod api;
pub mod forgot_page;
pub mod reset_page;
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
