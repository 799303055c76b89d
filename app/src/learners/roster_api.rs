//! Server functions for the roster's learner actions: owners, full admins
//! and lead teachers (checked in [`super::roster`]).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{AddedLearner, LearnerChanges, LearnerProfile};
use crate::error::AppError;

/// A unique username suggestion for "Add learner", such as `ali.khan2`.
#[server(endpoint = "suggest_username")]
pub async fn suggest_username(first_name: String, last_name: String) -> Result<String, AppError> {
    use crate::auth::ssr::guard::require_user;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    super::roster::suggest_username(&state, &user, &first_name, &last_name).await
}

/// "Add learner" in a class: the new learner with their password, shown once.
#[server(endpoint = "add_learner")]
pub async fn add_learner(
    class_id: String,
    first_name: String,
    last_name: String,
    username: String,
) -> Result<AddedLearner, AppError> {
    use crate::auth::ssr::guard::{no_store, request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    let names = (first_name.as_str(), last_name.as_str(), username.as_str());
    let added = super::roster::add_learner(&state, &user, &class_id, names, &client).await?;
    no_store();
    Ok(added)
}

/// What "Edit learner" starts from.
#[server(endpoint = "learner_profile")]
pub async fn load_learner_profile(learner_id: String) -> Result<LearnerProfile, AppError> {
    use crate::auth::ssr::guard::require_user;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    super::roster::learner_profile(&state, &user, &learner_id).await
}

/// "Save learner": names, username and classes.
#[server(endpoint = "save_learner", input = Json)]
pub async fn save_learner(changes: LearnerChanges) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::roster::save_learner(&state, &user, &changes, &client).await
}

/// "Remove from class".
#[server(endpoint = "remove_from_class")]
pub async fn remove_from_class(class_id: String, learner_id: String) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::roster::remove_from_class(&state, &user, &class_id, &learner_id, &client).await
}
