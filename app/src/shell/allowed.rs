//! Pages only some roles may open: the page for them, and for everyone else
//! a refusal that says who it is for. The server refuses them too; this
//! only spares them a failed request.

use leptos::prelude::*;

use crate::auth::permissions::Permission;
use crate::session::use_signed_in_user;

/// Inside [`crate::session::SignedIn`]: `children` when the user holds
/// `permission`, else "You do not have permission to open this page."
#[component]
pub fn Allowed(
    permission: Permission,
    /// Who the page is for, e.g. "full admins and the school's owner".
    for_whom: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    if use_signed_in_user().can(permission) {
        children().into_any()
    } else {
        view! {
            <p class="error" role="alert">
                "You do not have permission to open this page. It is for " {for_whom} "."
            </p>
        }
        .into_any()
    }
}
