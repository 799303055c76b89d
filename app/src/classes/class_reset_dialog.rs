//! "Reset class passwords": the same new password for every learner, or a
//! new one each; one transaction on the server; the new passwords shown
//! once, with a CSV to save.

use leptos::prelude::*;

use super::api::reset_class_passwords;
use super::{AccessCodeRow, ClassResetMode, ClassSummary, LearnerRow, NewPassword, PasswordState};
use crate::shell::modal::{DialogOutcome, Modal};

#[component]
pub fn ClassResetDialog(
    class: ClassSummary,
    school_code: String,
    passwords_visible: bool,
    learners: RwSignal<Vec<LearnerRow>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let mode = RwSignal::new(ClassResetMode::NewPasswordEach);
    let class_id = StoredValue::new(class.id.clone());
    let reset = Action::new(move |mode: &ClassResetMode| {
        reset_class_passwords(class_id.get_value(), *mode)
    });
    let count = learners.with_untracked(Vec::len);
    let class_name = StoredValue::new(class.name.clone());

    // Once done, every row shows the new state without a reload.
    Effect::new(move |_| {
        if let Some(Ok(_)) = reset.value().get() {
            let state = if passwords_visible {
                PasswordState::Viewable
            } else {
                PasswordState::Hidden
            };
            learners.update(|all| {
                for learner in all.iter_mut() {
                    learner.password = state;
                    learner.password_version += 1;
                    learner.locked_until = None;
                }
            });
        }
    });

    let preview = move || reset_preview(mode.get(), count, &class_name.get_value());
    let radio = move |value: ClassResetMode, id: &'static str, label: &'static str| {
        view! {
            <div class="choice">
                <input
                    type="radio"
                    id=id
                    name="class_reset_mode"
                    prop:checked=move || mode.get() == value
                    on:change=move |_| mode.set(value)
                />
                <label for=id>{label}</label>
            </div>
        }
    };

    view! {
        <Modal title="Reset class passwords" on_close>
            {move || match reset.value().get() {
                Some(Ok(passwords)) => view! {
                    <NewPasswords passwords school_code=school_code.clone() class_name=class_name.get_value() learners />
                }.into_any(),
                _ if count == 0 => view! {
                    <p class="preview">{preview}</p>
                }.into_any(),
                _ => view! {
                    <fieldset class="choices">
                        <legend>"New passwords for " {class_name.get_value()}</legend>
                        {radio(ClassResetMode::SamePassword, "reset_same", "Same password for every learner")}
                        {radio(ClassResetMode::NewPasswordEach, "reset_each", "New password for each learner")}
                    </fieldset>
                    <p class="preview">{preview}</p>
                    {move || reset.pending().get().then(|| view! {
                        <div class="progress" role="status">
                            <progress aria-label="Resetting passwords"></progress>
                            {format!(" Resetting {count} password{}…", if count == 1 { "" } else { "s" })}
                        </div>
                    })}
                    {move || reset.value().get().and_then(Result::err).map(|e| view! {
                        <p class="error" role="alert">{e.to_string()}</p>
                    })}
                    <div class="dialog-row">
                        <button
                            type="button"
                            class="button primary"
                            // Not `disabled`: a disabled button drops the
                            // keyboard's focus to the page while it works.
                            aria-disabled=move || reset.pending().get().then_some("true")
                            aria-busy=move || reset.pending().get().to_string()
                            on:click=move |_| {
                                if !reset.pending().get_untracked() {
                                    reset.dispatch(mode.get_untracked());
                                }
                            }
                        >
                            "Reset"
                        </button>
                    </div>
                }.into_any(),
            }}
        </Modal>
    }
}

/// What a class reset will do, in words, for `count` learners.
fn reset_preview(mode: ClassResetMode, count: usize, class: &str) -> String {
    match (count, mode) {
        (0, _) => format!("{class} has no learners yet: there are no passwords to reset."),
        (1, _) => format!(
            "The one learner of {class} will get a new password. The old password stops working at once."
        ),
        (_, ClassResetMode::SamePassword) => format!(
            "All {count} learners of {class} will get one new password, the same for everyone. Their old passwords stop working at once."
        ),
        (_, ClassResetMode::NewPasswordEach) => format!(
            "Each of the {count} learners of {class} will get their own new password. Their old passwords stop working at once."
        ),
    }
}

/// The passwords a class reset just set, shown once, with "Download CSV".
#[component]
fn NewPasswords(
    passwords: Vec<NewPassword>,
    school_code: String,
    class_name: String,
    learners: RwSignal<Vec<LearnerRow>>,
) -> impl IntoView {
    let rows: Vec<AccessCodeRow> = passwords
        .iter()
        .map(|p| AccessCodeRow {
            class: class_name.clone(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            username: p.username.clone(),
            password: Some(p.password.clone()),
            parent_access_code: learners.with_untracked(|all| {
                all.iter()
                    .find(|l| l.id == p.learner_id)
                    .map(|l| l.parent_access_code.clone())
                    .unwrap_or_default()
            }),
        })
        .collect();
    let file_name = crate::csv::file_name(&school_code, &class_name);
    let saved = RwSignal::new(None::<String>);
    let download = {
        let rows = rows.clone();
        move |_| {
            let bytes = crate::csv::access_codes_csv(&rows);
            match crate::download::save_file(&file_name, "text/csv;charset=utf-8", &bytes) {
                Ok(()) => saved.set(Some(format!("Saved {file_name}"))),
                Err(e) => saved.set(Some(format!("Could not save the file: {e}"))),
            }
        }
    };
    let count = passwords.len();
    let one_for_all = passwords
        .first()
        .filter(|first| passwords.iter().all(|p| p.password == first.password))
        .map(|first| first.password.clone());
    let outcome = match one_for_all {
        Some(password) if count > 1 => format!(
            "Done: {count} new passwords, the same for everyone: {password}. Tell the class, or download them all as a CSV."
        ),
        _ => format!(
            "Done: {count} new passwords. Give each learner theirs, or download them all as a CSV."
        ),
    };
    view! {
        // Focus moves here: the form and its "Reset" button are gone.
        <DialogOutcome>{outcome}</DialogOutcome>
        // Above the list, so it is in view however long the class is.
        <div class="dialog-row">
            <button type="button" class="button" on:click=download>"Download CSV"</button>
            {move || saved.get().map(|text| view! { <span role="status">{text}</span> })}
        </div>
        <div class="table-scroll">
            <table>
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Username"</th><th scope="col">"New password"</th></tr>
                </thead>
                <tbody>
                    {passwords.into_iter().map(|p| view! {
                        <tr>
                            <th scope="row">{format!("{} {}", p.first_name, p.last_name)}</th>
                            <td>{p.username}</td>
                            <td class="secret">{p.password}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_counts_learners_in_words() {
        let each = ClassResetMode::NewPasswordEach;
        assert_eq!(
            reset_preview(each, 0, "Chess club"),
            "Chess club has no learners yet: there are no passwords to reset."
        );
        assert!(reset_preview(ClassResetMode::SamePassword, 1, "Chess club")
            .starts_with("The one learner of Chess club will get a new password."));
        assert!(reset_preview(each, 28, "Year 3 Hazel")
            .starts_with("Each of the 28 learners of Year 3 Hazel"));
    }
}
