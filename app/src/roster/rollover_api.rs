//! Server functions of `/school/rollover`: owners and full admins (checked
//! in [`super::rollover`]).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{RolloverChoice, RolloverPreview, RolloverSetup};
use crate::error::AppError;

/// The school's classes and its last rollover.
#[server(endpoint = "rollover_setup")]
pub async fn load_rollover_setup() -> Result<RolloverSetup, AppError> {
    use crate::auth::ssr::guard::require_user;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    super::rollover::setup(&state, &user).await
}

/// "Preview rollover": every learner's move. Writes nothing.
#[server(endpoint = "preview_rollover", input = Json)]
pub async fn preview_rollover(choices: Vec<RolloverChoice>) -> Result<RolloverPreview, AppError> {
    use crate::auth::ssr::guard::require_user;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    super::rollover::preview(&state, &user, &choices).await
}

/// "Apply rollover": one transaction, only while the moves are still those
/// of the preview whose `basis` is sent.
#[server(endpoint = "apply_rollover", input = Json)]
pub async fn apply_rollover(
    choices: Vec<RolloverChoice>,
    basis: String,
) -> Result<RolloverPreview, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::rollover::apply(&state, &user, &choices, &basis, &client).await
}

/// "Undo rollover" for the school's last rollover.
#[server(endpoint = "undo_rollover")]
pub async fn undo_rollover(rollover_id: String) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::rollover::undo(&state, &user, &rollover_id, &client).await
}
