//! The authorization code flow with PKCE (S256): [`begin`] sends the
//! browser to the provider; [`finish`] takes the callback, claims its
//! single-use `state`, exchanges the code, verifies the ID token (keys,
//! issuer, audience, expiry, nonce) and finds the account.

use std::net::IpAddr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, TokenResponse,
};
use secrecy::ExposeSecret;

use super::linking::{self, Identity, Matched, NoMatch};
use super::settings::{redirect_url, SchoolSso};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::ssr::accounts::AccountRecord;
use crate::db::begin_write;
use crate::error::AppError;
use crate::recovery::ssr::{random_token, token_hash as hash};
use crate::sso::Provider;
use crate::state::AppState;

/// How long a sign-in sent to the provider may take to come back.
pub const PENDING_SECS: i64 = 10 * 60;
/// Sign-ins of one school waiting at its provider at once from one network
/// (see [`pending_network`]): a whole school signing in within ten minutes
/// behind its one address fits, and one address sending `/sso/start` over
/// and over fills only its own share.
pub const MAX_PENDING_PER_NETWORK: i64 = 2_000;
/// Sign-ins of one school waiting at its provider at once from all
/// networks, so anonymous requests cannot grow the table without bound.
/// When it is full a new start takes an older one's place (`make_room`).
pub const MAX_PENDING_PER_SCHOOL: i64 = 10 * MAX_PENDING_PER_NETWORK;
/// A network holding this many of a full school's waiting sign-ins loses
/// its oldest first.
pub const LARGE_SHARE: i64 = MAX_PENDING_PER_SCHOOL / 100;

/// The network a waiting sign-in counts against: an IPv4 address (a
/// school's router), an IPv6 /48 (a site's prefix: one host may hold a
/// whole /64).
pub fn pending_network(client: IpAddr) -> String {
    match crate::auth::ssr::client_addr::network_of(client) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[3..].fill(0);
            format!("{}/48", std::net::Ipv6Addr::from(segments))
        }
    }
}

/// What a flow is for: signing in, or an admin's "Test sign-in", which
/// signs nobody in and links nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    Test { admin_id: String },
}

/// Where to send the browser, and the value of the cookie that ties the
/// callback to this browser.
pub struct Started {
    pub authorize_url: String,
    pub browser_token: String,
}

/// What `/sso/start` is asked: the school code from `/login`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StartRequest {
    #[serde(default)]
    pub school_code: String,
}

/// What the callback carried.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// RFC 9207: the issuer that answered, when the provider says.
    pub iss: Option<String>,
    pub error: Option<String>,
}

/// How a callback ended.
#[derive(Debug)]
pub enum Finished {
    SignedIn(Box<AccountRecord>),
    /// A test ended; the code says how (see [`crate::sso::outcome_message`]).
    Tested(&'static str),
    /// Nobody signed in; the code says why. `test` when it was a test.
    Refused {
        code: &'static str,
        test: bool,
    },
}

fn client_for(
    state: &AppState,
    school: &SchoolSso,
    metadata: CoreProviderMetadata,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    AppError,
> {
    let redirect = RedirectUrl::new(redirect_url(state)).map_err(|error| {
        tracing::error!(%error, "the public URL does not make a redirect URL");
        AppError::Internal
    })?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(school.client_id.clone()),
        Some(ClientSecret::new(
            school.client_secret.expose_secret().to_string(),
        )),
    )
    .set_redirect_uri(redirect))
}

