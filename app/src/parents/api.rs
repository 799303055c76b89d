//! Server functions for parents, and staff regenerating a learner's code.

use leptos::prelude::*;

use super::ChildRow;
use crate::error::AppError;

/// `/parent/signup`: checks the code and the password, then emails a link
/// that finishes creating the account. A right code always answers the same
/// way, whether or not the address already has an account.
#[server(endpoint = "parent_sign_up")]
pub async fn parent_sign_up(
    parent_access_code: String,
    email: String,
    password: String,
    confirm_password: String,
) -> Result<String, AppError> {
    use super::ssr::signup::{request_sign_up, ParentSignUp};
    use crate::auth::ssr::cookies::set_cookie;
    use crate::auth::ssr::guard::request_client_addr;
    use crate::recovery::ssr::{random_token, TOKEN_LIFETIME_SECS};
    use crate::routes::PARENT_SIGNUP_COOKIE;
    use secrecy::ExposeSecret;

    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    let browser = random_token();
    let form = ParentSignUp {
        code: parent_access_code,
        email,
        password: password.into(),
        confirmation: confirm_password.into(),
        browser: browser.clone(),
    };
    let answer = request_sign_up(&state, form, &client).await?;
    // Set for every right code, whether or not the address was in use, so
    // the cookie tells nothing either.
    set_cookie(
        PARENT_SIGNUP_COOKIE,
        browser.expose_secret(),
        TOKEN_LIFETIME_SECS,
    );
    Ok(answer)
}

/// `/parent/confirm/{token}`: the emailed link creates the account, signs
/// it in and opens `/parent`: at once in the browser that signed up, else
/// with the password chosen on the form (`password` empty: try the
/// browser). Works once, for 60 minutes.
#[server(endpoint = "confirm_parent_sign_up")]
pub async fn confirm_parent_sign_up(token: String, password: String) -> Result<(), AppError> {
    use super::ssr::signup::{confirm_sign_up, Proof};
    use crate::auth::ssr::cookies::request_cookie;
    use crate::auth::ssr::guard::{auth_session, request_client_addr, start_session};
    use crate::routes::PARENT_SIGNUP_COOKIE;
    use secrecy::{ExposeSecret, SecretString};

    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    let password = SecretString::from(password);
    let cookie = request_cookie(PARENT_SIGNUP_COOKIE).await;
    let proof = if password.expose_secret().is_empty() {
        Proof::SameBrowser(cookie.as_deref())
    } else {
        Proof::Password(&password)
    };
    let account = confirm_sign_up(&state, &token, proof, &client).await?;
    // The sign-up is used up: its browser cookie has nothing left to prove.
    crate::auth::ssr::cookies::set_cookie(PARENT_SIGNUP_COOKIE, "", 0);
    let mut auth = auth_session().await?;
    start_session(&mut auth, &account, state.clock.now()).await?;
    crate::auth::ssr::cookies::forget_username();
    crate::navigation::redirect_plain_form(crate::routes::PARENT);
    Ok(())
}

#[server(endpoint = "my_children")]
pub async fn my_children() -> Result<Vec<ChildRow>, AppError> {
    use crate::auth::ssr::guard::require_user;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    super::ssr::children(&state.db, &user).await
}

/// "Add a child" on `/parent`.
#[server(endpoint = "add_child")]
pub async fn add_child(parent_access_code: String) -> Result<super::ChildAdded, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::add_child(&state, &user, &parent_access_code, &client).await
}

/// "Regenerate parent access code" for a learner the caller may manage.
#[server(endpoint = "regenerate_parent_access_code")]
pub async fn regenerate_parent_access_code(learner_id: String) -> Result<String, AppError> {
    use crate::auth::ssr::guard::{no_store, request_client_addr, require_user};
    use crate::learners::ssr::learner_for;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let learner = learner_for(&state.db, &user, &learner_id).await?;
    let client = request_client_addr().await.to_string();
    let code = super::ssr::regenerate_code(&state, &user, &learner, &client).await?;
    no_store();
    Ok(code)
}

/// "Unlink parents": every parent linked to the learner loses the link (for
/// a leaked code, with "Regenerate parent access code"). Returns how many.
#[server(endpoint = "unlink_parents")]
pub async fn unlink_parents(learner_id: String) -> Result<u64, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};
    use crate::learners::ssr::learner_for;

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let learner = learner_for(&state.db, &user, &learner_id).await?;
    let client = request_client_addr().await.to_string();
    super::ssr::unlink_parents(&state, &user, &learner, &client).await
}
