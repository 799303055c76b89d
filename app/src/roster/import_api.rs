//! Server functions of `/school/import`: owners, full admins and lead
//! teachers (checked in [`super::import`]). The file travels as base64 in
//! JSON; its size is limited before it is read (`UPLOAD_ENDPOINTS`).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{ImportPreview, ImportProgress};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn file_bytes(file: &str) -> Result<Vec<u8>, AppError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(file)
        .map_err(|_| AppError::invalid("file", "The file did not arrive whole. Choose it again."))
}

/// "Preview": what importing `file` would do. Writes nothing.
#[server(endpoint = "preview_import", input = Json)]
pub async fn preview_import(
    file: String,
    inactivate_missing: bool,
) -> Result<ImportPreview, AppError> {
    use crate::auth::ssr::guard::{no_store, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let preview =
        super::import::preview(&state, &user, &file_bytes(&file)?, inactivate_missing).await?;
    no_store();
    Ok(preview)
}

/// "Apply import": starts it, if the file still previews as the preview
/// whose `basis` is sent; returns the job to follow with [`follow_import`].
#[server(endpoint = "start_import", input = Json)]
pub async fn start_import(
    file: String,
    inactivate_missing: bool,
    basis: Option<String>,
) -> Result<String, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::import::start(
        &state,
        &user,
        &file_bytes(&file)?,
        inactivate_missing,
        basis.as_deref(),
        &client,
    )
    .await
}

/// How far an import is; at the end, its summary (given once).
#[server(endpoint = "import_progress")]
pub async fn follow_import(job_id: String) -> Result<ImportProgress, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{no_store, require};

    let user = require(Permission::ManageRoster).await?;
    let state = crate::state::app_state()?;
    let progress = super::jobs::progress(&state, &user, &job_id).await?;
    no_store();
    Ok(progress)
}
