//! The ClassKeys server: configuration, start-up and the router. Domain
//! logic lives in the `app` crate.

pub mod backup;
pub mod config;
pub mod hardening;
pub mod health;
pub mod page_access;
pub mod page_csp;
pub mod priority;
pub mod router;
pub mod secret_key;
pub mod see_other;
pub mod serve;
pub mod sign_in_form;
pub mod sso;
pub mod startup;
