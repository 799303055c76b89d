//! "Add staff member" and "Save" on the staff page: names, emails,
//! permissions, class assignments and set passwords, checked on the server.

use std::collections::HashSet;

use secrecy::{ExposeSecret, SecretString};

use super::super::{NewStaffMember, StaffChanges, StaffRow};
use super::{one_row, staff_member_for};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::ssr::accounts::AccountRecord;
use crate::auth::ssr::emails::{email_conflict, ensure_email_free};
use crate::auth::ssr::password_change::write_staff_set_password;
use crate::auth::SignedInUser;
use crate::db::{begin_write, new_id, Tx};
use crate::error::AppError;
use crate::password_rules::enforce_password_rules;
use crate::recovery::ssr::{queue_link_email, retire_tokens};
use crate::recovery::TokenPurpose;
use crate::schools::ssr::{normalise_email, school_settings};
use crate::sms::normalise_mobile;
use crate::state::AppState;

fn display_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid(
            "display_name",
            "A name is 1 to 120 characters.",
        ));
    }
    if name.chars().any(crate::names::is_disguising) {
        return Err(AppError::invalid(
            "display_name",
            "A name cannot contain line breaks or invisible characters.",
        ));
    }
    Ok(name.to_string())
}

fn optional_email(email: &str) -> Result<Option<String>, AppError> {
    if email.trim().is_empty() {
        Ok(None)
    } else {
        normalise_email(email).map(Some)
    }
}

