//! "Edit" on a staff row: details, permissions, classes, a write-only "New
//! password", and reset links by email or SMS.

use leptos::prelude::*;

use super::api::{save_staff_member, send_staff_reset_email, send_staff_reset_sms};
use super::fields::{StaffFieldValues, StaffFields};
use super::{ClassOption, SmsOffer, StaffChanges, StaffRow};
use crate::shell::fields::{described_by, focus_first_invalid, FieldError};
use crate::shell::modal::Modal;

/// What the form last reported: a confirmation or a problem.
#[derive(Clone, PartialEq)]
enum Outcome {
    Done(String),
    /// Saved with a new password: "Saved", and what that did.
    SavedPassword(&'static str),
    Failed(String),
}

#[component]
pub fn EditStaffDialog(
    row: StaffRow,
    classes: Vec<ClassOption>,
    sms: RwSignal<SmsOffer>,
    /// Editing one's own account (no password here, keep Full admin).
    own_account: bool,
    on_close: Callback<()>,
    on_saved: Callback<StaffRow>,
) -> impl IntoView {
    let values = StaffFieldValues::of(&row);
    let form = NodeRef::<leptos::html::Form>::new();
    // Write-only: starts empty every time and is never filled from the server.
    let new_password = RwSignal::new(String::new());
    let require_change = RwSignal::new(true);
    let outcome = RwSignal::new(None::<Outcome>);
    let id = StoredValue::new(row.id.clone());
    // The row as last saved: a new email or mobile offers its reset button.
    let saved_row = RwSignal::new(row.clone());
    let has_email = move || saved_row.with(|r| r.email.is_some());
    let has_mobile = move || saved_row.with(|r| r.mobile.is_some());

    let save = Action::new(move |changes: &StaffChanges| {
        let changes = changes.clone();
        let note = password_note(&changes);
        async move {
            match save_staff_member(changes).await {
                Ok(saved) => {
                    values.errors.set(Vec::new());
                    new_password.set(String::new());
                    outcome.set(Some(match note {
                        Some(note) => Outcome::SavedPassword(note),
                        None => Outcome::Done("Saved".into()),
                    }));
                    saved_row.set(saved.clone());
                    on_saved.run(saved);
                }
                // A field's problem shows under that field instead.
                Err(e) => {
                    outcome.set(values.show_error(&e).map(Outcome::Failed));
                    focus_first_invalid(form);
                }
            }
        }
    });
    let by_email = Action::new(move |_: &()| async move {
        outcome.set(Some(match send_staff_reset_email(id.get_value()).await {
            Ok(message) => Outcome::Done(message),
            Err(e) => Outcome::Failed(e.to_string()),
        }));
    });
    let by_sms = Action::new(move |_: &()| async move {
        outcome.set(Some(match send_staff_reset_sms(id.get_value()).await {
            Ok(left) => {
                sms.update(|offer| offer.credits = left);
                Outcome::Done(format!(
                    "Reset link sent by SMS. {left} SMS credit{} left.",
                    if left == 1 { "" } else { "s" }
                ))
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }));
    });
    // One request at a time: a double tap never sends two messages. The
    // buttons say so with `aria-disabled` and ignore presses meanwhile; a
    // `disabled` button would drop the focus it has to the page.
    let working =
        move || save.pending().get() || by_email.pending().get() || by_sms.pending().get();
    let working_now = move || {
        save.pending().get_untracked()
            || by_email.pending().get_untracked()
            || by_sms.pending().get_untracked()
    };
    let busy = move || working().to_string();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if working_now() {
            return;
        }
        outcome.set(None);
        save.dispatch(StaffChanges {
            id: id.get_value(),
            display_name: values.display_name.get_untracked(),
            email: values.email.get_untracked(),
            mobile: values.mobile.get_untracked(),
            full_admin: values.full_admin.get_untracked(),
            lead_teacher: values.lead_teacher.get_untracked(),
            class_ids: values.class_ids.get_untracked(),
            new_password: new_password.get_untracked(),
            require_new_password: require_change.get_untracked(),
            version: saved_row.with_untracked(|row| row.version),
        });
    };
    view! {
        <Modal title="Edit staff member" on_close>
            <p>{row.display_name.clone()} " (" {row.username.clone()} ")"</p>
            <form class="form" novalidate node_ref=form on:submit=submit>
                <StaffFields values classes own_account />
                {if own_account {
                    view! {
                        <p class="hint">
                            "Change your own password on " <a href=crate::routes::ACCOUNT>"My account"</a> "."
                        </p>
                    }.into_any()
                } else {
                    // Refused (too short, too common…): said under it, and it takes focus.
                    let password_error = values.error_of("new_password");
                    view! {
                        <div class="field">
                            <label for="staff_new_password">"New password"</label>
                            <input
                                id="staff_new_password"
                                type="password"
                                autocomplete="new-password"
                                aria-invalid=move || password_error.with(Option::is_some).then_some("true")
                                aria-describedby=described_by(true, "staff_new_password_hint".into(), password_error, "staff_new_password_error".into())
                                prop:value=move || new_password.get()
                                on:input=move |ev| new_password.set(event_target_value(&ev))
                            />
                            <p class="hint" id="staff_new_password_hint">"Leave empty to keep the current password."</p>
                            <FieldError id="staff_new_password_error" error=password_error />
                        </div>
                        <div class="choice">
                            <input
                                id="staff_require_change"
                                type="checkbox"
                                prop:checked=move || require_change.get()
                                on:change=move |ev| require_change.set(event_target_checked(&ev))
                            />
                            <label for="staff_require_change">"Must change it at next sign-in"</label>
                        </div>
                    }.into_any()
                }}
                <div class="dialog-row">
                    <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string() aria-disabled=busy>"Save"</button>
                </div>
            </form>
            {(!own_account).then(|| view! {
                <h3>"Send a reset link"</h3>
                <div class="dialog-row">
                    <button
                        type="button"
                        class="button"
                        disabled=move || !has_email()
                        aria-disabled=busy
                        on:click=move |_| {
                            if !working_now() {
                                outcome.set(None);
                                by_email.dispatch(());
                            }
                        }
                    >
                        "Reset password via email"
                    </button>
                    {move || (sms.get().enabled && has_mobile()).then(|| view! {
                        <button
                            type="button"
                            class="button"
                            aria-disabled=busy
                            on:click=move |_| {
                                if !working_now() {
                                    outcome.set(None);
                                    by_sms.dispatch(());
                                }
                            }
                        >
                            "Reset password via SMS"
                        </button>
                        <span class="hint">{move || {
                            let credits = sms.get().credits;
                            format!("{credits} SMS credit{} left", if credits == 1 { "" } else { "s" })
                        }}</span>
                    })}
                </div>
                {move || (!has_email()).then(|| view! { <p class="hint">"Add an email address and save to send a link by email."</p> })}
            })}
            // What a new password did, under "Saved": a live region of its
            // own, there from the start so a screen reader reads out what
            // appears in it, and not a second `status` beside "Saved".
            <p class="hint" aria-live="polite">
                {move || match outcome.get() {
                    Some(Outcome::SavedPassword(note)) => note,
                    _ => "",
                }}
            </p>
            {move || match outcome.get() {
                Some(Outcome::Done(text)) => Some(view! { <p class="notice" role="status">{text}</p> }.into_any()),
                Some(Outcome::SavedPassword(_)) => Some(view! { <p class="notice" role="status">"Saved"</p> }.into_any()),
                Some(Outcome::Failed(text)) => Some(view! { <p class="error" role="alert">{text}</p> }.into_any()),
                None => None,
            }}
        </Modal>
    }
}

/// What a save that set a password adds under "Saved": it also signs them
/// out everywhere (and lifts a lockout), which the office should know
/// before telling them the password.
fn password_note(changes: &StaffChanges) -> Option<&'static str> {
    match (
        changes.new_password.is_empty(),
        changes.require_new_password,
    ) {
        (true, _) => None,
        (false, true) => Some(
            "The new password works now, and they are signed out everywhere. \
             At their next sign-in they choose their own.",
        ),
        (false, false) => Some("The new password works now, and they are signed out everywhere."),
    }
}
