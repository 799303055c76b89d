//! `/parent/confirm/{token}`: the link in a parent's sign-up email. The
//! parent types the password they chose on the sign-up form, then "Finish
//! creating account" creates the account, signs them in and opens
//! `/parent`. Asking for the password again means a link that reached
//! someone who did not sign up (or a mail scanner) creates nothing.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::ConfirmParentSignUp;
use crate::navigation::reload_at;
use crate::routes::{PARENT, PARENT_SIGNUP};

#[component]
pub fn ParentConfirmPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let action = ServerAction::<ConfirmParentSignUp>::new();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            reload_at(PARENT);
        }
    });
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <section class="page narrow">
            <h1>"Finish creating your parent account"</h1>
            <p>"To finish, type the password you chose when you signed up."</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="token" value=token />
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                </div>
                {move || error().map(|error| view! {
                    <p class="error" role="alert">{error.to_string()}</p>
                })}
                <button type="submit" class="button primary" aria-busy=move || action.pending().get().to_string()>
                    "Finish creating account"
                </button>
            </ActionForm>
            {move || error().filter(|e| matches!(e, crate::error::AppError::Conflict(_))).map(|_| view! {
                <p><a class="button" href=PARENT_SIGNUP>"Sign up again"</a></p>
            })}
        </section>
    }
}
