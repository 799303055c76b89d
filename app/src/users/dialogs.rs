//! The `/users` dialogs that change one account: inactivate (after a
//! confirmation) and change its email.

use leptos::prelude::*;

use super::api::{change_account_email, set_account_active};
use super::UserRow;
use crate::error::AppError;
use crate::shell::fields::{field_error, focus_first_invalid, form_error, TextInput, Typing};
use crate::shell::modal::Modal;

#[component]
pub(super) fn InactivateDialog(
    row: UserRow,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(row.id.clone());
    let name = StoredValue::new(row.display_name.clone());
    let inactivate = Action::new(move |_: &()| async move {
        match set_account_active(id.get_value(), false).await {
            Ok(_) => on_done.run(format!(
                "{} is inactive and was signed out everywhere.",
                name.get_value()
            )),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    view! {
        <Modal title="Inactivate account" on_close>
            <p>
                <strong>{row.display_name.clone()}</strong> " (" {row.username.clone()} ", " {row.role_label.clone()} ") "
                "is signed out at once on every device and cannot sign in until the account is reactivated."
            </p>
            {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            // The safe choice first, so it has focus: Enter pressed twice
            // does not inactivate anyone.
            <div class="dialog-row">
                <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button warn" aria-busy=move || inactivate.pending().get().to_string() on:click=move |_| { inactivate.dispatch(()); }>
                    "Inactivate"
                </button>
            </div>
        </Modal>
    }
}

#[component]
pub(super) fn ChangeEmailDialog(
    row: UserRow,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let email = RwSignal::new(row.email.clone().unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let form = NodeRef::<leptos::html::Form>::new();
    let id = StoredValue::new(row.id.clone());
    let name = StoredValue::new(row.display_name.clone());
    let save = Action::new(move |address: &String| {
        let address = address.clone();
        async move {
            match change_account_email(id.get_value(), address).await {
                Ok(saved) => on_done.run(format!(
                    "{}'s email is now {}.",
                    name.get_value(),
                    saved.email.unwrap_or_default()
                )),
                Err(e) => {
                    error.set(Some(e));
                    focus_first_invalid(form);
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save.dispatch(email.get_untracked());
    };
    view! {
        <Modal title="Change email" on_close>
            <p>{row.display_name.clone()} " (" {row.username.clone()} ")"</p>
            <form class="form" novalidate on:submit=submit node_ref=form>
                <TextInput id="account_email" label="Email" value=email kind="email" typing=Typing::Verbatim error=field_error(error.into(), "email") />
                {move || form_error(error.into(), &["email"]).get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <div class="dialog-row">
                    <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string()>"Save"</button>
                </div>
            </form>
        </Modal>
    }
}
