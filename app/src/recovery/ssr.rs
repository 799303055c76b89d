//! Reset tokens: 256 random bits, stored only as a SHA-256, valid for 60
//! minutes, single use, for one account and one purpose. Issuing a new one
//! retires the account's earlier ones; a password change retires them all.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL, Engine as _};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use super::{LinkPage, TokenPurpose};
use crate::auth::ssr::accounts::AccountRecord;
use crate::db::{new_id, Tx};
use crate::error::AppError;
use crate::state::AppState;

pub const TOKEN_LIFETIME_SECS: i64 = 60 * 60;

/// What is stored of a link's, badge's or sign-in's token: its SHA-256.
pub fn token_hash(token: &str) -> String {
    crate::digest::sha256_hex(token.as_bytes())
}

/// Issues a token for `account_id`, retiring its outstanding ones. Returns
/// the token, which exists nowhere else once this returns.
pub async fn issue_token(
    tx: &mut Tx,
    account_id: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<SecretString, AppError> {
    retire_tokens(tx, account_id, now).await?;
    issue_extra_token(tx, account_id, purpose, now).await
}

/// Issues a token and leaves the account's earlier ones alone, for a link
/// whose delivery is not certain yet (see [`retire_other_tokens`]).
pub async fn issue_extra_token(
    tx: &mut Tx,
    account_id: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<SecretString, AppError> {
    let token = random_token();
    let token = token.expose_secret();
    sqlx::query(
        "INSERT INTO reset_tokens (id, account_id, purpose, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(token_hash(token))
    .bind(now)
    .bind(now + TOKEN_LIFETIME_SECS)
    .execute(&mut **tx)
    .await?;
    Ok(SecretString::from(token.to_string()))
}

/// 256 random bits as 43 base64url characters: a link's token.
pub fn random_token() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(BASE64URL.encode(bytes))
}

/// Retires every outstanding token of the account except `keep`.
pub async fn retire_other_tokens(
    tx: &mut Tx,
    account_id: &str,
    keep: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE reset_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL \
         AND token_hash <> $3",
    )
    .bind(now)
    .bind(account_id)
    .bind(token_hash(keep))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Retires every outstanding token of the account (its email changed, or
/// its password did).
pub async fn retire_tokens(tx: &mut Tx, account_id: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE reset_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Reset links sent to `account_id` within the last hour: those its
/// holder asked for (`self_service`), or those staff sent them.
pub async fn recent_links(
    tx: &mut Tx,
    account_id: &str,
    self_service: bool,
    now: i64,
) -> Result<i64, AppError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'reset_link_sent' AND target_id = $1 \
         AND (actor_id = target_id) = $2 AND created_at > $3",
    )
    .bind(account_id)
    .bind(self_service)
    .bind(now - 3600)
    .fetch_one(&mut **tx)
    .await?;
    Ok(count)
}

/// The link a token is sent or printed as, built from `CLASSKEYS_PUBLIC_URL`
/// (never from the request's Host header), on the page of its purpose.
pub fn link_for(state: &AppState, purpose: TokenPurpose, token: &SecretString) -> String {
    format!(
        "{}{}{}",
        state.public_url,
        LinkPage::for_purpose(purpose).path_prefix(),
        token.expose_secret()
    )
}

/// A reset link (`/reset-password/{token}`).
pub fn reset_link(state: &AppState, token: &SecretString) -> String {
    link_for(state, TokenPurpose::ResetPassword, token)
}

/// Whether `token` can be a token at all: 43 base64url characters.
pub fn well_formed_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The account a still-usable token belongs to, if any, when the token was
/// issued for a purpose `page` accepts: a welcome link opened on the reset
/// page (or the other way round) is unusable there.
pub async fn account_for_token<'e, E>(
    executor: E,
    token: &str,
    page: LinkPage,
    now: i64,
) -> Result<Option<String>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if !well_formed_token(token) {
        return Ok(None);
    }
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT t.account_id, t.purpose FROM reset_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2 AND a.active = TRUE",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(executor)
    .await?;
    Ok(row
        .filter(|(_, purpose)| page.accepts().iter().any(|p| p.as_str() == purpose))
        .map(|(id, _)| id))
}

