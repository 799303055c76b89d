//! One learner at a time: show the current password, reset it, unlock a
//! learner who is locked out. Used by the class pages and the school-wide
//! student database.

pub mod api;
pub mod reset_dialog;
#[cfg(feature = "ssr")]
pub mod roster;
pub mod roster_api;
pub mod roster_dialogs;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

use crate::classes::LearnerRow;

/// "Show" on a learner's password: the password, and until when the
/// learner is locked out, if they are now (too many wrong passwords since
/// the page opened), so the page does not hand out a password that cannot
/// sign in yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownPassword {
    pub password: String,
    pub locked_until: Option<crate::shown_time::ShownTime>,
}

/// A learner just added: their row and the password to hand out, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedLearner {
    pub row: LearnerRow,
    pub password: String,
}

/// A class a learner is or could be in ("Edit learner").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMembership {
    pub id: String,
    pub name: String,
    pub member: bool,
}

/// What "Edit learner" shows and sends back. `version` is the learner's row
/// version as loaded: a save over someone else's change is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerProfile {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub classes: Vec<ClassMembership>,
    pub version: i64,
}

/// "Save learner".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerChanges {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub class_ids: Vec<String>,
    pub version: i64,
}
