//! Server functions of the staff page. Each authorises on the server (full
//! admin or owner, same school, never the owner's account) before anything.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{NewStaffMember, StaffChanges, StaffDirectory, StaffRow};
use crate::error::AppError;

#[server(endpoint = "staff_directory")]
pub async fn load_staff_directory() -> Result<StaffDirectory, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;

    let user = require(Permission::ManageStaff).await?;
    let state = crate::state::app_state()?;
    let clock =
        crate::school_time::SchoolClock::read(&state.db, &state.clock, &user.school_id).await?;
    super::ssr::directory(&state.db, &user, &clock).await
}

/// "Save" on the edit form. A typed "New password" replaces the old one
/// and ends every session of that staff member.
#[server(endpoint = "save_staff_member", input = Json)]
pub async fn save_staff_member(changes: StaffChanges) -> Result<StaffRow, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageStaff).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::save(&state, &user, changes, &client).await
}

/// "Unlock" on a locked-out staff member's row: they can sign in again at
/// once, with the password they have.
#[server(endpoint = "unlock_staff_member")]
pub async fn unlock_staff_member(account_id: String) -> Result<StaffRow, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageStaff).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::unlock(&state, &user, &account_id, &client).await
}

/// "Add staff member": creates the account and emails a welcome link.
#[server(endpoint = "add_staff_member", input = Json)]
pub async fn add_staff_member(member: NewStaffMember) -> Result<StaffRow, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageStaff).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::create(&state, &user, member, &client).await
}

/// "Reset password via email". Returns what to tell the admin.
#[server(endpoint = "send_staff_reset_email")]
pub async fn send_staff_reset_email(account_id: String) -> Result<String, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageStaff).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::send_reset_email(&state, &user, &account_id, &client).await?;
    Ok("Reset link sent by email. It works once, for 60 minutes.".into())
}

/// "Reset password via SMS". Returns the SMS credits left.
#[server(endpoint = "send_staff_reset_sms")]
pub async fn send_staff_reset_sms(account_id: String) -> Result<i64, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::{request_client_addr, require};

    let user = require(Permission::ManageStaff).await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::send_reset_sms(&state, &user, &account_id, &client).await
}