/// Starts a sign-in at the school's provider.
pub async fn begin(
    state: &AppState,
    school: &SchoolSso,
    purpose: Purpose,
    browser_addr: IpAddr,
) -> Result<Started, &'static str> {
    let metadata = state
        .sso
        .metadata(&school.issuer_url, false)
        .await
        .map_err(|_| "unreachable")?;
    let client = client_for(state, school, (*metadata).clone()).map_err(|_| "provider_error")?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if school.provider == Provider::Google {
        // A hint for Google's account chooser; the check is the token's `hd`.
        request = request.add_extra_param("hd", school.allowed_domain.clone());
    }
    let (url, csrf, nonce) = request.url();
    let browser_token = random_token().expose_secret().to_string();
    let now = state.clock.now();
    let (kind, admin) = match &purpose {
        Purpose::SignIn => ("sign_in", None),
        Purpose::Test { admin_id } => ("test", Some(admin_id.clone())),
    };
    let network = pending_network(browser_addr);
    let stored = async {
        sqlx::query("DELETE FROM sso_pending WHERE created_at < $1")
            .bind(now - PENDING_SECS)
            .execute(&state.db)
            .await?;
        let (in_school, from_network): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(CASE WHEN client_net = $2 THEN 1 END) \
             FROM sso_pending WHERE school_id = $1",
        )
        .bind(&school.school_id)
        .bind(&network)
        .fetch_one(&state.db)
        .await?;
        if from_network >= MAX_PENDING_PER_NETWORK {
            return Ok(false);
        }
        if in_school >= MAX_PENDING_PER_SCHOOL {
            // Refusing every start here would let a few networks doing
            // nothing else block a school's single sign-on.
            make_room(
                state,
                &school.school_id,
                in_school - MAX_PENDING_PER_SCHOOL + 1,
            )
            .await?;
        }
        sqlx::query(
            "INSERT INTO sso_pending (state_hash, school_id, purpose, requested_by, browser_hash, \
             nonce, pkce_verifier, created_at, client_net) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(hash(csrf.secret()))
        .bind(&school.school_id)
        .bind(kind)
        .bind(admin)
        .bind(hash(&browser_token))
        .bind(nonce.secret())
        .bind(verifier.secret())
        .bind(now)
        .bind(&network)
        .execute(&state.db)
        .await?;
        Ok::<bool, sqlx::Error>(true)
    };
    let stored = stored.await.map_err(|error| {
        tracing::error!(%error, "single sign-on: storing the pending sign-in failed");
        "provider_error"
    })?;
    if !stored {
        tracing::warn!(school = %school.school_id, %network, "single sign-on: too many sign-ins waiting at the provider");
        return Err("busy");
    }
    Ok(Started {
        authorize_url: url.to_string(),
        browser_token,
    })
}

