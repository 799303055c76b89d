//! Who is signed in, what they may do, and the sign-in, sign-out and
//! change-password flows.

pub mod account_page;
pub mod api;
pub mod login_page;
pub mod password_form;
pub mod permissions;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// The kinds of account (DESIGN.md §1). A staff member without flags is a teacher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Staff,
    Learner,
    Parent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
            Role::Learner => "learner",
            Role::Parent => "parent",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "owner" => Some(Role::Owner),
            "staff" => Some(Role::Staff),
            "learner" => Some(Role::Learner),
            "parent" => Some(Role::Parent),
            _ => None,
        }
    }
}

/// The signed-in user as the UI sees them. Never carries a password or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: String,
    pub school_id: String,
    pub school_name: String,
    pub school_code: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub is_full_admin: bool,
    pub is_lead_teacher: bool,
    pub must_change_password: bool,
}

impl SignedInUser {
    /// "Owner", "Full admin · Lead teacher", "Teacher", "Learner", "Parent".
    pub fn role_label(&self) -> String {
        role_label(self.role, self.is_full_admin, self.is_lead_teacher)
    }
}

/// An account's role in words: "Owner", "Full admin · Lead teacher",
/// "Teacher", "Learner" or "Parent".
pub fn role_label(role: Role, full_admin: bool, lead_teacher: bool) -> String {
    match role {
        Role::Owner => "Owner".into(),
        Role::Learner => "Learner".into(),
        Role::Parent => "Parent".into(),
        Role::Staff => {
            let flags: Vec<&str> = [(full_admin, "Full admin"), (lead_teacher, "Lead teacher")]
                .into_iter()
                .filter_map(|(on, label)| on.then_some(label))
                .collect();
            if flags.is_empty() {
                "Teacher".into()
            } else {
                flags.join(" · ")
            }
        }
    }
}
