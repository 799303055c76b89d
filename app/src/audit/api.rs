//! The audit page's server function: full admins and the owner see every
//! event of their school, lead teachers its learner events.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{AuditPage, AuditQuery};
use crate::error::AppError;

#[server(endpoint = "audit_log", input = Json)]
pub async fn load_audit_log(query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::auth::permissions::Permission;
    use crate::auth::ssr::guard::require;

    let user = require(Permission::LearnerAuditLog).await?;
    let state = crate::state::app_state()?;
    super::ssr::audit_page(&state.db, &user, &query).await
}
