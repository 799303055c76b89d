//! Ending every session of an account ("sign out everywhere").

use super::accounts::AccountRecord;
use super::session_store::delete_sessions_of;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::SignedInUser;
use crate::db::{begin_write, Tx};
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
    end_every_session(&mut tx, &target.id).await?;
    let event = AuditEvent::by(actor, client).on(&target.id, &target.username);
    audit(&mut *tx, AuditAction::SignedOutEverywhere, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Within a write transaction: the session epoch changes (so axum-login
/// refuses every old session of the account) and the session rows go.
pub async fn end_every_session(tx: &mut Tx, account_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    delete_sessions_of(&mut **tx, account_id).await
}
