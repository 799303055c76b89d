//! Cookies ClassKeys writes itself (besides the session's): read from the
//! request, written on the response, `Secure` whenever the site is https.

use leptos::prelude::{expect_context, use_context};

use super::SecureCookies;

/// The value of cookie `name` on this request, if any.
pub async fn request_cookie(name: &str) -> Option<String> {
    let headers = leptos_axum::extract::<http::HeaderMap>()
        .await
        .unwrap_or_default();
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_string())
}

/// Sets cookie `name` for the whole site: HttpOnly, SameSite=Lax, and
/// Secure over https.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64) {
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let secure = if use_context::<SecureCookies>().is_some_and(|s| s.0) {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}");
    if let Ok(value) = http::HeaderValue::from_str(&cookie) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
