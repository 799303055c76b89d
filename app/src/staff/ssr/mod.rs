//! The staff page's reads and writes: the directory here, adding and
//! saving staff in `changes`, reset links by email and SMS in
//! `reset_links`. Every function takes the signed-in user and checks, on
//! the server, that they may manage staff and that the staff member is of
//! their school and is not the owner.

mod changes;
mod reset_links;

use std::collections::HashMap;

use super::{ClassOption, SmsOffer, StaffDirectory, StaffRow};
use crate::auth::permissions::Permission;
use crate::auth::ssr::accounts::{self, AccountRecord};
use crate::auth::{Role, SignedInUser};
use crate::db::Db;
use crate::error::AppError;
use crate::school_time::SchoolClock;
use crate::state::AppState;

pub use changes::{create, save, unlock};
pub(crate) use reset_links::ensure_not_flooding;
pub use reset_links::{send_reset_email, send_reset_sms};

/// The staff member `account_id` if `user` may manage them: another
/// school's account (or a learner, or nobody) is "not found"; the owner is
/// refused to everyone, the owner included (their own password changes on
/// "My account").
pub async fn staff_member_for(
    db: &Db,
    user: &SignedInUser,
    account_id: &str,
) -> Result<AccountRecord, AppError> {
    if !user.can(Permission::ManageStaff) {
        return Err(AppError::Forbidden);
    }
    let account = accounts::by_id(db, account_id)
        .await?
        .filter(|a| a.school_id == user.school_id && matches!(a.role(), Role::Staff | Role::Owner))
        .ok_or(AppError::NotFound)?;
    if account.role() == Role::Owner || !user.may_manage_account(account.role(), &account.id) {
        return Err(AppError::Forbidden);
    }
    Ok(account)
}

type StaffSqlRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    bool,
    bool,
    bool,
    Option<i64>,
    Option<i64>,
    i64,
);

/// The staff of a school (or one of them), owner first, then by name.
/// "Last sign-in" reads against `clock` ("Today 10:44", in the school's zone).
async fn staff_rows(
    db: &Db,
    school_id: &str,
    only: Option<&str>,
    clock: &SchoolClock,
) -> Result<Vec<StaffRow>, AppError> {
    let rows: Vec<StaffSqlRow> = sqlx::query_as(
        "SELECT id, username, display_name, email, mobile, role, is_full_admin, is_lead_teacher, \
         active, last_sign_in_at, locked_until, row_version FROM accounts \
         WHERE school_id = $1 AND role IN ('owner', 'staff') AND ($2 IS NULL OR id = $2) \
         ORDER BY role = 'owner' DESC, lower(display_name), lower(username)",
    )
    .bind(school_id)
    .bind(only)
    .fetch_all(db)
    .await?;
    let assignments: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.account_id, t.class_id FROM class_teachers t JOIN classes c ON c.id = t.class_id \
         WHERE c.school_id = $1 AND c.archived_at IS NULL ORDER BY lower(c.name)",
    )
    .bind(school_id)
    .fetch_all(db)
    .await?;
    let mut classes: HashMap<String, Vec<String>> = HashMap::new();
    for (account, class) in assignments {
        classes.entry(account).or_default().push(class);
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                username,
                display_name,
                email,
                mobile,
                role,
                full_admin,
                lead,
                active,
                last,
                locked_until,
                version,
            )| {
                StaffRow {
                    class_ids: classes.remove(&id).unwrap_or_default(),
                    id,
                    username,
                    display_name,
                    email,
                    mobile,
                    is_owner: role == "owner",
                    is_full_admin: full_admin,
                    is_lead_teacher: lead,
                    active,
                    last_sign_in: last.and_then(|at| clock.shown(at)),
                    locked_until: clock.lock_end(locked_until),
                    version,
                }
            },
        )
        .collect())
}

pub(super) async fn sms_offer(db: &Db, school_id: &str) -> Result<SmsOffer, AppError> {
    let (enabled, credits): (bool, i64) =
        sqlx::query_as("SELECT sms_enabled, sms_credits FROM schools WHERE id = $1")
            .bind(school_id)
            .fetch_one(db)
            .await?;
    Ok(SmsOffer { enabled, credits })
}

/// Everything the staff page shows.
pub async fn directory(
    db: &Db,
    user: &SignedInUser,
    clock: &SchoolClock,
) -> Result<StaffDirectory, AppError> {
    if !user.can(Permission::ManageStaff) {
        return Err(AppError::Forbidden);
    }
    let classes: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM classes WHERE school_id = $1 AND archived_at IS NULL \
             ORDER BY lower(name)",
    )
    .bind(&user.school_id)
    .fetch_all(db)
    .await?;
    Ok(StaffDirectory {
        staff: staff_rows(db, &user.school_id, None, clock).await?,
        classes: classes
            .into_iter()
            .map(|(id, name)| ClassOption { id, name })
            .collect(),
        sms: sms_offer(db, &user.school_id).await?,
        viewer_id: user.id.clone(),
    })
}

pub(super) async fn one_row(
    state: &AppState,
    school_id: &str,
    id: &str,
) -> Result<StaffRow, AppError> {
    let clock = SchoolClock::read(&state.db, &state.clock, school_id).await?;
    staff_rows(&state.db, school_id, Some(id), &clock)
        .await?
        .pop()
        .ok_or(AppError::Internal)
}
