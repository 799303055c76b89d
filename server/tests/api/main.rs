//! HTTP-level tests: each spawns the real router on a free port over a
//! fresh database (see `helpers::spawn_app`).

mod audit;
mod badges;
mod class_database;
mod class_permissions;
mod cli;
mod demo_data;
mod hardening;
mod health;
mod helpers;
mod key_rotation;
mod login_form;
mod matrix;
mod oidc_provider;
mod parents;
mod permissions;
mod recovery;
mod rollover;
mod roster;
mod roster_import;
mod sessions;
mod settings;
mod sign_in;
mod sms;
mod smtp;
mod sso;
mod staff;
mod test_database;
mod two_servers;
mod users;
