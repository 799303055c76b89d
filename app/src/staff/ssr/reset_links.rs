//! "Reset password via email" and "Reset password via SMS" on the staff
//! page, at most five links an hour to one person.

use secrecy::{ExposeSecret, SecretString};

use super::{sms_offer, staff_member_for};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::ssr::accounts::AccountRecord;
use crate::auth::SignedInUser;
use crate::db::{begin_write, Tx};
use crate::error::AppError;
use crate::mail::messages::reset_link_sms;
use crate::recovery::ssr::{
    issue_extra_token, queue_link_email, recent_links, reset_link, retire_other_tokens, spend_token,
};
use crate::recovery::TokenPurpose;
use crate::sms::{refund_credit, reserve_credit};
use crate::state::AppState;

/// Links staff may send one person within an hour, by email and SMS together.
const MAX_STAFF_SENT_LINKS_PER_HOUR: i64 = 5;

pub(crate) async fn ensure_not_flooding(
    tx: &mut Tx,
    member: &AccountRecord,
    now: i64,
) -> Result<(), AppError> {
    if recent_links(tx, &member.id, false, now).await? >= MAX_STAFF_SENT_LINKS_PER_HOUR {
        return Err(AppError::Conflict(format!(
            "{MAX_STAFF_SENT_LINKS_PER_HOUR} links were sent to {} in the last hour. \
             Please wait before sending another, or set a password for them.",
            member.display_name
        )));
    }
    Ok(())
}

fn switched_off() -> AppError {
    AppError::Conflict(
        "This account is switched off. Reactivate it on the Users page first.".into(),
    )
}

/// "Reset password via email": the same link as "Forgot password?". Audited.
pub async fn send_reset_email(
    state: &AppState,
    user: &SignedInUser,
    account_id: &str,
    client: &str,
) -> Result<(), AppError> {
    let member = staff_member_for(&state.db, user, account_id).await?;
    if !member.active {
        return Err(switched_off());
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    ensure_not_flooding(&mut tx, &member, now).await?;
    queue_link_email(&mut tx, state, &member, TokenPurpose::ResetPassword, now).await?;
    let event = AuditEvent::by(user, client)
        .on(&member.id, &member.username)
        .with_detail("by email");
    audit(&mut *tx, AuditAction::ResetLinkSent, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// "Reset password via SMS": one credit is taken before sending and given
/// back (with the link retired) if the gateway does not accept the
/// message, so a credit is spent exactly when an SMS went out, and two
/// admins can never spend the last credit twice. Returns the credits left.
pub async fn send_reset_sms(
    state: &AppState,
    user: &SignedInUser,
    account_id: &str,
    client: &str,
) -> Result<i64, AppError> {
    let member = staff_member_for(&state.db, user, account_id).await?;
    if !member.active {
        return Err(switched_off());
    }
    if !sms_offer(&state.db, &user.school_id).await?.enabled {
        return Err(AppError::Conflict(
            "SMS is switched off for this school. A full admin can turn it on in Settings.".into(),
        ));
    }
    let (mobile,): (Option<String>,) = sqlx::query_as("SELECT mobile FROM accounts WHERE id = $1")
        .bind(&member.id)
        .fetch_one(&state.db)
        .await?;
    let Some(mobile) = mobile else {
        return Err(AppError::Conflict(
            "This staff member has no mobile number. Add one and save first.".into(),
        ));
    };

    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    ensure_not_flooding(&mut tx, &member, now).await?;
    let Some(credits_left) = reserve_credit(&mut tx, &user.school_id).await? else {
        return Err(AppError::Conflict(
            "There are no SMS credits left, so nothing was sent. Send the link by email, \
             or ask ClassKeys support for more credits."
                .into(),
        ));
    };
    // Earlier links stay usable until this one is known to have gone out.
    let token = issue_extra_token(&mut tx, &member.id, TokenPurpose::ResetPassword, now).await?;
    tx.commit().await?;

    // Sent and settled in a task of its own: a closed browser tab or a
    // dropped connection cannot stop it half-way and lose a credit.
    let body = reset_link_sms(&member.school_name, &reset_link(state, &token));
    let event = AuditEvent::by(user, client)
        .on(&member.id, &member.username)
        .with_detail("by SMS");
    let settle = tokio::spawn(settle_sms(
        state.clone(),
        user.school_id.clone(),
        member.id.clone(),
        mobile,
        body,
        token,
        event,
    ));
    match settle.await {
        Ok(Ok(())) => Ok(credits_left),
        Ok(Err(error)) => Err(error),
        Err(error) => {
            tracing::error!(%error, "the SMS task failed");
            Err(AppError::Internal)
        }
    }
}

/// Hands the SMS to the gateway, then keeps the credit and retires older
/// links (accepted), or gives the credit back and retires this link.
async fn settle_sms(
    state: AppState,
    school_id: String,
    account_id: String,
    mobile: String,
    body: String,
    token: SecretString,
    event: AuditEvent,
) -> Result<(), AppError> {
    let sent = state.sms.send(&mobile, &body).await;
    let now = state.clock.now();
    match sent {
        Ok(()) => {
            let recorded = async {
                let mut tx = begin_write(&state.db).await?;
                retire_other_tokens(&mut tx, &account_id, token.expose_secret(), now).await?;
                audit(&mut *tx, AuditAction::ResetLinkSent, event, now).await?;
                tx.commit().await?;
                Ok::<(), AppError>(())
            };
            if let Err(error) = recorded.await {
                // The SMS went out: say so, even if it could not be recorded.
                tracing::error!(%error, "an SMS was sent but could not be recorded");
            }
            Ok(())
        }
        Err(error) => {
            tracing::warn!(%error, "the SMS gateway did not accept a reset link");
            let mut tx = begin_write(&state.db).await?;
            refund_credit(&mut tx, &school_id).await?;
            spend_token(&mut tx, token.expose_secret(), now).await?;
            tx.commit().await?;
            Err(AppError::Conflict(
                "The SMS service did not accept the message, so no credit was used. \
                 Try again later, or send the link by email."
                    .into(),
            ))
        }
    }
}
