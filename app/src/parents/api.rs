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
    use crate::auth::ssr::guard::request_client_addr;

    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    let form = ParentSignUp {
        code: parent_access_code,
        email,
        password: password.into(),
        confirmation: confirm_password.into(),
    };
    request_sign_up(&state, form, &client).await
}

/// `/parent/confirm/{token}`: the emailed link, with the password chosen on
/// the sign-up form, creates the account, signs it in and opens `/parent`.
/// Works once, for 60 minutes.
#[server(endpoint = "confirm_parent_sign_up")]
pub async fn confirm_parent_sign_up(token: String, password: String) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{auth_session, request_client_addr, start_session};

    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    let password = password.into();
    let account = super::ssr::signup::confirm_sign_up(&state, &token, &password, &client).await?;
    let mut auth = auth_session().await?;
    start_session(&mut auth, &account, state.clock.now()).await?;
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
pub async fn add_child(parent_access_code: String) -> Result<(), AppError> {
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
