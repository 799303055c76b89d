//! The class page's learner dialogs: "Add learner" (with a username
//! suggestion checked as you type, and the new password and parent access
//! code shown at once), "Edit learner" and "Remove from class".

use leptos::prelude::*;

use super::roster_api::{
    add_learner, load_learner_profile, remove_from_class, save_learner, suggest_username,
};
use super::{AddedLearner, LearnerChanges, LearnerProfile};
use crate::classes::LearnerRow;
use crate::error::AppError;
use crate::page_data::page_data;
use crate::shell::fields::{
    field_error, focus_first_invalid, form_error, CheckboxList, TextInput, Typing,
};
use crate::shell::modal::{FocusWhenLoaded, Modal};

/// The username rule as the user types; the server checks it again.
fn typed_username_error(username: RwSignal<String>) -> Signal<Option<String>> {
    Signal::derive(move || {
        username.with(|typed| {
            (!typed.trim().is_empty())
                .then(|| crate::usernames::username(typed).err().map(str::to_string))
                .flatten()
        })
    })
}

const LEARNER_FIELDS: &[&str] = &["first_name", "last_name", "username", "classes"];

#[component]
pub fn AddLearnerDialog(
    class_id: String,
    on_close: Callback<()>,
    on_added: Callback<AddedLearner>,
) -> impl IntoView {
    let class_id = StoredValue::new(class_id);
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    // Until the user types a username of their own, it follows the names.
    let username_typed = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let added = RwSignal::new(None::<AddedLearner>);
    let (first_typed, last_typed) = (first, last);
    let suggest = Action::new(move |(first, last): &(String, String)| {
        let (first, last) = (first.clone(), last.clone());
        async move {
            if let Ok(suggestion) = suggest_username(first.clone(), last.clone()).await {
                let still_current = (first.as_str(), last.as_str())
                    == (
                        first_typed.get_untracked().as_str(),
                        last_typed.get_untracked().as_str(),
                    );
                if still_current && !username_typed.get_untracked() {
                    username.set(suggestion);
                }
            }
        }
    });
    // Names typed in quick succession ask for one suggestion.
    let typed_names = RwSignal::new(0u32);
    let names_changed = move || {
        if username_typed.get_untracked() {
            return;
        }
        typed_names.update(|n| *n += 1);
        let this = typed_names.get_untracked();
        set_timeout(
            move || {
                let names = (first.get_untracked(), last.get_untracked());
                if typed_names.get_untracked() == this
                    && !(names.0.trim().is_empty() && names.1.trim().is_empty())
                {
                    suggest.dispatch(names);
                }
            },
            std::time::Duration::from_millis(250),
        );
    };
    let form = NodeRef::<leptos::html::Form>::new();
    let create = Action::new(move |(first, last, username): &(String, String, String)| {
        let (first, last, username) = (first.clone(), last.clone(), username.clone());
        async move {
            match add_learner(class_id.get_value(), first, last, username).await {
                Ok(learner) => {
                    added.set(Some(learner.clone()));
                    on_added.run(learner);
                }
                Err(e) => {
                    error.set(Some(e));
                    focus_first_invalid(form);
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        create.dispatch((
            first.get_untracked(),
            last.get_untracked(),
            username.get_untracked(),
        ));
    };
    let username_error = Signal::derive(move || {
        typed_username_error(username)
            .get()
            .or_else(|| field_error(error.into(), "username").get())
    });
    view! {
        <Modal title="Add learner" on_close>
            {move || match added.get() {
                Some(learner) => view! { <AddedSummary learner on_close /> }.into_any(),
                None => view! {
                    <form class="form" novalidate node_ref=form on:submit=submit>
                        <div on:input=move |_| names_changed()>
                            <TextInput id="learner_first_name" label="First name" value=first maxlength=60 error=field_error(error.into(), "first_name") />
                            <TextInput id="learner_last_name" label="Last name" value=last maxlength=60 error=field_error(error.into(), "last_name") />
                        </div>
                        <div on:input=move |_| username_typed.set(true)>
                            <TextInput
                                id="learner_username"
                                label="Username"
                                value=username
                                maxlength=40
                                typing=Typing::Verbatim
                                hint="Made from the names and unique in the school; you can change it."
                                error=username_error
                            />
                        </div>
                        {move || form_error(error.into(), LEARNER_FIELDS).get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                        <div class="dialog-row">
                            <button type="submit" class="button primary" aria-busy=move || create.pending().get().to_string()>
                                "Add learner"
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </Modal>
    }
}

/// The new learner's sign-in details, shown once.
#[component]
fn AddedSummary(learner: AddedLearner, on_close: Callback<()>) -> impl IntoView {
    let AddedLearner { row, password } = learner;
    // The form, and the button that had focus, are gone: focus moves to
    // "Done", the way on once the details above it are handed over.
    let done = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(done) = done.get() {
            let _ = done.focus();
        }
    });
    view! {
        <p role="status">{format!("Added {}. Give them these details:", row.name())}</p>
        <dl class="details">
            <dt>"Username"</dt><dd class="code">{row.username.clone()}</dd>
            <dt>"Password"</dt><dd class="secret">{password}</dd>
            <dt>"Parent access code"</dt><dd class="code">{row.parent_access_code.clone()}</dd>
        </dl>
        <div class="dialog-row">
            <button type="button" class="button primary" node_ref=done on:click=move |_| on_close.run(())>"Done"</button>
        </div>
    }
}

#[component]
pub fn EditLearnerDialog(
    learner_id: String,
    on_close: Callback<()>,
    /// Called with the learner's name as saved.
    on_saved: Callback<String>,
) -> impl IntoView {
    let profile = page_data(move || learner_id.clone(), load_learner_profile);
    view! {
        <Modal title="Edit learner" on_close>
            <Suspense fallback=|| view! { <p class="loading">"Loading the learner…"</p> }>
                {move || Suspend::new(async move {
                    match profile.await {
                        Ok(profile) => view! { <EditLearnerForm profile on_saved /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Modal>
    }
}

#[component]
fn EditLearnerForm(profile: LearnerProfile, on_saved: Callback<String>) -> impl IntoView {
    let first = RwSignal::new(profile.first_name);
    let last = RwSignal::new(profile.last_name);
    let username = RwSignal::new(profile.username);
    let chosen = RwSignal::new(
        profile
            .classes
            .iter()
            .filter(|c| c.member)
            .map(|c| c.id.clone())
            .collect::<Vec<_>>(),
    );
    let options = profile
        .classes
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let (id, version) = (profile.id, profile.version);
    let error = RwSignal::new(None::<AppError>);
    let form = NodeRef::<leptos::html::Form>::new();
    let save = Action::new(move |changes: &LearnerChanges| {
        let changes = changes.clone();
        let name = [changes.first_name.trim(), changes.last_name.trim()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        async move {
            match save_learner(changes).await {
                Ok(()) => on_saved.run(name),
                Err(e) => {
                    error.set(Some(e));
                    focus_first_invalid(form);
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save.dispatch(LearnerChanges {
            id: id.clone(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            username: username.get_untracked(),
            class_ids: chosen.get_untracked(),
            version,
        });
    };
    let username_error = Signal::derive(move || {
        typed_username_error(username)
            .get()
            .or_else(|| field_error(error.into(), "username").get())
    });
    view! {
        <form class="form" novalidate node_ref=form on:submit=submit>
            <FocusWhenLoaded />
            <TextInput id="edit_first_name" label="First name" value=first maxlength=60 error=field_error(error.into(), "first_name") />
            <TextInput id="edit_last_name" label="Last name" value=last maxlength=60 error=field_error(error.into(), "last_name") />
            <TextInput id="edit_username" label="Username" value=username maxlength=40 typing=Typing::Verbatim error=username_error />
            <CheckboxList legend="Classes" id_prefix="learner-class" options chosen />
            {move || field_error(error.into(), "classes").get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            {move || form_error(error.into(), LEARNER_FIELDS).get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            <div class="dialog-row">
                <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string()>
                    "Save learner"
                </button>
            </div>
        </form>
    }
}

/// "Remove from class", confirmed.
#[component]
pub fn RemoveFromClassDialog(
    class_id: String,
    class_name: String,
    learner: LearnerRow,
    on_close: Callback<()>,
    on_removed: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let learner_id = StoredValue::new(learner.id.clone());
    let class_id = StoredValue::new(class_id);
    let remove = Action::new(move |()| async move {
        match remove_from_class(class_id.get_value(), learner_id.get_value()).await {
            Ok(()) => on_removed.run(learner_id.get_value()),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    view! {
        <Modal title="Remove from class" on_close>
            <p>
                {format!("Remove {} from {class_name}? They keep their account, password and any other classes.", learner.name())}
            </p>
            {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            <div class="dialog-row">
                <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Keep in class"</button>
                <button type="button" class="button warn" aria-busy=move || remove.pending().get().to_string() on:click=move |_| { remove.dispatch(()); }>
                    "Remove from class"
                </button>
            </div>
        </Modal>
    }
}
