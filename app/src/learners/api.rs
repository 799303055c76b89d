//! Server functions for one learner. Each authorises (role, school and, for
//! teachers, class) before it does anything.

use leptos::prelude::*;

use crate::error::AppError;

/// Shows a learner's current password, where the school allows it, and
/// whether they are locked out now. Audited.
#[server(endpoint = "reveal_learner_password")]
pub async fn reveal_learner_password(learner_id: String) -> Result<super::ShownPassword, AppError> {
    use super::ssr::{learner_for, reveal_password};
    use crate::auth::ssr::guard::{no_store, request_client_addr, require_user};
    use crate::schools::ssr::school_settings;
    use secrecy::ExposeSecret;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let learner = learner_for(&state.db, &user, &learner_id).await?;
    let settings = school_settings(&state.db, &user.school_id).await?;
    let client = request_client_addr().await.to_string();
    let password = reveal_password(&state, &user, &settings, &learner, &client).await?;
    no_store();
    Ok(super::ShownPassword {
        password: password.expose_secret().to_string(),
        locked_until: settings.lock_end(state.clock.now(), learner.locked_until),
    })
}

/// A new child-friendly password for a learner, not saved until "Reset".
#[server(endpoint = "suggest_learner_password")]
pub async fn suggest_learner_password(learner_id: String) -> Result<String, AppError> {
    use super::ssr::learner_for;
    use crate::auth::ssr::guard::{no_store, require_user};
    use crate::passwords::generator::child_friendly_password;
    use crate::schools::ssr::school_settings;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let learner = learner_for(&state.db, &user, &learner_id).await?;
    let settings = school_settings(&state.db, &user.school_id).await?;
    no_store();
    Ok(child_friendly_password(
        &settings.policy,
        &settings.password_context(&learner.username),
    ))
}

/// Gives a learner a new password (generated or typed by the teacher).
/// Their sessions end and any lockout is lifted. Audited.
#[server(endpoint = "reset_learner_password")]
pub async fn reset_learner_password(learner_id: String, password: String) -> Result<(), AppError> {
    use super::ssr::{learner_for, set_learner_passwords, ResetScope};
    use crate::auth::ssr::guard::{request_client_addr, require_user};
    use crate::schools::ssr::school_settings;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let learner = learner_for(&state.db, &user, &learner_id).await?;
    let settings = school_settings(&state.db, &user.school_id).await?;
    let client = request_client_addr().await.to_string();
    let changes = [(learner, password.into())];
    set_learner_passwords(
        &state,
        &user,
        &settings,
        &changes,
        ResetScope::OneLearner,
        &client,
    )
    .await
}

/// Lets a locked-out learner sign in again at once. Audited.
#[server(endpoint = "unlock_learner")]
pub async fn unlock_learner(learner_id: String) -> Result<(), AppError> {
    use super::ssr::{learner_for, unlock};
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let learner = learner_for(&state.db, &user, &learner_id).await?;
    unlock(
        &state,
        &user,
        &learner,
        &request_client_addr().await.to_string(),
    )
    .await
}
