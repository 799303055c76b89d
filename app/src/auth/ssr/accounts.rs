//! Loading accounts with their school, as sign-in and sessions need them.

use sha2::{Digest, Sha256};

use crate::auth::{Role, SignedInUser};
use crate::db::Db;
use crate::passwords::hashing::StoredHash;

/// An account row joined with its school. Holds the password hash, so it is
/// neither `Serialize` nor printed by `Debug`.
#[derive(Clone, sqlx::FromRow)]
pub struct AccountRecord {
    pub id: String,
    pub school_id: String,
    pub school_name: String,
    pub school_code: String,
    pub role: String,
    pub is_full_admin: bool,
    pub is_lead_teacher: bool,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
    pub password_hash: String,
    pub session_epoch: i64,
    pub locked_until: Option<i64>,
}

impl std::fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRecord")
            .field("id", &self.id)
            .field("school_code", &self.school_code)
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// The columns of an [`AccountRecord`], from `accounts a JOIN schools s`.
macro_rules! account_columns {
    () => {
        "a.id, a.school_id, s.name AS school_name, s.code AS school_code, \
         a.role, a.is_full_admin, a.is_lead_teacher, a.username, a.display_name, a.email, a.active, \
         a.must_change_password, a.password_hash, a.session_epoch, a.locked_until"
    };
}

/// For queries that join an account to another table.
pub(crate) use account_columns;

const SELECT_ACCOUNT: &str = concat!(
    "SELECT ",
    account_columns!(),
    " FROM accounts a JOIN schools s ON s.id = a.school_id"
);

impl AccountRecord {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Learner)
    }

    pub fn stored_hash(&self) -> StoredHash {
        StoredHash(self.password_hash.clone())
    }

    pub fn signed_in_user(&self) -> SignedInUser {
        SignedInUser {
            id: self.id.clone(),
            school_id: self.school_id.clone(),
            school_name: self.school_name.clone(),
            school_code: self.school_code.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            is_full_admin: self.is_full_admin,
            is_lead_teacher: self.is_lead_teacher,
            must_change_password: self.must_change_password,
        }
    }

    /// Changes whenever the password or the session epoch changes, which
    /// ends every session that was signed in under the old value.
    pub fn session_auth_hash(&self) -> Vec<u8> {
        let mut digest = Sha256::new();
        digest.update(self.id.as_bytes());
        digest.update([0]);
        digest.update(self.password_hash.as_bytes());
        digest.update([0]);
        digest.update(self.session_epoch.to_le_bytes());
        digest.finalize().to_vec()
    }
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<AccountRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_ACCOUNT} WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// An account by school code and username (or email), case-insensitively.
pub async fn by_school_and_username(
    db: &Db,
    school_code: &str,
    username: &str,
) -> Result<Option<AccountRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_ACCOUNT} WHERE lower(s.code) = lower($1) \
         AND (lower(a.username) = lower($2) OR lower(a.email) = lower($2)) \
         ORDER BY lower(a.username) = lower($2) DESC LIMIT 1"
    )))
    .bind(school_code.trim())
    .bind(username.trim())
    .fetch_optional(db)
    .await
}

/// A staff member or parent by email alone (emails are unique platform-wide).
pub async fn by_email(db: &Db, email: &str) -> Result<Option<AccountRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_ACCOUNT} WHERE lower(a.email) = lower($1) AND a.role <> 'learner'"
    )))
    .bind(email.trim())
    .fetch_optional(db)
    .await
}