/// Removes `rows` of a full school's waiting sign-ins: the oldest of the
/// network holding the most while it holds at least [`LARGE_SHARE`] (a
/// few networks filling the table push out each other's rows); otherwise
/// the oldest of all, so many small networks must start 20,000 sign-ins
/// while a real one is at its provider (seconds) to push it out. Removing
/// every row over the limit, not one, keeps parallel starts from growing
/// the table past it.
async fn make_room(state: &AppState, school_id: &str, rows: i64) -> Result<(), sqlx::Error> {
    let largest: Option<(String, i64)> = sqlx::query_as(
        "SELECT client_net, COUNT(*) FROM sso_pending WHERE school_id = $1 \
         GROUP BY client_net ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .bind(school_id)
    .fetch_optional(&state.db)
    .await?;
    match largest.filter(|(_, held)| *held >= LARGE_SHARE) {
        Some((network, _)) => {
            sqlx::query(
                "DELETE FROM sso_pending WHERE state_hash IN (SELECT state_hash FROM sso_pending \
                 WHERE school_id = $1 AND client_net = $2 ORDER BY created_at LIMIT $3)",
            )
            .bind(school_id)
            .bind(network)
            .bind(rows)
            .execute(&state.db)
            .await?;
        }
        None => {
            sqlx::query(
                "DELETE FROM sso_pending WHERE state_hash IN (SELECT state_hash FROM sso_pending \
                 WHERE school_id = $1 ORDER BY created_at LIMIT $2)",
            )
            .bind(school_id)
            .bind(rows)
            .execute(&state.db)
            .await?;
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Pending {
    school_id: String,
    purpose: String,
    browser_hash: String,
    nonce: String,
    pkce_verifier: String,
    created_at: i64,
}

/// Claims the pending sign-in named by `state`: deleted whatever happens
/// next, so a callback works once. None when unknown, used, expired or
/// started in another browser.
async fn claim(
    state: &AppState,
    state_param: &str,
    browser_token: Option<&str>,
) -> Result<Option<Pending>, AppError> {
    let pending: Option<Pending> = sqlx::query_as(
        "DELETE FROM sso_pending WHERE state_hash = $1 \
         RETURNING school_id, purpose, browser_hash, nonce, pkce_verifier, created_at",
    )
    .bind(hash(state_param))
    .fetch_optional(&state.db)
    .await?;
    let now = state.clock.now();
    Ok(pending.filter(|pending| {
        pending.created_at > now - PENDING_SECS
            && browser_token.is_some_and(|token| hash(token) == pending.browser_hash)
    }))
}

/// Why a token was refused, for the log and the audit detail (never the
/// token itself).
struct TokenRefused {
    code: &'static str,
    reason: String,
}

impl TokenRefused {
    fn new(code: &'static str, reason: impl Into<String>) -> Self {
        TokenRefused {
            code,
            reason: reason.into(),
        }
    }
}

/// Exchanges the code (with the PKCE verifier) and verifies the ID token.
async fn verified_identity(
    state: &AppState,
    school: &SchoolSso,
    code: &str,
    pending: &Pending,
) -> Result<Identity, TokenRefused> {
    let metadata = state
        .sso
        .metadata(&school.issuer_url, false)
        .await
        .map_err(|error| TokenRefused::new("unreachable", error.to_string()))?;
    let client = client_for(state, school, (*metadata).clone())
        .map_err(|_| TokenRefused::new("provider_error", "no redirect URL"))?;
    let exchange = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|error| TokenRefused::new("provider_error", error.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()));
    let response = exchange
        .request_async(&state.sso)
        .await
        .map_err(|error| match error {
            RequestTokenError::ServerResponse(answer) => TokenRefused::new(
                "provider_error",
                format!("the token endpoint refused the code: {}", answer.error()),
            ),
            RequestTokenError::Request(error) => {
                TokenRefused::new("unreachable", error.to_string())
            }
            other => TokenRefused::new("invalid_token", other.to_string()),
        })?;
    let id_token = response
        .id_token()
        .ok_or_else(|| TokenRefused::new("invalid_token", "the provider sent no ID token"))?;
    let nonce = Nonce::new(pending.nonce.clone());
    let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(claims) => claims.clone(),
        // A key the cached set lacks: the provider rotated its keys. Fetch
        // them again once.
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            let fresh = state
                .sso
                .metadata(&school.issuer_url, true)
                .await
                .map_err(|error| TokenRefused::new("unreachable", error.to_string()))?;
            let client = client_for(state, school, (*fresh).clone())
                .map_err(|_| TokenRefused::new("provider_error", "no redirect URL"))?;
            let claims = id_token
                .claims(&client.id_token_verifier(), &nonce)
                .map_err(|error| TokenRefused::new("invalid_token", error.to_string()))?
                .clone();
            claims
        }
        Err(error) => return Err(TokenRefused::new("invalid_token", error.to_string())),
    };
    let extra = provider_claims(id_token);
    Ok(Identity {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|email| email.to_string()),
        email_verified: claims.email_verified().unwrap_or(false)
            || (school.provider == Provider::Microsoft && extra.xms_edov == Some(true)),
        hosted_domain: extra.hd,
        tenant: extra.tid,
    })
}

/// Claims the core types do not carry, read from a token whose signature
/// and claims were verified just before.
#[derive(Default, serde::Deserialize)]
struct ProviderClaims {
    hd: Option<String>,
    tid: Option<String>,
    /// Microsoft's "email domain owner verified".
    xms_edov: Option<bool>,
}

fn provider_claims(id_token: &CoreIdToken) -> ProviderClaims {
    id_token
        .to_string()
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default()
}

/// The provider's error answer (RFC 6749 §4.1.2.1) as one of the fixed
/// messages; its own description is never shown.
fn provider_error_code(error: &str) -> &'static str {
    match error {
        "access_denied" => "cancelled",
        "temporarily_unavailable" | "server_error" => "unreachable",
        "unauthorized_client"
        | "invalid_client"
        | "invalid_scope"
        | "invalid_request"
        | "unsupported_response_type" => "provider_config",
        _ => "provider_error",
    }
}

