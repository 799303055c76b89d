//! Parent access codes (a keyed hash to find the learner by what a parent
//! types, a sealed copy for staff to show), parent sign-up and linking.

use secrecy::{ExposeSecret, SecretString};

use super::ChildRow;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::ssr::accounts::{self, AccountRecord};
use crate::auth::ssr::emails::{email_conflict, ensure_email_free};
use crate::auth::{Role, SignedInUser};
use crate::db::{begin_write, new_id, Db, Tx};
use crate::error::AppError;
use crate::password_rules::{check_new_password, enforce_password_rules};
use crate::passwords::generator::{normalise_access_code, parent_access_code};
use crate::passwords::sealing::SealedFor;
use crate::schools::ssr::{normalise_email, school_settings};
use crate::state::AppState;

/// Gives a learner a new parent access code, replacing any earlier one (which
/// stops working; parents already linked stay linked). Returns the code.
pub async fn store_access_code(
    tx: &mut Tx,
    state: &AppState,
    school_id: &str,
    learner_id: &str,
    now: i64,
) -> Result<String, AppError> {
    let code = parent_access_code();
    let lookup = state
        .sealer
        .lookup_hash(&normalise_access_code(&code).unwrap_or_default());
    let sealed = state.sealer.seal(
        &code,
        &SealedFor::ParentAccessCode {
            school_id,
            learner_id,
        },
    );
    sqlx::query(
        "INSERT INTO parent_access_codes (learner_id, lookup_hash, key_id, sealed, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (learner_id) DO UPDATE SET \
         lookup_hash = excluded.lookup_hash, key_id = excluded.key_id, sealed = excluded.sealed, \
         created_at = excluded.created_at",
    )
    .bind(learner_id)
    .bind(lookup)
    .bind(&sealed.key_id)
    .bind(&sealed.sealed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(code)
}

/// Failed code entries one network address may make in an hour: codes
/// have 45 bits, so guessing one is out of reach at this rate.
const MAX_REFUSED_CODES_PER_HOUR: i64 = 20;

fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "That parent access code is not right. Check it with your child's school.",
    )
}

/// The active learner (id, school id) a typed code belongs to, if any.
async fn find_learner(
    tx: &mut Tx,
    state: &AppState,
    typed: &str,
) -> Result<Option<(String, String)>, AppError> {
    let Some(code) = normalise_access_code(typed) else {
        return Ok(None);
    };
    Ok(sqlx::query_as(
        "SELECT a.id, a.school_id FROM parent_access_codes p JOIN accounts a ON a.id = p.learner_id \
         WHERE p.lookup_hash = $1 AND a.role = 'learner' AND a.active = TRUE",
    )
    .bind(state.sealer.lookup_hash(&code))
    .fetch_optional(&mut **tx)
    .await?)
}

/// Checks a typed code for a learner of `school` (any school when `None`).
/// Counting earlier refusals, looking the code up and recording a refusal
/// happen in one write transaction, so parallel guesses cannot slip past
/// the limit, and a refusal that cannot be recorded refuses the request.
async fn check_code(
    state: &AppState,
    typed: &str,
    school: Option<&str>,
    client: &str,
) -> Result<(String, String), AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let (refused,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'parent_code_refused' \
         AND client_addr = $1 AND created_at > $2",
    )
    .bind(client)
    .bind(now - 3600)
    .fetch_one(&mut *tx)
    .await?;
    if refused >= MAX_REFUSED_CODES_PER_HOUR {
        return Err(AppError::TooManyAttempts {
            retry_after_secs: 3600,
        });
    }
    let found = find_learner(&mut tx, state, typed)
        .await?
        .filter(|(_, found_school)| school.is_none_or(|school| school == found_school));
    match found {
        Some(found) => Ok(found),
        None => {
            let event = AuditEvent {
                school_id: school.map(str::to_string),
                actor_label: "someone".into(),
                client_addr: client.to_string(),
                ..Default::default()
            };
            audit(&mut *tx, AuditAction::ParentCodeRefused, event, now).await?;
            tx.commit().await?;
            Err(wrong_code())
        }
    }
}

pub struct ParentSignUp {
    pub code: String,
    pub email: String,
    pub password: SecretString,
    pub confirmation: SecretString,
}

