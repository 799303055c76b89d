//! The Content-Security-Policy of rendered pages. Each request gets its own
//! nonce here, before Leptos renders anything: the renderer takes it from
//! the request (so the hydration scripts carry it) and
//! [`crate::hardening::security_headers`] puts it in the page's header, so
//! the header never depends on what the renderer remembered to set.

use axum::http::request::Parts;
use axum::http::HeaderValue;
use leptos::nonce::Nonce;

/// `cargo leptos watch` reloads the page over a websocket. Read once, not
/// on every page.
static RELOAD_SOURCE: std::sync::LazyLock<&'static str> = std::sync::LazyLock::new(|| {
    if std::env::var_os("LEPTOS_WATCH").is_some() {
        " ws:"
    } else {
        ""
    }
});

/// The nonce made for this request, kept in its extensions.
#[derive(Clone, Debug)]
pub struct PageNonce(pub Nonce);

impl PageNonce {
    pub fn new() -> Self {
        Self(Nonce::new())
    }

    /// The page's CSP: scripts only from this site or with this nonce (the
    /// hydration bootstrap), and WebAssembly compilation.
    pub fn policy(&self) -> HeaderValue {
        let reload = *RELOAD_SOURCE;
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            self.0.as_inner()
        );
        HeaderValue::from_str(&policy).expect("a nonce is URL-safe base64")
    }
}

impl Default for PageNonce {
    fn default() -> Self {
        Self::new()
    }
}

/// Gives the renderer this request's nonce. Called in the Leptos context,
/// after leptos_axum has provided the request's parts and a nonce of its
/// own, which this one replaces. A request that did not pass through
/// `security_headers` keeps leptos_axum's nonce, which no header names, so
/// its scripts are refused rather than trusted.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(PageNonce(nonce)) =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<PageNonce>().cloned())
    {
        provide_context(nonce);
    }
}

#[cfg(test)]
mod tests {
    use super::PageNonce;

    #[test]
    fn each_nonce_is_new_and_named_in_its_policy() {
        let first = PageNonce::new();
        let second = PageNonce::new();
        assert_ne!(first.0, second.0);
        let policy = first.policy();
        let policy = policy.to_str().unwrap();
        assert!(policy.contains(&format!("'nonce-{}'", first.0.as_inner())));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("object-src 'none'"));
    }
}
