//! `/`: a short welcome with the pages this user can open, and for a
//! teacher (who sees only the classes assigned to them) those classes, one
//! tap from the tablet's first page.

use leptos::prelude::*;

use super::nav::nav_items;
use super::title::PageTitle;
use crate::auth::permissions::Permission;
use crate::classes::api::list_classes;
use crate::classes::list_page::NO_CLASSES_YET;
use crate::page_data::page_data;
use crate::routes;
use crate::session::{use_signed_in_user, SignedIn};
use crate::words::counted;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <SignedIn>
            <Welcome />
        </SignedIn>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let user = use_signed_in_user();
    let tiles = nav_items(&user).into_iter().filter(|item| item.path != "/");
    // Staff who see every class (admins, lead teachers) find them under
    // "Classes"; a teacher's few classes are listed here too.
    let teacher = user.can(Permission::ClassDatabase) && !user.can(Permission::EveryClass);
    view! {
        <section class="page">
            <PageTitle text="Home" />
            <h1>"Welcome, " {user.display_name.clone()}</h1>
            <p class="lead">{user.school_name.clone()} " · " {user.role_label()}</p>
            // Under "Your classes", the pages get a heading of their own.
            {teacher.then(|| view! {
                <YourClasses />
                <h2 class="visually-hidden">"Pages"</h2>
            })}
            <ul class="tiles">
                {tiles
                    .map(|item| view! { <li><a class="tile" href=item.path>{item.label}</a></li> })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// The classes assigned to this teacher, each a link to its class page.
#[component]
fn YourClasses() -> impl IntoView {
    let classes = page_data(|| (), |_| list_classes());
    view! {
        <section aria-labelledby="your_classes">
            <h2 id="your_classes">"Your classes"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading classes…"</p> }>
                {move || Suspend::new(async move {
                    match classes.await {
                        Ok(classes) if classes.is_empty() => view! {
                            <p>{NO_CLASSES_YET}</p>
                        }.into_any(),
                        Ok(classes) => view! {
                            <ul class="tiles">
                                {classes.into_iter().map(|class| view! {
                                    <li>
                                        <a class="tile class-tile" href=routes::class_page(&class.id)>
                                            // Named "Year 3 Hazel 28 learners" whatever the
                                            // layout: the space is in the text, not the CSS.
                                            {class.name} " "
                                            <span class="tile-detail">
                                                {counted(usize::try_from(class.learner_count).unwrap_or(0), "learner", "learners")}
                                            </span>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
