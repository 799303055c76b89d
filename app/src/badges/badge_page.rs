//! `/badge` ("Scan badge"): a learner signs in with a QR badge. Opened from
//! the URL in the QR code, the page reads the token from the fragment
//! (which never reached the server), removes it from the address bar and
//! history, and posts it.

use leptos::prelude::*;

use super::api::badge_sign_in;
use super::camera::CameraScanner;
use crate::routes::HOME;
use crate::shell::title::PageTitle;

#[component]
pub fn BadgePage() -> impl IntoView {
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let signing_in = RwSignal::new(false);
    let sign_in = Action::new(move |token: &String| {
        let token = token.clone();
        async move {
            let result = badge_sign_in(token).await.map_err(|e| e.to_string());
            if result.is_ok() {
                // A whole new page: the header and session start afresh.
                #[cfg(feature = "hydrate")]
                if let Some(window) = web_sys::window() {
                    let _ = window.location().replace(HOME);
                }
            }
            signing_in.set(false);
            outcome.set(Some(result));
        }
    });
    // In the browser only: take the token out of the fragment at once.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(token) = take_fragment_token() {
            signing_in.set(true);
            sign_in.dispatch(token);
        }
    });
    let _ = HOME;
    view! {
        <section class="page narrow auth-page">
            <PageTitle text="Scan badge" />
            <h1>"Scan badge"</h1>
            {move || signing_in.get().then(|| view! { <p class="loading" role="status">"Signing in…"</p> })}
            {move || match outcome.get() {
                Some(Ok(())) => view! { <p class="notice" role="status">"Signed in."</p> }.into_any(),
                Some(Err(text)) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
                None => ().into_any(),
            }}
            <p>"Hold the QR code on your login card up to this tablet's camera, or open it with the tablet's camera app."</p>
            <CameraScanner on_token=Callback::new(move |token: String| {
                signing_in.set(true);
                sign_in.dispatch(token);
            }) />
            <p class="below-form"><a href="/login" rel="external">"Sign in with a username and password instead"</a></p>
        </section>
    }
}

/// The badge token in `location.hash`, removed from the address bar and
/// the history entry so nobody can take it from there later.
#[cfg(feature = "hydrate")]
fn take_fragment_token() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let token = super::token_in_fragment(&hash)?.to_string();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(super::BADGE_PATH),
        );
    }
    Some(token)
}
