//! `/classes/{id}`: a class's learners, one-learner resets and the
//! whole-class reset.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::load_class;
use super::class_reset_dialog::ClassResetDialog;
use super::learner_table::LearnerTable;
use super::{ClassDetail, LearnerRow};
use crate::learners::reset_dialog::ResetPasswordDialog;
use crate::session::SignedIn;

#[component]
pub fn ClassPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ClassLoader />
        </SignedIn>
    }
}

#[component]
fn ClassLoader() -> impl IntoView {
    let params = use_params_map();
    let class_id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(class_id, load_class);
    view! {
        <section class="page">
            <Transition fallback=|| view! { <p class="loading">"Loading the class…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => view! { <ClassView detail /> }.into_any(),
                        Err(error) => view! {
                            <h1>"Class"</h1>
                            <p class="error" role="alert">{error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ClassView(detail: ClassDetail) -> impl IntoView {
    let ClassDetail {
        class,
        school_code,
        passwords_visible,
        learners,
    } = detail;
    let learners = RwSignal::new(learners);
    let resetting = RwSignal::new(None::<LearnerRow>);
    let class_reset_open = RwSignal::new(false);
    let on_reset = Callback::new(move |learner: LearnerRow| resetting.set(Some(learner)));
    let updated = Callback::new(move |changed: LearnerRow| {
        learners.update(|all| {
            if let Some(row) = all.iter_mut().find(|row| row.id == changed.id) {
                *row = changed;
            }
        })
    });
    let class_for_dialog = StoredValue::new(class.clone());
    let school_code = StoredValue::new(school_code);

    view! {
        <div class="page-head">
            <h1>{class.name.clone()}</h1>
            <div class="page-actions">
                <button type="button" class="button primary" on:click=move |_| class_reset_open.set(true)>
                    "Reset class passwords"
                </button>
                <a class="button" href=format!("/classes/{}/accounts", class.id)>"Access codes"</a>
            </div>
        </div>
        <LearnerTable learners filter_label="Filter learners" on_reset />
        {move || resetting.get().map(|learner| view! {
            <ResetPasswordDialog
                learner
                passwords_visible
                on_close=Callback::new(move |()| resetting.set(None))
                on_reset=updated
            />
        })}
        {move || class_reset_open.get().then(|| view! {
            <ClassResetDialog
                class=class_for_dialog.get_value()
                school_code=school_code.get_value()
                passwords_visible
                learners
                on_close=Callback::new(move |()| class_reset_open.set(false))
            />
        })}
    }
}
