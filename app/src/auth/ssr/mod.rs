//! Server-side authentication: accounts in sessions, credentials, guards.

pub mod account_prefetch;
pub mod accounts;
pub mod backend;
pub mod client_addr;
pub mod cookies;
pub mod credentials;
pub mod emails;
pub mod failures;
pub mod guard;
pub mod network_limit;
pub mod password_change;
pub mod session_policy;
pub mod session_store;
pub mod sign_in;
pub mod sign_out;
pub mod unknown_names;

/// Sessions as the handlers see them.
pub type AuthSession = axum_login::AuthSession<backend::Backend>;

/// Session keys written by ClassKeys itself.
pub const SIGNED_IN_AT_KEY: &str = "classkeys.signed_in_at";
/// When the session's idle timeout was last moved on (its row written).
pub const TOUCHED_AT_KEY: &str = "classkeys.touched_at";
/// A session's row is written at most this often by activity alone, so
/// idle timeouts are exact to this many seconds.
pub const TOUCH_EVERY_SECS: i64 = 60;
pub const ACCOUNT_ID_KEY: &str = "classkeys.account_id";

/// Idle timeouts and absolute lifetime (DESIGN.md §3 "Sessions").
pub const STAFF_IDLE_SECS: i64 = 2 * 60 * 60;
pub const LEARNER_AND_PARENT_IDLE_SECS: i64 = 60 * 60;
pub const ABSOLUTE_LIFETIME_SECS: i64 = 12 * 60 * 60;

/// Whether cookies carry `Secure` (the site is served over https), provided
/// as Leptos context by the router for the cookies ClassKeys writes itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecureCookies(pub bool);
