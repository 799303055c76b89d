//! Server functions of `/users`: full admin or owner only.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{DuplicateGroup, UserPage, UserQuery, UserRow};
use crate::error::AppError;

#[server(endpoint = "list_users", input = Json)]
pub async fn list_users(query: UserQuery) -> Result<UserPage, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    let clock =
        crate::school_time::SchoolClock::read(&state.db, &state.clock, &user.school_id).await?;
    super::ssr::list(&state.db, &user, &query, &clock).await
}

/// "Inactivate" (`active` false) or "Reactivate" (`active` true).
#[server(endpoint = "set_account_active")]
pub async fn set_account_active(account_id: String, active: bool) -> Result<UserRow, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::set_active(&state, &user, &account_id, active, &client).await
}

#[server(endpoint = "change_account_email")]
pub async fn change_account_email(account_id: String, email: String) -> Result<UserRow, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::change_email(&state, &user, &account_id, &email, &client).await
}

/// "Unlink single sign-on" (audited).
#[server(endpoint = "unlink_single_sign_on")]
pub async fn unlink_single_sign_on(account_id: String) -> Result<UserRow, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::unlink_sso(&state, &user, &account_id, &client).await
}

#[server(endpoint = "possible_duplicates")]
pub async fn possible_duplicates() -> Result<Vec<DuplicateGroup>, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    let clock =
        crate::school_time::SchoolClock::read(&state.db, &state.clock, &user.school_id).await?;
    super::ssr::duplicates(&state.db, &user, &clock).await
}

/// "Send reset link" for a staff member or parent.
#[server(endpoint = "send_account_reset_link")]
pub async fn send_account_reset_link(account_id: String) -> Result<String, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::send_reset_link(&state, &user, &account_id, &client).await?;
    Ok("Reset link sent by email. It works once, for 60 minutes.".into())
}

/// A learner as the "Reset password" dialog needs them, and whether the
/// school lets staff see learner passwords.
#[server(endpoint = "learner_for_reset")]
pub async fn learner_for_reset(
    learner_id: String,
) -> Result<(crate::classes::LearnerRow, bool), AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;
    use crate::learners::ssr::learner_for;
    use crate::schools::ssr::school_settings;

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    learner_for(&state.db, &user, &learner_id).await?;
    let settings = school_settings(&state.db, &user.school_id).await?;
    let row = crate::classes::ssr::learner_row(&state, &settings, &learner_id)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "This learner is in no class yet, so the class page cannot reset them.".into(),
            )
        })?;
    // The dialog shows the learner's parent access code, as a class page
    // does: audited the same way.
    crate::classes::ssr::record_codes_shown(
        &state,
        &user,
        crate::audit::AuditAction::LearnerOpenedForReset,
        (&learner_id, &row.username),
    )
    .await?;
    Ok((row, settings.learner_passwords_visible))
}