/// Creates a parent account linked to the learner whose code was typed.
pub async fn sign_up(
    state: &AppState,
    form: ParentSignUp,
    client: &str,
) -> Result<AccountRecord, AppError> {
    let email = normalise_email(&form.email)?;
    let now = state.clock.now();
    // The code first, so the password is checked against the right school.
    let (learner_id, school_id) = check_code(state, &form.code, None, client).await?;
    let settings = school_settings(&state.db, &school_id).await?;
    let context = settings.password_context(&email);
    check_new_password(
        &settings.policy,
        form.password.expose_secret(),
        form.confirmation.expose_secret(),
        &context,
    )
    .and_then(|()| {
        enforce_password_rules(&settings.policy, form.password.expose_secret(), &context)
    })
    .map_err(|problem| AppError::invalid("password", problem.to_string()))?;
    let hash = state.hasher.hash(&form.password).await?;

    let id = new_id();
    let mut tx = begin_write(&state.db).await?;
    // Again under the write lock: a code regenerated meanwhile is refused.
    if find_learner(&mut tx, state, &form.code).await?.as_ref()
        != Some(&(learner_id.clone(), school_id.clone()))
    {
        return Err(wrong_code());
    }
    ensure_email_free(&mut tx, &email, &id).await?;
    let display_name = email.split('@').next().unwrap_or_default().to_string();
    sqlx::query(
        "INSERT INTO accounts (id, school_id, role, username, display_name, email, password_hash, \
         password_set_by, created_at) VALUES ($1, $2, 'parent', $3, $4, $3, $5, 'self', $6)",
    )
    .bind(&id)
    .bind(&school_id)
    .bind(&email)
    .bind(&display_name)
    .bind(&hash.0)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(email_conflict)?;
    link(&mut tx, &id, &learner_id, now).await?;
    let event = AuditEvent {
        school_id: Some(school_id.clone()),
        actor_id: Some(id.clone()),
        actor_label: email.clone(),
        target_id: Some(learner_id.clone()),
        target_label: learner_username(&mut tx, &learner_id).await?,
        client_addr: client.to_string(),
        detail: "parent account created".into(),
    };
    audit(&mut *tx, AuditAction::ParentLinked, event, now).await?;
    tx.commit().await?;
    accounts::by_id(&state.db, &id)
        .await?
        .ok_or(AppError::Internal)
}

async fn learner_username(tx: &mut Tx, learner_id: &str) -> Result<String, AppError> {
    let (username,): (String,) = sqlx::query_as("SELECT username FROM accounts WHERE id = $1")
        .bind(learner_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(username)
}

async fn link(tx: &mut Tx, parent_id: &str, learner_id: &str, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO parent_links (parent_id, learner_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (parent_id, learner_id) DO NOTHING",
    )
    .bind(parent_id)
    .bind(learner_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn require_parent(user: &SignedInUser) -> Result<(), AppError> {
    if user.role == Role::Parent {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// "Add a child": links another learner of the parent's school by its code.
pub async fn add_child(
    state: &AppState,
    parent: &SignedInUser,
    code: &str,
    client: &str,
) -> Result<(), AppError> {
    require_parent(parent)?;
    // A code of another school answers like a wrong one.
    let (learner_id, _) = check_code(state, code, Some(&parent.school_id), client).await?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    link(&mut tx, &parent.id, &learner_id, now).await?;
    let target = learner_username(&mut tx, &learner_id).await?;
    let event = AuditEvent::by(parent, client).on(&learner_id, &target);
    audit(&mut *tx, AuditAction::ParentLinked, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The parent's children with their classes and school.
pub async fn children(db: &Db, parent: &SignedInUser) -> Result<Vec<ChildRow>, AppError> {
    require_parent(parent)?;
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT a.id, a.display_name, s.name, c.name FROM parent_links l \
         JOIN accounts a ON a.id = l.learner_id JOIN schools s ON s.id = a.school_id \
         LEFT JOIN enrolments e ON e.account_id = a.id LEFT JOIN classes c ON c.id = e.class_id \
         WHERE l.parent_id = $1 ORDER BY lower(a.display_name), a.id, lower(c.name)",
    )
    .bind(&parent.id)
    .fetch_all(db)
    .await?;
    let mut children: Vec<(String, ChildRow)> = Vec::new();
    for (id, name, school, class) in rows {
        if children.last().is_none_or(|(last, _)| *last != id) {
            children.push((
                id.clone(),
                ChildRow {
                    name,
                    classes: Vec::new(),
                    school,
                },
            ));
        }
        if let (Some(class), Some((_, child))) = (class, children.last_mut()) {
            child.classes.push(class);
        }
    }
    Ok(children.into_iter().map(|(_, child)| child).collect())
}

/// "Regenerate parent access code": the old code stops working at once;
/// parents already linked stay linked. Audited; returns the new code.
pub async fn regenerate_code(
    state: &AppState,
    user: &SignedInUser,
    learner: &crate::learners::ssr::LearnerRecord,
    client: &str,
) -> Result<String, AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let code = store_access_code(&mut tx, state, &learner.school_id, &learner.id, now).await?;
    let event = AuditEvent::by(user, client).on(&learner.id, &learner.username);
    audit(&mut *tx, AuditAction::ParentCodeRegenerated, event, now).await?;
    tx.commit().await?;
    Ok(code)
}
