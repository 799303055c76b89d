//! Asking before leaving a page that shows something only once, such as the
//! new learners' passwords after an import: closing or reloading the tab
//! gets the browser's own question, and following a link (which the router
//! would otherwise follow at once, without a page load) gets `question`.

use leptos::prelude::*;

/// While `unsaved` is true, leaving this page asks first. Stops asking when
/// the calling component goes away.
pub fn warn_before_leaving(unsaved: Signal<bool>, question: &'static str) {
    #[cfg(feature = "hydrate")]
    browser::install(unsaved, question);
    #[cfg(not(feature = "hydrate"))]
    let _ = (unsaved, question);
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    pub fn install(unsaved: Signal<bool>, question: &'static str) {
        let before_unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if unsaved.try_get_untracked().unwrap_or(false) {
                ev.prevent_default();
            }
        });
        // In the capture phase on the document, so it runs before the
        // router's own click handler, which a refusal then never reaches.
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                if unsaved.try_get_untracked().unwrap_or(false)
                    && leaves_page(&ev)
                    && !window().confirm_with_message(question).unwrap_or(true)
                {
                    ev.prevent_default();
                    ev.stop_propagation();
                }
            });
        let _ = document().add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        let on_click = send_wrapper::SendWrapper::new(on_click);
        on_cleanup(move || {
            before_unload.remove();
            let _ = document().remove_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
            drop(on_click);
        });
    }

    /// A plain click on a link that would take this tab to another page
    /// (not a download, not a new tab or window).
    fn leaves_page(ev: &web_sys::MouseEvent) -> bool {
        if ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
            || ev.default_prevented()
        {
            return false;
        }
        let Some(link) = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
        else {
            return false;
        };
        let target = link.get_attribute("target").unwrap_or_default();
        !link.has_attribute("download") && (target.is_empty() || target == "_self")
    }
}
