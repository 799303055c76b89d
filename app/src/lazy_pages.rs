//! Pages whose code the browser loads only when they are opened: with
//! `cargo leptos build --split` each group of them becomes its own
//! WebAssembly chunk, so the sign-in page does not carry the whole app. The
//! server renders them as it renders any page.
//!
//! The teacher's pages (classes, a class, the learner tables, access codes)
//! stay in the main file: splitting them too made a teacher's first class
//! page fetch 117 small files (506 KB) instead of one.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// A lazily loaded route for a page component that loads its own data, in
/// a named group of pages. Pages of one group share one WebAssembly chunk
/// (wasm-split puts every function split under one module name into one
/// file): the pages one person opens together, such as the office's admin
/// pages, load as one download instead of one per page plus the small
/// chunks of code they share, and compress better as one file.
///
/// The group name must be the same identifier at every use, and every use
/// must go through this macro: `#[lazy]` names the chunk after the group and
/// the place it is written, and here that place is this macro's body.
/// `$view` names the split function (unique per page); `$preload` is the
/// preload function `#[lazy]` generates for it (`__preload_` + `$view`).
macro_rules! lazy_page {
    ($group:ident: $name:ident, $view:ident, $preload:ident => $page:path) => {
        pub struct $name;

        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            async fn view(this: Self) -> AnyView {
                $view(this).await
            }

            async fn preload() {
                // Only the browser loads chunks; the server has every page.
                #[cfg(target_arch = "wasm32")]
                $preload().await;
            }
        }

        #[leptos::lazy($group)]
        fn $view(_this: $name) -> AnyView {
            use $page as Page;
            view! { <Page /> }.into_any()
        }
    };
}

// A signed-in user's own account, and the anonymous way back into it.
lazy_page!(account: Account, account_view, __preload_account_view => crate::auth::account_page::AccountPage);
lazy_page!(account: NewPassword, new_password_view, __preload_new_password_view => crate::auth::account_page::NewPasswordPage);
lazy_page!(account: ForgotPassword, forgot_password_view, __preload_forgot_password_view => crate::recovery::forgot_page::ForgotPasswordPage);
// The school's administration: roster, staff, users, settings, audit.
lazy_page!(admin: Import, import_view, __preload_import_view => crate::roster::import_page::ImportPage);
lazy_page!(admin: Rollover, rollover_view, __preload_rollover_view => crate::roster::rollover_page::RolloverPage);
lazy_page!(admin: Staff, staff_view, __preload_staff_view => crate::staff::page::StaffPage);
lazy_page!(admin: Users, users_view, __preload_users_view => crate::users::page::UsersPage);
lazy_page!(admin: Settings, settings_view, __preload_settings_view => crate::settings::page::SettingsPage);
lazy_page!(admin: Audit, audit_view, __preload_audit_view => crate::audit::page::AuditPage);
// Parents: signing up, confirming, then their children's accounts.
lazy_page!(parents: Children, children_view, __preload_children_view => crate::parents::children_page::ChildrenPage);
lazy_page!(parents: ParentSignUp, parent_sign_up_view, __preload_parent_sign_up_view => crate::parents::signup_page::ParentSignUpPage);
lazy_page!(parents: ParentConfirm, parent_confirm_view, __preload_parent_confirm_view => crate::parents::confirm_page::ParentConfirmPage);
// Printing login cards (a class's or the school's).
lazy_page!(cards: ClassCards, class_cards_view, __preload_class_cards_view => crate::badges::cards_page::ClassCardsPage);
lazy_page!(cards: SchoolCards, school_cards_view, __preload_school_cards_view => crate::badges::cards_page::SchoolCardsPage);
// A learner's badge sign-in on a class tablet (the camera's QR decoder),
// on its own: a learner's tablet loads nothing else.
lazy_page!(badge: Badge, badge_view, __preload_badge_view => crate::badges::badge_page::BadgePage);
