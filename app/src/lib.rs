//! ClassKeys: components, shared types and server functions. Everything
//! that needs the database, keys or the network is behind the `ssr` feature.

// Leptos's view types nest deeply; the release WASM build needs the room.
#![recursion_limit = "256"]

pub mod audit;
pub mod auth;
pub mod badges;
pub mod classes;
pub mod csv;
pub mod download;
pub mod error;
mod lazy_pages;
pub mod learners;
pub mod names;
pub mod navigation;
pub mod page_data;
pub mod parents;
pub mod password_rules;
pub mod recovery;
pub mod roster;
pub mod routes;
pub mod schools;
pub mod session;
pub mod settings;
pub mod shell;
pub mod shown_time;
pub mod sso;
pub mod staff;
pub mod usernames;
pub mod users;
pub mod words;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod digest;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod school_time;
#[cfg(feature = "ssr")]
pub mod sms;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use auth::login_page::LoginPage;
use classes::access_codes_page::ClassAccessCodesPage;
use classes::class_page::ClassPage;
use classes::list_page::ClassesPage;
use classes::school_pages::{SchoolAccessCodesPage, StudentDatabasePage};
use recovery::reset_page::ResetPasswordPage;
use recovery::LinkPage;
use session::Session;
use shell::header::Header;
use shell::home::HomePage;
use shell::not_found::NotFound;
use shell::route_focus::FocusOnNavigation;

/// The HTML document the server renders around the app.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::{HashedStylesheet, MetaTags};
    // The sign-in page is plain HTML and a form: no WebAssembly to load,
    // so it is interactive as it arrives (`data-hydrated` tells the
    // end-to-end tests so, as the WebAssembly does on every other page).
    let without_wasm = use_context::<http::request::Parts>()
        .is_some_and(|parts| routes::loads_no_webassembly(parts.uri.path()));
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                {(!without_wasm).then(|| view! { <HydrationScripts options=options.clone() /> })}
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body data-hydrated=without_wasm.then_some("true")>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Session::provide();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "ClassKeys".to_string() } else { format!("{page} · ClassKeys") } />
        <Router>
            // `rel="external"`: the browser follows it, not the router, and
            // a fragment link to a focusable target moves focus there.
            <a class="skip-link" href="#main" rel="external">"Skip to content"</a>
            <FocusOnNavigation />
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    // Rendered whole on the server, with no WebAssembly (auth/login_page.rs).
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<lazy_pages::Account>::new()} />
                    <Route path=path!("/account/new-password") view={Lazy::<lazy_pages::NewPassword>::new()} />
                    <Route path=path!("/classes") view=ClassesPage />
                    <Route path=path!("/classes/:id") view=ClassPage ssr=SsrMode::Async />
                    // Rendered whole before it is sent, so a class the user cannot
                    // see answers 404 (the status goes out with the first byte).
                    <Route path=path!("/classes/:id/accounts") view=ClassAccessCodesPage ssr=SsrMode::Async />
                    <Route path=path!("/classes/:id/cards") view={Lazy::<lazy_pages::ClassCards>::new()} />
                    <Route path=path!("/school/cards") view={Lazy::<lazy_pages::SchoolCards>::new()} />
                    <Route path=path!("/badge") view={Lazy::<lazy_pages::Badge>::new()} />
                    <Route path=path!("/school/learners") view=StudentDatabasePage />
                    <Route path=path!("/school/accounts") view=SchoolAccessCodesPage />
                    <Route path=path!("/school/import") view={Lazy::<lazy_pages::Import>::new()} />
                    <Route path=path!("/school/rollover") view={Lazy::<lazy_pages::Rollover>::new()} />
                    <Route path=path!("/staff") view={Lazy::<lazy_pages::Staff>::new()} />
                    <Route path=path!("/users") view={Lazy::<lazy_pages::Users>::new()} />
                    <Route path=path!("/settings") view={Lazy::<lazy_pages::Settings>::new()} />
                    <Route path=path!("/audit") view={Lazy::<lazy_pages::Audit>::new()} />
                    <Route path=path!("/parent") view={Lazy::<lazy_pages::Children>::new()} />
                    <Route path=path!("/parent/signup") view={Lazy::<lazy_pages::ParentSignUp>::new()} />
                    <Route path=path!("/parent/confirm/:token") view={Lazy::<lazy_pages::ParentConfirm>::new()} />
                    <Route path=path!("/forgot-password") view={Lazy::<lazy_pages::ForgotPassword>::new()} />
                    <Route path=path!("/reset-password/:token") view=|| view! { <ResetPasswordPage page=LinkPage::ResetPassword /> } />
                    <Route path=path!("/welcome/:token") view=|| view! { <ResetPasswordPage page=LinkPage::Welcome /> } />
                </Routes>
            </main>
        </Router>
    }
}
