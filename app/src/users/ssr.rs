//! User management's reads and writes, each authorised on the server: full
//! admin or owner, same school, never the owner's account for anyone but the
//! owner, never one's own status.

use std::collections::BTreeMap;

use super::{DuplicateGroup, UserPage, UserQuery, UserRow, PAGE_SIZE};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::ssr::accounts::{self, AccountRecord};
use crate::auth::ssr::emails::{email_conflict, ensure_email_free};
use crate::auth::ssr::sign_out::end_every_session;
use crate::auth::{role_label, Role, SignedInUser};
use crate::db::{begin_write, Db};
use crate::error::AppError;
use crate::school_time::SchoolClock;
use crate::schools::ssr::normalise_email;
use crate::state::AppState;

#[derive(sqlx::FromRow)]
struct AccountSql {
    id: String,
    role: String,
    is_full_admin: bool,
    is_lead_teacher: bool,
    username: String,
    display_name: String,
    email: Option<String>,
    active: bool,
    last_sign_in_at: Option<i64>,
    #[sqlx(try_from = "crate::db::Flag")]
    sso_linked: bool,
}

const COLUMNS: &str = "id, role, is_full_admin, is_lead_teacher, username, display_name, email, \
                       active, last_sign_in_at, \
                       EXISTS (SELECT 1 FROM sso_identities i WHERE i.account_id = accounts.id) AS sso_linked";

/// Owner, staff, parents, then learners; by name within each.
const ORDER: &str = "CASE role WHEN 'owner' THEN 0 WHEN 'staff' THEN 1 WHEN 'parent' THEN 2 \
                     ELSE 3 END, lower(display_name), lower(username), id";

/// "Last sign-in" reads against `clock` ("Today 10:44", in the school's zone).
fn row(account: AccountSql, viewer: &SignedInUser, clock: &SchoolClock) -> UserRow {
    let role = Role::parse(&account.role).unwrap_or(Role::Learner);
    UserRow {
        manageable: account.id != viewer.id && viewer.may_manage_account(role, &account.id),
        role_label: role_label(role, account.is_full_admin, account.is_lead_teacher),
        role: account.role,
        id: account.id,
        username: account.username,
        display_name: account.display_name,
        email: account.email,
        active: account.active,
        last_sign_in: account.last_sign_in_at.and_then(|at| clock.shown(at)),
        sso_linked: account.sso_linked,
    }
}

fn require_manager(user: &SignedInUser) -> Result<(), AppError> {
    if user.can(Permission::ManageUsers) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// One page of the school's accounts matching `query`.
pub async fn list(
    db: &Db,
    user: &SignedInUser,
    query: &UserQuery,
    clock: &SchoolClock,
) -> Result<UserPage, AppError> {
    require_manager(user)?;
    if !["", "owner", "staff", "learner", "parent"].contains(&query.role.as_str()) {
        return Err(AppError::invalid("role", "Choose a role from the list."));
    }
    let status = match query.status.as_str() {
        "" => None,
        "active" => Some(true),
        "inactive" => Some(false),
        _ => {
            return Err(AppError::invalid(
                "status",
                "Choose a status from the list.",
            ))
        }
    };
    let search = query.search.trim();
    let filter = "school_id = $1 AND ($2 = '' OR role = $2) AND ($3 IS NULL OR active = $3) \
                  AND ($4 = '' OR lower(username) LIKE $5 ESCAPE '\\' \
                  OR lower(display_name) LIKE $5 ESCAPE '\\' \
                  OR lower(COALESCE(email, '')) LIKE $5 ESCAPE '\\')";
    let pattern = crate::db::like_pattern(search);
    let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM accounts WHERE {filter}"
    )))
    .bind(&user.school_id)
    .bind(&query.role)
    .bind(status)
    .bind(search)
    .bind(&pattern)
    .fetch_one(db)
    .await?;
    let total = total as u32;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let rows: Vec<AccountSql> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE {filter} ORDER BY {ORDER} LIMIT $6 OFFSET $7"
    )))
    .bind(&user.school_id)
    .bind(&query.role)
    .bind(status)
    .bind(search)
    .bind(&pattern)
    .bind(PAGE_SIZE as i64)
    .bind(((page - 1) * PAGE_SIZE) as i64)
    .fetch_all(db)
    .await?;
    Ok(UserPage {
        rows: rows.into_iter().map(|a| row(a, user, clock)).collect(),
        total,
        page,
        pages,
    })
}

