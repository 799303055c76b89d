//! The staff page (DESIGN.md §3 "Staff page"): office admins and the owner
//! create and edit staff, set their passwords and send them reset links by
//! email or SMS. A full admin never touches the owner's account.

pub mod add_form;
pub mod api;
pub mod edit_form;
pub mod fields;
pub mod page;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

use crate::auth::{role_label, Role};

/// One staff member as the staff table shows them. Never carries a
/// password or its hash: the "New password" field is write-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub is_owner: bool,
    pub is_full_admin: bool,
    pub is_lead_teacher: bool,
    /// Ids of the classes assigned to them.
    pub class_ids: Vec<String>,
    pub active: bool,
    /// "Today 10:44" (in full "23 Nov 2026, 10:44 UTC"), or `None` if they
    /// never signed in.
    pub last_sign_in: Option<crate::shown_time::ShownTime>,
    /// When their lockout ends ("09:14"), while they are locked out after
    /// too many failed sign-ins: "Unlock" lifts it.
    pub locked_until: Option<crate::shown_time::ShownTime>,
    /// The row's version: "Save" names it, and a stale save is refused.
    pub version: i64,
}

impl StaffRow {
    /// "Owner", "Full admin · Lead teacher", "Teacher"…
    pub fn permissions_label(&self) -> String {
        let role = if self.is_owner {
            Role::Owner
        } else {
            Role::Staff
        };
        role_label(role, self.is_full_admin, self.is_lead_teacher)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassOption {
    pub id: String,
    pub name: String,
}

/// Whether "Reset password via SMS" can be offered, and the credits left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsOffer {
    pub enabled: bool,
    pub credits: i64,
}

/// Everything the staff page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDirectory {
    pub staff: Vec<StaffRow>,
    pub classes: Vec<ClassOption>,
    pub sms: SmsOffer,
    /// The signed-in user, who edits their own password on "My account".
    pub viewer_id: String,
}

/// What "Save" sends for an existing staff member. Its `Debug` never
/// shows the new password.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StaffChanges {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub mobile: String,
    pub full_admin: bool,
    pub lead_teacher: bool,
    pub class_ids: Vec<String>,
    /// Empty: the password stays as it is.
    pub new_password: String,
    pub require_new_password: bool,
    /// The version of the row the form was made from.
    pub version: i64,
}

impl std::fmt::Debug for StaffChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffChanges")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("new_password", &"[write-only]")
            .finish_non_exhaustive()
    }
}

/// What "Add staff member" sends.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewStaffMember {
    pub display_name: String,
    pub username: String,
    pub email: String,
    pub mobile: String,
    pub full_admin: bool,
    pub lead_teacher: bool,
    pub class_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_read_as_words() {
        let mut row = StaffRow {
            id: "x".into(),
            username: "t".into(),
            display_name: "T".into(),
            email: None,
            mobile: None,
            is_owner: false,
            is_full_admin: false,
            is_lead_teacher: false,
            class_ids: vec![],
            active: true,
            last_sign_in: None,
            locked_until: None,
            version: 1,
        };
        assert_eq!(row.permissions_label(), "Teacher");
        row.is_full_admin = true;
        row.is_lead_teacher = true;
        assert_eq!(row.permissions_label(), "Full admin · Lead teacher");
        row.is_owner = true;
        assert_eq!(row.permissions_label(), "Owner");
    }
}
