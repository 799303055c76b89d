//! Parents (DESIGN.md §3 "Parents"): sign-up with a learner's parent access
//! code, the list of their children, "Add a child", and staff regenerating a
//! learner's code. A parent sees nothing else.

pub mod api;
pub mod children_page;
pub mod confirm_page;
pub mod signup_page;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// One child on `/parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildRow {
    pub name: String,
    pub classes: Vec<String>,
    pub school: String,
}
