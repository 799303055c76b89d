//! The header: product name, navigation for the role, and the user menu.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::nav::nav_items;
use crate::auth::SignedInUser;
use crate::session::use_session;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    view! {
        <header class="site-header">
            <a class="brand" href="/">"ClassKeys"</a>
            <Transition fallback=|| ()>
                {move || {
                    session
                        .user
                        .get()
                        .and_then(Result::ok)
                        .flatten()
                        .map(|user| view! { <SignedInBar user /> })
                }}
            </Transition>
        </header>
    }
}

#[component]
fn SignedInBar(user: SignedInUser) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let items = if user.must_change_password {
        vec![]
    } else {
        nav_items(&user)
    };
    let role = user.role_label();
    let menu = NodeRef::<leptos::html::Details>::new();
    view! {
        <nav class="main-nav" aria-label="Main">
            <ul>
                {items
                    .into_iter()
                    .map(|item| {
                        let current = move || {
                            location.pathname.with(|path| super::nav::current(item.path, path))
                        };
                        view! {
                            <li>
                                <a href=item.path aria-current=current>{item.label}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        // Closes on Escape (focus back on its button) and when focus moves
        // on to a control outside it (Tab), so the open panel never covers
        // the control that has focus. A tap on nothing focusable (or a
        // button on an iPad, which does not take focus) leaves it open, so
        // "Sign out" is never hidden under the finger pressing it.
        <details
            class="user-menu"
            node_ref=menu
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    if let Some(menu) = menu.get_untracked() {
                        if menu.open() {
                            menu.set_open(false);
                            if let Ok(Some(summary)) = menu.query_selector("summary") {
                                use wasm_bindgen::JsCast;
                                if let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>() {
                                    let _ = summary.focus();
                                }
                            }
                        }
                    }
                }
            }
            on:focusout=move |ev: leptos::ev::FocusEvent| {
                let Some(menu) = menu.get_untracked() else { return };
                let moved_to = ev.related_target().and_then(|target| {
                    use wasm_bindgen::JsCast;
                    target.dyn_into::<web_sys::Node>().ok()
                });
                if moved_to.is_some_and(|node| !menu.contains(Some(&node))) {
                    menu.set_open(false);
                }
            }
        >
            <summary>
                <span class="user-name">{user.display_name.clone()}</span>
                <span class="user-role">{role.clone()}</span>
            </summary>
            <div class="user-menu-panel">
                <p class="signed-in-as">
                    "Signed in as " <strong>{user.username.clone()}</strong> <br />
                    {role} " · " {user.school_name.clone()} " (" {user.school_code.clone()} ")"
                </p>
                <ActionForm action=session.sign_out>
                    <button type="submit" class="button secondary">"Sign out"</button>
                </ActionForm>
            </div>
        </details>
    }
}
