//! "Import roster": the preview (writes nothing) and the apply (one
//! transaction, passwords hashed first in parallel off the async runtime,
//! taking turns with sign-ins so an import never blocks anyone).

use std::collections::HashMap;
use std::sync::Arc;

use secrecy::SecretString;

use super::jobs::{ImportJob, SAVING};
use super::parse::{parse_roster, FileError, ParsedRoster};
use super::plan::{build_plan, load_snapshot, Importer, Plan};
use super::{ImportPreview, ImportSummary};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::ssr::sign_out::end_every_session;
use crate::auth::SignedInUser;
use crate::classes::roster::insert_class;
use crate::classes::AccessCodeRow;
use crate::db::begin_write;
use crate::error::AppError;
use crate::learners::roster::{insert_learner, NewLearner};
use crate::passwords::generator::child_friendly_password;
use crate::schools::ssr::school_settings;
use crate::state::AppState;

fn parsed(bytes: &[u8]) -> Result<ParsedRoster, AppError> {
    parse_roster(bytes).map_err(|FileError(message)| AppError::invalid("file", message))
}

async fn plan(
    state: &AppState,
    user: &SignedInUser,
    parsed: ParsedRoster,
    inactivate_missing: bool,
) -> Result<Plan, AppError> {
    let mut conn = state.db.acquire().await?;
    let snapshot = load_snapshot(&mut conn, &user.school_id, &parsed, importer(user)).await?;
    Ok(build_plan(
        &snapshot,
        parsed,
        inactivate_missing,
        importer(user),
    ))
}

/// Whether `user`'s imports may inactivate and reactivate learners and set
/// their emails: only those who manage accounts on Users (DESIGN.md §1),
/// not lead teachers.
fn may_change_active(user: &SignedInUser) -> bool {
    user.can(Permission::ManageUsers)
}

fn importer(user: &SignedInUser) -> Importer {
    if may_change_active(user) {
        Importer::Admin
    } else {
        Importer::LeadTeacher
    }
}

/// Refuses "Inactivate learners who are not in the file" to an importer
/// who may not inactivate accounts.
fn check_inactivation(user: &SignedInUser, inactivate_missing: bool) -> Result<(), AppError> {
    if inactivate_missing && !may_change_active(user) {
        return Err(AppError::invalid(
            "inactivate_missing",
            "Only a full admin or the owner can inactivate learners. Untick \"Inactivate learners who are not in the file\" to import.",
        ));
    }
    Ok(())
}

/// "Preview": what the file would do, line by line. Writes nothing.
pub async fn preview(
    state: &AppState,
    user: &SignedInUser,
    bytes: &[u8],
    inactivate_missing: bool,
) -> Result<ImportPreview, AppError> {
    if !user.can(Permission::ManageRoster) {
        return Err(AppError::Forbidden);
    }
    check_inactivation(user, inactivate_missing)?;
    let parsed = parsed(bytes)?;
    Ok(plan(state, user, parsed, inactivate_missing)
        .await?
        .preview())
}

/// Why "Apply import" was refused when the file no longer previews as shown.
pub const CHANGED_SINCE_PREVIEW: &str = "The school's roster changed since this preview, so \
     nothing was imported: preview the file again to see what it would do now.";

