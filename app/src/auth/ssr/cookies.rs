//! Cookies ClassKeys writes itself (besides the session's): read from the
//! request, written on the response, `Secure` and `__Host-` whenever the
//! site is https.

use std::borrow::Cow;

use leptos::prelude::{expect_context, use_context};

use super::SecureCookies;

/// Cookie `name` as the browser stores it: with the `__Host-` prefix over
/// https (DESIGN.md §3 "Sessions"), so the browser takes it only from this
/// origin over https, for the whole site. Nothing on a sibling subdomain or
/// on a plain-http network can then plant one, such as the parent sign-up
/// cookie that finishes a sign-up without the password.
pub fn cookie_name(name: &str, secure: bool) -> Cow<'_, str> {
    if secure {
        Cow::Owned(format!("__Host-{name}"))
    } else {
        Cow::Borrowed(name)
    }
}

/// Whether this request's cookies are the https ones. The router provides
/// [`SecureCookies`] to every request; without it (a new route that forgot
/// to), tests fail here, and a release build reads and writes the `__Host-`
/// cookies rather than the ones a sibling subdomain could plant.
fn secure_cookies() -> bool {
    let secure = use_context::<SecureCookies>();
    debug_assert!(secure.is_some(), "SecureCookies missing from the context");
    secure.is_none_or(|s| s.0)
}

/// The value of cookie `name` on this request, if any.
pub async fn request_cookie(name: &str) -> Option<String> {
    let headers = leptos_axum::extract::<http::HeaderMap>()
        .await
        .unwrap_or_default();
    cookie_in(&headers, &cookie_name(name, secure_cookies())).map(str::to_string)
}

/// The value of the cookie stored as `name` in these request headers, if any.
pub fn cookie_in<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

/// The school code this device last signed in with, if the cookie holds
/// a well-formed one.
pub fn remembered_school_code_in(headers: &http::HeaderMap) -> Option<String> {
    cookie_in(
        headers,
        &cookie_name(crate::routes::SCHOOL_CODE_COOKIE, secure_cookies()),
    )
    .filter(|code| crate::schools::ssr::normalise_school_code(code).is_ok())
    .map(str::to_string)
}

/// The username [`remember_username`] kept on this device, if any.
pub fn remembered_username_in(headers: &http::HeaderMap) -> Option<String> {
    cookie_in(
        headers,
        &cookie_name(crate::routes::USERNAME_COOKIE, secure_cookies()),
    )
    .filter(|username| storable_username(username))
    .map(str::to_string)
}

/// Keeps `username` on this device for the sign-in page that follows a
/// password change, so only the new password is typed. A username a cookie
/// cannot hold as it is (none that ClassKeys makes) is not kept.
pub fn remember_username(username: &str) {
    if storable_username(username) {
        set_cookie(
            crate::routes::USERNAME_COOKIE,
            username,
            crate::routes::USERNAME_COOKIE_SECS,
        );
    }
}

/// Ends what [`remember_username`] kept: someone has signed in since.
pub fn forget_username() {
    set_cookie(crate::routes::USERNAME_COOKIE, "", 0);
}

/// Remembers `school_code` on this device for the sign-in page.
pub fn remember_school_code(school_code: &str) {
    set_cookie(
        crate::routes::SCHOOL_CODE_COOKIE,
        school_code,
        super::sign_in::SCHOOL_CODE_COOKIE_SECS,
    );
}

/// The cookies every sign-in sets, as `Set-Cookie` values: the school code
/// remembered on this device, and a username kept from a password change
/// forgotten (it has done its work). The plain handlers (the sign-in form,
/// single sign-on) send these themselves; server functions call
/// [`set_sign_in_cookies`].
pub fn sign_in_cookies(school_code: &str, secure: bool) -> [String; 2] {
    [
        cookie_header(
            crate::routes::SCHOOL_CODE_COOKIE,
            school_code,
            super::sign_in::SCHOOL_CODE_COOKIE_SECS,
            secure,
        ),
        cookie_header(crate::routes::USERNAME_COOKIE, "", 0, secure),
    ]
}

/// [`sign_in_cookies`] on this server function's response.
pub fn set_sign_in_cookies(school_code: &str) {
    for cookie in sign_in_cookies(school_code, secure_cookies()) {
        append_set_cookie(&cookie);
    }
}

/// Letters, digits and `@._+-`: a learner's or staff username, or an email.
fn storable_username(username: &str) -> bool {
    (1..=254).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c))
}

/// A `Set-Cookie` value for the whole site: HttpOnly, SameSite=Lax, and
/// Secure with the `__Host-` prefix ([`cookie_name`]) when `secure`.
pub fn cookie_header(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let stored = cookie_name(name, secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{stored}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}")
}

/// Sets cookie `name` for the whole site: HttpOnly, SameSite=Lax, and
/// Secure over https.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64) {
    append_set_cookie(&cookie_header(name, value, max_age_secs, secure_cookies()));
}

/// Adds a `Set-Cookie` header ([`cookie_header`]) to this response.
fn append_set_cookie(cookie: &str) {
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(value) = http::HeaderValue::from_str(cookie) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
