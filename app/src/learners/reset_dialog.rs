//! The "Reset password" dialog for one learner: show the current password,
//! generate a new one (or type one), then "Reset".

use leptos::prelude::*;

use super::api::{reset_learner_password, reveal_learner_password, suggest_learner_password};
use crate::auth::api::password_rules;
use crate::classes::{LearnerRow, PasswordState};
use crate::parents::api::{regenerate_parent_access_code, unlink_parents};
use crate::password_rules::{check_new_password, PasswordContext, PasswordPolicy};
use crate::shell::fields::{described_by, focus_next_frame, FieldError};
use crate::shell::modal::{DialogOutcome, Modal};

#[component]
pub fn ResetPasswordDialog(
    learner: LearnerRow,
    /// Whether the school keeps viewable copies of staff-set passwords.
    passwords_visible: bool,
    on_close: Callback<()>,
    /// Called with the learner as they are after the reset.
    on_reset: Callback<LearnerRow>,
) -> impl IntoView {
    let new_password = RwSignal::new(String::new());
    let current = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let id = StoredValue::new(learner.id.clone());

    let show_current = Action::new(move |_: &()| async move {
        match reveal_learner_password(id.get_value()).await {
            Ok(shown) => current.set(Some(shown.password)),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    // The new password's own problem, under its field: the server's after
    // "Reset", or the school's rules as a typed one leaves the field.
    let password_error = RwSignal::new(None::<String>);
    let rules = RwSignal::new(None::<(PasswordPolicy, PasswordContext)>);
    let learner_username = learner.username.clone();
    leptos::task::spawn_local(async move {
        if let Ok((policy, context)) = password_rules().await {
            let context = PasswordContext {
                username: learner_username,
                ..context
            };
            rules.set(Some((policy, context)));
        }
    });
    let rules_hint = move || {
        rules.with(|rules| {
            rules.as_ref().map(|(policy, _)| {
                let digit = if policy.require_digit { ", with at least one digit" } else { "" };
                format!(
                    "At least {} characters{digit}. Not a common password, and not the learner's username or the school's name.",
                    policy.min_length
                )
            })
        })
    };
    let check_typed = move || {
        let typed = new_password.get_untracked();
        if typed.is_empty() {
            return;
        }
        let problem = rules.with_untracked(|rules| {
            rules.as_ref().and_then(|(policy, context)| {
                check_new_password(policy, &typed, &typed, context)
                    .err()
                    .map(|problem| problem.to_string())
            })
        });
        password_error.set(problem);
    };
    let password_field = NodeRef::<leptos::html::Input>::new();
    let focus_password_field = move || focus_next_frame(password_field);
    let generate = Action::new(move |_: &()| async move {
        match suggest_learner_password(id.get_value()).await {
            Ok(password) => {
                error.set(None);
                password_error.set(None);
                new_password.set(password);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    // The row as it is now: a reset after a new parent code (or the other
    // way round) keeps both changes.
    let row = RwSignal::new(learner.clone());
    let changed = move |update: &dyn Fn(&mut LearnerRow)| {
        let mut now = row.get_untracked();
        update(&mut now);
        row.set(now.clone());
        on_reset.run(now);
    };
    let reset = Action::new(move |password: &String| {
        let password = password.clone();
        async move {
            match reset_learner_password(id.get_value(), password.clone()).await {
                Ok(()) => {
                    error.set(None);
                    password_error.set(None);
                    done.set(Some(password));
                    changed(&|now| {
                        now.password = if passwords_visible {
                            PasswordState::Viewable
                        } else {
                            PasswordState::Hidden
                        };
                        now.locked_until = None;
                        now.password_version += 1;
                    });
                }
                Err(e) => {
                    password_error.set(Some(e.to_string()));
                    focus_password_field();
                }
            }
        }
    });
    let new_code = RwSignal::new(None::<String>);
    let regenerate = Action::new(move |_: &()| async move {
        match regenerate_parent_access_code(id.get_value()).await {
            Ok(code) => {
                new_code.set(Some(code.clone()));
                changed(&|now| now.parent_access_code = code.clone());
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let unlinked = RwSignal::new(None::<u64>);
    let unlink = Action::new(move |_: &()| async move {
        match unlink_parents(id.get_value()).await {
            Ok(count) => unlinked.set(Some(count)),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let submit = move || {
        let password = new_password.get_untracked();
        if password.trim().is_empty() {
            password_error.set(Some("Generate or type a new password first.".into()));
            focus_password_field();
        } else {
            password_error.set(None);
            reset.dispatch(password);
        }
    };
    let viewable = learner.password == PasswordState::Viewable;
    let name = learner.name();

    view! {
        <Modal title="Reset password" on_close>
            <p>"Learner: " <strong>{name.clone()}</strong> " (" {learner.username.clone()} ")"</p>
            // Once reset, the current password is the new one, shown below:
            // the old one must not stay on screen to be read out by mistake.
            {move || (viewable && done.get().is_none()).then(|| view! {
                <div class="dialog-row">
                    <button type="button" class="button" on:click=move |_| { show_current.dispatch(()); }>
                        "Show current password"
                    </button>
                    {move || current.get().map(|password| view! {
                        <p>"Current password: " <strong class="secret">{password}</strong></p>
                    })}
                </div>
            })}
            <Show
                when=move || done.get().is_none()
                fallback=move || view! {
                    <DialogOutcome>
                        "Done. The new password is " <strong class="secret">{done.get().unwrap_or_default()}</strong> "."
                    </DialogOutcome>
                }
            >
                <div class="field">
                    <label for="learner_new_password">"New password"</label>
                    <input
                        node_ref=password_field
                        id="learner_new_password"
                        aria-describedby=described_by(true, "learner_new_password_hint".into(), password_error.into(), "learner_new_password_error".into())
                        aria-invalid=move || password_error.with(Option::is_some).then_some("true")
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        autocapitalize="none"
                        prop:value=move || new_password.get()
                        on:input=move |ev| {
                            password_error.set(None);
                            new_password.set(event_target_value(&ev));
                        }
                        on:blur=move |_| check_typed()
                        on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); submit(); }
                    />
                    <p class="hint" id="learner_new_password_hint">{rules_hint}</p>
                    <FieldError id="learner_new_password_error" error=password_error />
                </div>
                <div class="dialog-row">
                    <button type="button" class="button" on:click=move |_| { generate.dispatch(()); }>
                        "Generate new password"
                    </button>
                    <button
                        type="button"
                        class="button primary"
                        aria-busy=move || reset.pending().get().to_string()
                        on:click=move |_| submit()
                    >
                        "Reset"
                    </button>
                </div>
            </Show>
            <h3>"Parent access code"</h3>
            <div class="dialog-row">
                <button type="button" class="button warn" on:click=move |_| { regenerate.dispatch(()); }>
                    "Regenerate parent access code"
                </button>
                <button type="button" class="button warn" aria-busy=move || unlink.pending().get().to_string() on:click=move |_| { unlink.dispatch(()); }>
                    "Unlink parents"
                </button>
            </div>
            {move || new_code.get().map(|code| view! {
                <p role="status">"New code: " <strong class="code">{code}</strong> ". The old code no longer works; parents already linked stay linked."</p>
            })}
            {move || unlinked.get().map(|count| view! {
                <p role="status">{match count {
                    0 => "No parent was linked to this learner.".to_string(),
                    1 => "1 parent unlinked. They no longer see this learner.".to_string(),
                    n => format!("{n} parents unlinked. They no longer see this learner."),
                }}</p>
            })}
            {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        </Modal>
    }
}
