//! Ending every session of an account ("sign out everywhere").

use super::accounts::AccountRecord;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::SignedInUser;
use crate::db::begin_write;
use crate::error::AppError;
use crate::state::AppState;

/// Ends every session of `target` on its next request: the session epoch
/// changes (so axum-login refuses the old sessions) and the rows go.
pub async fn sign_out_everywhere(
    state: &AppState,
    actor: &SignedInUser,
    target: &AccountRecord,
    client: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    sqlx::query("UPDATE accounts SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(&target.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(&target.id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent {
        school_id: Some(target.school_id.clone()),
        actor_id: Some(actor.id.clone()),
        actor_label: actor.username.clone(),
        target_id: Some(target.id.clone()),
        target_label: target.username.clone(),
        client_addr: client.into(),
        detail: String::new(),
    };
    audit(&mut *tx, AuditAction::SignedOutEverywhere, event, now).await?;
    tx.commit().await?;
    Ok(())
}
