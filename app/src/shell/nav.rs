//! Which pages the navigation offers to whom (DESIGN.md §1).

use crate::auth::permissions::Permission;
use crate::auth::{Role, SignedInUser};
use crate::routes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub label: &'static str,
    pub path: &'static str,
}

const fn item(label: &'static str, path: &'static str) -> NavItem {
    NavItem { label, path }
}

/// The navigation for `user`: only what their role may use.
pub fn nav_items(user: &SignedInUser) -> Vec<NavItem> {
    let mut items = vec![item("Home", routes::HOME)];
    if user.role == Role::Parent {
        items.push(item("My children", routes::PARENT));
    }
    let offered = [
        (Permission::ClassDatabase, item("Classes", routes::CLASSES)),
        (
            Permission::SchoolLearners,
            item("Student database", routes::SCHOOL_LEARNERS),
        ),
        (Permission::ManageStaff, item("Staff", routes::STAFF)),
        (Permission::ManageUsers, item("Users", routes::USERS)),
        (
            Permission::SchoolSettings,
            item("Settings", routes::SETTINGS),
        ),
        (
            Permission::LearnerAuditLog,
            item("Audit log", routes::AUDIT),
        ),
    ];
    items.extend(
        offered
            .into_iter()
            .filter(|(p, _)| user.can(*p))
            .map(|(_, i)| i),
    );
    items.push(item("My account", routes::ACCOUNT));
    items
}

/// The `aria-current` of the item at `item_path` on the page at `path`:
/// "page" on that page, "true" on a page inside its section (a class page
/// is in "Classes"), so the navigation shows where the user is.
pub fn current(item_path: &str, path: &str) -> Option<&'static str> {
    if path == item_path {
        Some("page")
    } else if item_path != routes::HOME
        && path
            .strip_prefix(item_path)
            .is_some_and(|rest| rest.starts_with('/'))
    {
        Some("true")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, full_admin: bool, lead: bool) -> SignedInUser {
        SignedInUser {
            id: "u".into(),
            school_id: "s".into(),
            school_name: "Oakwood Primary".into(),
            school_code: "OAK".into(),
            username: "u".into(),
            display_name: "U".into(),
            role,
            is_full_admin: full_admin,
            is_lead_teacher: lead,
            must_change_password: false,
        }
    }

    fn labels(user: &SignedInUser) -> Vec<&'static str> {
        nav_items(user).iter().map(|i| i.label).collect()
    }

    #[test]
    fn a_page_inside_a_section_marks_that_section() {
        assert_eq!(current(routes::CLASSES, "/classes"), Some("page"));
        assert_eq!(
            current(routes::CLASSES, "/classes/3f2a/cards"),
            Some("true")
        );
        assert_eq!(current(routes::HOME, "/classes/3f2a"), None);
        assert_eq!(current(routes::ACCOUNT, "/accounts"), None);
        assert_eq!(current(routes::STAFF, "/users"), None);
    }

    #[test]
    fn each_role_sees_only_what_it_may_use() {
        assert_eq!(
            labels(&user(Role::Owner, false, false)),
            [
                "Home",
                "Classes",
                "Student database",
                "Staff",
                "Users",
                "Settings",
                "Audit log",
                "My account"
            ]
        );
        assert_eq!(
            labels(&user(Role::Staff, true, false)),
            [
                "Home",
                "Classes",
                "Student database",
                "Staff",
                "Users",
                "Settings",
                "Audit log",
                "My account"
            ]
        );
        assert_eq!(
            labels(&user(Role::Staff, false, true)),
            [
                "Home",
                "Classes",
                "Student database",
                "Audit log",
                "My account"
            ]
        );
        assert_eq!(
            labels(&user(Role::Staff, false, false)),
            ["Home", "Classes", "My account"]
        );
        assert_eq!(
            labels(&user(Role::Learner, false, false)),
            ["Home", "My account"]
        );
        assert_eq!(
            labels(&user(Role::Parent, false, false)),
            ["Home", "My children", "My account"]
        );
    }
}
