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

/// What "Add a child" did, with the child's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChildAdded {
    Linked(String),
    /// The code is right, but this child was already on the parent's list.
    AlreadyLinked(String),
}

impl ChildAdded {
    pub fn message(&self) -> String {
        match self {
            ChildAdded::Linked(name) => format!("{name} is now linked to your account."),
            ChildAdded::AlreadyLinked(name) => {
                format!("{name} was already linked to your account: nothing changed.")
            }
        }
    }
}
