//! The staff page's reads and writes. Every function takes the signed-in
//! user and checks, on the server, that they may manage staff and that the
//! staff member is of their school and is not the owner.

use std::collections::{HashMap, HashSet};

use secrecy::{ExposeSecret, SecretString};

use super::{ClassOption, NewStaffMember, SmsOffer, StaffChanges, StaffDirectory, StaffRow};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::ssr::accounts::{self, AccountRecord};
use crate::auth::ssr::emails::{email_conflict, ensure_email_free};
use crate::auth::ssr::password_change::write_staff_set_password;
use crate::auth::{Role, SignedInUser};
use crate::clock::shown_time;
use crate::db::{begin_write, new_id, Db, Tx};
use crate::error::AppError;
use crate::mail::messages::reset_link_sms;
use crate::password_rules::enforce_password_rules;
use crate::recovery::ssr::{
    issue_extra_token, queue_link_email, recent_links, reset_link, retire_other_tokens,
    retire_tokens, spend_token,
};
use crate::recovery::TokenPurpose;
use crate::schools::ssr::{normalise_email, school_settings};
use crate::sms::{normalise_mobile, refund_credit, reserve_credit};
use crate::state::AppState;

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
    i64,
);

/// The staff of a school (or one of them), owner first, then by name.
/// `now` is the app clock's: "Last sign-in" reads relative to it ("Today 10:44").
async fn staff_rows(
    db: &Db,
    school_id: &str,
    only: Option<&str>,
    now: i64,
) -> Result<Vec<StaffRow>, AppError> {
    let rows: Vec<StaffSqlRow> = sqlx::query_as(
        "SELECT id, username, display_name, email, mobile, role, is_full_admin, is_lead_teacher, \
         active, last_sign_in_at, row_version FROM accounts \
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
                    last_sign_in: last.and_then(|at| shown_time(at, now)),
                    version,
                }
            },
        )
        .collect())
}

async fn sms_offer(db: &Db, school_id: &str) -> Result<SmsOffer, AppError> {
    let (enabled, credits): (bool, i64) =
        sqlx::query_as("SELECT sms_enabled, sms_credits FROM schools WHERE id = $1")
            .bind(school_id)
            .fetch_one(db)
            .await?;
    Ok(SmsOffer { enabled, credits })
}

/// Everything the staff page shows.
pub async fn directory(db: &Db, user: &SignedInUser, now: i64) -> Result<StaffDirectory, AppError> {
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
        staff: staff_rows(db, &user.school_id, None, now).await?,
        classes: classes
            .into_iter()
            .map(|(id, name)| ClassOption { id, name })
            .collect(),
        sms: sms_offer(db, &user.school_id).await?,
        viewer_id: user.id.clone(),
    })
}

async fn one_row(state: &AppState, school_id: &str, id: &str) -> Result<StaffRow, AppError> {
    staff_rows(&state.db, school_id, Some(id), state.clock.now())
        .await?
        .pop()
        .ok_or(AppError::Internal)
}

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

/// Links staff may send one person within an hour, by email and SMS together.
const MAX_STAFF_SENT_LINKS_PER_HOUR: i64 = 5;

pub(crate) async fn ensure_not_flooding(
    tx: &mut Tx,
    member: &AccountRecord,
    now: i64,
) -> Result<(), AppError> {
    if recent_links(tx, &member.id, false, now).await? >= MAX_STAFF_SENT_LINKS_PER_HOUR {
        return Err(AppError::Conflict(format!(
            "{MAX_STAFF_SENT_LINKS_PER_HOUR} links were sent to {} in the last hour. \
             Please wait before sending another, or set a password for them.",
            member.display_name
        )));
    }
    Ok(())
}

fn switched_off() -> AppError {
    AppError::Conflict(
        "This account is switched off. Reactivate it on the Users page first.".into(),
    )
}

