//! Schools and their settings.

#[cfg(feature = "ssr")]
pub mod ssr;
