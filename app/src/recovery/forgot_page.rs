//! `/forgot-password`: "Email" and "Send reset link". The answer is the
//! same whether or not an account uses the address.

use leptos::prelude::*;

use super::api::RequestPasswordReset;
use crate::routes::LOGIN;
use crate::shell::fields::{field_error, focus_first_invalid_when_refused, form_error, FormField};
use crate::shell::title::PageTitle;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let refused = Signal::derive(move || action.value().get().and_then(Result::err));
    let form = NodeRef::<leptos::html::Form>::new();
    focus_first_invalid_when_refused(refused, form);
    view! {
        <section class="page narrow">
            <PageTitle text="Forgot password?" />
            <h1>"Forgot password?"</h1>
            <p>"Staff and parents: enter the email address of your account and we will send you a link to choose a new password. Learners: ask your teacher."</p>
            <ActionForm action node_ref=form attr:class="form" attr:novalidate=true>
                <FormField name="email" label="Email" kind="email" autocomplete="email" error=field_error(refused, "email") />
                {move || match action.value().get() {
                    Some(Ok(answer)) => Some(view! { <p class="notice" role="status">{answer}</p> }.into_any()),
                    Some(Err(_)) => form_error(refused, &["email"]).get().map(|text| view! { <p class="error" role="alert">{text}</p> }.into_any()),
                    None => None,
                }}
                <button type="submit" class="button primary" aria-busy=move || action.pending().get().to_string()>
                    "Send reset link"
                </button>
            </ActionForm>
            <p class="below-form"><a href=LOGIN rel="external">"Back to sign in"</a></p>
        </section>
    }
}
