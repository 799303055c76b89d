//! `/settings`: the school's password rules, learner-password visibility,
//! SMS, time zone, and single sign-on (its own section and save).

use leptos::prelude::*;

use super::api::{load_school_settings, save_school_settings};
use super::{SchoolSettingsForm, SettingsPageData};
use crate::auth::permissions::Permission;
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::allowed::Allowed;
use crate::shell::fields::{described_by, focus_first_invalid, FieldError};
use crate::shell::modal::Modal;
use crate::shell::title::PageTitle;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <SignedIn>
            <section class="page narrow">
                <PageTitle text="School settings" />
                <h1>"School settings"</h1>
                <Allowed permission=Permission::SchoolSettings for_whom="full admins and the school's owner">
                    <SettingsLoader />
                    <crate::sso::settings_section::SingleSignOnSection />
                </Allowed>
            </section>
        </SignedIn>
    }
}

#[component]
fn SettingsLoader() -> impl IntoView {
    let data = page_data(|| (), |_| load_school_settings());
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading settings…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <SettingsForm data /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub(crate) fn Toggle(
    id: &'static str,
    label: &'static str,
    checked: RwSignal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="choice">
            <input
                id=id
                type="checkbox"
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
        {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
    }
}

#[component]
fn SettingsForm(data: SettingsPageData) -> impl IntoView {
    let SettingsPageData {
        school_name,
        form,
        sms_credits,
        time_zones,
        version,
    } = data;
    // The version this form was made from; the server refuses a stale save.
    let version = RwSignal::new(version);
    let min_length = RwSignal::new(form.min_password_length.to_string());
    let require_digit = RwSignal::new(form.require_digit);
    let block_common = RwSignal::new(form.block_common_passwords);
    let visible = RwSignal::new(form.learner_passwords_visible);
    let change_after_reset = RwSignal::new(form.learners_change_after_reset);
    let sms_enabled = RwSignal::new(form.sms_enabled);
    let badge_sign_in = RwSignal::new(form.badge_sign_in);
    let saved_zone = form.time_zone.clone().unwrap_or_default();
    let time_zone = RwSignal::new(saved_zone.clone());
    let credits = RwSignal::new(sms_credits);
    let outcome = RwSignal::new(None::<Result<(), String>>);
    // A refused minimum length: said under its field, which takes focus.
    let length_error = RwSignal::new(None::<String>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // Whether the school shows passwords as last saved: turning that off
    // destroys every stored copy, so it asks first.
    let saved_visible = RwSignal::new(form.learner_passwords_visible);
    let confirming = RwSignal::new(None::<SchoolSettingsForm>);

    let save = Action::new(move |settings: &SchoolSettingsForm| {
        let settings = settings.clone();
        let visible = settings.learner_passwords_visible;
        async move {
            match save_school_settings(settings, version.get_untracked()).await {
                Ok(saved) => {
                    saved_visible.set(visible);
                    credits.set(saved.sms_credits);
                    version.set(saved.version);
                    outcome.set(Some(Ok(())));
                }
                Err(e) if e.field() == Some("min_password_length") => {
                    length_error.set(Some(e.to_string()));
                    focus_first_invalid(form_ref);
                }
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        length_error.set(None);
        let Ok(min_password_length) = min_length.get_untracked().trim().parse::<u32>() else {
            length_error.set(Some(
                "The minimum password length is a number between 8 and 128.".into(),
            ));
            focus_first_invalid(form_ref);
            return;
        };
        let settings = SchoolSettingsForm {
            min_password_length,
            require_digit: require_digit.get_untracked(),
            block_common_passwords: block_common.get_untracked(),
            learner_passwords_visible: visible.get_untracked(),
            learners_change_after_reset: change_after_reset.get_untracked(),
            sms_enabled: sms_enabled.get_untracked(),
            badge_sign_in: badge_sign_in.get_untracked(),
            time_zone: Some(time_zone.get_untracked()),
        };
        if saved_visible.get_untracked() && !settings.learner_passwords_visible {
            confirming.set(Some(settings));
        } else {
            save.dispatch(settings);
        }
    };
    let close = Callback::new(move |()| confirming.set(None));

    view! {
        <p class="lead">{school_name}</p>
        <form class="form" novalidate on:submit=submit node_ref=form_ref>
            <fieldset class="choices">
                <legend>"Password rules"</legend>
                <div class="field">
                    <label for="min_password_length">"Minimum password length"</label>
                    <input
                        id="min_password_length"
                        type="number"
                        inputmode="numeric"
                        min="8"
                        max="128"
                        aria-invalid=move || length_error.with(Option::is_some).then_some("true")
                        aria-describedby=described_by(true, "min_password_length_hint".into(), length_error.into(), "min_password_length_error".into())
                        prop:value=move || min_length.get()
                        on:input=move |ev| min_length.set(event_target_value(&ev))
                    />
                    <p class="hint" id="min_password_length_hint">"8 to 128 characters. Current NIST guidance (SP 800-63B) prefers longer passwords over composition rules such as a required digit."</p>
                    <FieldError id="min_password_length_error" error=length_error />
                </div>
                <Toggle id="require_digit" label="Require a digit" checked=require_digit />
                <Toggle id="block_common" label="Block common passwords" checked=block_common hint="Refuses the 20,000 most common passwords." />
            </fieldset>
            <fieldset class="choices">
                <legend>"Learner passwords"</legend>
                <Toggle
                    id="learner_passwords_visible"
                    label="Staff can see learner passwords"
                    checked=visible
                    hint="Turning this off destroys every stored copy at once: staff can then only reset learner passwords, never see them."
                />
                <Toggle id="learners_change_after_reset" label="Learners choose a new password after a reset" checked=change_after_reset />
                <Toggle
                    id="badge_sign_in"
                    label="Badge sign-in"
                    checked=badge_sign_in
                    hint="Learners may sign in by showing the QR badge on their login card to a tablet. A badge is not a password: anyone holding the card can use it, so keep cards in the classroom."
                />
            </fieldset>
            <fieldset class="choices">
                <legend>"SMS"</legend>
                <Toggle id="sms_enabled" label="Send reset links by SMS" checked=sms_enabled />
                <p class="hint">
                    {move || format!("{} SMS credits left. Each SMS uses one; ClassKeys support adds credits.", credits.get())}
                </p>
            </fieldset>
            <div class="field">
                <label for="time_zone">"Time zone"</label>
                <select
                    id="time_zone"
                    aria-describedby="time_zone_hint"
                    prop:value=move || time_zone.get()
                    on:change=move |ev| time_zone.set(event_target_value(&ev))
                >
                    {time_zones
                        .into_iter()
                        .map(|zone| {
                            let chosen = zone == saved_zone;
                            view! { <option value=zone.clone() selected=chosen>{zone.replace('_', " ")}</option> }
                        })
                        .collect_view()}
                </select>
                <p class="hint" id="time_zone_hint">"Last sign-ins and the audit log show times in this zone, and the audit log's “From” and “To” are its days."</p>
            </div>
            {move || outcome.get().map(|result| match result {
                Ok(()) => view! { <p class="notice" role="status">"Saved"</p> }.into_any(),
                Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
            })}
            <div class="dialog-row">
                <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string()>"Save"</button>
            </div>
        </form>
        {move || confirming.get().map(|settings| view! {
            <Modal title="Stop showing learner passwords?" on_close=close>
                <p>
                    "Every stored learner password is destroyed at once and cannot be brought back. "
                    "Staff can still reset a learner's password, and see the new one only if this is turned on again."
                </p>
                // The safe choice first, so it has focus: Enter pressed twice
                // destroys nothing.
                <div class="dialog-row">
                    <button type="button" class="button secondary" on:click=move |_| close.run(())>"Cancel"</button>
                    <button
                        type="button"
                        class="button warn"
                        on:click=move |_| {
                            confirming.set(None);
                            save.dispatch(settings.clone());
                        }
                    >
                        "Destroy stored passwords and save"
                    </button>
                </div>
            </Modal>
        })}
    }
}
