//! The axum-login backend: turns a session's account id back into an
//! account, for active accounts only.

use axum_login::{AuthUser, AuthnBackend, UserId};

use super::account_prefetch;
use super::accounts::{self, AccountRecord};
use crate::auth::SignedInUser;
use crate::db::Db;
use crate::error::AppError;

/// The account a session belongs to.
#[derive(Clone)]
pub struct SessionAccount {
    pub user: SignedInUser,
    auth_hash: Vec<u8>,
}

impl From<&AccountRecord> for SessionAccount {
    fn from(record: &AccountRecord) -> Self {
        SessionAccount {
            user: record.signed_in_user(),
            auth_hash: record.session_auth_hash(),
        }
    }
}

impl std::fmt::Debug for SessionAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionAccount")
            .field("id", &self.user.id)
            .finish_non_exhaustive()
    }
}

impl AuthUser for SessionAccount {
    type Id = String;

    fn id(&self) -> String {
        self.user.id.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

#[derive(Clone)]
pub struct Backend {
    pub db: Db,
}

impl AuthnBackend for Backend {
    type User = SessionAccount;
    /// Credentials are checked by [`super::credentials`], which needs more
    /// than a yes/no answer (lockouts, rate limits, audit).
    type Credentials = std::convert::Infallible;
    type Error = AppError;

    async fn authenticate(
        &self,
        credentials: Self::Credentials,
    ) -> Result<Option<SessionAccount>, AppError> {
        match credentials {}
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<SessionAccount>, AppError> {
        // Read with the session in this request, or else now.
        let record = match account_prefetch::take(id) {
            Some(record) => Some(record),
            None => accounts::by_id(&self.db, id).await?,
        };
        // An inactive account has no session: its next request is signed out.
        Ok(record
            .filter(|record| record.active)
            .as_ref()
            .map(SessionAccount::from))
    }
}
