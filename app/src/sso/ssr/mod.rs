//! Server-side single sign-on: the provider, the settings, the flow and
//! linking.

pub mod flow;
pub mod linking;
pub mod outbound;
pub mod provider;
pub mod settings;
