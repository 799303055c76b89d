//! One learner at a time: show the current password, reset it, unlock a
//! learner who is locked out. Used by the class pages and the school-wide
//! student database.

pub mod api;
pub mod reset_dialog;
#[cfg(feature = "ssr")]
pub mod ssr;
