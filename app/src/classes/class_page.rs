//! `/classes/{id}`: a class's learners, one-learner resets and the
//! whole-class reset; for roster managers also adding, editing and
//! removing learners, renaming, assigning teachers and archiving.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::load_class;
use super::class_actions::{
    ArchiveClassDialog, AssignTeachersDialog, RenameClassDialog, RestoreClassButton,
};
use super::class_reset_dialog::ClassResetDialog;
use super::learner_table::LearnerTable;
use super::{ClassDetail, LearnerRow};
use crate::auth::permissions::Permission;
use crate::badges::api::{create_badges, void_badge, void_class_badges};
use crate::error::AppError;
use crate::learners::reset_dialog::ResetPasswordDialog;
use crate::learners::roster_dialogs::{AddLearnerDialog, EditLearnerDialog, RemoveFromClassDialog};
use crate::page_data::page_data;
use crate::session::{use_signed_in_user, SignedIn};
use crate::shell::modal::PageNotice;
use crate::shell::not_found::NotFound;
use crate::shell::paging::WHOLE_CLASS_UP_TO;
use crate::shell::title::PageTitle;

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
    let detail = page_data(class_id, load_class);
    let reload = Callback::new(move |()| detail.refetch());
    // Above the loaded view, so a message about a change that reloads the
    // class ("Saved …") outlives the reload; another class starts without.
    let notice = RwSignal::new(None::<String>);
    Effect::watch(class_id, move |_, _, _| notice.set(None), false);
    // Rendered whole before it is sent (`SsrMode::Async` in `lib.rs`): one
    // write instead of a streamed shell and a swapped-in template, and a
    // class the user cannot see answers 404 with the not-found page.
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the class…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! {
                        <section class="page"><ClassView detail reload notice /></section>
                    }.into_any(),
                    Err(AppError::NotFound | AppError::Forbidden) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! {
                        <section class="page">
                            <PageTitle text="Class" />
                            <h1>"Class"</h1>
                            <p class="error" role="alert">{error.to_string()}</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Which dialog of the page is open.
#[derive(Clone)]
enum Dialog {
    ResetLearner(LearnerRow),
    ResetClass,
    AddLearner,
    EditLearner(String),
    RemoveLearner(LearnerRow),
    Rename,
    AssignTeachers,
    Archive,
}

#[component]
fn ClassView(
    detail: ClassDetail,
    reload: Callback<()>,
    /// What the page's last action did, shown at its top.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let ClassDetail {
        class,
        school_code,
        passwords_visible,
        badges_enabled,
        learners,
    } = detail;
    let manages_roster = use_signed_in_user().can(Permission::ManageRoster);
    let learners = RwSignal::new(learners);
    let name = RwSignal::new(class.name.clone());
    let archived = RwSignal::new(class.archived);
    let dialog = RwSignal::new(None::<Dialog>);
    let close = Callback::new(move |()| dialog.set(None));
    let open = move |which: Dialog| {
        notice.set(None);
        dialog.set(Some(which));
    };
    let on_reset = Callback::new(move |learner: LearnerRow| open(Dialog::ResetLearner(learner)));
    let updated = Callback::new(move |changed: LearnerRow| {
        learners.update(|all| {
            if let Some(row) = all.iter_mut().find(|row| row.id == changed.id) {
                *row = changed;
            }
        })
    });
    let roster_row_actions = manages_roster.then(|| {
        (
            Callback::new(move |learner: LearnerRow| open(Dialog::EditLearner(learner.id))),
            Callback::new(move |learner: LearnerRow| open(Dialog::RemoveLearner(learner))),
        )
    });
    let create_badges_now = {
        let class_id = class.id.clone();
        move |()| {
            let class_id = class_id.clone();
            notice.set(None);
            leptos::task::spawn_local(async move {
                let result = create_badges(class_id).await;
                if result.is_ok() {
                    learners.update(|all| all.iter_mut().for_each(|row| row.has_badge = true));
                }
                notice.set(Some(match result {
                    Ok(0) => "Every learner in this class already has a badge.".to_string(),
                    Ok(1) => "Created 1 badge. Print it from Login cards.".to_string(),
                    Ok(n) => format!("Created {n} badges. Print them from Login cards."),
                    Err(e) => e.to_string(),
                }));
            });
        }
    };
    let void_all_now = {
        let class_id = class.id.clone();
        move |()| {
            let class_id = class_id.clone();
            notice.set(None);
            leptos::task::spawn_local(async move {
                let result = void_class_badges(class_id).await;
                if result.is_ok() {
                    learners.update(|all| all.iter_mut().for_each(|row| row.has_badge = false));
                }
                notice.set(Some(match result {
                    Ok(1) => "Voided 1 badge: it no longer signs in.".to_string(),
                    Ok(n) => format!("Voided {n} badges: they no longer sign in."),
                    Err(e) => e.to_string(),
                }));
            });
        }
    };
    let on_void_badge = badges_enabled.then(|| {
        Callback::new(move |learner: LearnerRow| {
            notice.set(None);
            leptos::task::spawn_local(async move {
                match void_badge(learner.id.clone()).await {
                    Ok(()) => {
                        learners.update(|all| {
                            if let Some(row) = all.iter_mut().find(|row| row.id == learner.id) {
                                row.has_badge = false;
                            }
                        });
                        notice.set(Some(format!(
                            "Voided {}'s badge: it no longer signs in.",
                            learner.name()
                        )));
                    }
                    Err(e) => notice.set(Some(e.to_string())),
                }
            });
        })
    });
    let class_for_dialog = StoredValue::new(class.clone());
    let class_id = StoredValue::new(class.id.clone());
    let school_code = StoredValue::new(school_code);

    view! {
        <div class="page-head">
            <PageTitle text=name />
            <h1>{move || name.get()}</h1>
            <div class="page-actions">
                <button type="button" class="button primary" on:click=move |_| open(Dialog::ResetClass)>
                    "Reset class passwords"
                </button>
                <a class="button" href=format!("/classes/{}/accounts", class.id)>"Access codes"</a>
                <a class="button" href=format!("/classes/{}/cards", class.id)>"Login cards"</a>
            </div>
        </div>
        {badges_enabled.then(|| view! {
            <div class="table-tools badge-actions">
                <button type="button" class="button" on:click=move |_| create_badges_now(())>"Create badges"</button>
                <button type="button" class="button secondary warn" on:click=move |_| void_all_now(())>"Void all badges"</button>
            </div>
        })}
        {manages_roster.then(|| view! {
            <div class="table-tools roster-actions">
                <button type="button" class="button" on:click=move |_| open(Dialog::AddLearner)>"Add learner"</button>
                <button type="button" class="button secondary" on:click=move |_| open(Dialog::Rename)>"Rename class"</button>
                <button type="button" class="button secondary" on:click=move |_| open(Dialog::AssignTeachers)>"Assign teachers"</button>
                <Show when=move || !archived.get()>
                    <button type="button" class="button secondary warn" on:click=move |_| open(Dialog::Archive)>"Archive class"</button>
                </Show>
            </div>
        })}
        <Show when=move || archived.get()>
            <div class="notice" role="status">
                <p>"This class is archived: it is not in the class lists. Its learners keep their accounts."</p>
                {manages_roster.then(|| view! {
                    <RestoreClassButton
                        class_id=class_id.get_value()
                        on_restored=Callback::new(move |()| {
                            archived.set(false);
                            notice.set(Some(format!("Restored {}.", name.get_untracked())));
                        })
                    />
                })}
            </div>
        </Show>
        {move || notice.get().map(|text| view! { <PageNotice text /> })}
        <LearnerTable
            learners
            filter_label="Filter learners"
            on_reset
            on_edit=roster_row_actions.map(|(edit, _)| edit)
            on_remove=roster_row_actions.map(|(_, remove)| remove)
            on_void_badge
            whole_up_to=WHOLE_CLASS_UP_TO
        />
        {move || dialog.get().map(|which| match which {
            Dialog::ResetLearner(learner) => view! {
                <ResetPasswordDialog learner passwords_visible on_close=close on_reset=updated />
            }.into_any(),
            Dialog::ResetClass => view! {
                <ClassResetDialog
                    class=class_for_dialog.get_value()
                    school_code=school_code.get_value()
                    passwords_visible
                    learners
                    on_close=close
                />
            }.into_any(),
            Dialog::AddLearner => view! {
                <AddLearnerDialog
                    class_id=class_id.get_value()
                    on_close=close
                    on_added=Callback::new(move |added: crate::learners::AddedLearner| {
                        learners.update(|all| all.push(added.row));
                    })
                />
            }.into_any(),
            Dialog::EditLearner(learner_id) => view! {
                <EditLearnerDialog
                    learner_id
                    on_close=close
                    on_saved=Callback::new(move |saved: String| {
                        dialog.set(None);
                        notice.set(Some(format!("Saved {saved}.")));
                        reload.run(());
                    })
                />
            }.into_any(),
            Dialog::RemoveLearner(learner) => {
                let removed_name = learner.name();
                view! {
                    <RemoveFromClassDialog
                        class_id=class_id.get_value()
                        class_name=name.get_untracked()
                        learner
                        on_close=close
                        on_removed=Callback::new(move |id: String| {
                            learners.update(|all| all.retain(|row| row.id != id));
                            dialog.set(None);
                            notice.set(Some(format!("Removed {removed_name} from {}.", name.get_untracked())));
                        })
                    />
                }.into_any()
            }
            Dialog::Rename => view! {
                <RenameClassDialog
                    class_id=class_id.get_value()
                    name=name.get_untracked()
                    on_close=close
                    on_renamed=Callback::new(move |saved: String| {
                        name.set(saved.clone());
                        dialog.set(None);
                        notice.set(Some(format!("Renamed the class to {saved}.")));
                    })
                />
            }.into_any(),
            Dialog::AssignTeachers => view! {
                <AssignTeachersDialog
                    class_id=class_id.get_value()
                    on_close=close
                    on_saved=Callback::new(move |()| {
                        dialog.set(None);
                        notice.set(Some("Saved the class's teachers.".to_string()));
                    })
                />
            }.into_any(),
            Dialog::Archive => view! {
                <ArchiveClassDialog
                    class_id=class_id.get_value()
                    name=name.get_untracked()
                    on_close=close
                    on_archived=Callback::new(move |()| {
                        archived.set(true);
                        dialog.set(None);
                        notice.set(Some(format!("Archived {}.", name.get_untracked())));
                    })
                />
            }.into_any(),
        })}
    }
}
