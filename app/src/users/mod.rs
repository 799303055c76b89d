//! User management (`/users`, full admin or owner): every account of the
//! school, searchable and paginated; inactivate and reactivate; change an
//! email; possible duplicates (DESIGN.md §3 "User management").

pub mod api;
mod dialogs;
pub mod page;
#[cfg(feature = "ssr")]
pub mod ssr;
mod table;

use serde::{Deserialize, Serialize};

/// Rows per page: small enough to render at once on a tablet, so 3,000
/// accounts never reach the browser together.
pub const PAGE_SIZE: u32 = 50;

/// One account in the users table. Never a password or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    /// "owner", "staff", "learner" or "parent".
    pub role: String,
    /// "Owner", "Full admin · Lead teacher", "Learner"…
    pub role_label: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub active: bool,
    pub last_sign_in: Option<crate::shown_time::ShownTime>,
    /// Linked to an identity at the school's single sign-on provider.
    pub sso_linked: bool,
    /// Whether the viewer may (in)activate it or change its email: never
    /// the owner's account for anyone but the owner, never oneself.
    pub manageable: bool,
}

/// What the table shows: a search and filters, one page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserQuery {
    pub search: String,
    /// Empty for every role, else "owner", "staff", "learner" or "parent".
    pub role: String,
    /// Empty for both, else "active" or "inactive".
    pub status: String,
    /// From 1.
    pub page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    /// Accounts matching the query, on every page.
    pub total: u32,
    pub page: u32,
    pub pages: u32,
}

/// Accounts that may be one person twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// "Same name: Amelia Smith" or "Same email name: asmith".
    pub reason: String,
    pub rows: Vec<UserRow>,
}
