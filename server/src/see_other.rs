//! The answers of the plain (non-Leptos) handlers that send the browser on:
//! a 303 with cookies, for single sign-on and the sign-in form.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use app::auth::ssr::cookies::{cookie_header, sign_in_cookies};

/// A site-wide cookie (`cookie_header`) as a `Set-Cookie` value.
pub fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    set_cookie_value(&cookie_header(name, value, max_age, secure))
}

/// The cookies every sign-in sets (`sign_in_cookies`) as `Set-Cookie` values.
pub fn signed_in_cookies(school_code: &str, secure: bool) -> Vec<HeaderValue> {
    sign_in_cookies(school_code, secure)
        .iter()
        .map(|cookie| set_cookie_value(cookie))
        .collect()
}

fn set_cookie_value(cookie: &str) -> HeaderValue {
    HeaderValue::from_str(cookie).expect("cookie values are URL-safe")
}

/// A 303 to `location`, never cached, with these cookies.
pub fn see_other(location: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response =
        (StatusCode::SEE_OTHER, [(header::CACHE_CONTROL, "no-store")]).into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
