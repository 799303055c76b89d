//! The audit log: who did what to whom, when and from where. Never a
//! password or a token.

pub mod api;
#[cfg(feature = "ssr")]
pub mod group_commit;
pub mod page;
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
    ParentLinked,
    ParentCodeRefused,
    ParentCodeRegenerated,
    ClassOpened,
    StudentDatabaseOpened,
    ParentsUnlinked,
    ParentSignUpLinkSent,
    SecretKeyRotated,
    ClassCreated,
    ClassRenamed,
    ClassTeachersAssigned,
    ClassArchived,
    ClassRestored,
    LearnerCreated,
    LearnerUpdated,
    LearnerRemovedFromClass,
    RosterImported,
    RolloverApplied,
    RolloverUndone,
    SsoLinked,
    SsoSignIn,
    SsoUnlinked,
    BadgesCreated,
    BadgeVoided,
    BadgesVoided,
    BadgeSignIn,
    LoginCardsOpened,
    LearnerOpenedForReset,
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
            AuditAction::ParentLinked => "parent_linked",
            AuditAction::ParentCodeRefused => "parent_code_refused",
            AuditAction::ParentCodeRegenerated => "parent_code_regenerated",
            AuditAction::ClassOpened => "class_opened",
            AuditAction::StudentDatabaseOpened => "student_database_opened",
            AuditAction::ParentsUnlinked => "parents_unlinked",
            AuditAction::ParentSignUpLinkSent => "parent_signup_link_sent",
            AuditAction::SecretKeyRotated => "secret_key_rotated",
            AuditAction::ClassCreated => "class_created",
            AuditAction::ClassRenamed => "class_renamed",
            AuditAction::ClassTeachersAssigned => "class_teachers_assigned",
            AuditAction::ClassArchived => "class_archived",
            AuditAction::ClassRestored => "class_restored",
            AuditAction::LearnerCreated => "learner_created",
            AuditAction::LearnerUpdated => "learner_updated",
            AuditAction::LearnerRemovedFromClass => "learner_removed_from_class",
            AuditAction::RosterImported => "roster_imported",
            AuditAction::RolloverApplied => "rollover_applied",
            AuditAction::RolloverUndone => "rollover_undone",
            AuditAction::SsoLinked => "sso_linked",
            AuditAction::SsoSignIn => "sso_sign_in",
            AuditAction::SsoUnlinked => "sso_unlinked",
            AuditAction::BadgesCreated => "badges_created",
            AuditAction::BadgeVoided => "badge_voided",
            AuditAction::BadgesVoided => "badges_voided",
            AuditAction::BadgeSignIn => "badge_sign_in",
            AuditAction::LoginCardsOpened => "login_cards_opened",
            AuditAction::LearnerOpenedForReset => "learner_opened_for_reset",
        }
    }
}

