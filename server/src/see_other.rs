//! The answers of the plain (non-Leptos) handlers that send the browser on:
//! a 303 with cookies, for single sign-on and the sign-in form.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use app::auth::ssr::cookies::cookie_header;

/// A site-wide cookie (`cookie_header`) as a `Set-Cookie` value.
pub fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    HeaderValue::from_str(&cookie_header(name, value, max_age, secure))
        .expect("cookie values are URL-safe")
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
