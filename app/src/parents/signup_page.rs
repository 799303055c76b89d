//! `/parent/signup`: "Parent access code", "Email", "Password", "Confirm
//! password", "Create account".

use leptos::prelude::*;

use super::api::ParentSignUp;
use crate::routes::LOGIN;
use crate::shell::title::PageTitle;

#[component]
pub fn ParentSignUpPage() -> impl IntoView {
    let action = ServerAction::<ParentSignUp>::new();
    let sent = move || action.value().get().and_then(Result::ok);
    view! {
        <section class="page narrow">
            <PageTitle text="Parent sign-up" />
            <h1>"Parent sign-up"</h1>
            <Show when=move || sent().is_none() fallback=move || view! {
                <p class="notice" role="status">{sent()}</p>
                <p>"Open the link in that email within 60 minutes to finish. Nothing arrived? Check the address and your spam folder, or sign up again."</p>
            }>
            <p>"Your child's school gives you a parent access code, such as K7Q-P2M-9XD. One code works for two parents or carers."</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="parent_access_code">"Parent access code"</label>
                    <input id="parent_access_code" name="parent_access_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required />
                </div>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="email" required />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="new-password" required />
                    <p class="hint">"At least 8 characters. Your child's school may ask for more, such as a digit; if it does, we say so when you create the account."</p>
                </div>
                <div class="field">
                    <label for="confirm_password">"Confirm password"</label>
                    <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required />
                </div>
                {move || action.value().get().and_then(Result::err).map(|error| view! {
                    <p class="error" role="alert">{error.to_string()}</p>
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
