//! The "Single sign-on" section of `/settings`: the provider, its client,
//! the allowed domain and who may use it; "Save single sign-on" (the
//! server fetches the provider's discovery first) and "Test sign-in".

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{load_sso_settings, save_sso_settings};
use super::{outcome_message, Provider, SsoSettingsForm, SsoSettingsPage, GOOGLE_ISSUER};
use crate::page_data::page_data;
use crate::settings::page::Toggle;

/// Where "Test sign-in" starts a test at the provider.
pub const TEST_PATH: &str = "/sso/test";

#[component]
pub fn SingleSignOnSection() -> impl IntoView {
    let data = page_data(|| (), |_| load_sso_settings());
    view! {
        <section class="settings-section" aria-labelledby="sso_heading">
            <h2 id="sso_heading">"Single sign-on"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading single sign-on…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(page) => view! { <SsoForm page /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SsoForm(page: SsoSettingsPage) -> impl IntoView {
    let SsoSettingsPage {
        form,
        configured,
        redirect_url,
        version,
    } = page;
    let query = use_query_map();
    let version = RwSignal::new(version);
    let configured = RwSignal::new(configured);
    let provider = RwSignal::new(form.provider);
    let issuer = RwSignal::new(typed_issuer(&form));
    let tenant = RwSignal::new(form.tenant_id);
    let client_id = RwSignal::new(form.client_id);
    let secret = RwSignal::new(String::new());
    let domain = RwSignal::new(form.allowed_domain);
    let staff = RwSignal::new(form.staff_enabled);
    let learners = RwSignal::new(form.learners_enabled);
    let required = RwSignal::new(form.require_for_staff);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // What the last "Test sign-in" came back with.
    let tested = move || {
        query
            .read()
            .get("sso")
            .and_then(|code| outcome_message(&code).map(|text| (code.starts_with("test_ok"), text)))
    };

    let shown_issuer = move || match provider.get() {
        Provider::Google => GOOGLE_ISSUER.to_string(),
        Provider::Microsoft if tenant.get().trim().is_empty() => String::new(),
        Provider::Microsoft => Provider::microsoft_issuer(&tenant.get()),
        Provider::Oidc => issuer.get(),
    };
    let save = Action::new(move |form: &SsoSettingsForm| {
        let form = form.clone();
        async move {
            match save_sso_settings(form, version.get_untracked()).await {
                Ok(saved) => {
                    version.set(saved.version);
                    configured.set(saved.configured);
                    issuer.set(typed_issuer(&saved.form));
                    secret.set(String::new());
                    outcome.set(Some(Ok(
                        "Single sign-on saved. Use Test sign-in to try it.".into(),
                    )));
                }
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        save.dispatch(SsoSettingsForm {
            provider: provider.get_untracked(),
            issuer_url: shown_issuer(),
            tenant_id: tenant.get_untracked(),
            client_id: client_id.get_untracked(),
            client_secret: secret.get_untracked(),
            allowed_domain: domain.get_untracked(),
            staff_enabled: staff.get_untracked(),
            learners_enabled: learners.get_untracked(),
            require_for_staff: required.get_untracked(),
        });
    };
    let text_input = move |id: &'static str, value: RwSignal<String>| {
        view! {
            <input
                id=id
                autocomplete="off"
                spellcheck="false"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
    };

    view! {
        {move || tested().map(|(ok, text)| if ok {
            view! { <p class="notice" role="status">{text}</p> }.into_any()
        } else {
            view! { <p class="error" role="alert">{text}</p> }.into_any()
        })}
        <form class="form" novalidate on:submit=submit>
            <div class="field">
                <label for="sso_provider">"Provider"</label>
                <select
                    id="sso_provider"
                    on:change=move |ev| {
                        provider.set(Provider::parse(&event_target_value(&ev)).unwrap_or_default())
                    }
                >
                    {[Provider::Google, Provider::Microsoft, Provider::Oidc].map(|option| view! {
                        <option value=option.as_str() selected=move || provider.get() == option>{option.label()}</option>
                    })}
                </select>
            </div>
            <Show when=move || provider.get() == Provider::Microsoft>
                <div class="field">
                    <label for="sso_tenant_id">"Tenant ID"</label>
                    {text_input("sso_tenant_id", tenant)}
                    <p class="hint">"Your school's directory (tenant) ID from Microsoft Entra: sign-ins from other organisations are refused."</p>
                </div>
            </Show>
            <div class="field">
                <label for="sso_issuer_url">"Issuer URL"</label>
                <input
                    id="sso_issuer_url"
                    type="url"
                    autocomplete="off"
                    spellcheck="false"
                    readonly=move || provider.get() != Provider::Oidc
                    prop:value=shown_issuer
                    on:input=move |ev| issuer.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="sso_client_id">"Client ID"</label>
                {text_input("sso_client_id", client_id)}
            </div>
            <div class="field">
                <label for="sso_client_secret">"Client secret"</label>
                <input
                    id="sso_client_secret"
                    type="password"
                    autocomplete="new-password"
                    aria-describedby="sso_client_secret_hint"
                    prop:value=move || secret.get()
                    on:input=move |ev| secret.set(event_target_value(&ev))
                />
                <p class="hint" id="sso_client_secret_hint">
                    {move || if configured.get() {
                        "A secret is saved and is never shown. Leave this empty to keep it."
                    } else {
                        "Stored encrypted and never shown again."
                    }}
                </p>
            </div>
            <div class="field">
                <label for="sso_allowed_domain">"Allowed email domain"</label>
                {text_input("sso_allowed_domain", domain)}
                <p class="hint">"Only accounts with a verified email in this domain are linked at their first sign-in."</p>
            </div>
            <fieldset class="choices">
                <legend>"Who may use it"</legend>
                <Toggle id="sso_staff" label="Staff may sign in with single sign-on" checked=staff />
                <Toggle id="sso_learners" label="Learners may sign in with single sign-on" checked=learners />
                <Toggle
                    id="sso_required"
                    label="Require single sign-on for staff"
                    checked=required
                    hint="Staff passwords then no longer work. The owner always keeps a password."
                />
            </fieldset>
            <p>
                "Redirect URL to register with your provider: "
                <code class="redirect-url">{redirect_url}</code>
            </p>
            {move || outcome.get().map(|result| match result {
                Ok(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
            })}
            <div class="dialog-row">
                <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string()>
                    "Save single sign-on"
                </button>
                <Show when=move || configured.get()>
                    <a class="button" role="button" href=TEST_PATH rel="external">"Test sign-in"</a>
                </Show>
            </div>
        </form>
    }
}

/// The issuer "Other OpenID Connect" shows: the one saved for it, or none.
/// Google's or Microsoft's issuer, saved for those providers, is never
/// carried over as if it were typed (saving it under "Other" is refused).
fn typed_issuer(form: &SsoSettingsForm) -> String {
    match form.provider {
        Provider::Oidc => form.issuer_url.clone(),
        Provider::Google | Provider::Microsoft => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_openid_connect_starts_empty_after_google_or_microsoft() {
        let saved = |provider, issuer: &str| SsoSettingsForm {
            provider,
            issuer_url: issuer.into(),
            ..SsoSettingsForm::default()
        };
        assert_eq!(typed_issuer(&saved(Provider::Google, GOOGLE_ISSUER)), "");
        let microsoft = Provider::microsoft_issuer("0f0e7d2c-5b1a-4c3d-9e8f-112233445566");
        assert_eq!(typed_issuer(&saved(Provider::Microsoft, &microsoft)), "");
        let own = "https://login.oakwood.example";
        assert_eq!(typed_issuer(&saved(Provider::Oidc, own)), own);
    }
}
