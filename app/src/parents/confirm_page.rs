//! `/parent/confirm/{token}`: the link in a parent's sign-up email. In the
//! browser that filled in the sign-up form the page finishes on its own (a
//! POST, so a scanner that merely fetches the link uses nothing up): the
//! account is created, signed in, and `/parent` opens. Anywhere else it
//! asks for the password chosen on the form first, so a link that reached
//! someone who did not sign up (or a mail scanner) creates nothing.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::ConfirmParentSignUp;
use crate::error::AppError;
use crate::navigation::reload_at;
use crate::routes::{PARENT, PARENT_SIGNUP};
use crate::shell::fields::{field_error, focus_first_invalid_when_refused, form_error, FormField};
use crate::shell::title::PageTitle;

#[component]
pub fn ParentConfirmPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let action = ServerAction::<ConfirmParentSignUp>::new();
    // First without a password: the browser that signed up needs none.
    Effect::new({
        let token = token.clone();
        move |_| {
            action.dispatch(ConfirmParentSignUp {
                token: token.clone(),
                password: String::new(),
            });
        }
    });
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            reload_at(PARENT);
        }
    });
    let token = StoredValue::new(token);
    let refused = Signal::derive(move || action.value().get().and_then(Result::err));
    let unusable = move || matches!(refused.get(), Some(AppError::Conflict(_)));
    // Asked for the password (or refused it): said under "Password", which
    // takes focus, so on a phone the keyboard is up and the words are read.
    let form = NodeRef::<leptos::html::Form>::new();
    focus_first_invalid_when_refused(refused, form);
    let not_about_the_password = form_error(refused, &["password"]);
    view! {
        <section class="page narrow">
            <PageTitle text="Finish creating your parent account" />
            <h1>"Finish creating your parent account"</h1>
            {move || not_about_the_password.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            <Show
                when=move || !unusable()
                fallback=|| view! { <p><a class="button" href=PARENT_SIGNUP>"Sign up again"</a></p> }
            >
                <ActionForm action node_ref=form attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="token" value=token.get_value() />
                    <FormField
                        name="password"
                        label="Password"
                        kind="password"
                        autocomplete="current-password"
                        hint="The password you chose when you signed up."
                        error=field_error(refused, "password")
                    />
                    <button type="submit" class="button primary" aria-busy=move || action.pending().get().to_string()>
                        "Finish creating account"
                    </button>
                </ActionForm>
            </Show>
        </section>
    }
}
