//! School settings (`/settings`, full admin or owner): password rules,
//! whether staff can see learner passwords, SMS (DESIGN.md §1, §3), and
//! the school's time zone.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// What the settings form edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolSettingsForm {
    pub min_password_length: u32,
    pub require_digit: bool,
    pub block_common_passwords: bool,
    pub learner_passwords_visible: bool,
    pub learners_change_after_reset: bool,
    pub sms_enabled: bool,
    /// "Badge sign-in": learners may sign in with a QR badge.
    #[serde(default)]
    pub badge_sign_in: bool,
    /// The IANA zone the school reads its times in ("Europe/London");
    /// always there when loaded. A save without it (a form from before
    /// schools had zones) leaves the zone as it is.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// The settings page's data: the form, and what only the operator changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPageData {
    pub school_name: String,
    pub form: SchoolSettingsForm,
    pub sms_credits: i64,
    /// The zones the school may choose, "UTC" first.
    pub time_zones: Vec<String>,
    /// The settings' version: a save from an older one is refused.
    pub version: i64,
}

/// The bounds of the minimum password length a school may choose.
pub const MIN_LENGTH_RANGE: std::ops::RangeInclusive<u32> = 8..=128;
