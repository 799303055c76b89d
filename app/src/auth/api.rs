//! Server functions for signing in and out and changing one's own password.
//! Each authorises first, then calls the server-only code in `ssr`.

use leptos::prelude::*;

use super::SignedInUser;
use crate::error::AppError;
use crate::password_rules::{PasswordContext, PasswordPolicy};

/// Who is signed in on this session, if anyone.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    use super::ssr::guard::current_account;
    Ok(current_account().await?.map(|account| account.user))
}

/// The school code this device last signed in with.
#[server(endpoint = "remembered_school_code")]
pub async fn remembered_school_code() -> Result<Option<String>, AppError> {
    let headers = leptos_axum::extract::<http::HeaderMap>()
        .await
        .unwrap_or_default();
    Ok(super::ssr::cookies::remembered_school_code_in(&headers))
}

/// Signs in with school code + username (or email alone) + password.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    school_code: String,
    username: String,
    password: String,
) -> Result<(), AppError> {
    use super::ssr::credentials::SignInAttempt;
    use super::ssr::guard::{auth_session, request_client_addr};
    use super::ssr::sign_in::sign_in as start_signed_in;
    use crate::state::app_state;

    let state = app_state()?;
    let mut auth = auth_session().await?;
    let attempt = SignInAttempt {
        school_code,
        username,
        password: password.into(),
        client: request_client_addr().await,
    };
    let signed_in = start_signed_in(&state, &mut auth, &attempt).await?;
    super::ssr::cookies::set_sign_in_cookies(&signed_in.school_code);
    leptos_axum::redirect(signed_in.next);
    Ok(())
}

/// Ends this session.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::ssr::guard::{auth_session, request_client_addr};
    use crate::audit::ssr::{record, AuditEvent};
    use crate::audit::AuditAction;
    use crate::routes::AFTER_SIGN_OUT;
    use crate::state::app_state;

    let state = app_state()?;
    let mut auth = auth_session().await?;
    if let Some(account) = auth.logout().await.map_err(|_| AppError::Internal)? {
        let user = account.user;
        let event = AuditEvent::by(&user, request_client_addr().await).on(&user.id, &user.username);
        record(&state.db, AuditAction::SignOut, event, state.clock.now()).await?;
    }
    crate::navigation::redirect_plain_form(AFTER_SIGN_OUT);
    Ok(())
}

/// The caller's password rules, so the form can explain a rule before
/// submitting. The server checks again on submit.
#[server(endpoint = "password_rules")]
pub async fn password_rules() -> Result<(PasswordPolicy, PasswordContext), AppError> {
    use super::ssr::guard::require_user_allowing_password_change;
    use crate::schools::ssr::password_rules_for;
    let user = require_user_allowing_password_change().await?;
    password_rules_for(
        &crate::state::app_state()?.db,
        &user.school_id,
        &user.username,
    )
    .await
}

/// `/account`: change one's own password. Every session of the user ends,
/// this one included.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_new_password: String,
) -> Result<(), AppError> {
    use super::ssr::guard::{
        auth_session, request_client_addr, require_user_allowing_password_change,
    };
    use super::ssr::password_change::{change_own_password, PasswordChange};
    use crate::routes::AFTER_PASSWORD_CHANGE;

    let user = require_user_allowing_password_change().await?;
    let state = crate::state::app_state()?;
    let change = PasswordChange {
        current: Some(current_password.into()),
        new: new_password.into(),
        confirmation: confirm_new_password.into(),
        client: request_client_addr().await,
    };
    change_own_password(&state, &user.id, change).await?;
    let mut auth = auth_session().await?;
    auth.logout().await.map_err(|_| AppError::Internal)?;
    super::ssr::cookies::remember_username(&user.username);
    crate::navigation::redirect_plain_form(AFTER_PASSWORD_CHANGE);
    Ok(())
}

/// The forced change right after signing in with a password someone else
/// set. Other sessions end; this one carries on under the new password.
#[server(endpoint = "choose_new_password")]
pub async fn choose_new_password(
    new_password: String,
    confirm_new_password: String,
) -> Result<(), AppError> {
    use super::ssr::guard::{
        auth_session, request_client_addr, require_user_allowing_password_change, start_session,
    };
    use super::ssr::password_change::{change_own_password, PasswordChange};
    use crate::routes::HOME;

    let user = require_user_allowing_password_change().await?;
    if !user.must_change_password {
        return Err(AppError::Conflict(
            "Your password does not need changing. Use My account to change it.".into(),
        ));
    }
    let state = crate::state::app_state()?;
    let change = PasswordChange {
        current: None,
        new: new_password.into(),
        confirmation: confirm_new_password.into(),
        client: request_client_addr().await,
    };
    let account = change_own_password(&state, &user.id, change).await?;
    let mut auth = auth_session().await?;
    start_session(&mut auth, &account, state.clock.now()).await?;
    // The page reloads itself at HOME (see `Session`); a script-less form
    // post is sent there with a 302.
    crate::navigation::redirect_plain_form(HOME);
    Ok(())
}

/// An admin ends every session of another account of their school.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere(account_id: String) -> Result<(), AppError> {
    use super::permissions::Permission;
    use super::ssr::accounts;
    use super::ssr::guard::{request_client_addr, require};
    use super::ssr::sign_out;

    let actor = require(Permission::ManageUsers).await?;
    let state = crate::state::app_state()?;
    // Another school's account answers exactly like one that does not exist.
    let target = accounts::by_id(&state.db, &account_id)
        .await?
        .filter(|target| target.school_id == actor.school_id)
        .ok_or(AppError::NotFound)?;
    if !actor.may_manage_account(target.role(), &target.id) {
        return Err(AppError::Forbidden);
    }
    let client = request_client_addr().await.to_string();
    sign_out::sign_out_everywhere(&state, &actor, &target, &client).await
}
