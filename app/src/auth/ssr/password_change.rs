//! A user setting their own password: from `/account`, when forced to at
//! sign-in, or through a reset link. Every session of the user ends and
//! every reset link dies.

use std::net::IpAddr;

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{self, AccountRecord};
use super::credentials::{record_failure, LOCKOUT_SECS};
use super::failures;
use super::sign_out::end_every_session;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::db::{begin_write, Tx};
use crate::error::AppError;
use crate::password_rules::{check_new_password, enforce_password_rules, PasswordProblem};
use crate::passwords::fair_queue::HashQueue;
use crate::passwords::hashing::StoredHash;
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
        // An empty field is a slip, not a guess: it counts toward nothing.
        if current.expose_secret().is_empty() {
            return Err(AppError::invalid(
                "current_password",
                "Enter your current password.",
            ));
        }
        // The new password's own problems are told first, so fixing them
        // never costs a failed attempt of the current one.
        check_rules(state, &account, &change.new, &change.confirmation).await?;
        check_current_password(state, &account, current, change.client).await?;
    }
    let hash = prepare_new_password(
        state,
        &account,
        &change.new,
        &change.confirmation,
        change.client,
    )
    .await?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    if change.current.is_some() {
        // Again under the write lock: guesses sent all at once must not
        // slip past a lockout that the wrong ones among them set meanwhile.
        let (until,): (Option<i64>,) =
            sqlx::query_as("SELECT locked_until FROM accounts WHERE id = $1")
                .bind(&account.id)
                .fetch_one(&mut *tx)
                .await?;
        if let Some(until) = until.filter(|until| *until > now) {
            return Err(AppError::Locked {
                retry_after_secs: (until - now) as u64,
            });
        }
    }
    write_new_password(&mut tx, &account, &hash, now).await?;
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

/// "Current password" on `/account` is a sign-in by another door: a
/// session left open must not let anyone try passwords without limit. A
/// wrong one counts toward the account's lockout and is audited; a locked
/// account is refused before any check.
async fn check_current_password(
    state: &AppState,
    account: &AccountRecord,
    current: &SecretString,
    client: IpAddr,
) -> Result<(), AppError> {
    let now = state.clock.now();
    if let Some(until) = account.locked_until.filter(|until| *until > now) {
        return Err(AppError::Locked {
            retry_after_secs: (until - now) as u64,
        });
    }
    let queue = HashQueue::of_client(client);
    if state
        .hasher
        .verify_in(queue, current, Some(&account.stored_hash()))
        .await
    {
        return Ok(());
    }
    if record_failure(
        state,
        account,
        client,
        now,
        "wrong current password on My account",
    )
    .await?
    {
        return Err(AppError::Locked {
            retry_after_secs: LOCKOUT_SECS as u64,
        });
    }
    Err(AppError::invalid(
        "current_password",
        "Your current password is not right.",
    ))
}

/// Checks a new password against the school's rules, its confirmation and
/// the current password, then hashes it.
/// The school's password rules and the confirmation, without hashing.
async fn check_rules(
    state: &AppState,
    account: &AccountRecord,
    new: &SecretString,
    confirmation: &SecretString,
) -> Result<(), AppError> {
    let (policy, context) =
        password_rules_for(&state.db, &account.school_id, &account.username).await?;
    check_new_password(
        &policy,
        new.expose_secret(),
        confirmation.expose_secret(),
        &context,
    )
    .and_then(|()| enforce_password_rules(&policy, new.expose_secret(), &context))
    .map_err(|problem| {
        // Two passwords that differ: the confirmation is the field to fix.
        let field = if problem == PasswordProblem::Mismatch {
            "confirm_new_password"
        } else {
            "new_password"
        };
        AppError::invalid(field, problem.to_string())
    })
}

pub async fn prepare_new_password(
    state: &AppState,
    account: &AccountRecord,
    new: &SecretString,
    confirmation: &SecretString,
    client: IpAddr,
) -> Result<StoredHash, AppError> {
    // In the caller's network's turn: link holders cannot crowd out others.
    let queue = HashQueue::of_client(client);
    check_rules(state, account, new, confirmation).await?;
    if state
        .hasher
        .verify_in(queue, new, Some(&account.stored_hash()))
        .await
    {
        return Err(AppError::invalid(
            "new_password",
            "Choose a password different from your current one.",
        ));
    }
    state.hasher.hash_in(queue, new).await
}

/// Stores a password the account's holder chose: a new version, no reveal
/// copy ("set by the learner"), no forced change, every session and every
/// outstanding reset link ended.
pub async fn write_new_password(
    tx: &mut Tx,
    account: &AccountRecord,
    hash: &StoredHash,
    now: i64,
) -> Result<(), AppError> {
    store_password(tx, &account.id, hash, "self", false, now).await
}

/// Stores a password an office admin set for a staff member on the staff
/// page, optionally making them choose their own at next sign-in. Every
/// session and every outstanding reset link of that account ends.
pub async fn write_staff_set_password(
    tx: &mut Tx,
    account_id: &str,
    hash: &StoredHash,
    must_change: bool,
    now: i64,
) -> Result<(), AppError> {
    store_password(tx, account_id, hash, "staff", must_change, now).await
}

async fn store_password(
    tx: &mut Tx,
    account_id: &str,
    hash: &StoredHash,
    set_by: &'static str,
    must_change: bool,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, password_version = password_version + 1, \
         password_set_by = $2, must_change_password = $3, locked_until = NULL WHERE id = $4",
    )
    .bind(&hash.0)
    .bind(set_by)
    .bind(must_change)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    failures::clear(&mut **tx, account_id).await?;
    sqlx::query("DELETE FROM learner_password_reveals WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    end_every_session(tx, account_id).await?;
    crate::recovery::ssr::retire_tokens(tx, account_id, now).await
}
