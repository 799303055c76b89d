//! A modal dialog: labelled by its title, keeps keyboard focus inside,
//! closes with Escape, and gives focus back to what opened it.

use leptos::html;
use leptos::prelude::*;

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select, textarea, a[href], [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Modal(
    /// The dialog's heading and accessible name.
    #[prop(into)]
    title: String,
    /// Called on Escape, on the close button and on a click outside.
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Div>::new();
    let title_id = format!(
        "dialog-{}",
        title
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "-")
    );

    #[cfg(feature = "hydrate")]
    {
        let opener = document().active_element();
        Effect::new(move |_| {
            if let Some(dialog) = dialog.get() {
                focus_nth(&dialog, 0);
            }
        });
        let opener = send_wrapper::SendWrapper::new(opener);
        on_cleanup(move || {
            use wasm_bindgen::JsCast;
            if let Some(element) = opener
                .take()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        });
    }

    let labelled_by = title_id.clone();
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        } else if ev.key() == "Tab" {
            #[cfg(feature = "hydrate")]
            if let Some(dialog) = dialog.get() {
                trap_tab(&dialog, &ev);
            }
        }
    };

    view! {
        <div class="modal-backdrop" on:click=move |_| on_close.run(())>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                node_ref=dialog
                on:keydown=on_keydown
                on:click=|ev| ev.stop_propagation()
            >
                <div class="modal-head">
                    <h2 id=title_id.clone()>{title}</h2>
                    <button type="button" class="button secondary close" on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
                </div>
                {children()}
            </div>
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn focusables(dialog: &web_sys::HtmlDivElement) -> Vec<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Focuses the first control after the close button (or the close button).
#[cfg(feature = "hydrate")]
fn focus_nth(dialog: &web_sys::HtmlDivElement, _: usize) {
    let elements = focusables(dialog);
    if let Some(element) = elements.get(1).or(elements.first()) {
        let _ = element.focus();
    }
}

/// Tab from the last control goes to the first, Shift+Tab from the first
/// to the last: focus never leaves the dialog.
#[cfg(feature = "hydrate")]
fn trap_tab(dialog: &web_sys::HtmlDivElement, ev: &web_sys::KeyboardEvent) {
    let elements = focusables(dialog);
    let (Some(first), Some(last)) = (elements.first(), elements.last()) else {
        return;
    };
    let active = document().active_element();
    let is = |element: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == element.as_ref() as &web_sys::Element)
    };
    if ev.shift_key() && is(first) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && is(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

#[cfg(not(feature = "hydrate"))]
#[allow(dead_code)]
const _: &str = FOCUSABLE;
