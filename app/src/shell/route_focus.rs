//! Focus after the app's own navigation. A full page load starts reading
//! at the top, but the router only swaps `<main>`'s content: focus stayed
//! on the link that was pressed (or fell to `<body>` when that link went
//! away with the old page), so a screen reader said nothing about the new
//! page and the next Tab went on from the old one. After a navigation to
//! another path, the new page's heading takes focus (announcing it) as
//! soon as it is shown; a change of the query string alone (a filter)
//! leaves focus where it is.

use leptos::prelude::*;

/// Moves focus to the new page's `<h1>` after each navigation to another
/// path. Place it inside the `<Router>`.
#[component]
pub fn FocusOnNavigation() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let pathname = leptos_router::hooks::use_location().pathname;
        Effect::new(move |previous: Option<String>| {
            let path = pathname.get();
            if previous.is_some_and(|previous| previous != path) {
                browser::focus_new_heading();
            }
            path
        });
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// How long to wait for the new page's heading (a lazy page's code or
    /// its data may still be on the way), in animation frames: about 3 s.
    const FRAMES: u32 = 180;

    pub fn focus_new_heading() {
        let old_heading = heading();
        let started_on = document().active_element();
        request_animation_frame(move || attempt(old_heading, started_on, FRAMES));
    }

    fn heading() -> Option<web_sys::HtmlElement> {
        document()
            .query_selector("main h1")
            .ok()
            .flatten()
            .and_then(|h| h.dyn_into().ok())
    }

    fn attempt(
        old_heading: Option<web_sys::HtmlElement>,
        started_on: Option<web_sys::Element>,
        frames_left: u32,
    ) {
        // Someone moved focus meanwhile (a click, a Tab, the page itself
        // focusing a field): theirs wins.
        let now = document().active_element();
        let body: Option<web_sys::Element> = document().body().map(Into::into);
        if now != started_on && now != body {
            return;
        }
        match heading() {
            Some(new) if old_heading.as_ref() != Some(&new) || frames_left == 0 => {
                // Not a control: focusable by script only, never by Tab.
                let _ = new.set_attribute("tabindex", "-1");
                let _ = new.focus();
            }
            _ if frames_left == 0 => {}
            _ => request_animation_frame(move || attempt(old_heading, started_on, frames_left - 1)),
        }
    }
}
