//! Server functions of login cards and QR badges. Cards and badge work are
//! for anyone who may see the class; badge sign-in is for anyone holding
//! a badge.

use leptos::prelude::*;

use super::LoginCards;
use crate::error::AppError;

/// `/classes/{id}/cards` (`Some`) or `/school/cards` (`None`). Audited.
#[server(endpoint = "login_cards")]
pub async fn load_login_cards(class_id: Option<String>) -> Result<LoginCards, AppError> {
    use crate::auth::ssr::guard::{no_store, request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    let cards = super::ssr::cards(&state, &user, class_id.as_deref(), &client).await?;
    no_store();
    Ok(cards)
}

/// "Create badges": every learner of the class without a badge gets one.
#[server(endpoint = "create_badges")]
pub async fn create_badges(class_id: String) -> Result<u64, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::create_for_class(&state, &user, &class_id, &client).await
}

/// "Void badge" of one learner.
#[server(endpoint = "void_badge")]
pub async fn void_badge(learner_id: String) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::void_one(&state, &user, &learner_id, &client).await
}

/// "Void all badges" of a class.
#[server(endpoint = "void_class_badges")]
pub async fn void_class_badges(class_id: String) -> Result<u64, AppError> {
    use crate::auth::ssr::guard::{request_client_addr, require_user};

    let user = require_user().await?;
    let state = crate::state::app_state()?;
    let client = request_client_addr().await.to_string();
    super::ssr::void_class(&state, &user, &class_id, &client).await
}

/// `/badge`: signs a learner in with the token from a badge's URL.
#[server(endpoint = "badge_sign_in")]
pub async fn badge_sign_in(token: String) -> Result<(), AppError> {
    use crate::auth::ssr::guard::{auth_session, request_client_addr, start_session};

    let state = crate::state::app_state()?;
    let client = request_client_addr().await;
    let account = super::ssr::sign_in(&state, &token, client).await?;
    let mut auth = auth_session().await?;
    start_session(&mut auth, &account, state.clock.now()).await?;
    crate::auth::ssr::cookies::set_sign_in_cookies(&account.school_code);
    Ok(())
}
