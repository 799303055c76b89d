//! Request and response hardening: cross-site POSTs refused, security
//! headers, caching rules, and server-function errors given honest statuses.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::AppError;

use crate::page_csp::PageNonce;

/// Refuses state-changing requests that a browser says came from another
/// site: `Sec-Fetch-Site` first, `Origin` when that is missing. Requests
/// with neither header are not from a browser page and cannot carry a
/// victim's cookies cross-site.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe_method = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe_method && is_cross_site(&request) {
        let body = serde_json::to_string(&AppError::CrossSite).unwrap_or_default();
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin.split("://").nth(1).unwrap_or_default();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin == "null" || origin_host != host
}

/// Refuses a request body over its limit with 413 before reading it, and
/// stops reading a body without a length at the limit. Roster uploads
/// ([`app::roster::UPLOAD_ENDPOINTS`]) may carry a whole file; every other
/// request is a small form.
pub async fn body_limit(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let upload = app::roster::UPLOAD_ENDPOINTS
        .iter()
        .any(|endpoint| path.strip_prefix("/api/") == Some(endpoint));
    let limit = if upload {
        crate::router::UPLOAD_BODY_LIMIT_BYTES
    } else {
        crate::router::BODY_LIMIT_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        let message = if upload {
            app::roster::parse::too_big_message()
        } else {
            "This request is too large.".to_string()
        };
        let body = serde_json::to_vec(&AppError::invalid("file", message)).unwrap_or_default();
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let limited = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, limited)).await
}

/// Server functions answer errors with 500 by default; give each error its
/// own status (401, 403, 404, 409, 422, 423, 429) so only real failures are 500s.
pub async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Headers for every response. An HTML page gets the CSP of its own nonce,
/// made here and rendered into the page from the request's extensions
/// ([`crate::page_csp`]); everything else gets a CSP that allows nothing.
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let hashed_asset = request.uri().path().starts_with("/pkg/");
    let nonce = (!hashed_asset).then(|| {
        let nonce = PageNonce::new();
        request.extensions_mut().insert(nonce.clone());
        nonce
    });
    // Only "Scan badge" may use the camera (this site's own, never a frame's).
    let camera = if request.uri().path() == app::badges::BADGE_PATH {
        "camera=(self), microphone=(), geolocation=()"
    } else {
        "camera=(), microphone=(), geolocation=()"
    };
    let mut response = next.run(request).await;
    let cacheable = hashed_asset && response.status().is_success();
    let headers = response.headers_mut();
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if let (true, Some(nonce)) = (html, nonce) {
        headers.insert(header::CONTENT_SECURITY_POLICY, nonce.policy());
    }
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    );
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        header::HeaderName::from_static("permissions-policy"),
        camera,
    );
    // File names under /pkg/ carry a content hash: cache them for a year.
    // Everything else may hold personal data: never store it.
    if cacheable {
        set(header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    } else {
        set(header::CACHE_CONTROL, "no-store");
    }
    response
}

/// Adds HSTS when the public URL is https.
pub async fn strict_transport(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::STRICT_TRANSPORT_SECURITY)
        .or_insert(HeaderValue::from_static("max-age=31536000"));
    response
}
