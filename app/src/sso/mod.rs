//! Single sign-on with the school's OpenID Connect provider (DESIGN.md §3
//! "Single sign-on"): the settings, the `/login` button, and linking an
//! identity (issuer, subject) to one account.

pub mod api;
pub mod settings_section;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// Where a school's staff and learners sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    #[default]
    Google,
    Microsoft,
    /// Any other OpenID Connect provider, by its issuer URL.
    Oidc,
}

/// Google's issuer: the same for every Workspace.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Google => "google",
            Provider::Microsoft => "microsoft",
            Provider::Oidc => "oidc",
        }
    }

    pub fn parse(text: &str) -> Option<Provider> {
        match text {
            "google" => Some(Provider::Google),
            "microsoft" => Some(Provider::Microsoft),
            "oidc" => Some(Provider::Oidc),
            _ => None,
        }
    }

    /// The words in the "Provider" select.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Google => "Google",
            Provider::Microsoft => "Microsoft",
            Provider::Oidc => "Other OpenID Connect",
        }
    }

    /// The button on `/login`.
    pub fn button_label(self) -> &'static str {
        match self {
            Provider::Google => "Sign in with Google",
            Provider::Microsoft => "Sign in with Microsoft",
            Provider::Oidc => "Sign in with single sign-on",
        }
    }

    /// The issuer a Microsoft tenant signs its tokens as: the tenant's own,
    /// never `/common` (which any Microsoft account could use).
    pub fn microsoft_issuer(tenant_id: &str) -> String {
        format!(
            "https://login.microsoftonline.com/{}/v2.0",
            tenant_id.trim()
        )
    }
}

/// What the "Single sign-on" section of `/settings` edits. `Debug` never
/// prints the client secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SsoSettingsForm {
    pub provider: Provider,
    /// Ignored for Google (fixed) and Microsoft (made from the tenant id).
    pub issuer_url: String,
    pub tenant_id: String,
    pub client_id: String,
    /// Write-only: empty keeps the secret already saved.
    pub client_secret: String,
    pub allowed_domain: String,
    pub staff_enabled: bool,
    pub learners_enabled: bool,
    pub require_for_staff: bool,
}

impl std::fmt::Debug for SsoSettingsForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettingsForm")
            .field("provider", &self.provider)
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("allowed_domain", &self.allowed_domain)
            .finish_non_exhaustive()
    }
}

/// The section's data. Never carries the client secret, only whether one
/// is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoSettingsPage {
    /// The saved settings (the secret left empty), or the defaults.
    pub form: SsoSettingsForm,
    pub configured: bool,
    /// The URL to register with the provider: `<public URL>/sso/callback`.
    pub redirect_url: String,
    /// The saved settings' version: a save from an older one is refused.
    pub version: i64,
}

/// Routes of the sign-in flow, served by plain axum handlers (they redirect
/// to and from the provider).
pub const START_PATH: &str = "/sso/start";
pub const CALLBACK_PATH: &str = "/sso/callback";

/// What `/login` and `/settings` say after a flow ended without signing in,
/// from the `sso` query parameter the callback redirects with. Only these
/// fixed words are shown: nothing the provider or the URL says is echoed.
pub fn outcome_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "no_account" => "No ClassKeys account matches this sign-in. Ask your school's admin.",
        "expired" => {
            "This sign-in expired or was already used. Start again with the sign-in button."
        }
        "cancelled" => "The sign-in was cancelled at your provider. Nothing was changed.",
        "provider_error" => {
            "Your provider refused the sign-in. Try again, or ask your school's admin to check the single sign-on settings."
        }
        "unreachable" => "Your provider could not be reached just now. Please try again in a minute.",
        "provider_config" => {
            "Your provider refused ClassKeys' request. Ask your school's admin to check the client ID and the redirect URL registered with the provider."
        }
        "invalid_token" => {
            "Your provider's answer could not be verified, so nobody was signed in. Ask your school's admin to check the single sign-on settings."
        }
        "not_enabled" => "Single sign-on is not switched on for your account. Sign in with your password.",
        "inactive" => "This account is switched off. Please ask the school office.",
        "slow_down" => "Too many sign-ins failed from this network just now. Please wait a minute and try again.",
        "busy" => {
            "Too many sign-ins are waiting at your provider just now. Please try again in a few minutes."
        }
        "test_ok" => "Single sign-on works: your provider signed you in and its answer checked out.",
        "test_ok_unmatched" => {
            "Your provider signed you in and its answer checked out, but no ClassKeys account matches that identity."
        }
        _ => return None,
    })
}