fn failure_event(school_id: &str, client: &str, detail: String) -> AuditEvent {
    AuditEvent {
        school_id: Some(school_id.to_string()),
        actor_label: "(single sign-on)".into(),
        target_label: "(no account)".into(),
        client_addr: client.to_string(),
        detail: format!("single sign-on: {detail}"),
        ..Default::default()
    }
}

/// Takes the provider's answer. A refusal is audited (without the token).
pub async fn finish(
    state: &AppState,
    callback: &Callback,
    browser_token: Option<&str>,
    client: &str,
) -> Result<Finished, AppError> {
    let refused = |code| Finished::Refused { code, test: false };
    let Some(state_param) = callback.state.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(refused("expired"));
    };
    let Some(pending) = claim(state, state_param, browser_token).await? else {
        return Ok(refused("expired"));
    };
    let test = pending.purpose == "test";
    let refused = |code| Finished::Refused { code, test };
    if let Some(error) = &callback.error {
        return Ok(refused(provider_error_code(error)));
    }
    let Some(school) = super::settings::for_school(state, &pending.school_id).await? else {
        return Ok(refused("not_enabled"));
    };
    let now = state.clock.now();
    let audit_failure = |detail: String| {
        let event = failure_event(&school.school_id, client, detail);
        async move { audit(&state.db, AuditAction::SignInFailed, event, now).await }
    };
    if callback
        .iss
        .as_deref()
        .is_some_and(|iss| iss != school.issuer_url)
    {
        audit_failure("the callback named another issuer".into()).await?;
        return Ok(refused("invalid_token"));
    }
    let Some(code) = callback.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(refused("provider_error"));
    };
    let identity = match verified_identity(state, &school, code, &pending).await {
        Ok(identity) => identity,
        Err(refusal) => {
            tracing::warn!(school = %school.school_id, reason = %refusal.reason, "single sign-on refused");
            audit_failure(refusal.reason).await?;
            return Ok(refused(refusal.code));
        }
    };
    let matched = linking::match_account(&state.db, &school, &identity).await?;
    if test {
        // The owner testing with their own identity: the provider works,
        // though it never signs the owner in.
        return Ok(Finished::Tested(
            if matches!(matched, Ok(_) | Err(NoMatch::Owner)) {
                "test_ok"
            } else {
                "test_ok_unmatched"
            },
        ));
    }
    let Matched {
        account,
        newly_linked,
    } = match matched {
        Ok(matched) => matched,
        Err(why) => {
            let email = identity.email.as_deref().unwrap_or("no email");
            let detail = match why {
                NoMatch::NoAccount => {
                    format!("no account matches {email} (subject {})", identity.subject)
                }
                NoMatch::Inactive => format!("account of {email} is inactive"),
                NoMatch::NotEnabled => format!("not switched on for the account of {email}"),
                NoMatch::Owner => {
                    format!("{email} is the owner's, who signs in with a password only")
                }
            };
            audit_failure(detail).await?;
            return Ok(refused(why.code()));
        }
    };
    let mut tx = begin_write(&state.db).await?;
    if newly_linked {
        if !linking::link(&mut tx, &school.school_id, &identity, &account.id, now).await? {
            // Another sign-in linked this identity or account meanwhile.
            return Ok(refused("no_account"));
        }
        let event = AuditEvent::by_self(&account, client)
            .with_detail(format!("{} at {}", identity.subject, identity.issuer));
        audit(&mut *tx, AuditAction::SsoLinked, event, now).await?;
    }
    // The account may have been switched off since it was read.
    let signed_in =
        sqlx::query("UPDATE accounts SET last_sign_in_at = $1 WHERE id = $2 AND active")
            .bind(now)
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
    if signed_in.rows_affected() == 0 {
        return Ok(refused("inactive"));
    }
    audit(
        &mut *tx,
        AuditAction::SsoSignIn,
        AuditEvent::by_self(&account, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Finished::SignedIn(Box::new(account)))
}
