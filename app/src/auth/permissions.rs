//! The permission table of DESIGN.md §1, used by the server to authorise and
//! by the UI to decide what to offer. The server is the one that counts.

use super::{Role, SignedInUser};

/// Something a signed-in user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See and reset learners of classes: assigned ones for a teacher.
    ClassDatabase,
    /// See every class, not just assigned ones.
    EveryClass,
    /// School-wide student database and access-code download.
    SchoolLearners,
    /// Create and edit staff, set staff passwords, send reset links.
    ManageStaff,
    /// Inactivate and reactivate accounts, change emails, sign users out.
    ManageUsers,
    /// Password rules, learner-password visibility, SMS.
    SchoolSettings,
    /// The whole audit log.
    FullAuditLog,
    /// The audit log's learner events.
    LearnerAuditLog,
    /// The roster: add, rename and archive classes, add and edit learners.
    ManageRoster,
    /// The year-end rollover of every class (and its undo).
    YearEndRollover,
}

impl SignedInUser {
    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Owner | Role::Staff)
    }

    fn is_admin(&self) -> bool {
        self.is_owner() || (self.role == Role::Staff && self.is_full_admin)
    }

    fn sees_every_class(&self) -> bool {
        self.is_admin() || (self.role == Role::Staff && self.is_lead_teacher)
    }

    pub fn can(&self, permission: Permission) -> bool {
        match permission {
            Permission::ClassDatabase => self.is_staff(),
            Permission::EveryClass
            | Permission::SchoolLearners
            | Permission::LearnerAuditLog
            | Permission::ManageRoster => self.sees_every_class(),
            Permission::ManageStaff
            | Permission::ManageUsers
            | Permission::SchoolSettings
            | Permission::FullAuditLog
            | Permission::YearEndRollover => self.is_admin(),
        }
    }

    /// Whether this user may change another account of their school: admins
    /// may manage everyone but the owner; only the owner touches the owner.
    pub fn may_manage_account(&self, target_role: Role, target_id: &str) -> bool {
        if target_role == Role::Owner {
            return self.is_owner() && self.id == target_id;
        }
        self.can(Permission::ManageUsers)
    }
}

/// The permission a page needs beyond being signed in, for the pages that
/// refuse other users in words ("You do not have permission to open this
/// page…", [`crate::shell::allowed::Allowed`]). The server answers such a
/// refusal with 403 instead of 200; the page's data is refused by its
/// server functions whatever the page shows.
pub fn page_permission(path: &str) -> Option<Permission> {
    use crate::routes;
    let permission = match path {
        // The class database: a learner or parent on a class's pages.
        routes::CLASSES => Permission::ClassDatabase,
        _ if path.starts_with("/classes/") => Permission::ClassDatabase,
        routes::STAFF => Permission::ManageStaff,
        routes::USERS => Permission::ManageUsers,
        routes::SETTINGS => Permission::SchoolSettings,
        routes::AUDIT => Permission::LearnerAuditLog,
        routes::SCHOOL_IMPORT => Permission::ManageRoster,
        routes::SCHOOL_ROLLOVER => Permission::YearEndRollover,
        routes::SCHOOL_LEARNERS | routes::SCHOOL_ACCOUNTS | routes::SCHOOL_CARDS => {
            Permission::SchoolLearners
        }
        _ => return None,
    };
    Some(permission)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn user(role: Role, full_admin: bool, lead: bool) -> SignedInUser {
        SignedInUser {
            id: "me".into(),
            school_id: "school".into(),
            school_name: "Oakwood Primary".into(),
            school_code: "OAK".into(),
            username: "me".into(),
            display_name: "Me".into(),
            role,
            is_full_admin: full_admin,
            is_lead_teacher: lead,
            must_change_password: false,
        }
    }

    #[test]
    fn the_permission_table_matches_the_design() {
        use Permission::*;
        let owner = user(Role::Owner, false, false);
        let admin = user(Role::Staff, true, false);
        let lead = user(Role::Staff, false, true);
        let teacher = user(Role::Staff, false, false);
        let learner = user(Role::Learner, false, false);
        let parent = user(Role::Parent, false, false);
        let table = [
            // permission, owner, admin, lead, teacher, learner, parent
            (ClassDatabase, true, true, true, true, false, false),
            (EveryClass, true, true, true, false, false, false),
            (SchoolLearners, true, true, true, false, false, false),
            (ManageStaff, true, true, false, false, false, false),
            (ManageUsers, true, true, false, false, false, false),
            (SchoolSettings, true, true, false, false, false, false),
            (FullAuditLog, true, true, false, false, false, false),
            (LearnerAuditLog, true, true, true, false, false, false),
            (ManageRoster, true, true, true, false, false, false),
        ];
        for (permission, o, a, l, t, k, p) in table {
            let got =
                [&owner, &admin, &lead, &teacher, &learner, &parent].map(|u| u.can(permission));
            assert_eq!(got, [o, a, l, t, k, p], "{permission:?}");
        }
    }

    #[test]
    fn staff_flags_combine() {
        let lead_admin = user(Role::Staff, true, true);
        assert!(lead_admin.can(Permission::ManageStaff));
        assert!(lead_admin.can(Permission::SchoolLearners));
        assert_eq!(lead_admin.role_label(), "Full admin · Lead teacher");
    }

    #[test]
    fn a_full_admin_never_manages_the_owner() {
        let admin = user(Role::Staff, true, false);
        assert!(!admin.may_manage_account(Role::Owner, "owner-id"));
        assert!(admin.may_manage_account(Role::Staff, "teacher-id"));
        let owner = user(Role::Owner, false, false);
        assert!(owner.may_manage_account(Role::Owner, "me"));
        assert!(owner.may_manage_account(Role::Learner, "learner-id"));
        let lead = user(Role::Staff, false, true);
        assert!(!lead.may_manage_account(Role::Learner, "learner-id"));
    }
}
