//! A modal dialog on the platform's `<dialog>`: `showModal()` puts it in
//! the top layer and makes the rest of the page inert (no pointer, no
//! focus, hidden from screen readers) until it closes. On top of that it
//! is labelled by its title, closes with Escape (and any other close
//! request, such as a tablet's back gesture), on its close button and on a
//! tap outside, wraps Tab from its last control to its first (the browser
//! alone would let focus leave for its own toolbar), and gives focus back
//! to what opened it (or, if the page redrew that meanwhile, to the
//! element that now has its id).

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
    let dialog = NodeRef::<html::Dialog>::new();
    provide_context(OpenDialog(dialog));
    let title_id = format!(
        "dialog-{}",
        title
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "-")
    );

    #[cfg(feature = "hydrate")]
    {
        let opener = send_wrapper::SendWrapper::new(document().active_element());
        Effect::new(move |_| {
            let Some(element) = dialog.get() else {
                return;
            };
            // Rendered `open` (visible before the page is interactive):
            // reopen it as a modal.
            if element.open() {
                element.close();
            }
            let _ = element.show_modal();
            focus_first_control(&element);
            // Escape and other close requests (a tablet's back gesture):
            // the page decides, by removing the dialog.
            use leptos::tachys::html::element::ElementExt;
            let listener = element.on(
                leptos::ev::Custom::new("cancel"),
                move |ev: web_sys::Event| {
                    ev.prevent_default();
                    on_close.run(());
                },
            );
            let element = send_wrapper::SendWrapper::new(element);
            let opener = opener.clone();
            on_cleanup(move || {
                drop(listener);
                // Out of the top layer first: while it is modal, the page
                // (and so the opener) cannot take focus.
                element.close();
                use wasm_bindgen::JsCast;
                let opener = opener.as_ref().and_then(|opener| {
                    if opener.is_connected() || opener.id().is_empty() {
                        Some(opener.clone())
                    } else {
                        document().get_element_by_id(&opener.id())
                    }
                });
                if let Some(opener) = opener
                    .as_ref()
                    .and_then(|e| e.dyn_ref::<web_sys::HtmlElement>())
                {
                    let _ = opener.focus();
                }
            });
        });
    }

    let labelled_by = title_id.clone();
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Tab" {
            #[cfg(feature = "hydrate")]
            if let Some(dialog) = dialog.get() {
                trap_tab(&dialog, &ev);
            }
        }
    };
    // A tap on the backdrop lands on the `<dialog>` itself; the content
    // fills it, so a tap inside lands on the content.
    let on_click = move |ev: web_sys::MouseEvent| {
        if ev.target() == ev.current_target() {
            on_close.run(());
        }
    };

    view! {
        <dialog
            class="modal"
            open
            aria-labelledby=labelled_by
            node_ref=dialog
            on:keydown=on_keydown
            on:click=on_click
        >
            <div class="modal-body">
                <div class="modal-head">
                    <h2 id=title_id.clone()>{title}</h2>
                    <button type="button" class="button secondary close" on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
                </div>
                {children()}
            </div>
        </dialog>
    }
}

/// The `<dialog>` element of the [`Modal`] a component is rendered in.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct OpenDialog(NodeRef<html::Dialog>);

/// Put inside a dialog's content that loads after the dialog opened (a
/// form waiting for its data): as the content appears, its first control
/// takes focus, as it would have had the content been there at once. Only
/// while focus is still where opening put it (the close button, the one
/// control then): a user who has moved on is not pulled back.
#[component]
pub fn FocusWhenLoaded() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    focus_first_control_once_in_page();
}

/// [`FocusWhenLoaded`]'s work, in the browser.
#[cfg(feature = "hydrate")]
fn focus_first_control_once_in_page() {
    let Some(dialog) = use_context::<OpenDialog>().and_then(|open| open.0.get_untracked()) else {
        return;
    };
    // On the next frame: this runs as the content is built, before it is
    // in the page, and focus cannot go to a control not there yet.
    request_animation_frame(move || focus_unless_moved(&dialog));
}

/// Focuses the dialog's first control unless focus has moved on from where
/// opening the dialog put it.
#[cfg(feature = "hydrate")]
fn focus_unless_moved(dialog: &web_sys::HtmlDialogElement) {
    let elements = focusables(dialog);
    let untouched = super::fields::focus_is_lost()
        || document().active_element().is_some_and(|active| {
            elements
                .first()
                .is_some_and(|close| &active == close.as_ref() as &web_sys::Element)
        });
    if untouched {
        focus_first_control(dialog);
    }
}

/// What a dialog's (or a page's) form turned into once it was sent ("Added …", "Done. The
/// new password is …"), given focus as it appears: the form, with the
/// button that had focus, is gone, and focus would otherwise fall out of
/// the dialog, leaving a keyboard or screen-reader user nowhere.
#[component]
pub fn DialogOutcome(children: Children) -> impl IntoView {
    let line = NodeRef::<html::P>::new();
    Effect::new(move |_| {
        if let Some(line) = line.get() {
            let _ = line.focus();
        }
    });
    view! {
        <p class="notice" role="status" tabindex="-1" node_ref=line>
            {children()}
        </p>
    }
}

/// A page's message after an action whose button went away with it
/// ("Archived …", "Restored …"): it takes focus if focus was lost to the
/// page's body, so a keyboard or screen-reader user is not left nowhere;
/// otherwise focus stays where it is.
#[component]
pub fn PageNotice(text: String) -> impl IntoView {
    let line = NodeRef::<html::P>::new();
    Effect::new(move |_| {
        if let Some(line) = line.get() {
            if super::fields::focus_is_lost() {
                let _ = line.focus();
            }
        }
    });
    view! {
        <p class="notice" role="status" tabindex="-1" node_ref=line>
            {text}
        </p>
    }
}

#[cfg(feature = "hydrate")]
fn focusables(dialog: &web_sys::HtmlDialogElement) -> Vec<web_sys::HtmlElement> {
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
/// A group of radio buttons is entered at its chosen one, as Tab enters
/// it: focus on an unchosen one would read "not checked", and Space would
/// quietly change the choice.
#[cfg(feature = "hydrate")]
fn focus_first_control(dialog: &web_sys::HtmlDialogElement) {
    let elements = focusables(dialog);
    if let Some(element) = elements.get(1).or(elements.first()) {
        let chosen = chosen_radio_beside(dialog, element);
        let _ = chosen.as_ref().unwrap_or(element).focus();
    }
}

/// The checked radio button of `element`'s group, if `element` is an
/// unchecked radio button of a group that has one.
#[cfg(feature = "hydrate")]
fn chosen_radio_beside(
    dialog: &web_sys::HtmlDialogElement,
    element: &web_sys::HtmlElement,
) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let radio = element.dyn_ref::<web_sys::HtmlInputElement>()?;
    if radio.type_() != "radio" || radio.checked() || radio.name().is_empty() {
        return None;
    }
    let selector = format!("input[type=radio][name=\"{}\"]:checked", radio.name());
    dialog
        .query_selector(&selector)
        .ok()
        .flatten()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Tab from the last control goes to the first, Shift+Tab from the first
/// to the last: focus never leaves the dialog.
#[cfg(feature = "hydrate")]
fn trap_tab(dialog: &web_sys::HtmlDialogElement, ev: &web_sys::KeyboardEvent) {
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
