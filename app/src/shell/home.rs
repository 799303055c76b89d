//! `/`: a short welcome with the pages this user can open.

use leptos::prelude::*;

use super::nav::nav_items;
use super::title::PageTitle;
use crate::session::{use_signed_in_user, SignedIn};

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
    view! {
        <section class="page">
            <PageTitle text="Home" />
            <h1>"Welcome, " {user.display_name.clone()}</h1>
            <p class="lead">{user.school_name.clone()} " · " {user.role_label()}</p>
            <ul class="tiles">
                {tiles
                    .map(|item| view! { <li><a class="tile" href=item.path>{item.label}</a></li> })
                    .collect_view()}
            </ul>
        </section>
    }
}
