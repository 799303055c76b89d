//! `/login`: school code, username and password.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use super::api::remembered_school_code;
use crate::error::AppError;
use crate::routes::{FORGOT_PASSWORD, HOME, NOTICE_PASSWORD_CHANGED, NOTICE_SIGNED_OUT};
use crate::session::use_session;
use crate::shell::title::PageTitle;
use crate::sso::api::sso_for_school;
use crate::sso::{outcome_message, Provider, START_PATH};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let already_signed_in = move || matches!(session.user.get(), Some(Ok(Some(_))));
    // Made here, not in the form: on the server Leptos runs the closures
    // inside a `Transition` more than once, and a resource made in one of
    // those runs belongs to an owner the next run disposes of (a render
    // that then reads it panics and never finishes).
    let school_code = Resource::new_blocking(|| (), |_| remembered_school_code());
    // The code as typed, once the field was touched; else the remembered one.
    let typed = RwSignal::new(None::<String>);
    let single_sign_on = Resource::new(
        move || {
            typed
                .get()
                .or_else(|| school_code.get().and_then(Result::ok).flatten())
        },
        |code| async move {
            let code = code.filter(|code| !code.trim().is_empty())?;
            let provider = sso_for_school(code.clone()).await.ok().flatten()?;
            Some((code.trim().to_string(), provider))
        },
    );
    view! {
        <Transition fallback=|| ()>
            <Show
                when=already_signed_in
                fallback=move || view! { <LoginForm school_code typed single_sign_on /> }
            >
                <Redirect path=HOME />
            </Show>
        </Transition>
    }
}

/// "Sign in with Google" (…): a link, so the browser follows the
/// server's redirect to the provider (a form may not, under this site's
/// `form-action 'self'`).
#[component]
fn SingleSignOnButton(code: String, provider: Provider) -> impl IntoView {
    let href = format!("{}?school_code={}", START_PATH, encode_component(&code));
    view! {
        <p class="sso-choice">
            <a class="button sso" role="button" href=href rel="external">{provider.button_label()}</a>
        </p>
    }
}

/// Percent-encodes all but letters, digits, `-`, `_`, `.` and `~`.
fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[component]
fn LoginForm(
    school_code: Resource<Result<Option<String>, AppError>>,
    typed: RwSignal<Option<String>>,
    single_sign_on: Resource<Option<(String, Provider)>>,
) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let notice = move || match query.read().get("notice").as_deref() {
        Some(NOTICE_PASSWORD_CHANGED) => {
            Some("Your password was changed. Please sign in again with your new password.")
        }
        Some(NOTICE_SIGNED_OUT) => Some("You have signed out."),
        _ => None,
    };
    // Why the last single sign-on signed nobody in (fixed words only).
    let sso_outcome = move || {
        query
            .read()
            .get("sso")
            .and_then(|code| outcome_message(&code))
    };
    let error = move || {
        session
            .sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let pending = session.sign_in.pending();

    view! {
        <section class="page auth-page">
            <PageTitle text="Sign in" />
            <h1>"Sign in to ClassKeys"</h1>
            {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            {move || sso_outcome().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            <ActionForm action=session.sign_in attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="school_code">"School code"</label>
                    <Suspense fallback=|| view! { <input id="school_code" name="school_code" /> }>
                        {move || {
                            let remembered = school_code.get().and_then(Result::ok).flatten().unwrap_or_default();
                            view! {
                                <input
                                    id="school_code"
                                    name="school_code"
                                    value=remembered
                                    autocomplete="organization"
                                    autocapitalize="characters"
                                    spellcheck="false"
                                    aria-describedby="school_code_hint"
                                    on:input=move |ev| typed.set(Some(event_target_value(&ev)))
                                />
                            }
                        }}
                    </Suspense>
                    <p class="hint" id="school_code_hint">
                        "Staff and parents can leave this empty and sign in with their email address."
                    </p>
                </div>
                <div class="field">
                    <label for="username">"Username"</label>
                    <input
                        id="username"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                    />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                </div>
                {move || error().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <button type="submit" class="button primary" aria-busy=move || pending.get().to_string()>
                    "Sign in"
                </button>
            </ActionForm>
            <Transition fallback=|| ()>
                {move || single_sign_on.get().flatten().map(|(code, provider)| view! {
                    <SingleSignOnButton code provider />
                })}
            </Transition>
            <p class="below-form"><a href=FORGOT_PASSWORD>"Forgot password?"</a></p>
            <p>"A parent or carer with a parent access code? " <a href="/parent/signup">"Create a parent account"</a></p>
        </section>
    }
}
