//! "Add staff member": a new account whose holder chooses their own
//! password through the welcome link emailed to them.

use leptos::prelude::*;

use super::api::add_staff_member;
use super::fields::{StaffFieldValues, StaffFields};
use super::{ClassOption, NewStaffMember, StaffRow};
use crate::shell::fields::{focus_first_invalid, TextInput, Typing};
use crate::shell::modal::{DialogOutcome, Modal};

#[component]
pub fn AddStaffDialog(
    classes: Vec<ClassOption>,
    on_close: Callback<()>,
    on_added: Callback<StaffRow>,
) -> impl IntoView {
    let values = StaffFieldValues::empty();
    let username = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let form = NodeRef::<leptos::html::Form>::new();
    let added = RwSignal::new(None::<StaffRow>);

    let add = Action::new(move |member: &NewStaffMember| {
        let member = member.clone();
        async move {
            match add_staff_member(member).await {
                Ok(row) => {
                    error.set(None);
                    added.set(Some(row.clone()));
                    on_added.run(row);
                }
                Err(e) => {
                    error.set(values.show_error(&e));
                    focus_first_invalid(form);
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if add.pending().get_untracked() {
            return;
        }
        // Every empty field is named at once, before anything is sent.
        let missing = missing_fields(
            &username.get_untracked(),
            &values.display_name.get_untracked(),
            &values.email.get_untracked(),
        );
        if !missing.is_empty() {
            error.set(None);
            values.errors.set(missing);
            focus_first_invalid(form);
            return;
        }
        values.errors.set(Vec::new());
        add.dispatch(NewStaffMember {
            display_name: values.display_name.get_untracked(),
            username: username.get_untracked(),
            email: values.email.get_untracked(),
            mobile: values.mobile.get_untracked(),
            full_admin: values.full_admin.get_untracked(),
            lead_teacher: values.lead_teacher.get_untracked(),
            class_ids: values.class_ids.get_untracked(),
        });
    };

    view! {
        <Modal title="Add staff member" on_close>
            <Show
                when=move || added.get().is_none()
                fallback=move || {
                    added.get().map(|row| view! {
                        <DialogOutcome>
                            "Added " {row.display_name.clone()} " (" {row.username.clone()} "). An email to "
                            {row.email.clone().unwrap_or_default()}
                            " is on its way with a link to choose a password; it works once, for 60 minutes."
                        </DialogOutcome>
                    })
                }
            >
                <form class="form" novalidate node_ref=form on:submit=submit>
                    <TextInput id="staff_username" label="Username" typing=Typing::Verbatim value=username error=values.error_of("username") />
                    <StaffFields values classes=classes.clone() />
                    <p class="hint">"They get an email with a link to choose their own password."</p>
                    {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                    <div class="dialog-row">
                        <button
                            type="submit"
                            class="button primary"
                            aria-busy=move || add.pending().get().to_string()
                            // Not `disabled`, which would drop the keyboard's
                            // focus to the page while the account is made.
                            aria-disabled=move || add.pending().get().then_some("true")
                        >
                            "Create account"
                        </button>
                    </div>
                </form>
            </Show>
        </Modal>
    }
}

/// The fields "Add staff member" needs that are empty, each with what to
/// type there.
fn missing_fields(username: &str, name: &str, email: &str) -> Vec<(&'static str, String)> {
    [
        ("username", username, "Enter a username."),
        ("display_name", name, "Enter their name."),
        (
            "email",
            email,
            "Enter their email address: the link to choose a password goes there.",
        ),
    ]
    .into_iter()
    .filter(|(_, value, _)| value.trim().is_empty())
    .map(|(field, _, problem)| (field, problem.to_string()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_empty_field_is_named_at_once() {
        let fields = |found: Vec<(&'static str, String)>| -> Vec<&'static str> {
            found.into_iter().map(|(field, _)| field).collect()
        };
        assert_eq!(
            fields(missing_fields("", " ", "")),
            ["username", "display_name", "email"]
        );
        assert!(missing_fields("tess", "Tess", "t@example.org").is_empty());
        assert_eq!(
            fields(missing_fields("tess", "", "t@example.org")),
            ["display_name"]
        );
    }
}
