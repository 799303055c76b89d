//! Server functions of single sign-on: the settings section (full admin or
//! owner), and which button `/login` shows for a school code (anyone).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{Provider, SsoSettingsForm, SsoSettingsPage};
use crate::error::AppError;

#[server(endpoint = "sso_settings")]
pub async fn load_sso_settings() -> Result<SsoSettingsPage, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;

    let user = require(Permission::SchoolSettings).await?;
    let state = crate::state::app_state()?;
    super::ssr::settings::load(&state, &user).await
}

/// "Save single sign-on": checked, then the provider's discovery fetched
/// before anything is saved.
#[server(endpoint = "save_sso_settings", input = Json)]
pub async fn save_sso_settings(
    settings: SsoSettingsForm,
    version: i64,
) -> Result<SsoSettingsPage, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::SchoolSettings).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::settings::save(&state, &user, settings, version, &client).await
}

/// The provider whose button `/login` shows once the school code is known.
#[server(endpoint = "sso_for_school")]
pub async fn sso_for_school(school_code: String) -> Result<Option<Provider>, AppError> {
    let code = school_code.trim();
    if code.is_empty() || code.chars().count() > 32 {
        return Ok(None);
    }
    let state = crate::state::app_state()?;
    super::ssr::settings::login_option(&state.db, code).await
}