/// Every action with the words the audit page shows for it.
pub const ACTION_LABELS: &[(AuditAction, &str)] = &[
    (AuditAction::SignIn, "Signed in"),
    (AuditAction::SignInFailed, "Sign-in failed"),
    (AuditAction::AccountLocked, "Account locked"),
    (AuditAction::SignInRefusedLocked, "Sign-in refused (locked)"),
    (AuditAction::SignOut, "Signed out"),
    (AuditAction::PasswordChanged, "Changed own password"),
    (AuditAction::SignedOutEverywhere, "Signed out everywhere"),
    (AuditAction::SchoolCreated, "School created"),
    (AuditAction::PasswordViewed, "Password viewed"),
    (AuditAction::PasswordReset, "Password reset"),
    (AuditAction::ClassPasswordsReset, "Class passwords reset"),
    (AuditAction::AccountUnlocked, "Account unlocked"),
    (AuditAction::AccessCodesRevealed, "Access codes shown"),
    (
        AuditAction::AccessCodesDownloaded,
        "Access codes downloaded",
    ),
    (
        AuditAction::OwnerRecoveryLinkIssued,
        "Owner recovery link issued",
    ),
    (
        AuditAction::PasswordResetByLink,
        "Password set through a link",
    ),
    (AuditAction::ResetLinkSent, "Reset link sent"),
    (AuditAction::StaffCreated, "Staff member added"),
    (AuditAction::StaffUpdated, "Staff member changed"),
    (AuditAction::StaffPasswordSet, "Staff password set"),
    (AuditAction::SettingsChanged, "Settings changed"),
    (AuditAction::SmsCreditsAdded, "SMS credits added"),
    (AuditAction::AccountInactivated, "Account inactivated"),
    (AuditAction::AccountReactivated, "Account reactivated"),
    (AuditAction::EmailChanged, "Email changed"),
    (AuditAction::ParentLinked, "Parent linked to a child"),
    (AuditAction::ParentCodeRefused, "Wrong parent access code"),
    (
        AuditAction::ParentCodeRegenerated,
        "Parent access code regenerated",
    ),
    (
        AuditAction::ClassOpened,
        "Class opened (parent access codes shown)",
    ),
    (
        AuditAction::StudentDatabaseOpened,
        "Student database opened (parent access codes shown)",
    ),
    (AuditAction::ParentsUnlinked, "Parents unlinked"),
    (
        AuditAction::ParentSignUpLinkSent,
        "Parent sign-up link sent",
    ),
    (AuditAction::SecretKeyRotated, "Secret key rotated"),
    (AuditAction::ClassCreated, "Class added"),
    (AuditAction::ClassRenamed, "Class renamed"),
    (
        AuditAction::ClassTeachersAssigned,
        "Class teachers assigned",
    ),
    (AuditAction::ClassArchived, "Class archived"),
    (AuditAction::ClassRestored, "Class restored"),
    (AuditAction::LearnerCreated, "Learner added"),
    (AuditAction::LearnerUpdated, "Learner changed"),
    (
        AuditAction::LearnerRemovedFromClass,
        "Learner removed from a class",
    ),
    (AuditAction::RosterImported, "Roster imported"),
    (AuditAction::RolloverApplied, "Year-end rollover applied"),
    (AuditAction::RolloverUndone, "Year-end rollover undone"),
    (AuditAction::SsoLinked, "Single sign-on linked"),
    (AuditAction::SsoSignIn, "Signed in with single sign-on"),
    (AuditAction::SsoUnlinked, "Single sign-on unlinked"),
    (AuditAction::BadgesCreated, "QR badges created"),
    (AuditAction::BadgeVoided, "QR badge voided"),
    (AuditAction::BadgesVoided, "QR badges of a class voided"),
    (AuditAction::BadgeSignIn, "Signed in with a QR badge"),
    (AuditAction::LoginCardsOpened, "Login cards opened"),
    (
        AuditAction::LearnerOpenedForReset,
        "Learner opened from Users (parent access code shown)",
    ),
];

/// The words for an action stored as `code` (the code itself if unknown).
pub fn action_label(code: &str) -> String {
    ACTION_LABELS
        .iter()
        .find(|(action, _)| action.as_str() == code)
        .map(|(_, label)| label.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Actions about learners whose target is a class rather than one learner:
/// a lead teacher sees these as well as every event about a learner.
pub const CLASS_LEARNER_ACTIONS: &[AuditAction] = &[
    AuditAction::ClassPasswordsReset,
    AuditAction::ClassOpened,
    AuditAction::StudentDatabaseOpened,
    AuditAction::AccessCodesRevealed,
    AuditAction::AccessCodesDownloaded,
    AuditAction::RosterImported,
    AuditAction::RolloverApplied,
    AuditAction::RolloverUndone,
    AuditAction::BadgesCreated,
    AuditAction::BadgesVoided,
    AuditAction::LoginCardsOpened,
];

/// One row of the audit page. Never a password or a token: events hold none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub time: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_addr: String,
    pub detail: String,
}

/// The audit page's filters: an action code, part of an actor's username,
/// part of a target's name, and days (`YYYY-MM-DD`, the school's, both
/// inclusive); empty means any.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditQuery {
    pub action: String,
    pub actor: String,
    #[serde(default)]
    pub target: String,
    pub from: String,
    pub to: String,
    pub page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: u32,
    pub page: u32,
    pub pages: u32,
    /// Whether only learner events are shown (a lead teacher).
    pub learner_events_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_words() {
        let codes: Vec<&str> = ACTION_LABELS.iter().map(|(a, _)| a.as_str()).collect();
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        assert_eq!(action_label("password_reset"), "Password reset");
    }
}
