//! `/login`: school code, username and password.
//!
//! A plain HTML form posted to `POST /login` (`server/src/sign_in_form.rs`),
//! rendered whole on the server: the page loads no WebAssembly at all
//! (DESIGN.md §5, the sign-in page's budget), so it works the moment it
//! arrives, also on a slow tablet or with scripts off. A refused attempt
//! comes back as this page with its message and what was typed (never the
//! password). One small script, `login_sso.js`, shows the school's single
//! sign-on button while a school code is typed.

use leptos::prelude::*;

/// The form as a refused `POST /login` left it, put in the request's
/// extensions for the page rendered in answer.
#[derive(Debug, Clone, Default)]
pub struct PostedLogin {
    pub school_code: String,
    pub username: String,
    pub error: Option<String>,
}

#[component]
pub fn LoginPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        server_page::LoginPage().into_any()
    }
    // Reached in the browser only by a client-side navigation (a signed-out
    // redirect): load the page from the server, which serves it without
    // WebAssembly.
    #[cfg(not(feature = "ssr"))]
    {
        Effect::new(|_| {
            if let Ok(href) = window().location().href() {
                crate::navigation::reload_at(&href);
            }
        });
        view! { <p class="loading" aria-busy="true">"Loading…"</p> }.into_any()
    }
}

#[cfg(feature = "ssr")]
mod server_page {
    use leptos::prelude::*;
    use leptos_router::components::Redirect;
    use leptos_router::hooks::use_query_map;

    use super::PostedLogin;
    use crate::auth::ssr::cookies::{remembered_school_code_in, remembered_username_in};
    use crate::routes::{
        FORGOT_PASSWORD, HOME, LOGIN, NOTICE_PASSWORD_CHANGED, NOTICE_PASSWORD_SET,
        NOTICE_SESSION_ENDED, NOTICE_SIGNED_OUT,
    };
    use crate::session::use_session;
    use crate::shell::title::PageTitle;
    use crate::sso::api::sso_for_school;
    use crate::sso::{outcome_message, Provider, START_PATH};

    /// Shows the single sign-on button for a typed school code.
    const SSO_SCRIPT: &str = include_str!("login_sso.js");

    #[component]
    pub fn LoginPage() -> impl IntoView {
        let session = use_session();
        let parts = use_context::<http::request::Parts>();
        // Right after a password change only the new password is typed.
        let after_password = matches!(
            use_query_map().read_untracked().get("notice").as_deref(),
            Some(NOTICE_PASSWORD_CHANGED | NOTICE_PASSWORD_SET)
        );
        let posted = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<PostedLogin>().cloned())
            .unwrap_or_else(|| PostedLogin {
                school_code: parts
                    .as_ref()
                    .and_then(|parts| remembered_school_code_in(&parts.headers))
                    .unwrap_or_default(),
                username: parts
                    .as_ref()
                    .filter(|_| after_password)
                    .and_then(|parts| remembered_username_in(&parts.headers))
                    .unwrap_or_default(),
                error: None,
            });
        // One `Suspend`, made once: the route renders whole before it is
        // sent (`SsrMode::Async`), so the page needs no script to finish.
        let page = Suspend::new(async move {
            if matches!(session.user.await, Ok(Some(_))) {
                return view! { <Redirect path=HOME /> }.into_any();
            }
            let provider = sso_for_school(posted.school_code.clone())
                .await
                .ok()
                .flatten();
            view! { <LoginForm posted provider /> }.into_any()
        });
        view! { <Suspense fallback=|| ()>{page}</Suspense> }
    }

    #[component]
    fn LoginForm(posted: PostedLogin, provider: Option<Provider>) -> impl IntoView {
        let query = use_query_map();
        let notice = match query.read_untracked().get("notice").as_deref() {
            Some(NOTICE_PASSWORD_CHANGED) => {
                Some("Your password was changed. Please sign in again with your new password.")
            }
            Some(NOTICE_PASSWORD_SET) => Some("Your password is set. Please sign in with it."),
            Some(NOTICE_SIGNED_OUT) => Some("You have signed out."),
            Some(NOTICE_SESSION_ENDED) => Some("You were signed out. Please sign in again."),
            _ => None,
        };
        // Why the last single sign-on signed nobody in (fixed words only).
        let sso_outcome = query
            .read_untracked()
            .get("sso")
            .and_then(|code| outcome_message(&code));
        let code = posted.school_code.trim().to_string();
        let refused = posted.error.is_some();
        // Focus waits where the fix is: an empty username, or else the
        // (emptied) password field; either names the error.
        let fix_username = refused && posted.username.trim().is_empty();
        let fix_password = refused && !fix_username;
        // A username kept from a password change, with the school code it
        // needs (an email needs none): the password is what is left.
        let password_next = fix_password
            || (!refused
                && !posted.username.is_empty()
                && (!code.is_empty() || posted.username.contains('@')));
        // A class tablet remembers its school code: the next child starts
        // with their username.
        let username_next =
            fix_username || (!refused && posted.username.is_empty() && !code.is_empty());
        let button =
            provider.map(|provider| view! { <SingleSignOnButton code=code.clone() provider /> });

        view! {
            <section class="page auth-page">
                <PageTitle text="Sign in" />
                <h1>"Sign in to ClassKeys"</h1>
                {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
                {sso_outcome.map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <form class="form" method="post" action=LOGIN novalidate>
                    <div class="field">
                        <label for="school_code">"School code"</label>
                        <input
                            id="school_code"
                            name="school_code"
                            value=posted.school_code
                            autocomplete="organization"
                            autocapitalize="characters"
                            spellcheck="false"
                            aria-describedby="school_code_hint"
                        />
                        <p class="hint" id="school_code_hint">
                            "Staff and parents can leave this empty and sign in with their email address."
                        </p>
                    </div>
                    <div class="field">
                        <label for="username">"Username"</label>
                        <input
                            id="username"
                            name="username"
                            value=posted.username
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            required
                            autofocus=username_next
                            aria-describedby=fix_username.then_some("sign_in_error")
                        />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            autofocus=password_next
                            aria-describedby=fix_password.then_some("sign_in_error")
                        />
                    </div>
                    {posted.error.map(|text| view! { <p class="error" role="alert" id="sign_in_error">{text}</p> })}
                    <button type="submit" class="button primary">"Sign in"</button>
                </form>
                <div
                    id="sso_choice"
                    data-code=code
                    data-start=START_PATH
                    data-google=Provider::Google.button_label()
                    data-microsoft=Provider::Microsoft.button_label()
                    data-oidc=Provider::Oidc.button_label()
                >
                    {button}
                </div>
                <p class="below-form"><a href=FORGOT_PASSWORD>"Forgot password?"</a></p>
                <p>"A parent or carer with a parent access code? " <a href="/parent/signup">"Create a parent account"</a></p>
                <script nonce=leptos::nonce::use_nonce() inner_html=SSO_SCRIPT></script>
            </section>
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
}
