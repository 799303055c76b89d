//! `/forgot-password`: "Email" and "Send reset link". The answer is the
//! same whether or not an account uses the address.

use leptos::prelude::*;

use super::api::RequestPasswordReset;
use crate::routes::LOGIN;
use crate::shell::title::PageTitle;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    view! {
        <section class="page narrow">
            <PageTitle text="Forgot password?" />
            <h1>"Forgot password?"</h1>
            <p>"Staff and parents: enter the email address of your account and we will send you a link to choose a new password. Learners: ask your teacher."</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="email" required />
                </div>
                {move || match action.value().get() {
                    Some(Ok(answer)) => view! { <p class="notice" role="status">{answer}</p> }.into_any(),
                    Some(Err(error)) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    None => ().into_any(),
                }}
                <button type="submit" class="button primary" aria-busy=move || action.pending().get().to_string()>
                    "Send reset link"
                </button>
            </ActionForm>
            <p class="below-form"><a href=LOGIN rel="external">"Back to sign in"</a></p>
        </section>
    }
}
