//! The class page's roster actions: "Rename class", "Assign teachers" and
//! "Archive class" (with "Restore class" for an archived one).

use leptos::prelude::*;

use super::api::{assign_class_teachers, class_teachers, rename_class, set_class_archived};
use crate::page_data::page_data;
use crate::shell::fields::{focus_first_invalid, CheckboxList, TextInput};
use crate::shell::modal::{FocusWhenLoaded, Modal};

/// "Rename class": the new name, checked on the server (unique in the school).
#[component]
pub fn RenameClassDialog(
    class_id: String,
    name: String,
    on_close: Callback<()>,
    on_renamed: Callback<String>,
) -> impl IntoView {
    let value = RwSignal::new(name);
    let error = RwSignal::new(None::<String>);
    let form = NodeRef::<leptos::html::Form>::new();
    let class_id = StoredValue::new(class_id);
    let save = Action::new(move |name: &String| {
        let name = name.clone();
        async move {
            match rename_class(class_id.get_value(), name).await {
                Ok(saved) => on_renamed.run(saved),
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
        save.dispatch(value.get_untracked());
    };
    view! {
        <Modal title="Rename class" on_close>
            <form class="form" novalidate on:submit=submit node_ref=form>
                <TextInput id="rename_class_name" label="Class name" value maxlength=80 error=error />
                <div class="dialog-row">
                    <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string()>
                        "Save name"
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// "Assign teachers": the school's staff as checkboxes, ticked where
/// assigned; "Save teachers" replaces the class's teachers.
#[component]
pub fn AssignTeachersDialog(
    class_id: String,
    on_close: Callback<()>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let class_id = StoredValue::new(class_id);
    let staff = page_data(move || class_id.get_value(), class_teachers);
    let chosen = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let save = Action::new(move |ids: &Vec<String>| {
        let ids = ids.clone();
        async move {
            match assign_class_teachers(class_id.get_value(), ids).await {
                Ok(()) => on_saved.run(()),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save.dispatch(chosen.get_untracked());
    };
    view! {
        <Modal title="Assign teachers" on_close>
            <Suspense fallback=|| view! { <p class="loading">"Loading the school's staff…"</p> }>
                {move || Suspend::new(async move {
                    match staff.await {
                        Ok(staff) => {
                            chosen.set(staff.iter().filter(|s| s.assigned).map(|s| s.id.clone()).collect());
                            let options = staff
                                .into_iter()
                                .map(|s| (s.id, format!("{} ({})", s.name, s.username)))
                                .collect();
                            view! {
                                <form class="form" novalidate on:submit=submit>
                                    <FocusWhenLoaded />
                                    <CheckboxList legend="Teachers of this class" id_prefix="teacher" options chosen />
                                    {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                                    <div class="dialog-row">
                                        <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string()>
                                            "Save teachers"
                                        </button>
                                    </div>
                                </form>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Modal>
    }
}

/// "Archive class", confirmed: the class leaves the lists, its learners
/// keep their accounts.
#[component]
pub fn ArchiveClassDialog(
    class_id: String,
    name: String,
    on_close: Callback<()>,
    on_archived: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let class_id = StoredValue::new(class_id);
    let archive = Action::new(move |()| async move {
        match set_class_archived(class_id.get_value(), true).await {
            Ok(()) => on_archived.run(()),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    view! {
        <Modal title="Archive class" on_close>
            <p>
                {format!("Archive {name}? It leaves the class lists. Its learners keep their accounts \
                and passwords, and you can restore the class from “Show archived” on the Classes page.")}
            </p>
            {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            <div class="dialog-row">
                <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Keep class"</button>
                <button
                    type="button"
                    class="button warn"
                    aria-busy=move || archive.pending().get().to_string()
                    on:click=move |_| { archive.dispatch(()); }
                >
                    "Archive class"
                </button>
            </div>
        </Modal>
    }
}

/// "Restore class" for an archived class: a button that reports back.
#[component]
pub fn RestoreClassButton(class_id: String, on_restored: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let class_id = StoredValue::new(class_id);
    let restore = Action::new(move |()| async move {
        match set_class_archived(class_id.get_value(), false).await {
            Ok(()) => on_restored.run(()),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    view! {
        <button
            type="button"
            class="button small"
            aria-busy=move || restore.pending().get().to_string()
            on:click=move |_| { restore.dispatch(()); }
        >
            "Restore class"
        </button>
        {move || error.get().map(|text| view! { <p class="error small" role="alert">{text}</p> })}
    }
}
