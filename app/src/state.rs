//! AppState: what every server function needs, provided as Leptos context.

use std::sync::Arc;

use crate::audit::group_commit::AuditQueue;
use crate::auth::ssr::network_limit::NetworkLimiter;
use crate::clock::{Clock, Pauses};
use crate::db::Db;
use crate::error::AppError;
use crate::passwords::hashing::PasswordHasher;
use crate::passwords::sealing::Sealer;
use crate::recovery::reset_requests::ResetRequests;
use crate::sms::SmsGateway;
use crate::sso::ssr::outbound::AddressPolicy;
use crate::sso::ssr::provider::Providers;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub hasher: PasswordHasher,
    pub sealer: Arc<Sealer>,
    pub clock: Clock,
    /// Deliberate waits (failed sign-ins from a busy network).
    pub pauses: Pauses,
    pub network_limiter: Arc<NetworkLimiter>,
    /// Base of every link sent by email or SMS (`CLASSKEYS_PUBLIC_URL`).
    pub public_url: Arc<str>,
    /// Where SMS go (`SMS_GATEWAY_URL`, or files in `<data>/outbox/sms/`).
    pub sms: SmsGateway,
    /// Single sign-on providers' metadata and keys, and the HTTP client
    /// that fetches them.
    pub sso: Providers,
    /// Audit rows of views, committed in groups.
    pub audit_queue: AuditQueue,
    /// "Forgot password?" requests, handled after their answer.
    pub reset_requests: ResetRequests,
}

impl AppState {
    pub fn new(db: Db, sealer: Sealer, public_url: &str) -> Self {
        AppState {
            audit_queue: AuditQueue::new(db.clone()),
            db,
            hasher: PasswordHasher::per_core(),
            sealer: Arc::new(sealer),
            clock: Clock::default(),
            pauses: Pauses::default(),
            network_limiter: Arc::new(NetworkLimiter::default()),
            public_url: public_url.trim_end_matches('/').into(),
            sms: SmsGateway::None,
            sso: Providers::new(AddressPolicy::for_public_url(public_url, false)),
            reset_requests: ResetRequests::default(),
        }
    }

    pub fn with_sms(mut self, gateway: SmsGateway) -> Self {
        self.sms = gateway;
        self
    }

    /// Lets single sign-on reach providers on private networks
    /// (`CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS`).
    pub fn with_private_sso_networks(mut self, allowed: bool) -> Self {
        if allowed != self.sso.policy().private {
            self.sso = Providers::new(AddressPolicy::for_public_url(&self.public_url, allowed));
        }
        self
    }
}

/// The state inside a server function or a server-rendered page.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
