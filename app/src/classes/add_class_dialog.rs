//! "Add class" on `/classes`: "Class name", then "Create class".

use leptos::prelude::*;

use super::api::create_class;
use super::ClassSummary;
use crate::shell::fields::{focus_first_invalid, TextInput};
use crate::shell::modal::Modal;

#[component]
pub fn AddClassDialog(on_close: Callback<()>, on_created: Callback<ClassSummary>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let form = NodeRef::<leptos::html::Form>::new();
    let create = Action::new(move |name: &String| {
        let name = name.clone();
        async move {
            match create_class(name).await {
                Ok(class) => on_created.run(class),
                // A refused name puts focus back in the field, which names
                // the problem.
                Err(e) => {
                    error.set(Some(e.to_string()));
                    focus_first_invalid(form);
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        create.dispatch(name.get_untracked());
    };
    view! {
        <Modal title="Add class" on_close>
            <form class="form" novalidate on:submit=submit node_ref=form>
                <TextInput
                    id="class_name"
                    label="Class name"
                    value=name
                    maxlength=80
                    hint="Such as Year 3 Hazel. Each class of the school has its own name."
                    error=error
                />
                <div class="dialog-row">
                    <button type="submit" class="button primary" aria-busy=move || create.pending().get().to_string()>
                        "Create class"
                    </button>
                </div>
            </form>
        </Modal>
    }
}
