//! `/classes`: the classes this user may open.

use leptos::prelude::*;

use super::add_class_dialog::AddClassDialog;
use super::api::{archived_classes, list_classes};
use super::class_actions::RestoreClassButton;
use crate::auth::permissions::Permission;
use crate::page_data::page_data;
use crate::session::{use_signed_in_user, SignedIn};
use crate::shell::title::PageTitle;

/// What a teacher with no class assigned is told (here and on the home page).
pub(crate) const NO_CLASSES_YET: &str =
    "You have no classes yet. The school office can assign you to a class.";

#[component]
pub fn ClassesPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ClassList />
        </SignedIn>
    }
}

#[component]
fn ClassList() -> impl IntoView {
    // Bumped when a class is added, so the list loads again.
    let version = RwSignal::new(0u32);
    let classes = page_data(move || version.get(), |_| list_classes());
    let user = use_signed_in_user();
    let manages_roster = user.can(Permission::ManageRoster);
    let rollover = user.can(Permission::YearEndRollover);
    let adding = RwSignal::new(false);
    let added = RwSignal::new(None::<String>);
    let show_archived = RwSignal::new(false);
    view! {
        <section class="page">
            <PageTitle text="Classes" />
            <h1>"Classes"</h1>
            {manages_roster.then(|| view! {
                <div class="table-tools">
                    <button type="button" class="button" on:click=move |_| { added.set(None); adding.set(true); }>
                        "Add class"
                    </button>
                    <a class="button secondary" href=crate::routes::SCHOOL_IMPORT>"Import roster"</a>
                    {rollover.then(|| view! {
                        <a class="button secondary" href=crate::routes::SCHOOL_ROLLOVER>"Year-end rollover"</a>
                    })}
                    <div class="choice">
                        <input
                            id="show_archived"
                            type="checkbox"
                            prop:checked=move || show_archived.get()
                            on:change=move |ev| show_archived.set(event_target_checked(&ev))
                        />
                        <label for="show_archived">"Show archived"</label>
                    </div>
                    {move || added.get().map(|name| view! { <p class="notice" role="status">"Added " {name} "."</p> })}
                </div>
            })}
            <Show when=move || show_archived.get()>
                <ArchivedClasses on_restored=Callback::new(move |()| version.update(|v| *v += 1)) />
            </Show>
            <Show when=move || adding.get()>
                <AddClassDialog
                    on_close=Callback::new(move |()| adding.set(false))
                    on_created=Callback::new(move |class: super::ClassSummary| {
                        adding.set(false);
                        added.set(Some(class.name));
                        version.update(|v| *v += 1);
                    })
                />
            </Show>
            <Transition fallback=|| view! { <p class="loading">"Loading classes…"</p> }>
                {move || Suspend::new(async move {
                    match classes.await {
                        Ok(classes) if classes.is_empty() => view! {
                            <p>{NO_CLASSES_YET}</p>
                        }.into_any(),
                        Ok(classes) => view! {
                            <table class="classes">
                                <thead>
                                    <tr><th scope="col">"Class"</th><th scope="col">"Learners"</th><th scope="col">"Access codes"</th></tr>
                                </thead>
                                <tbody>
                                    {classes.into_iter().map(|class| view! {
                                        <tr>
                                            <th scope="row"><a href=crate::routes::class_page(&class.id)>{class.name.clone()}</a></th>
                                            <td>{class.learner_count}</td>
                                            <td><a href=format!("/classes/{}/accounts", class.id)>"Access codes"</a></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// "Show archived": the school's archived classes, each with "Restore class".
#[component]
fn ArchivedClasses(on_restored: Callback<()>) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let classes = page_data(move || version.get(), |_| archived_classes());
    view! {
        <h2>"Archived classes"</h2>
        <Transition fallback=|| view! { <p class="loading">"Loading archived classes…"</p> }>
            {move || Suspend::new(async move {
                match classes.await {
                    Ok(classes) if classes.is_empty() => view! { <p>"No class is archived."</p> }.into_any(),
                    Ok(classes) => view! {
                        <table class="classes archived">
                            <thead>
                                <tr><th scope="col">"Class"</th><th scope="col">"Learners"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                            </thead>
                            <tbody>
                                {classes.into_iter().map(|class| view! {
                                    <tr>
                                        <th scope="row"><a href=crate::routes::class_page(&class.id)>{class.name.clone()}</a></th>
                                        <td>{class.learner_count}</td>
                                        <td>
                                            <RestoreClassButton
                                                class_id=class.id.clone()
                                                on_restored=Callback::new(move |()| {
                                                    on_restored.run(());
                                                    // The list may be gone already (unticked meanwhile).
                                                    version.try_update(|v| *v += 1);
                                                })
                                            />
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <h2>"Current classes"</h2>
    }
}