/// "Apply import": checks the file again and starts the apply in the
/// background, if it still previews as the preview whose `basis` is sent
/// (the page always sends it). Returns the job id to ask
/// [`super::jobs::progress`] about.
pub async fn start(
    state: &AppState,
    user: &SignedInUser,
    bytes: &[u8],
    inactivate_missing: bool,
    basis: Option<&str>,
    client: &str,
) -> Result<String, AppError> {
    if !user.can(Permission::ManageRoster) {
        return Err(AppError::Forbidden);
    }
    check_inactivation(user, inactivate_missing)?;
    let parsed = parsed(bytes)?;
    let plan = plan(state, user, parsed.clone(), inactivate_missing).await?;
    let preview = plan.preview();
    if basis.is_some_and(|basis| basis != preview.basis) {
        return Err(AppError::Conflict(CHANGED_SINCE_PREVIEW.into()));
    }
    let errors = preview.totals.error;
    if errors > 0 {
        return Err(AppError::invalid(
            "file",
            format!(
                "The file has {errors} lines in error. Fix them, then preview and apply again."
            ),
        ));
    }
    let (job_id, job) = super::jobs::start(state, user, plan.creates.len()).await?;
    let (state, user, client) = (state.clone(), user.clone(), client.to_string());
    tokio::spawn(async move {
        let outcome = apply(
            &state,
            &user,
            parsed,
            plan,
            inactivate_missing,
            &job,
            &client,
        )
        .await;
        if let Err(error) = &outcome {
            tracing::warn!(%error, school = %user.school_id, "a roster import failed");
        }
        if let Err(error) = job.finish(&state, outcome.map_err(|e| e.to_string())).await {
            tracing::error!(%error, school = %user.school_id, "a roster import's outcome was not stored");
        }
    });
    Ok(job_id)
}

