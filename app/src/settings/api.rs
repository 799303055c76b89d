//! Server functions of the settings page: full admin or owner only.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{SchoolSettingsForm, SettingsPageData};
use crate::error::AppError;

#[server(endpoint = "school_settings_page")]
pub async fn load_school_settings() -> Result<SettingsPageData, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;

    let user = require(Permission::SchoolSettings).await?;
    let state = crate::state::app_state()?;
    super::ssr::load(&state.db, &user).await
}

#[server(endpoint = "save_school_settings", input = Json)]
pub async fn save_school_settings(
    settings: SchoolSettingsForm,
    version: i64,
) -> Result<SettingsPageData, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::SchoolSettings).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::save(&state, &user, settings, version, &client).await
}
