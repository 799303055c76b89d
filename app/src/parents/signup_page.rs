//! `/parent/signup`: "Parent access code", "Email", "Password", "Confirm
//! password", "Create account".

use leptos::prelude::*;

use super::api::ParentSignUp;
use crate::routes::LOGIN;
use crate::shell::fields::{field_error, focus_first_invalid_when_refused, form_error, FormField};
use crate::shell::title::PageTitle;

#[component]
pub fn ParentSignUpPage() -> impl IntoView {
    let action = ServerAction::<ParentSignUp>::new();
    let sent = move || action.value().get().and_then(Result::ok);
    let refused = Signal::derive(move || action.value().get().and_then(Result::err));
    let form = NodeRef::<leptos::html::Form>::new();
    focus_first_invalid_when_refused(refused, form);
    view! {
        <section class="page narrow">
            <PageTitle text="Parent sign-up" />
            <h1>"Parent sign-up"</h1>
            <Show when=move || sent().is_none() fallback=move || view! {
                <p class="notice" role="status">{sent()}</p>
                <p>"Open the link in that email within 60 minutes to finish. Nothing arrived? Check the address and your spam folder, or sign up again."</p>
            }>
            <p>"Your child's school gives you a parent access code, such as K7Q-P2M-9XD. One code works for two parents or carers."</p>
            <ActionForm action node_ref=form attr:class="form" attr:novalidate=true>
                <FormField name="parent_access_code" label="Parent access code" autocomplete="off" autocapitalize="characters" error=field_error(refused, "code") />
                <FormField name="email" label="Email" kind="email" autocomplete="email" error=field_error(refused, "email") />
                <FormField
                    name="password"
                    label="Password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. Your child's school may ask for more, such as a digit; if it does, we say so when you create the account."
                    error=field_error(refused, "password")
                />
                <FormField name="confirm_password" label="Confirm password" kind="password" autocomplete="new-password" />
                {move || form_error(refused, &["code", "email", "password"]).get().map(|text| view! {
                    <p class="error" role="alert">{text}</p>
                })}
                <button type="submit" class="button primary" aria-busy=move || action.pending().get().to_string()>
                    "Create account"
                </button>
            </ActionForm>
            </Show>
            <p class="below-form">"Already signed up? " <a href=LOGIN rel="external">"Sign in"</a></p>
        </section>
    }
}
