//! Pages of DESIGN.md that a later release fills in. They hold no data,
//! and show only to the roles the page is for.

use leptos::prelude::*;

use crate::auth::permissions::Permission;
use crate::session::{use_signed_in_user, SignedIn};

#[component]
pub fn UpcomingPage(title: &'static str, permission: Option<Permission>) -> impl IntoView {
    view! {
        <SignedIn>
            <UpcomingBody title permission />
        </SignedIn>
    }
}

#[component]
fn UpcomingBody(title: &'static str, permission: Option<Permission>) -> impl IntoView {
    let user = use_signed_in_user();
    let allowed = permission.is_none_or(|p| user.can(p));
    view! {
        <section class="page">
            <h1>{title}</h1>
            {if allowed {
                view! { <p>"This part of ClassKeys is on its way and is not available yet."</p> }.into_any()
            } else {
                view! { <p role="alert" class="error">"You do not have permission to open this page."</p> }.into_any()
            }}
        </section>
    }
}
