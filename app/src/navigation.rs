//! Leaving a page after an action. Signing out and changing one's password
//! reload the whole page, so nothing of the old session stays in memory on
//! a shared tablet.

/// A full page load of `path` in the browser.
pub fn reload_at(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Sends a plain (script-less) form post on to `path` with a 302. A call
/// from the WebAssembly gets no redirect: it navigates by itself.
#[cfg(feature = "ssr")]
pub fn redirect_plain_form(path: &str) {
    let accepts_html = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(http::header::ACCEPT).cloned())
        .and_then(|accept| accept.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false);
    if accepts_html {
        leptos_axum::redirect(path);
    }
}