/// Marks a token used, so the link works exactly once.
pub async fn spend_token(tx: &mut Tx, token: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE reset_tokens SET used_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash(token))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The operator's owner recovery, once ownership was checked out of band:
/// a single-use 60-minute link for the school's owner. Audited.
pub async fn issue_owner_recovery(state: &AppState, school_code: &str) -> Result<String, AppError> {
    use crate::audit::ssr::{record, AuditEvent};
    use crate::audit::AuditAction;
    use crate::auth::ssr::accounts;

    let owner = accounts::by_school_and_username(&state.db, school_code, "admin")
        .await?
        .filter(|account| account.role == "owner")
        .ok_or_else(|| {
            AppError::invalid(
                "school",
                format!("No school with the code {school_code} has an owner account."),
            )
        })?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let token = issue_token(&mut tx, &owner.id, TokenPurpose::OwnerRecovery, now).await?;
    let event = AuditEvent {
        school_id: Some(owner.school_id.clone()),
        actor_label: "operator".into(),
        target_id: Some(owner.id.clone()),
        target_label: owner.username.clone(),
        detail: "ownership checked out of band".into(),
        ..Default::default()
    };
    record(&mut *tx, AuditAction::OwnerRecoveryLinkIssued, event, now).await?;
    tx.commit().await?;
    Ok(reset_link(state, &token))
}

/// Issues a link for `account` (retiring its earlier ones) and queues the
/// email that carries it: a reset link, or a new staff member's welcome.
pub async fn queue_link_email(
    tx: &mut Tx,
    state: &AppState,
    account: &AccountRecord,
    purpose: TokenPurpose,
    now: i64,
) -> Result<(), AppError> {
    use crate::mail::messages::{reset_link_email, welcome_email};
    use crate::mail::outbox::enqueue_email;

    if account.role == "owner" {
        // Owners are recovered by the operator only.
        return Err(AppError::Forbidden);
    }
    let Some(to) = account.email.as_deref() else {
        return Err(AppError::Conflict(
            "This account has no email address. Add one first.".into(),
        ));
    };
    let token = issue_token(tx, &account.id, purpose, now).await?;
    let link = link_for(state, purpose, &token);
    let message = match purpose {
        TokenPurpose::Welcome => welcome_email(
            &account.display_name,
            &account.school_name,
            &account.school_code,
            &account.username,
            &link,
        ),
        TokenPurpose::ResetPassword | TokenPurpose::OwnerRecovery => {
            reset_link_email(&account.display_name, &account.school_name, &link)
        }
    };
    let expires = Some(now + TOKEN_LIFETIME_SECS);
    enqueue_email(
        tx,
        &state.sealer,
        &account.school_id,
        to,
        &message,
        now,
        expires,
    )
    .await
}

/// Reset links asked for one account within an hour before more are refused.
pub const MAX_LINKS_PER_HOUR: i64 = 3;
/// Reset links sent at the request of one network (an IPv4 address, an
/// IPv6 /64) within an hour,
/// so nobody can flood a school's inboxes from one place.
pub const MAX_LINKS_PER_ADDRESS_PER_HOUR: i64 = 10;

/// "Forgot password?": queues a reset link for the active, non-owner staff
/// or parent account using `email`, at most three an hour. Says nothing
/// about whether it did: the caller answers the same way regardless.
pub async fn send_reset_link(state: &AppState, email: &str, client: &str) -> Result<(), AppError> {
    use crate::audit::ssr::{record, AuditEvent};
    use crate::audit::AuditAction;
    use crate::auth::ssr::accounts;

    let Some(account) = accounts::by_email(&state.db, email).await? else {
        return Ok(());
    };
    // The owner's way back is the operator (DESIGN.md §3); inactive accounts get nothing.
    if account.role == "owner" || !account.active {
        return Ok(());
    }
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    // Only links the holder asked for: those an admin sent do not use up
    // the holder's own "Forgot password?".
    let recent = recent_links(&mut tx, &account.id, true, now).await?;
    let (from_address,): (i64,) = sqlx::query_as(
        // Links asked for by their own holders ("Forgot password?"), not
        // those an office admin sends from the staff page.
        "SELECT COUNT(*) FROM audit_events WHERE action = 'reset_link_sent' AND actor_id = target_id \
         AND client_net = $1 AND created_at > $2",
    )
    .bind(crate::auth::ssr::client_addr::network_label(client))
    .bind(now - 3600)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= MAX_LINKS_PER_HOUR || from_address >= MAX_LINKS_PER_ADDRESS_PER_HOUR {
        return Ok(());
    }
    queue_link_email(&mut tx, state, &account, TokenPurpose::ResetPassword, now).await?;
    let event = AuditEvent::by_self(&account, client).with_detail("forgot password");
    record(&mut *tx, AuditAction::ResetLinkSent, event, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash("abc"), token_hash("abd"));
    }
}
