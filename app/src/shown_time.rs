//! A moment as a table shows it: compact in the cell, in full on hover.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShownTime {
    /// "Today 15:52", "Yesterday 09:10", "23 Nov 10:44", "23 Nov 2025".
    pub short: String,
    /// "23 Nov 2026, 10:44 UTC".
    pub full: String,
}
