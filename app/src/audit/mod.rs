//! The audit log: who did what to whom, when and from where. Never a
//! password or a token.

#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// Every kind of audited event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    AccountLocked,
    SignInRefusedLocked,
    SignOut,
    PasswordChanged,
    SignedOutEverywhere,
    SchoolCreated,
    PasswordViewed,
    PasswordReset,
    ClassPasswordsReset,
    AccountUnlocked,
    AccessCodesRevealed,
    AccessCodesDownloaded,
    OwnerRecoveryLinkIssued,
    PasswordResetByLink,
    ResetLinkSent,
    StaffCreated,
    StaffUpdated,
    StaffPasswordSet,
    SettingsChanged,
    SmsCreditsAdded,
    AccountInactivated,
    AccountReactivated,
    EmailChanged,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::AccountLocked => "account_locked",
            AuditAction::SignInRefusedLocked => "sign_in_refused_locked",
            AuditAction::SignOut => "sign_out",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::SignedOutEverywhere => "signed_out_everywhere",
            AuditAction::SchoolCreated => "school_created",
            AuditAction::PasswordViewed => "password_viewed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::ClassPasswordsReset => "class_passwords_reset",
            AuditAction::AccountUnlocked => "account_unlocked",
            AuditAction::AccessCodesRevealed => "access_codes_revealed",
            AuditAction::AccessCodesDownloaded => "access_codes_downloaded",
            AuditAction::OwnerRecoveryLinkIssued => "owner_recovery_link_issued",
            AuditAction::PasswordResetByLink => "password_reset_by_link",
            AuditAction::ResetLinkSent => "reset_link_sent",
            AuditAction::StaffCreated => "staff_created",
            AuditAction::StaffUpdated => "staff_updated",
            AuditAction::StaffPasswordSet => "staff_password_set",
            AuditAction::SettingsChanged => "settings_changed",
            AuditAction::SmsCreditsAdded => "sms_credits_added",
            AuditAction::AccountInactivated => "account_inactivated",
            AuditAction::AccountReactivated => "account_reactivated",
            AuditAction::EmailChanged => "email_changed",
        }
    }
}
