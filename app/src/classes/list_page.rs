//! `/classes`: the classes this user may open.

use leptos::prelude::*;

use super::add_class_dialog::AddClassDialog;
use super::api::list_classes;
use crate::auth::permissions::Permission;
use crate::session::{use_signed_in_user, SignedIn};

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
    let classes = Resource::new(move || version.get(), |_| list_classes());
    let manages_roster = use_signed_in_user().can(Permission::ManageRoster);
    let adding = RwSignal::new(false);
    let added = RwSignal::new(None::<String>);
    view! {
        <section class="page">
            <h1>"Classes"</h1>
            {manages_roster.then(|| view! {
                <div class="table-tools">
                    <button type="button" class="button" on:click=move |_| { added.set(None); adding.set(true); }>
                        "Add class"
                    </button>
                    {move || added.get().map(|name| view! { <p class="notice" role="status">"Added " {name} "."</p> })}
                </div>
            })}
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
                            <p>"You have no classes yet. The school office can assign you to a class."</p>
                        }.into_any(),
                        Ok(classes) => view! {
                            <table class="classes">
                                <thead>
                                    <tr><th scope="col">"Class"</th><th scope="col">"Learners"</th><th scope="col">"Access codes"</th></tr>
                                </thead>
                                <tbody>
                                    {classes.into_iter().map(|class| view! {
                                        <tr>
                                            <th scope="row"><a href=format!("/classes/{}", class.id)>{class.name.clone()}</a></th>
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
