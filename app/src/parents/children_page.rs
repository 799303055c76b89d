//! `/parent`: a parent's children (name, class, school) and "Add a child".

use leptos::prelude::*;

use super::api::{my_children, AddChild};
use crate::auth::Role;
use crate::page_data::page_data;
use crate::session::{use_signed_in_user, SignedIn};
use crate::shell::title::PageTitle;

#[component]
pub fn ChildrenPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ChildrenGate />
        </SignedIn>
    }
}

#[component]
fn ChildrenGate() -> impl IntoView {
    let is_parent = use_signed_in_user().role == Role::Parent;
    view! {
        <section class="page narrow">
            <PageTitle text="My children" />
            <h1>"My children"</h1>
            {if is_parent {
                view! { <Children /> }.into_any()
            } else {
                view! { <p class="error" role="alert">"This page is for parents."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Children() -> impl IntoView {
    let add = ServerAction::<AddChild>::new();
    let children = page_data(move || add.version().get(), |_| my_children());
    // A code that worked is cleared, ready for the next child's.
    let code_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            if let Some(input) = code_input.get() {
                input.set_value("");
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match children.await {
                    Ok(rows) if rows.is_empty() => view! { <p>"No children are linked to your account yet."</p> }.into_any(),
                    Ok(rows) => view! {
                        <table class="children">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Class"</th>
                                    <th scope="col">"School"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|child| view! {
                                    <tr>
                                        <th scope="row">{child.name}</th>
                                        <td>{child.classes.join(", ")}</td>
                                        <td>{child.school}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <h2>"Add a child"</h2>
        <ActionForm action=add attr:class="form" attr:novalidate=true>
            <div class="field">
                <label for="parent_access_code">"Parent access code"</label>
                <input id="parent_access_code" name="parent_access_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required node_ref=code_input />
            </div>
            {move || match add.value().get() {
                Some(Ok(added)) => view! { <p class="notice" role="status">{added.message()}</p> }.into_any(),
                Some(Err(error)) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
            <button type="submit" class="button primary" aria-busy=move || add.pending().get().to_string()>"Add a child"</button>
        </ActionForm>
    }
}
