//! The account of a request's session, read in the same query as the
//! session row: the session store puts it here when it loads the session,
//! and the axum-login backend takes it instead of querying the account
//! again. Every signed-in request then costs one database round trip for
//! who is asking, not two.
//!
//! The account is held for the one request (a task-local scope that
//! [`prefetch_accounts`] opens around the session layers), taken at most
//! once, and only for the account id asked for; outside the scope nothing
//! is kept and the backend reads the account as before.

use std::cell::RefCell;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use super::accounts::AccountRecord;

tokio::task_local! {
    static LOADED_ACCOUNT: RefCell<Option<AccountRecord>>;
}

/// Middleware around the session and auth layers: opens the request's scope.
pub async fn prefetch_accounts(request: Request, next: Next) -> Response {
    scope(next.run(request)).await
}

/// Runs `request` with a place for the account its session is loaded with.
pub async fn scope<F: std::future::Future>(request: F) -> F::Output {
    LOADED_ACCOUNT.scope(RefCell::new(None), request).await
}

/// Keeps `account`, read with the session, for this request's backend.
pub fn keep(account: AccountRecord) {
    let _ = LOADED_ACCOUNT.try_with(|cell| *cell.borrow_mut() = Some(account));
}

/// The account read with this request's session, if it is `id`'s.
pub fn take(id: &str) -> Option<AccountRecord> {
    LOADED_ACCOUNT
        .try_with(|cell| cell.borrow_mut().take())
        .ok()
        .flatten()
        .filter(|account| account.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str) -> AccountRecord {
        AccountRecord {
            id: id.into(),
            school_id: "s1".into(),
            school_name: "Oakwood".into(),
            school_code: "OAK".into(),
            role: "staff".into(),
            is_full_admin: false,
            is_lead_teacher: false,
            username: "teacher".into(),
            display_name: "A Teacher".into(),
            email: None,
            active: true,
            must_change_password: false,
            password_hash: "$argon2id$…".into(),
            session_epoch: 0,
            locked_until: None,
        }
    }

    #[tokio::test]
    async fn an_account_kept_in_a_request_is_taken_once_and_only_for_its_id() {
        scope(async {
            keep(account("a1"));
            assert!(take("a2").is_none(), "another id gets nothing");
            // Asking for another id used it up: the backend queries.
            assert!(take("a1").is_none());
            keep(account("a1"));
            assert_eq!(take("a1").map(|a| a.id).as_deref(), Some("a1"));
            assert!(take("a1").is_none(), "taken at most once");
        })
        .await;
    }

    #[tokio::test]
    async fn outside_a_request_nothing_is_kept() {
        keep(account("a1"));
        assert!(take("a1").is_none());
    }
}
