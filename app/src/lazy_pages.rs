//! Pages whose code the browser loads only when they are opened: with
//! `cargo leptos build --split` each becomes its own WebAssembly chunk, so
//! the sign-in page does not carry the whole app. The server renders them
//! as it renders any page.
//!
//! The teacher's pages (classes, a class, the learner tables, access codes)
//! stay in the main file: splitting them too made a teacher's first class
//! page fetch 117 small files (506 KB) instead of one.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A lazily loaded route for a page component that loads its own data.
macro_rules! lazy_page {
    ($name:ident => $page:path) => {
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            fn view(_this: Self) -> AnyView {
                use $page as Page;
                view! { <Page /> }.into_any()
            }
        }
    };
}

lazy_page!(Account => crate::auth::account_page::AccountPage);
lazy_page!(NewPassword => crate::auth::account_page::NewPasswordPage);
lazy_page!(Import => crate::roster::import_page::ImportPage);
lazy_page!(Rollover => crate::roster::rollover_page::RolloverPage);
lazy_page!(Staff => crate::staff::page::StaffPage);
lazy_page!(Users => crate::users::page::UsersPage);
lazy_page!(Settings => crate::settings::page::SettingsPage);
lazy_page!(Audit => crate::audit::page::AuditPage);
lazy_page!(Children => crate::parents::children_page::ChildrenPage);
lazy_page!(ParentSignUp => crate::parents::signup_page::ParentSignUpPage);
lazy_page!(ParentConfirm => crate::parents::confirm_page::ParentConfirmPage);
lazy_page!(ForgotPassword => crate::recovery::forgot_page::ForgotPasswordPage);
lazy_page!(ClassCards => crate::badges::cards_page::ClassCardsPage);
lazy_page!(SchoolCards => crate::badges::cards_page::SchoolCardsPage);
lazy_page!(Badge => crate::badges::badge_page::BadgePage);
