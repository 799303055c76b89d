//! A user changing their own password, from `/account` or when forced to at
//! sign-in. Every session of the user ends and every reset link dies.

use std::net::IpAddr;

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{self, AccountRecord};
use super::sign_out::end_every_session;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::db::begin_write;
use crate::error::AppError;
use crate::password_rules::{check_new_password, enforce_password_rules};
use crate::schools::ssr::password_rules_for;
use crate::state::AppState;

pub struct PasswordChange {
    /// `None` for the forced change right after sign-in.
    pub current: Option<SecretString>,
    pub new: SecretString,
    pub confirmation: SecretString,
    pub client: IpAddr,
}

/// Changes the password of `account_id`; returns the account as it is now.
pub async fn change_own_password(
    state: &AppState,
    account_id: &str,
    change: PasswordChange,
) -> Result<AccountRecord, AppError> {
    let account = accounts::by_id(&state.db, account_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if let Some(current) = &change.current {
        if !state
            .hasher
            .verify(current, Some(&account.stored_hash()))
            .await
        {
            return Err(AppError::invalid(
                "current_password",
                "Your current password is not right.",
            ));
        }
    }
    let (policy, context) =
        password_rules_for(&state.db, &account.school_id, &account.username).await?;
    let new = change.new.expose_secret();
    check_new_password(&policy, new, change.confirmation.expose_secret(), &context)
        .and_then(|()| enforce_password_rules(&policy, new, &context))
        .map_err(|problem| AppError::invalid("new_password", problem.to_string()))?;
    if state
        .hasher
        .verify(&change.new, Some(&account.stored_hash()))
        .await
    {
        return Err(AppError::invalid(
            "new_password",
            "Choose a password different from your current one.",
        ));
    }
    let hash = state.hasher.hash(&change.new).await?;
    let now = state.clock.now();

    let mut tx = begin_write(&state.db).await?;
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, password_version = password_version + 1, \
         password_set_by = 'self', must_change_password = FALSE \
         WHERE id = $2",
    )
    .bind(&hash.0)
    .bind(&account.id)
    .execute(&mut *tx)
    .await?;
    // The learner chose it: staff no longer see it ("set by the learner").
    sqlx::query("DELETE FROM learner_password_reveals WHERE account_id = $1")
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    end_every_session(&mut tx, &account.id).await?;
    sqlx::query("UPDATE reset_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut *tx,
        AuditAction::PasswordChanged,
        AuditEvent::by_self(&account, change.client),
        now,
    )
    .await?;
    tx.commit().await?;

    accounts::by_id(&state.db, &account.id)
        .await?
        .ok_or(AppError::Internal)
}
