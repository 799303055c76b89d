//! Server functions of the `/reset-password/{token}` page.

use leptos::prelude::*;

use super::{LinkPage, LinkState};
use crate::error::AppError;

/// Whether a reset link still works, and for whom.
#[server(endpoint = "reset_link_state")]
pub async fn reset_link_state(token: String, page: LinkPage) -> Result<LinkState, AppError> {
    use super::ssr::account_for_token;
    use crate::auth::ssr::accounts;
    use crate::schools::ssr::password_rules_for;

    let state = crate::state::app_state()?;
    let Some(account_id) = account_for_token(&state.db, &token, page, state.clock.now()).await?
    else {
        return Ok(LinkState::Unusable);
    };
    let account = accounts::by_id(&state.db, &account_id)
        .await?
        .ok_or(AppError::Internal)?;
    let rules = password_rules_for(&state.db, &account.school_id, &account.username).await?;
    Ok(LinkState::Valid {
        display_name: account.display_name,
        school_name: account.school_name,
        rules,
    })
}

/// Sets a new password through a reset link. The link works once; every
/// session of the account ends; nobody is signed in by it.
#[server(endpoint = "reset_password_with_token")]
pub async fn reset_password_with_token(
    token: String,
    page: LinkPage,
    new_password: String,
    confirm_new_password: String,
) -> Result<(), AppError> {
    use super::ssr::{account_for_token, spend_token};
    use crate::audit::ssr::{record, AuditEvent};
    use crate::audit::AuditAction;
    use crate::auth::ssr::accounts;
    use crate::auth::ssr::guard::request_client_addr;
    use crate::auth::ssr::password_change::{prepare_new_password, write_new_password};
    use crate::db::begin_write;

    let state = crate::state::app_state()?;
    let unusable = || {
        AppError::Conflict(
            "This link has expired or was already used. Please ask for a new one.".into(),
        )
    };
    let account_id = account_for_token(&state.db, &token, page, state.clock.now())
        .await?
        .ok_or_else(unusable)?;
    let account = accounts::by_id(&state.db, &account_id)
        .await?
        .ok_or_else(unusable)?;
    let client = request_client_addr().await;
    let hash = prepare_new_password(
        &state,
        &account,
        &new_password.into(),
        &confirm_new_password.into(),
        client,
    )
    .await?;

    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    // Checked again inside the write lock: two submissions of one link
    // cannot both succeed.
    if account_for_token(&mut *tx, &token, page, now)
        .await?
        .as_deref()
        != Some(account.id.as_str())
    {
        return Err(unusable());
    }
    spend_token(&mut tx, &token, now).await?;
    write_new_password(&mut tx, &account, &hash, now).await?;
    let event = AuditEvent::by_self(&account, client);
    record(&mut *tx, AuditAction::PasswordResetByLink, event, now).await?;
    if let Some(email) = &account.email {
        let message = crate::mail::messages::password_changed_email(
            &account.display_name,
            &account.school_name,
        );
        crate::mail::outbox::enqueue_email(
            &mut tx,
            &state.sealer,
            &account.school_id,
            email,
            &message,
            now,
            None,
        )
        .await?;
    }
    tx.commit().await?;
    // A username signs in with its school code: on a phone that never
    // signed in here, the code is not remembered yet.
    crate::auth::ssr::cookies::remember_school_code(&account.school_code);
    crate::auth::ssr::cookies::remember_username(&account.username);
    crate::navigation::redirect_plain_form(page.after_password());
    Ok(())
}

/// The answer to "Send reset link", whatever happened.
pub const RESET_LINK_ANSWER: &str =
    "If an account uses that address, we have sent a link. It works once, for 60 minutes.";

/// "Forgot password?": always the same answer, after the same pause,
/// whether or not the address belongs to an account. The lookup and the
/// email are handled after the answer (`reset_requests`), so a database
/// busy writing cannot make a known address answer later than an unknown one.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    use crate::auth::ssr::guard::request_client_addr;
    use crate::schools::ssr::normalise_email;

    let started = tokio::time::Instant::now();
    let email = normalise_email(&email)?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await;
    state.reset_requests.submit(&state, email, client);
    // The pause also keeps one connection from trying addresses quickly.
    tokio::time::sleep_until(started + std::time::Duration::from_millis(200)).await;
    Ok(RESET_LINK_ANSWER.to_string())
}
