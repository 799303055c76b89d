//! Talking to a school's OpenID Provider: discovery (cached, with its
//! keys), and the HTTP client every request goes through. The client never
//! follows redirects, so a provider cannot point ClassKeys at another host,
//! and reaches only the addresses [`AddressPolicy`] allows (server-side
//! request forgery).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openidconnect::core::CoreProviderMetadata;
use openidconnect::{
    AsyncHttpClient, DiscoveryError, HttpClientError, HttpRequest, HttpResponse, IssuerUrl,
};

use super::outbound::{AddressPolicy, PolicyResolver};

/// Discovery and keys are fetched again after this long, or at once when
/// an ID token names a key the cached set does not have.
const CACHE_FOR: Duration = Duration::from_secs(60 * 60);
/// A provider that does not answer within this is reported unreachable.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a provider's metadata could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("The issuer could not be reached ({0}). Check the issuer URL.")]
    Unreachable(String),
    #[error("The issuer answered, but not with valid OpenID Connect metadata ({0}). Check the issuer URL.")]
    BadMetadata(String),
}

/// Each issuer's metadata (with its keys) and when it was fetched.
type Cache = Arc<Mutex<HashMap<String, (Arc<CoreProviderMetadata>, Instant)>>>;

/// The HTTP client and discovery cache, shared by every request.
#[derive(Clone)]
pub struct Providers {
    http: reqwest::Client,
    policy: AddressPolicy,
    cache: Cache,
}

impl Providers {
    pub fn new(policy: AddressPolicy) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Directly, never through a proxy from the environment: a proxy
            // would resolve the provider's name itself, past the policy.
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            .dns_resolver(Arc::new(PolicyResolver(policy)))
            .build()
            .expect("a reqwest client with default TLS builds");
        Providers {
            http,
            policy,
            cache: Arc::default(),
        }
    }

    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// The provider's metadata and keys, from the cache unless `fresh`.
    pub async fn metadata(
        &self,
        issuer: &str,
        fresh: bool,
    ) -> Result<Arc<CoreProviderMetadata>, ProviderError> {
        if !fresh {
            let cache = self.cache.lock().expect("provider cache poisoned");
            if let Some((metadata, at)) = cache.get(issuer) {
                if at.elapsed() < CACHE_FOR {
                    return Ok(metadata.clone());
                }
            }
        }
        let issuer_url = IssuerUrl::new(issuer.to_string())
            .map_err(|error| ProviderError::BadMetadata(error.to_string()))?;
        let metadata = Arc::new(
            CoreProviderMetadata::discover_async(issuer_url, self)
                .await
                .map_err(describe)?,
        );
        endpoints_allowed(&metadata)?;
        self.cache
            .lock()
            .expect("provider cache poisoned")
            .insert(issuer.to_string(), (metadata.clone(), Instant::now()));
        Ok(metadata)
    }
}

/// Every request to a provider goes through here: refused when its URL
/// names an address the policy does not allow (names are checked as they
/// are resolved), else sent by the client that follows no redirects.
impl<'c> AsyncHttpClient<'c> for Providers {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let host = request.uri().host().unwrap_or_default();
            if let Some(refusal) = self.policy.refusal(host) {
                return Err(HttpClientError::Other(refusal));
            }
            self.http.call(request).await
        })
    }
}

/// Every endpoint the metadata names follows the issuer's rule (https, or
/// http on loopback): the client secret and codes never go out in clear.
fn endpoints_allowed(metadata: &CoreProviderMetadata) -> Result<(), ProviderError> {
    let mut endpoints = vec![
        metadata.authorization_endpoint().url(),
        metadata.jwks_uri().url(),
    ];
    endpoints.extend(metadata.token_endpoint().map(|url| url.url()));
    for endpoint in endpoints {
        let secure =
            endpoint.scheme() == "https" || (endpoint.scheme() == "http" && is_loopback(endpoint));
        if !secure {
            return Err(ProviderError::BadMetadata(format!(
                "its endpoint {endpoint} is not https"
            )));
        }
    }
    Ok(())
}

fn describe<RE: std::error::Error + 'static>(error: DiscoveryError<RE>) -> ProviderError {
    match error {
        DiscoveryError::Request(error) => ProviderError::Unreachable(source_chain(&error)),
        DiscoveryError::Response(status, _, _) if status.is_redirection() => {
            ProviderError::BadMetadata(format!(
                "it answered with a redirect ({status}), which ClassKeys does not follow"
            ))
        }
        DiscoveryError::Response(status, _, _) => {
            ProviderError::BadMetadata(format!("it answered {status}"))
        }
        DiscoveryError::Parse(error) => ProviderError::BadMetadata(format!(
            "the metadata could not be read at {}",
            error.path()
        )),
        DiscoveryError::Validation(message) => ProviderError::BadMetadata(message),
        other => ProviderError::BadMetadata(other.to_string()),
    }
}

/// An error and its causes in one line ("error sending request: connection
/// refused").
fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether `issuer` may be used: https, or http on a loopback address
/// only (a provider running on this machine for development and tests).
pub fn issuer_allowed(issuer: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(issuer.trim())
        .map_err(|_| "Enter the issuer URL, e.g. https://login.example.com.".to_string())?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err("The issuer URL has no query or fragment (nothing after ? or #).".into());
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err("The issuer URL must start with https:// (http:// only for a provider on this machine, such as a local test provider).".into()),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_issuers_and_loopback_http_issuers_only() {
        assert!(issuer_allowed("https://accounts.google.com").is_ok());
        assert!(issuer_allowed("http://127.0.0.1:4000").is_ok());
        assert!(issuer_allowed("http://[::1]:4000/realms/x").is_ok());
        assert!(issuer_allowed("http://localhost:4000").is_ok());
        for refused in [
            "http://accounts.example.com",
            "http://10.0.0.1",
            "http://127.0.0.1.example.com",
            "ftp://127.0.0.1",
            "https://example.com/?a=b",
            "not a url",
        ] {
            assert!(issuer_allowed(refused).is_err(), "{refused}");
        }
    }
}
