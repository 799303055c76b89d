//! Classes and their learners: the class database, whole-class resets and
//! access codes (DESIGN.md §3 "Class database", "Access codes").

pub mod access_codes_page;
pub mod add_class_dialog;
pub mod api;
pub mod class_actions;
pub mod class_page;
pub mod class_reset_dialog;
#[cfg(feature = "ssr")]
pub mod detail;
pub mod learner_table;
pub mod list_page;
#[cfg(feature = "ssr")]
pub mod roster;
pub mod school_pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// Learners one "Reset class passwords" request may reset: hashing them
/// takes about a second per 100 on two cores, and no request should hash
/// for minutes.
pub const MAX_CLASS_RESET: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassSummary {
    pub id: String,
    pub name: String,
    pub learner_count: i64,
    /// Archived: out of the lists until restored; learners keep their accounts.
    pub archived: bool,
}

/// A staff member of the school, ticked when assigned to the class
/// ("Assign teachers").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherChoice {
    pub id: String,
    pub name: String,
    pub username: String,
    pub assigned: bool,
}

/// Whether staff can see a learner's current password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PasswordState {
    /// Staff set or generated it and the school lets staff see it.
    Viewable,
    /// The learner chose it: nobody can see it.
    SetByLearner,
    /// Staff set it, but no copy is kept (it was destroyed when the school
    /// stopped showing passwords): nobody can see it until the next reset.
    NotStored,
    /// The school does not let staff see learner passwords.
    Hidden,
}

/// One learner in a class table. Never carries the password itself: that
/// is revealed one at a time, audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub password: PasswordState,
    /// Goes up at every password change, so a shown password is never stale.
    pub password_version: i64,
    pub parent_access_code: String,
    /// When their lockout after too many wrong passwords ends, while it
    /// has not ("09:14").
    pub locked_until: Option<crate::shown_time::ShownTime>,
    /// The learner's classes (for the school-wide student database).
    pub classes: Vec<String>,
    /// Has a QR badge that signs them in.
    pub has_badge: bool,
}

impl LearnerRow {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassDetail {
    pub class: ClassSummary,
    pub school_code: String,
    pub passwords_visible: bool,
    /// "Badge sign-in" is on at the school.
    pub badges_enabled: bool,
    pub learners: Vec<LearnerRow>,
}

/// One line of the access codes: one learner in one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessCodeRow {
    pub class: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    /// `None` when the password cannot be shown.
    pub password: Option<String>,
    pub parent_access_code: String,
}

/// What "Show access codes" reveals, with the file name to save it under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessCodes {
    pub file_name: String,
    pub rows: Vec<AccessCodeRow>,
}

/// The two choices of "Reset class passwords".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClassResetMode {
    SamePassword,
    NewPasswordEach,
}

/// A password just set by a reset, shown once to the staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPassword {
    pub learner_id: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub password: String,
}
