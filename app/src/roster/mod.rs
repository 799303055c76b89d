//! Importing a school's roster and the year-end rollover (DESIGN.md §3
//! "Roster: classes and learners").

#[cfg(feature = "ssr")]
pub mod import;
pub mod import_api;
pub mod import_page;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod oneroster;
#[cfg(feature = "ssr")]
pub mod parse;
#[cfg(feature = "ssr")]
pub mod plan;
#[cfg(feature = "ssr")]
pub mod rollover;
pub mod rollover_api;
pub mod rollover_page;

use serde::{Deserialize, Serialize};

use crate::classes::AccessCodeRow;

/// The id of the "Preview" heading (import and rollover), which takes
/// focus when a preview appears.
pub const PREVIEW_HEADING: &str = "preview_heading";

/// Largest roster file accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// Server functions that carry a whole roster file, and so may have a
/// larger request body than a form.
pub const UPLOAD_ENDPOINTS: &[&str] = &["preview_import", "start_import"];

/// What an import would do with one line of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineStatus {
    Create,
    Update,
    Unchanged,
    Error,
}

impl LineStatus {
    pub fn label(self) -> &'static str {
        match self {
            LineStatus::Create => "Create",
            LineStatus::Update => "Update",
            LineStatus::Unchanged => "Unchanged",
            LineStatus::Error => "Error",
        }
    }
}

/// One line of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub line: usize,
    /// The file of a OneRoster zip the line is in; empty for a CSV.
    pub file: String,
    pub learner: String,
    pub username: String,
    pub class: String,
    pub status: LineStatus,
    /// Why, in words: what changes, or what is wrong.
    pub reason: String,
}

/// Lines of each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewTotals {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub error: usize,
}

/// "Preview": what "Apply import" would do, computed on the server from
/// the uploaded bytes, writing nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// The kind of file and its encoding, such as "CSV, UTF-16".
    pub file_kind: String,
    pub lines: Vec<PreviewLine>,
    pub totals: PreviewTotals,
    /// Learners who would get an account.
    pub new_learners: usize,
    pub new_classes: Vec<String>,
    /// Learners not in the file who would be inactivated (when asked).
    pub to_inactivate: Vec<String>,
    /// A digest of everything above. "Apply import" sends it back, and the
    /// server starts the import only while the file still previews exactly
    /// so: another admin's import in between (a learner more to
    /// inactivate, a username taken) is refused, not applied unseen.
    pub basis: String,
}

#[cfg(feature = "ssr")]
impl ImportPreview {
    /// This preview with its `basis`: a SHA-256 of everything it shows.
    pub fn with_basis(mut self) -> Self {
        self.basis = String::new();
        let shown = serde_json::to_vec(&self).unwrap_or_default();
        self.basis = crate::digest::sha256_hex(&shown);
        self
    }
}

/// What an applied import did, with the new accounts' access codes (in
/// the access-codes CSV format) for "Download CSV".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub inactivated: usize,
    pub classes_created: usize,
    pub file_name: String,
    pub new_accounts: Vec<AccessCodeRow>,
}

/// How far a running import is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    /// 0 to 100.
    pub percent: u8,
    /// What it is doing, in words.
    pub stage: String,
    /// Set once, when it has ended; the summary is handed out only once.
    pub outcome: Option<Result<ImportSummary, String>>,
}

/// Where a class's learners go at the year-end rollover.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NextClass {
    /// The class stays as it is (the default).
    #[default]
    Stays,
    /// Into another class of the school (by id).
    Existing(String),
    /// Into a new class of this name.
    New(String),
    /// Leavers: the learners are inactivated.
    Leavers,
}

/// One class's choice at the rollover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverChoice {
    pub class_id: String,
    pub next: NextClass,
}

/// A class on `/school/rollover`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverClass {
    pub id: String,
    pub name: String,
    pub learner_count: i64,
}

/// The last rollover, and whether "Undo rollover" can still put it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRollover {
    pub id: String,
    pub when: String,
    pub by: String,
    pub learners: usize,
    /// Why undo is no longer possible, if it is not.
    pub undo_refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverSetup {
    pub classes: Vec<RolloverClass>,
    pub last: Option<LastRollover>,
}

/// One learner's move in the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerMove {
    pub learner: String,
    pub username: String,
    pub from: String,
    /// The next class's name, or "Inactivated (leaver)".
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverPreview {
    /// One line per learner per class they leave (a learner in two
    /// classes has two).
    pub moves: Vec<LearnerMove>,
    pub new_classes: Vec<String>,
    /// Learners inactivated as leavers, each counted once.
    pub leavers: usize,
    /// Learners moved on to another class (leavers not counted), each
    /// counted once: what "N learners moved" says everywhere.
    #[serde(default)]
    pub learners_moving: usize,
    /// What the preview was made from (a digest of every move). "Apply
    /// rollover" sends it back, and the server applies only while the moves
    /// are still exactly these: a second click, a second tab or another
    /// admin's change in between is refused, not applied again.
    pub basis: String,
}
