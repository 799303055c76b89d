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
    super::ssr::list(&state.db, &user, &query).await
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

#[server(endpoint = "possible_duplicates")]
pub async fn possible_duplicates() -> Result<Vec<DuplicateGroup>, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;

    let user = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    super::ssr::duplicates(&state.db, &user).await
}
