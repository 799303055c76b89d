//! The fields the add and edit forms share: name, email, mobile,
//! permissions and class assignments.

use leptos::prelude::*;

use super::{ClassOption, StaffRow};
use crate::shell::fields::{CheckboxList, TextInput, Typing};

/// The form's values, one signal per field.
#[derive(Clone, Copy)]
pub struct StaffFieldValues {
    pub display_name: RwSignal<String>,
    pub email: RwSignal<String>,
    pub mobile: RwSignal<String>,
    pub full_admin: RwSignal<bool>,
    pub lead_teacher: RwSignal<bool>,
    pub class_ids: RwSignal<Vec<String>>,
    /// Problems shown under their fields, by the server's field name
    /// ("username", "display_name", "email", "mobile", "new_password").
    pub errors: RwSignal<Vec<(&'static str, String)>>,
}

/// The fields a problem can be shown under, in the form's order ("New
/// password" is the edit form's own).
pub const FIELDS: [&str; 5] = [
    "username",
    "display_name",
    "email",
    "mobile",
    "new_password",
];

impl StaffFieldValues {
    /// Shows `error` under its field when it names one of [`FIELDS`];
    /// returns it when it does not (it is shown under the form instead).
    pub fn show_error(&self, error: &crate::error::AppError) -> Option<String> {
        match error
            .field()
            .and_then(|f| FIELDS.into_iter().find(|known| *known == f))
        {
            Some(field) => {
                self.errors.set(vec![(field, error.to_string())]);
                None
            }
            None => {
                self.errors.set(Vec::new());
                Some(error.to_string())
            }
        }
    }

    /// The error shown under `field`, if any.
    pub fn error_of(&self, field: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|all| {
                all.iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, text)| text.clone())
            })
        })
    }

    pub fn empty() -> Self {
        StaffFieldValues {
            display_name: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            mobile: RwSignal::new(String::new()),
            full_admin: RwSignal::new(false),
            lead_teacher: RwSignal::new(false),
            class_ids: RwSignal::new(Vec::new()),
            errors: RwSignal::new(Vec::new()),
        }
    }

    pub fn of(row: &StaffRow) -> Self {
        StaffFieldValues {
            display_name: RwSignal::new(row.display_name.clone()),
            email: RwSignal::new(row.email.clone().unwrap_or_default()),
            mobile: RwSignal::new(row.mobile.clone().unwrap_or_default()),
            full_admin: RwSignal::new(row.is_full_admin),
            lead_teacher: RwSignal::new(row.is_lead_teacher),
            class_ids: RwSignal::new(row.class_ids.clone()),
            errors: RwSignal::new(Vec::new()),
        }
    }
}

#[component]
fn Checkbox(
    id: String,
    label: String,
    checked: RwSignal<bool>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    view! {
        <div class="choice">
            <input
                id=id.clone()
                type="checkbox"
                disabled=disabled
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}

#[component]
pub fn StaffFields(
    values: StaffFieldValues,
    classes: Vec<ClassOption>,
    /// Editing oneself: a full admin cannot take away their own Full admin.
    #[prop(optional)]
    own_account: bool,
) -> impl IntoView {
    let keep_admin = own_account && values.full_admin.get_untracked();
    let class_options = classes
        .into_iter()
        .map(|class| (class.id, class.name))
        .collect();
    view! {
        <TextInput id="staff_display_name" label="Display name" value=values.display_name error=values.error_of("display_name") />
        <TextInput id="staff_email" label="Email" kind="email" typing=Typing::Verbatim value=values.email error=values.error_of("email") />
        <TextInput id="staff_mobile" label="Mobile" kind="tel" typing=Typing::Verbatim value=values.mobile error=values.error_of("mobile") />
        <fieldset class="choices">
            <legend>"Permissions"</legend>
            <Checkbox id="staff_full_admin".into() label="Full admin".into() checked=values.full_admin disabled=keep_admin />
            <Checkbox id="staff_lead_teacher".into() label="Lead teacher".into() checked=values.lead_teacher />
            {keep_admin.then(|| view! { <p class="hint">"You cannot remove your own Full admin permission."</p> })}
        </fieldset>
        <CheckboxList legend="Classes" id_prefix="class" options=class_options chosen=values.class_ids />
    }
}
