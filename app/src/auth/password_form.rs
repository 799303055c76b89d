//! "New password" and "Confirm new password" fields that say which rule a
//! password breaks while it is typed. The server checks again on submit.

use leptos::prelude::*;

use super::api::password_rules;
use crate::error::AppError;
use crate::page_data::page_data;
use crate::password_rules::{check_new_password, PasswordContext, PasswordPolicy, PasswordProblem};

/// The two fields with the school's rules. `refused`: the server's refusal
/// after a submit; one about "new_password" or "confirm_new_password" is
/// shown under that field until either is typed in again.
#[component]
pub fn NewPasswordFields(
    #[prop(optional, into)] refused: Signal<Option<AppError>>,
) -> impl IntoView {
    let rules = page_data(|| (), |_| password_rules());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let rules = rules.await.ok();
                view! { <NewPasswordInputs rules refused /> }
            })}
        </Suspense>
    }
}

/// The two fields, checking against `rules` when they are known. A
/// password that breaks a rule is said under "New password"; two that do
/// not match, under "Confirm new password", the field to fix.
#[component]
pub fn NewPasswordInputs(
    rules: Option<(PasswordPolicy, PasswordContext)>,
    #[prop(optional, into)] refused: Signal<Option<AppError>>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    // The server's refusal stands until either field is typed in again.
    let refusal = RwSignal::new(None::<AppError>);
    Effect::new(move |_| refusal.set(refused.get()));
    let hint = rules.as_ref().map(|(policy, _)| {
        let digit = if policy.require_digit { ", with at least one digit" } else { "" };
        format!(
            "At least {} characters{digit}. Not a common password, and not your username or the school's name.",
            policy.min_length
        )
    });
    let typed_problem = Memo::new(move |_| {
        let (policy, context) = rules.as_ref()?;
        if !touched.get() {
            return None;
        }
        let confirmation = confirmation.get();
        // Say nothing about matching until the confirmation has been typed.
        let compare_with = if confirmation.is_empty() {
            password.get()
        } else {
            confirmation
        };
        check_new_password(policy, &password.get(), &compare_with, context).err()
    });
    let problem_of = move |field: &'static str| {
        Signal::derive(move || {
            let refused = refusal.with(|refusal| {
                refusal
                    .as_ref()
                    .filter(|refusal| refusal.field() == Some(field))
                    .map(ToString::to_string)
            });
            refused.or_else(|| {
                typed_problem.with(|typed| {
                    typed
                        .as_ref()
                        .filter(|problem| {
                            (**problem == PasswordProblem::Mismatch) == (field == CONFIRM)
                        })
                        .map(ToString::to_string)
                })
            })
        })
    };
    let problem = problem_of(NEW);
    let mismatch = problem_of(CONFIRM);
    view! {
        <div class="field">
            <label for="new_password">"New password"</label>
            <input
                id="new_password"
                name="new_password"
                type="password"
                autocomplete="new-password"
                required
                aria-describedby="new_password_rules new_password_problem"
                aria-invalid=move || problem.with(Option::is_some).then_some("true")
                on:input=move |ev| {
                    refusal.set(None);
                    password.set(event_target_value(&ev));
                }
                on:blur=move |_| touched.set(true)
            />
            <p class="hint" id="new_password_rules">{hint}</p>
            <p class="problem" id="new_password_problem" aria-live="polite">{problem}</p>
        </div>
        <div class="field">
            <label for="confirm_new_password">"Confirm new password"</label>
            <input
                id="confirm_new_password"
                name="confirm_new_password"
                type="password"
                autocomplete="new-password"
                required
                aria-describedby="confirm_new_password_problem"
                aria-invalid=move || mismatch.with(Option::is_some).then_some("true")
                on:input=move |ev| {
                    refusal.set(None);
                    touched.set(true);
                    confirmation.set(event_target_value(&ev));
                }
            />
            <p class="problem" id="confirm_new_password_problem" aria-live="polite">{mismatch}</p>
        </div>
    }
}

/// The two fields' names, as the forms post them and the server names them
/// in a refusal.
const NEW: &str = "new_password";
const CONFIRM: &str = "confirm_new_password";