async fn one(state: &AppState, user: &SignedInUser, id: &str) -> Result<UserRow, AppError> {
    let account: AccountSql = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = $1 AND school_id = $2"
    )))
    .bind(id)
    .bind(&user.school_id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let clock = SchoolClock::read(&state.db, &state.clock, &user.school_id).await?;
    Ok(row(account, user, &clock))
}

/// The account `id` of the user's school, if they may manage it.
async fn manageable(db: &Db, user: &SignedInUser, id: &str) -> Result<AccountRecord, AppError> {
    require_manager(user)?;
    let account = accounts::by_id(db, id)
        .await?
        .filter(|a| a.school_id == user.school_id)
        .ok_or(AppError::NotFound)?;
    if !user.may_manage_account(account.role(), &account.id) {
        return Err(AppError::Forbidden);
    }
    Ok(account)
}

/// "Inactivate" / "Reactivate". An inactivated account's sessions end at
/// once (its next request is signed out) and it cannot sign in.
pub async fn set_active(
    state: &AppState,
    user: &SignedInUser,
    id: &str,
    active: bool,
    client: &str,
) -> Result<UserRow, AppError> {
    let account = manageable(&state.db, user, id).await?;
    if account.id == user.id {
        return Err(AppError::invalid(
            "account",
            "You cannot inactivate your own account. Ask another full admin or the owner.",
        ));
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    sqlx::query(
        "UPDATE accounts SET active = $1, row_version = row_version + 1 \
         WHERE id = $2 AND school_id = $3",
    )
    .bind(active)
    .bind(&account.id)
    .bind(&user.school_id)
    .execute(&mut *tx)
    .await?;
    // Links sent before the account was switched off must not come back
    // to life with it, whichever way it goes.
    crate::recovery::ssr::retire_tokens(&mut tx, &account.id, now).await?;
    let action = if active {
        AuditAction::AccountReactivated
    } else {
        end_every_session(&mut tx, &account.id).await?;
        AuditAction::AccountInactivated
    };
    let event = AuditEvent::by(user, client).on(&account.id, &account.username);
    audit(&mut *tx, action, event, now).await?;
    tx.commit().await?;
    one(state, user, &account.id).await
}

/// "Unlink single sign-on": the account's identity at the provider no
/// longer signs it in; its next single sign-on links again only by the
/// first-sign-in rules. Every session of the account ends.
pub async fn unlink_sso(
    state: &AppState,
    user: &SignedInUser,
    id: &str,
    client: &str,
) -> Result<UserRow, AppError> {
    let account = manageable(&state.db, user, id).await?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    if !crate::sso::ssr::linking::unlink(&mut tx, &account.id).await? {
        return Err(AppError::Conflict(
            "This account is not linked to single sign-on.".into(),
        ));
    }
    // An identity unlinked because it was misused must not stay signed in.
    end_every_session(&mut tx, &account.id).await?;
    let event = AuditEvent::by(user, client).on(&account.id, &account.username);
    audit(&mut *tx, AuditAction::SsoUnlinked, event, now).await?;
    tx.commit().await?;
    one(state, user, &account.id).await
}

/// Changes the email of a staff member, parent or the owner (by the owner).
pub async fn change_email(
    state: &AppState,
    user: &SignedInUser,
    id: &str,
    email: &str,
    client: &str,
) -> Result<UserRow, AppError> {
    let account = manageable(&state.db, user, id).await?;
    if account.role() == Role::Learner {
        return Err(AppError::invalid(
            "email",
            "Learners have no email address: their teacher resets their password.",
        ));
    }
    let email = normalise_email(email)?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    ensure_email_free(&mut tx, &email, &account.id).await?;
    // A parent's username is their email (they sign up with it): the old
    // address must not stay a way in, nor show as their name on Users.
    sqlx::query(
        "UPDATE accounts SET email = $1, \
         username = CASE WHEN role = 'parent' THEN $1 ELSE username END, \
         row_version = row_version + 1 WHERE id = $2 AND school_id = $3",
    )
    .bind(&email)
    .bind(&account.id)
    .bind(&user.school_id)
    .execute(&mut *tx)
    .await
    .map_err(email_conflict)?;
    // A link already sent to the old address must not keep working.
    crate::recovery::ssr::retire_tokens(&mut tx, &account.id, now).await?;
    let old = account.email.as_deref().unwrap_or("none");
    let event = AuditEvent::by(user, client)
        .on(&account.id, &account.username)
        .with_detail(format!("{old} → {email}"));
    audit(&mut *tx, AuditAction::EmailChanged, event, now).await?;
    tx.commit().await?;
    one(state, user, &account.id).await
}

/// "Send reset link" from `/users` for a staff member or parent: the same
/// link as "Forgot password?", capped like the staff page's. Audited.
pub async fn send_reset_link(
    state: &AppState,
    user: &SignedInUser,
    id: &str,
    client: &str,
) -> Result<(), AppError> {
    use crate::recovery::ssr::queue_link_email;
    use crate::recovery::TokenPurpose;

    let account = manageable(&state.db, user, id).await?;
    // The owner's way back is the operator, never a link (DESIGN.md §3).
    if account.role() == Role::Owner || account.id == user.id {
        return Err(AppError::Forbidden);
    }
    if account.role() == Role::Learner {
        return Err(AppError::invalid(
            "account",
            "Learners have no email address: use \"Reset password\" instead.",
        ));
    }
    if !account.active {
        return Err(AppError::Conflict(
            "This account is switched off. Reactivate it first.".into(),
        ));
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    crate::staff::ssr::ensure_not_flooding(&mut tx, &account, now).await?;
    queue_link_email(&mut tx, state, &account, TokenPurpose::ResetPassword, now).await?;
    let event = AuditEvent::by(user, client)
        .on(&account.id, &account.username)
        .with_detail("by email");
    audit(&mut *tx, AuditAction::ResetLinkSent, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Accounts of the school sharing a display name or an email's local part.
pub async fn duplicates(
    db: &Db,
    user: &SignedInUser,
    clock: &SchoolClock,
) -> Result<Vec<DuplicateGroup>, AppError> {
    require_manager(user)?;
    let all: Vec<AccountSql> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE school_id = $1 ORDER BY {ORDER}"
    )))
    .bind(&user.school_id)
    .fetch_all(db)
    .await?;
    let rows: Vec<UserRow> = all.into_iter().map(|a| row(a, user, clock)).collect();
    let mut by_name: BTreeMap<String, Vec<&UserRow>> = BTreeMap::new();
    let mut by_local_part: BTreeMap<String, Vec<&UserRow>> = BTreeMap::new();
    for r in &rows {
        let name = r.display_name.trim().to_lowercase();
        if !name.is_empty() {
            by_name.entry(name).or_default().push(r);
        }
        if let Some((local, _)) = r.email.as_deref().and_then(|e| e.split_once('@')) {
            by_local_part
                .entry(local.to_lowercase())
                .or_default()
                .push(r);
        }
    }
    let groups = |map: BTreeMap<String, Vec<&UserRow>>, label: &str| {
        map.into_values()
            .filter(|group| group.len() > 1)
            .map(|group| DuplicateGroup {
                reason: match label {
                    "name" => format!("Same name: {}", group[0].display_name),
                    _ => format!(
                        "Same email name: {}",
                        group[0]
                            .email
                            .as_deref()
                            .and_then(|e| e.split_once('@'))
                            .map(|(local, _)| local)
                            .unwrap_or_default()
                    ),
                },
                rows: group.into_iter().cloned().collect(),
            })
            .collect::<Vec<_>>()
    };
    let mut found = groups(by_name, "name");
    found.extend(groups(by_local_part, "email"));
    Ok(found)
}
