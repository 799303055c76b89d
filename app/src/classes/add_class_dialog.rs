//! "Add class" on `/classes`: "Class name", then "Create class".

use leptos::prelude::*;

use super::api::create_class;
use super::ClassSummary;
use crate::shell::fields::focus_next_frame;
use crate::shell::modal::Modal;

#[component]
pub fn AddClassDialog(on_close: Callback<()>, on_created: Callback<ClassSummary>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = Action::new(move |name: &String| {
        let name = name.clone();
        async move {
            match create_class(name).await {
                Ok(class) => on_created.run(class),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        create.dispatch(name.get_untracked());
    };
    // A refused name puts focus back in the field, which names the problem.
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if error.with(Option::is_some) {
            focus_next_frame(input);
        }
    });
    let described_by = move || {
        if error.with(Option::is_some) {
            "class_name_hint class_name_error"
        } else {
            "class_name_hint"
        }
    };
    view! {
        <Modal title="Add class" on_close>
            <form class="form" novalidate on:submit=submit>
                <div class="field">
                    <label for="class_name">"Class name"</label>
                    <input
                        node_ref=input
                        id="class_name"
                        type="text"
                        autocomplete="off"
                        maxlength="80"
                        aria-describedby=described_by
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    <p class="hint" id="class_name_hint">"Such as Year 3 Hazel. Each class of the school has its own name."</p>
                </div>
                {move || error.get().map(|text| view! { <p class="error" role="alert" id="class_name_error">{text}</p> })}
                <div class="dialog-row">
                    <button type="submit" class="button primary" aria-busy=move || create.pending().get().to_string()>
                        "Create class"
                    </button>
                </div>
            </form>
        </Modal>
    }
}