/// "Reset password via email": the same link as "Forgot password?". Audited.
pub async fn send_reset_email(
    state: &AppState,
    user: &SignedInUser,
    account_id: &str,
    client: &str,
) -> Result<(), AppError> {
    let member = staff_member_for(&state.db, user, account_id).await?;
    if !member.active {
        return Err(switched_off());
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    ensure_not_flooding(&mut tx, &member, now).await?;
    queue_link_email(&mut tx, state, &member, TokenPurpose::ResetPassword, now).await?;
    let event = AuditEvent::by(user, client)
        .on(&member.id, &member.username)
        .with_detail("by email");
    audit(&mut *tx, AuditAction::ResetLinkSent, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// "Reset password via SMS": one credit is taken before sending and given
/// back (with the link retired) if the gateway does not accept the
/// message, so a credit is spent exactly when an SMS went out, and two
/// admins can never spend the last credit twice. Returns the credits left.
pub async fn send_reset_sms(
    state: &AppState,
    user: &SignedInUser,
    account_id: &str,
    client: &str,
) -> Result<i64, AppError> {
    let member = staff_member_for(&state.db, user, account_id).await?;
    if !member.active {
        return Err(switched_off());
    }
    if !sms_offer(&state.db, &user.school_id).await?.enabled {
        return Err(AppError::Conflict(
            "SMS is switched off for this school. A full admin can turn it on in Settings.".into(),
        ));
    }
    let (mobile,): (Option<String>,) = sqlx::query_as("SELECT mobile FROM accounts WHERE id = $1")
        .bind(&member.id)
        .fetch_one(&state.db)
        .await?;
    let Some(mobile) = mobile else {
        return Err(AppError::Conflict(
            "This staff member has no mobile number. Add one and save first.".into(),
        ));
    };

    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    ensure_not_flooding(&mut tx, &member, now).await?;
    let Some(credits_left) = reserve_credit(&mut tx, &user.school_id).await? else {
        return Err(AppError::Conflict(
            "There are no SMS credits left, so nothing was sent. Send the link by email, \
             or ask ClassKeys support for more credits."
                .into(),
        ));
    };
    // Earlier links stay usable until this one is known to have gone out.
    let token = issue_extra_token(&mut tx, &member.id, TokenPurpose::ResetPassword, now).await?;
    tx.commit().await?;

    // Sent and settled in a task of its own: a closed browser tab or a
    // dropped connection cannot stop it half-way and lose a credit.
    let body = reset_link_sms(&member.school_name, &reset_link(state, &token));
    let event = AuditEvent::by(user, client)
        .on(&member.id, &member.username)
        .with_detail("by SMS");
    let settle = tokio::spawn(settle_sms(
        state.clone(),
        user.school_id.clone(),
        member.id.clone(),
        mobile,
        body,
        token,
        event,
    ));
    match settle.await {
        Ok(Ok(())) => Ok(credits_left),
        Ok(Err(error)) => Err(error),
        Err(error) => {
            tracing::error!(%error, "the SMS task failed");
            Err(AppError::Internal)
        }
    }
}

/// Hands the SMS to the gateway, then keeps the credit and retires older
/// links (accepted), or gives the credit back and retires this link.
async fn settle_sms(
    state: AppState,
    school_id: String,
    account_id: String,
    mobile: String,
    body: String,
    token: SecretString,
    event: AuditEvent,
) -> Result<(), AppError> {
    let sent = state.sms.send(&mobile, &body).await;
    let now = state.clock.now();
    match sent {
        Ok(()) => {
            let recorded = async {
                let mut tx = begin_write(&state.db).await?;
                retire_other_tokens(&mut tx, &account_id, token.expose_secret(), now).await?;
                audit(&mut *tx, AuditAction::ResetLinkSent, event, now).await?;
                tx.commit().await?;
                Ok::<(), AppError>(())
            };
            if let Err(error) = recorded.await {
                // The SMS went out: say so, even if it could not be recorded.
                tracing::error!(%error, "an SMS was sent but could not be recorded");
            }
            Ok(())
        }
        Err(error) => {
            tracing::warn!(%error, "the SMS gateway did not accept a reset link");
            let mut tx = begin_write(&state.db).await?;
            refund_credit(&mut tx, &school_id).await?;
            spend_token(&mut tx, token.expose_secret(), now).await?;
            tx.commit().await?;
            Err(AppError::Conflict(
                "The SMS service did not accept the message, so no credit was used. \
                 Try again later, or send the link by email."
                    .into(),
            ))
        }
    }
}
