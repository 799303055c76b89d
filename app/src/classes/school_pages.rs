//! Subscription management: `/school/learners` (the student database) and
//! `/school/accounts` (school-wide access codes), for lead teachers, full
//! admins and the owner.

use leptos::prelude::*;

use super::access_codes_page::AccessCodesPanel;
use super::api::school_learners;
use super::learner_table::LearnerTable;
use super::LearnerRow;
use crate::auth::permissions::Permission;
use crate::learners::reset_dialog::ResetPasswordDialog;
use crate::learners::roster_dialogs::EditLearnerDialog;
use crate::page_data::page_data;
use crate::session::{use_signed_in_user, SignedIn};
use crate::shell::allowed::Allowed;
use crate::shell::title::PageTitle;

/// Who the school-wide pages are for, in the refusal a teacher gets (the
/// server refuses them too).
const FOR_WHOM: &str = "lead teachers, full admins and the school's owner";

#[component]
pub fn StudentDatabasePage() -> impl IntoView {
    view! {
        <SignedIn>
            <StudentDatabase />
        </SignedIn>
    }
}

#[component]
fn StudentDatabase() -> impl IntoView {
    let allowed = use_signed_in_user().can(Permission::SchoolLearners);
    view! {
        <section class="page">
            <div class="page-head">
                <PageTitle text="Student database" />
                <h1>"Student database"</h1>
                {allowed.then(|| view! {
                    <div class="page-actions">
                        <a class="button" href=crate::routes::SCHOOL_ACCOUNTS>"Access codes"</a>
                        <a class="button" href=crate::routes::SCHOOL_CARDS>"Login cards"</a>
                    </div>
                })}
            </div>
            <Allowed permission=Permission::SchoolLearners for_whom=FOR_WHOM>
                <SchoolLearners />
            </Allowed>
        </section>
    }
}

#[component]
fn SchoolLearners() -> impl IntoView {
    let learners = page_data(|| (), |_| school_learners());
    // Above the table, so "Saved …" outlives the reload that follows it.
    let saved = RwSignal::new(None::<String>);
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading learners…"</p> }>
            {move || Suspend::new(async move {
                match learners.await {
                    Ok(rows) => view! {
                        <SchoolLearnerTable rows saved reload=Callback::new(move |()| learners.refetch()) />
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SchoolLearnerTable(
    rows: Vec<LearnerRow>,
    /// "Saved …" after an edit.
    saved: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let visible = rows
        .first()
        .is_none_or(|row| row.password != super::PasswordState::Hidden);
    let learners = RwSignal::new(rows);
    let resetting = RwSignal::new(None::<LearnerRow>);
    let editing = RwSignal::new(None::<String>);
    let updated = Callback::new(move |changed: LearnerRow| {
        learners.update(|all| {
            if let Some(row) = all.iter_mut().find(|row| row.id == changed.id) {
                *row = LearnerRow {
                    classes: row.classes.clone(),
                    ..changed
                };
            }
        })
    });
    view! {
        {move || saved.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <LearnerTable
            learners
            show_classes=true
            filter_label="Search"
            on_reset=Callback::new(move |learner| resetting.set(Some(learner)))
            on_edit=Some(Callback::new(move |learner: LearnerRow| {
                saved.set(None);
                editing.set(Some(learner.id));
            }))
        />
        {move || editing.get().map(|learner_id| view! {
            <EditLearnerDialog
                learner_id
                on_close=Callback::new(move |()| editing.set(None))
                on_saved=Callback::new(move |name: String| {
                    editing.set(None);
                    saved.set(Some(format!("Saved {name}.")));
                    reload.run(());
                })
            />
        })}
        {move || resetting.get().map(|learner| view! {
            <ResetPasswordDialog
                learner
                passwords_visible=visible
                on_close=Callback::new(move |()| resetting.set(None))
                on_reset=updated
            />
        })}
    }
}

#[component]
pub fn SchoolAccessCodesPage() -> impl IntoView {
    view! {
        <SignedIn>
            <SchoolAccessCodes />
        </SignedIn>
    }
}

#[component]
fn SchoolAccessCodes() -> impl IntoView {
    view! {
        <section class="page">
            <PageTitle text="Access codes for the whole school" />
            <h1>"Access codes for the whole school"</h1>
            <Allowed permission=Permission::SchoolLearners for_whom=FOR_WHOM>
                <AccessCodesPanel class_id=None />
            </Allowed>
        </section>
    }
}