/// Replaces the classes assigned to `account_id`; every class must be one
/// of the school's current classes. Assignments to archived classes (which
/// leave every list) are kept as they are.
async fn assign_classes(
    tx: &mut Tx,
    school_id: &str,
    account_id: &str,
    class_ids: &[String],
) -> Result<(), AppError> {
    let school_classes: HashSet<String> = sqlx::query_as::<_, (String,)>(
        "SELECT id FROM classes WHERE school_id = $1 AND archived_at IS NULL",
    )
    .bind(school_id)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(id,)| id)
    .collect();
    let wanted: HashSet<&String> = class_ids.iter().collect();
    if wanted.iter().any(|id| !school_classes.contains(*id)) {
        return Err(AppError::invalid(
            "classes",
            "One of those classes does not exist. Reload the page and try again.",
        ));
    }
    sqlx::query(
        "DELETE FROM class_teachers WHERE account_id = $1 AND class_id IN \
         (SELECT id FROM classes WHERE archived_at IS NULL)",
    )
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    for class_id in wanted {
        sqlx::query("INSERT INTO class_teachers (class_id, account_id) VALUES ($1, $2)")
            .bind(class_id)
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// "Save" on the edit form: details, permissions, classes and, when typed,
/// a new password (which ends every session of that staff member).
pub async fn save(
    state: &AppState,
    user: &SignedInUser,
    changes: StaffChanges,
    client: &str,
) -> Result<StaffRow, AppError> {
    let member = staff_member_for(&state.db, user, &changes.id).await?;
    let name = display_name(&changes.display_name)?;
    let email = optional_email(&changes.email)?;
    let mobile = normalise_mobile(&changes.mobile)?;
    let is_self = member.id == user.id;
    if is_self && member.is_full_admin && !changes.full_admin {
        return Err(AppError::invalid(
            "full_admin",
            "You cannot remove your own Full admin permission. Ask another full admin or the owner.",
        ));
    }
    let new_password = SecretString::from(changes.new_password);
    let hash = if new_password.expose_secret().is_empty() {
        None
    } else {
        if is_self {
            return Err(AppError::invalid(
                "new_password",
                "Change your own password on My account, where you confirm your current one.",
            ));
        }
        let settings = school_settings(&state.db, &user.school_id).await?;
        enforce_password_rules(
            &settings.policy,
            new_password.expose_secret(),
            &settings.password_context(&member.username),
        )
        .map_err(|problem| AppError::invalid("new_password", problem.to_string()))?;
        Some(state.hasher.hash(&new_password).await?)
    };

    let before = one_row(state, &user.school_id, &member.id).await?;
    let mut changed = Vec::new();
    if before.display_name != name {
        changed.push("name");
    }
    if before.email != email {
        changed.push("email");
    }
    if before.mobile != mobile {
        changed.push("mobile");
    }
    if (before.is_full_admin, before.is_lead_teacher) != (changes.full_admin, changes.lead_teacher)
    {
        changed.push("permissions");
    }
    let old_classes: HashSet<&String> = before.class_ids.iter().collect();
    if old_classes != changes.class_ids.iter().collect() {
        changed.push("classes");
    }

    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    if let Some(email) = &email {
        ensure_email_free(&mut tx, email, &member.id).await?;
    }
    // Only from the version the form was made from: a save from an older
    // form would silently undo another admin's change.
    let updated = sqlx::query(
        "UPDATE accounts SET display_name = $1, email = $2, mobile = $3, is_full_admin = $4, \
         is_lead_teacher = $5, row_version = row_version + 1 \
         WHERE id = $6 AND school_id = $7 AND role = 'staff' AND row_version = $8",
    )
    .bind(&name)
    .bind(&email)
    .bind(&mobile)
    .bind(changes.full_admin)
    .bind(changes.lead_teacher)
    .bind(&member.id)
    .bind(&user.school_id)
    .bind(changes.version)
    .execute(&mut *tx)
    .await
    .map_err(email_conflict)?;
    if updated.rows_affected() == 0 {
        return Err(AppError::stale());
    }
    assign_classes(&mut tx, &user.school_id, &member.id, &changes.class_ids).await?;
    if changed.contains(&"email") {
        // A link already sent to the old address must not keep working.
        retire_tokens(&mut tx, &member.id, now).await?;
    }
    let event = || AuditEvent::by(user, client).on(&member.id, &member.username);
    if !changed.is_empty() {
        let detail = format!("changed {}", changed.join(", "));
        audit(
            &mut *tx,
            AuditAction::StaffUpdated,
            event().with_detail(detail),
            now,
        )
        .await?;
    }
    if let Some(hash) = &hash {
        write_staff_set_password(&mut tx, &member.id, hash, changes.require_new_password, now)
            .await?;
        let detail = if changes.require_new_password {
            "must choose a new password at next sign-in"
        } else {
            "no change required at next sign-in"
        };
        audit(
            &mut *tx,
            AuditAction::StaffPasswordSet,
            event().with_detail(detail),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    one_row(state, &user.school_id, &member.id).await
}

/// "Add staff member": the account, its classes, and a welcome email with
/// a link to choose a first password (nobody knows its initial one).
pub async fn create(
    state: &AppState,
    user: &SignedInUser,
    member: NewStaffMember,
    client: &str,
) -> Result<StaffRow, AppError> {
    if !user.can(Permission::ManageStaff) {
        return Err(AppError::Forbidden);
    }
    let name = display_name(&member.display_name)?;
    let username = crate::usernames::checked(&member.username)?;
    let email = normalise_email(&member.email)?;
    let mobile = normalise_mobile(&member.mobile)?;
    let id = new_id();
    // Checked before the (costly) hash, and again under the write lock.
    let mut tx = begin_write(&state.db).await?;
    ensure_new_member_free(&mut tx, &user.school_id, &username, &email, &id).await?;
    tx.rollback().await?;
    // A password nobody knows until the welcome link sets one.
    let unknown = SecretString::from(crate::passwords::generator::random_secret());
    let hash = state.hasher.hash(&unknown).await?;
    let now = state.clock.now();

    let mut tx = begin_write(&state.db).await?;
    ensure_new_member_free(&mut tx, &user.school_id, &username, &email, &id).await?;
    sqlx::query(
        "INSERT INTO accounts (id, school_id, role, is_full_admin, is_lead_teacher, username, \
         display_name, email, mobile, password_hash, password_set_by, created_at) \
         VALUES ($1, $2, 'staff', $3, $4, $5, $6, $7, $8, $9, 'staff', $10)",
    )
    .bind(&id)
    .bind(&user.school_id)
    .bind(member.full_admin)
    .bind(member.lead_teacher)
    .bind(&username)
    .bind(&name)
    .bind(&email)
    .bind(&mobile)
    .bind(&hash.0)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(email_conflict)?;
    assign_classes(&mut tx, &user.school_id, &id, &member.class_ids).await?;
    let account = AccountRecord {
        id: id.clone(),
        school_id: user.school_id.clone(),
        school_name: user.school_name.clone(),
        school_code: user.school_code.clone(),
        role: "staff".into(),
        is_full_admin: member.full_admin,
        is_lead_teacher: member.lead_teacher,
        username: username.clone(),
        display_name: name,
        email: Some(email),
        active: true,
        must_change_password: false,
        password_hash: hash.0,
        session_epoch: 0,
        locked_until: None,
    };
    queue_link_email(&mut tx, state, &account, TokenPurpose::Welcome, now).await?;
    let event = AuditEvent::by(user, client).on(&id, &username);
    audit(
        &mut *tx,
        AuditAction::StaffCreated,
        event.with_detail("welcome link sent by email"),
        now,
    )
    .await?;
    tx.commit().await?;
    one_row(state, &user.school_id, &id).await
}

async fn ensure_new_member_free(
    tx: &mut Tx,
    school_id: &str,
    username: &str,
    email: &str,
    id: &str,
) -> Result<(), AppError> {
    let taken: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE school_id = $1 AND lower(username) = lower($2)",
    )
    .bind(school_id)
    .bind(username)
    .fetch_optional(&mut **tx)
    .await?;
    if taken.is_some() {
        return Err(AppError::invalid(
            "username",
            format!("The username {username} is already used in this school."),
        ));
    }
    ensure_email_free(tx, email, id).await
}

/// "Unlock" on the staff page: lifts a staff member's lockout at once (a
/// child who typed their teacher's username ten times at the class's
/// tablets locked the teacher out for 15 minutes, with the office's only
/// other way back a new password). Their password stays; the failures are
/// forgotten. Audited.
pub async fn unlock(
    state: &AppState,
    user: &SignedInUser,
    account_id: &str,
    client: &str,
) -> Result<StaffRow, AppError> {
    let account = staff_member_for(&state.db, user, account_id).await?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    sqlx::query("UPDATE accounts SET locked_until = NULL WHERE id = $1 AND school_id = $2")
        .bind(&account.id)
        .bind(&user.school_id)
        .execute(&mut *tx)
        .await?;
    crate::auth::ssr::failures::clear(&mut *tx, &account.id).await?;
    let event = AuditEvent::by(user, client).on(&account.id, &account.username);
    audit(&mut *tx, AuditAction::AccountUnlocked, event, now).await?;
    tx.commit().await?;
    one_row(state, &user.school_id, &account.id).await
}
