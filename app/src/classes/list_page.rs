//! `/classes`: the classes this user may open.

use leptos::prelude::*;

use super::api::list_classes;
use crate::session::SignedIn;

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
    let classes = Resource::new(|| (), |_| list_classes());
    view! {
        <section class="page">
            <h1>"Classes"</h1>
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
