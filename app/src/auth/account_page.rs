//! `/account` (change own password) and `/account/new-password` (the forced
//! change after signing in with a password someone else set).

use leptos::prelude::*;

use super::password_form::NewPasswordFields;
use crate::session::{use_session, use_signed_in_user, SignedIn};
use crate::shell::fields::{field_error, focus_first_invalid_when_refused, form_error, FormField};
use crate::shell::title::PageTitle;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ChangePasswordForm />
        </SignedIn>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let session = use_session();
    let user = use_signed_in_user();
    let action = session.change_password;
    let refused = Signal::derive(move || action.value().get().and_then(Result::err));
    let form = NodeRef::<leptos::html::Form>::new();
    focus_first_invalid_when_refused(refused, form);
    view! {
        <section class="page narrow">
            <PageTitle text="My account" />
            <h1>"My account"</h1>
            <p class="lead">{user.display_name.clone()} " (" {user.username.clone()} ") · " {user.school_name.clone()}</p>
            <h2>"Change password"</h2>
            <p>"After the change you are signed out on every device, this one too, and sign in again with the new password."</p>
            <ActionForm action=session.change_password node_ref=form attr:class="form" attr:novalidate=true>
                <FormField name="current_password" label="Current password" kind="password" autocomplete="current-password" error=field_error(refused, "current_password") />
                <NewPasswordFields refused />
                {move || form_error(refused, PASSWORD_FIELDS).get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <button type="submit" class="button primary">"Change password"</button>
            </ActionForm>
        </section>
    }
}

/// The fields a password change's refusal can be about.
const PASSWORD_FIELDS: &[&str] = &["current_password", "new_password", "confirm_new_password"];

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ChooseNewPasswordForm />
        </SignedIn>
    }
}

#[component]
fn ChooseNewPasswordForm() -> impl IntoView {
    let session = use_session();
    let user = use_signed_in_user();
    let action = session.choose_new_password;
    let refused = Signal::derive(move || action.value().get().and_then(Result::err));
    let form = NodeRef::<leptos::html::Form>::new();
    focus_first_invalid_when_refused(refused, form);
    view! {
        <section class="page narrow">
            <PageTitle text="Choose a new password" />
            <h1>"Choose a new password"</h1>
            <p>
                "Hello " {user.display_name.clone()} ". Your password was set by someone else, so please choose your own before you continue."
            </p>
            <ActionForm action=session.choose_new_password node_ref=form attr:class="form" attr:novalidate=true>
                <NewPasswordFields refused />
                {move || form_error(refused, PASSWORD_FIELDS).get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <button type="submit" class="button primary">"Change password"</button>
            </ActionForm>
        </section>
    }
}
