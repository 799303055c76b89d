//! Server functions for classes, whole-class resets and access codes.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{
    AccessCodes, ClassDetail, ClassResetMode, ClassSummary, LearnerRow, NewPassword, TeacherChoice,
};
use crate::error::AppError;

/// The classes the signed-in user may open.
#[server(endpoint = "list_classes")]
pub async fn list_classes() -> Result<Vec<ClassSummary>, AppError> {
    use crate::auth::ssr::guard::require_user;
    let user = require_user().await?;
    super::ssr::classes_for(&crate::state::app_state()?.db, &user, false).await
}

/// "Show archived" on `/classes`: the school's archived classes (roster managers).
#[server(endpoint = "archived_classes")]
pub async fn archived_classes() -> Result<Vec<ClassSummary>, AppError> {
    use crate::auth::ssr::guard::require_user;
    let user = require_user().await?;
    super::ssr::classes_for(&crate::state::app_state()?.db, &user, true).await
}

/// "Rename class". Returns the name as saved.
#[server(endpoint = "rename_class")]
pub async fn rename_class(class_id: String, name: String) -> Result<String, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::roster::rename_class(&state, &user, &class_id, &name, &client).await
}

/// "Archive class" (`archived` true) or "Restore class" (false).
#[server(endpoint = "set_class_archived")]
pub async fn set_class_archived(class_id: String, archived: bool) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::roster::set_archived(&state, &user, &class_id, archived, &client).await
}

/// The school's staff for "Assign teachers", ticked where assigned.
#[server(endpoint = "class_teachers")]
pub async fn class_teachers(class_id: String) -> Result<Vec<TeacherChoice>, AppError> {
    use crate::auth::ssr::guard::require_user;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    super::roster::teacher_choices(&state, &user, &class_id).await
}

/// "Assign teachers": the class's teachers become exactly these.
#[server(endpoint = "assign_class_teachers", input = Json)]
pub async fn assign_class_teachers(
    class_id: String,
    teacher_ids: Vec<String>,
) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::roster::assign_teachers(&state, &user, &class_id, &teacher_ids, &client).await
}

/// "Add class" on `/classes`: owners, full admins and lead teachers.
#[server(endpoint = "create_class")]
pub async fn create_class(name: String) -> Result<ClassSummary, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::roster::create_class(&state, &user, &name, &client).await
}

/// A class `user` may open, without its learners: the pages beside the
/// class page (its access codes) show the not-found page at once for any
/// other class.
#[server(endpoint = "class_summary")]
pub async fn load_class_summary(class_id: String) -> Result<ClassSummary, AppError> {
    use crate::auth::ssr::guard::require_user;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    super::ssr::class_for(&state.db, &user, &class_id).await
}

/// One class with its learner table.
#[server(endpoint = "class_detail")]
pub async fn load_class(class_id: String) -> Result<ClassDetail, AppError> {
    use crate::auth::ssr::guard::{no_store, request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await;
    let detail = super::detail::class_detail(&state, &user, &class_id, client).await?;
    no_store();
    Ok(detail)
}

/// Every learner of the school (lead teachers, full admins, the owner).
#[server(endpoint = "school_learners")]
pub async fn school_learners() -> Result<Vec<LearnerRow>, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{no_store, require};
    use crate::schools::ssr::school_settings;

    let user = require(Permission::SchoolLearners).await?;
    let state = crate::state::app_state()?;
    let settings = school_settings(&state.db, &user.school_id).await?;
    let rows = super::ssr::learner_rows(&state, &settings, None).await?;
    super::ssr::record_codes_shown(
        &state,
        &user,
        crate::audit::AuditAction::StudentDatabaseOpened,
        (&settings.id, "whole school"),
    )
    .await?;
    no_store();
    Ok(rows)
}

