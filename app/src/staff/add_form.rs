//! "Add staff member": a new account whose holder chooses their own
//! password through the welcome link emailed to them.

use leptos::prelude::*;

use super::api::add_staff_member;
use super::fields::{StaffFieldValues, StaffFields};
use super::{ClassOption, NewStaffMember, StaffRow};
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
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
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
                <form class="form" novalidate on:submit=submit>
                    <div class="field">
                        <label for="staff_username">"Username"</label>
                        <input
                            id="staff_username"
                            type="text"
                            autocomplete="off"
                            autocapitalize="none"
                            spellcheck="false"
                            prop:value=move || username.get()
                            on:input=move |ev| username.set(event_target_value(&ev))
                        />
                    </div>
                    <StaffFields values classes=classes.clone() />
                    <p class="hint">"They get an email with a link to choose their own password."</p>
                    {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                    <div class="dialog-row">
                        <button
                            type="submit"
                            class="button primary"
                            aria-busy=move || add.pending().get().to_string()
                            disabled=move || add.pending().get()
                        >
                            "Create account"
                        </button>
                    </div>
                </form>
            </Show>
        </Modal>
    }
}
