//! Route paths, shared by the app, the server and the end-to-end tests.

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const ACCOUNT: &str = "/account";
pub const NEW_PASSWORD: &str = "/account/new-password";
pub const FORGOT_PASSWORD: &str = "/forgot-password";
pub const CLASSES: &str = "/classes";
pub const SCHOOL_LEARNERS: &str = "/school/learners";
pub const SCHOOL_ACCOUNTS: &str = "/school/accounts";
pub const SCHOOL_CARDS: &str = "/school/cards";
pub const SCHOOL_IMPORT: &str = "/school/import";
pub const SCHOOL_ROLLOVER: &str = "/school/rollover";
pub const STAFF: &str = "/staff";
pub const USERS: &str = "/users";
pub const SETTINGS: &str = "/settings";
pub const AUDIT: &str = "/audit";
pub const PARENT: &str = "/parent";
pub const PARENT_SIGNUP: &str = "/parent/signup";
/// A class's page (`/classes/{id}`).
pub fn class_page(class_id: &str) -> String {
    format!("{CLASSES}/{class_id}")
}
/// Link pages: the token follows the prefix.
pub const RESET_PASSWORD_PREFIX: &str = "/reset-password/";
pub const WELCOME_PREFIX: &str = "/welcome/";
pub const PARENT_CONFIRM_PREFIX: &str = "/parent/confirm/";

/// Pages only a signed-in user sees, which the server sends a signed-out
/// browser away from at once (to [`LOGIN`]) instead of answering with a
/// page that loads its WebAssembly only to go there. (The other signed-in
/// pages redirect as they render on the server.)
pub fn needs_sign_in(path: &str) -> bool {
    crate::auth::permissions::page_permission(path).is_some()
        || matches!(path, ACCOUNT | NEW_PASSWORD | PARENT)
}

/// Pages served as plain HTML, without the WebAssembly: the sign-in page
/// (DESIGN.md §5 allows it 150 KB; it needs none).
pub fn loads_no_webassembly(path: &str) -> bool {
    path == LOGIN
}

/// `/login?notice=…` values the sign-in page explains.
pub const NOTICE_PASSWORD_CHANGED: &str = "password-changed";
pub const NOTICE_SIGNED_OUT: &str = "signed-out";
pub const AFTER_PASSWORD_CHANGE: &str = "/login?notice=password-changed";
/// After a new staff member chose their first password (welcome link).
pub const NOTICE_PASSWORD_SET: &str = "password-set";
pub const AFTER_FIRST_PASSWORD: &str = "/login?notice=password-set";
pub const AFTER_SIGN_OUT: &str = "/login?notice=signed-out";
/// A page found its session ended elsewhere (signed out everywhere,
/// inactivated, the password changed).
pub const NOTICE_SESSION_ENDED: &str = "session-ended";
pub const AFTER_SESSION_ENDED: &str = "/login?notice=session-ended";

/// The cookie that marks the browser a parent signed up in: opening the
/// emailed link there finishes without typing the password again.
pub const PARENT_SIGNUP_COOKIE: &str = "classkeys_signup";

/// The cookie that remembers the school code on this device.
pub const SCHOOL_CODE_COOKIE: &str = "classkeys_school";
/// The username of an account that has just changed or set its password,
/// for the sign-in page that follows (and only that page: it is read with
/// the "password changed" or "password set" notice, lives ten minutes and
/// ends at the next sign-in).
pub const USERNAME_COOKIE: &str = "classkeys_username";
pub const USERNAME_COOKIE_SECS: i64 = 600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_in_pages_are_known_to_the_server() {
        for path in [
            STAFF,
            USERS,
            SCHOOL_CARDS,
            ACCOUNT,
            NEW_PASSWORD,
            PARENT,
            CLASSES,
            "/classes/c1/cards",
        ] {
            assert!(needs_sign_in(path), "{path}");
        }
        for path in [
            LOGIN,
            FORGOT_PASSWORD,
            PARENT_SIGNUP,
            "/badge",
            "/reset-password/abc",
            "/no-such-page",
        ] {
            assert!(!needs_sign_in(path), "{path}");
        }
    }
}