/// "Show access codes" for one class (`Some`) or the whole school (`None`,
/// lead teachers and admins only). Audited.
#[server(endpoint = "reveal_access_codes")]
pub async fn reveal_access_codes(class_id: Option<String>) -> Result<AccessCodes, AppError> {
    use crate::audit::AuditAction;
    use crate::auth::ssr::guard::no_store;

    let state = crate::state::app_state()?;
    let scope = super::ssr::access_codes_scope(&state, class_id.as_deref()).await?;
    let class_id = scope.class.as_ref().map(|c| c.id.as_str());
    let rows = super::ssr::access_code_rows(&state, &scope.settings, class_id).await?;
    scope
        .audit(&state, AuditAction::AccessCodesRevealed)
        .await?;
    no_store();
    let file_label = scope
        .class
        .as_ref()
        .map_or("all-classes", |c| c.name.as_str());
    Ok(AccessCodes {
        file_name: crate::csv::file_name(&scope.settings.code, file_label),
        rows,
    })
}

/// Records that the browser saved the access-codes CSV (it is built there,
/// never served). Audited.
#[server(endpoint = "record_access_codes_download")]
pub async fn record_access_codes_download(class_id: Option<String>) -> Result<(), AppError> {
    use crate::audit::AuditAction;

    let state = crate::state::app_state()?;
    let scope = super::ssr::access_codes_scope(&state, class_id.as_deref()).await?;
    scope
        .audit(&state, AuditAction::AccessCodesDownloaded)
        .await
}

/// "Reset class passwords": one transaction, every learner changes or none
/// does. Returns the new passwords to show once.
#[server(endpoint = "reset_class_passwords")]
pub async fn reset_class_passwords(
    class_id: String,
    mode: ClassResetMode,
) -> Result<Vec<NewPassword>, AppError> {
    use crate::auth::ssr::guard::{no_store, request_client_addr, require_user};
    use crate::learners::ssr::{learners_in_class, set_learner_passwords, ResetScope};
    use crate::password_rules::enforce_password_rules;
    use crate::passwords::generator::child_friendly_password;
    use crate::schools::ssr::school_settings;
    use secrecy::{ExposeSecret, SecretString};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let class = super::ssr::class_for(&state.db, &user, &class_id).await?;
    let settings = school_settings(&state.db, &user.school_id).await?;
    let learners = learners_in_class(&state.db, &settings.id, &class.id).await?;
    if learners.is_empty() {
        return Err(AppError::Conflict("This class has no learners yet.".into()));
    }
    if learners.len() > super::MAX_CLASS_RESET {
        return Err(AppError::Conflict(format!(
            "This class has {} learners: a whole-class reset takes at most {} at a time, \
             so that no request hashes for minutes. Reset learners one by one, or split the class.",
            learners.len(),
            super::MAX_CLASS_RESET
        )));
    }
    let passwords: Vec<String> = match mode {
        ClassResetMode::NewPasswordEach => learners
            .iter()
            .map(|l| {
                child_friendly_password(&settings.policy, &settings.password_context(&l.username))
            })
            .collect(),
        ClassResetMode::SamePassword => {
            let shared = loop {
                let candidate =
                    child_friendly_password(&settings.policy, &settings.password_context(""));
                let fits_all = learners.iter().all(|l| {
                    enforce_password_rules(
                        &settings.policy,
                        &candidate,
                        &settings.password_context(&l.username),
                    )
                    .is_ok()
                });
                if fits_all {
                    break candidate;
                }
            };
            vec![shared; learners.len()]
        }
    };
    let changes: Vec<_> = learners
        .into_iter()
        .zip(passwords.iter().map(|p| SecretString::from(p.clone())))
        .collect();
    let client = request_client_addr().await.to_string();
    let scope = ResetScope::WholeClass {
        class_id: &class.id,
        class_name: &class.name,
    };
    set_learner_passwords(&state, &user, &settings, &changes, scope, &client).await?;
    no_store();
    Ok(changes
        .into_iter()
        .map(|(learner, password)| NewPassword {
            learner_id: learner.id,
            first_name: learner.first_name,
            last_name: learner.last_name,
            username: learner.username,
            password: password.expose_secret().to_string(),
        })
        .collect())
}
