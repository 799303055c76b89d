//! `/parent/confirm/{token}`: the link in a parent's sign-up email. In a
//! browser the page finishes on its own (a POST, so a mail scanner that
//! merely fetches the link does not use it up), signs the parent in and
//! opens `/parent`; without scripts, "Finish creating account" does it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::ConfirmParentSignUp;
use crate::navigation::reload_at;
use crate::routes::PARENT;

#[component]
pub fn ParentConfirmPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let action = ServerAction::<ConfirmParentSignUp>::new();
    Effect::new({
        let token = token.clone();
        move |_| {
            action.dispatch(ConfirmParentSignUp {
                token: token.clone(),
            });
        }
    });
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            reload_at(PARENT);
        }
    });
    view! {
        <section class="page narrow">
            <h1>"Finish creating your parent account"</h1>
            {move || action.value().get().and_then(Result::err).map(|error| view! {
                <p class="error" role="alert">{error.to_string()}</p>
                <p><a class="button" href=crate::routes::PARENT_SIGNUP>"Sign up again"</a></p>
            })}
            <ActionForm action attr:class="form">
                <input type="hidden" name="token" value=token />
                <button type="submit" class="button primary" aria-busy=move || action.pending().get().to_string()>
                    "Finish creating account"
                </button>
            </ActionForm>
        </section>
    }
}