/// Carries out `plan` in one transaction, if the school still gives the
/// same plan under the write lock: all of it, or nothing.
pub async fn apply(
    state: &AppState,
    user: &SignedInUser,
    parsed: ParsedRoster,
    plan: Plan,
    inactivate_missing: bool,
    job: &Arc<ImportJob>,
    client: &str,
) -> Result<ImportSummary, AppError> {
    let settings = school_settings(&state.db, &user.school_id).await?;
    let passwords: Vec<String> = plan
        .creates
        .iter()
        .map(|l| child_friendly_password(&settings.policy, &settings.password_context(&l.username)))
        .collect();
    let secrets = passwords
        .iter()
        .map(|p| SecretString::from(p.clone()))
        .collect();
    let hashes = state.hasher.hash_many_counted(secrets, &job.hashed).await?;
    job.set_stage(SAVING);
    let now = state.clock.now();

    let mut tx = begin_write(&state.db).await?;
    let snapshot = load_snapshot(&mut tx, &user.school_id, &parsed, importer(user)).await?;
    if build_plan(&snapshot, parsed, inactivate_missing, importer(user)) != plan {
        return Err(AppError::Conflict(
            "The school's roster changed while the import was running, so nothing was imported. Preview the file again."
                .into(),
        ));
    }
    let (visible,): (bool,) =
        sqlx::query_as("SELECT learner_passwords_visible FROM schools WHERE id = $1")
            .bind(&user.school_id)
            .fetch_one(&mut *tx)
            .await?;
    let mut class_ids: HashMap<String, String> = snapshot
        .classes
        .iter()
        .map(|c| (c.name.to_lowercase(), c.id.clone()))
        .collect();
    for name in &plan.new_classes {
        let id = insert_class(&mut tx, &user.school_id, name, now).await?;
        class_ids.insert(name.to_lowercase(), id);
    }
    let names_of: HashMap<String, String> = snapshot
        .classes
        .iter()
        .map(|c| c.name.clone())
        .chain(plan.new_classes.iter().cloned())
        .map(|name| (name.to_lowercase(), name))
        .collect();
    let id_of = |name: &str| {
        class_ids
            .get(&name.to_lowercase())
            .cloned()
            .ok_or(AppError::Internal)
    };

    let mut new_accounts = Vec::new();
    for ((learner, password), hash) in plan.creates.iter().zip(&passwords).zip(&hashes) {
        let ids = learner
            .classes
            .iter()
            .map(|name| id_of(name))
            .collect::<Result<Vec<_>, _>>()?;
        let new = NewLearner {
            school_id: &user.school_id,
            first_name: &learner.first_name,
            last_name: &learner.last_name,
            username: &learner.username,
            external_id: learner.external_id.as_deref(),
            email: learner.email.as_deref(),
            hash: &hash.0,
            password: visible.then_some(password.as_str()),
            class_ids: &ids,
        };
        let (id, code) = insert_learner(&mut tx, state, &new, now).await?;
        let event = AuditEvent::by(user, client)
            .on(&id, &learner.username)
            .with_detail(format!(
                "roster import: added to {}",
                learner.classes.join(", ")
            ));
        audit(&mut *tx, AuditAction::LearnerCreated, event, now).await?;
        for class in &learner.classes {
            new_accounts.push(AccessCodeRow {
                // The class as the school names it, not as this line
                // spelled it ("year 6 oak").
                class: names_of
                    .get(&class.to_lowercase())
                    .cloned()
                    .unwrap_or_else(|| class.clone()),
                first_name: learner.first_name.clone(),
                last_name: learner.last_name.clone(),
                username: learner.username.clone(),
                password: Some(password.clone()),
                parent_access_code: code.clone(),
            });
        }
    }
    for update in &plan.updates {
        let changed = sqlx::query(
            "UPDATE accounts SET first_name = $1, last_name = $2, display_name = $3, username = $4, \
             external_id = $5, email = $6, active = (active OR $7), row_version = row_version + 1 \
             WHERE id = $8 AND school_id = $9 AND row_version = $10",
        )
        .bind(&update.first_name)
        .bind(&update.last_name)
        .bind(format!("{} {}", update.first_name, update.last_name))
        .bind(&update.username)
        .bind(&update.external_id)
        .bind(&update.email)
        .bind(update.reactivate)
        .bind(&update.id)
        .bind(&user.school_id)
        .bind(update.row_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(AppError::stale());
        }
        let event = AuditEvent::by(user, client)
            .on(&update.id, &update.username)
            .with_detail(format!("roster import: {}", update.changes));
        audit(&mut *tx, AuditAction::LearnerUpdated, event, now).await?;
        if update.reactivate {
            // As on Users: links sent before it was switched off stay dead.
            crate::recovery::ssr::retire_tokens(&mut tx, &update.id, now).await?;
            let event = AuditEvent::by(user, client)
                .on(&update.id, &update.username)
                .with_detail("roster import");
            audit(&mut *tx, AuditAction::AccountReactivated, event, now).await?;
        }
        for name in &update.join {
            sqlx::query("INSERT INTO enrolments (class_id, account_id) VALUES ($1, $2)")
                .bind(id_of(name)?)
                .bind(&update.id)
                .execute(&mut *tx)
                .await?;
        }
        for class_id in &update.leave {
            sqlx::query("DELETE FROM enrolments WHERE class_id = $1 AND account_id = $2")
                .bind(class_id)
                .bind(&update.id)
                .execute(&mut *tx)
                .await?;
        }
    }
    for learner in &plan.inactivate {
        let changed = sqlx::query(
            "UPDATE accounts SET active = FALSE, row_version = row_version + 1 \
             WHERE id = $1 AND school_id = $2 AND row_version = $3",
        )
        .bind(&learner.id)
        .bind(&user.school_id)
        .bind(learner.row_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(AppError::stale());
        }
        crate::recovery::ssr::retire_tokens(&mut tx, &learner.id, now).await?;
        end_every_session(&mut tx, &learner.id).await?;
        let event = AuditEvent::by(user, client)
            .on(&learner.id, &learner.username)
            .with_detail("roster import: not in the file");
        audit(&mut *tx, AuditAction::AccountInactivated, event, now).await?;
    }
    let summary = ImportSummary {
        created: plan.creates.len(),
        updated: plan.updates.len(),
        unchanged: plan.unchanged,
        inactivated: plan.inactivate.len(),
        classes_created: plan.new_classes.len(),
        file_name: crate::csv::file_name(&settings.code, "new accounts"),
        new_accounts,
    };
    let detail = format!(
        "{} created, {} updated, {} unchanged, {} inactivated, {} ({})",
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.inactivated,
        crate::words::counted(summary.classes_created, "new class", "new classes"),
        plan.file_kind
    );
    let event = AuditEvent::by(user, client)
        .on(&user.school_id, "whole school")
        .with_detail(detail);
    audit(&mut *tx, AuditAction::RosterImported, event, now).await?;
    tx.commit().await?;
    Ok(summary)
}
