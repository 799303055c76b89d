//! The signed-in user as the UI knows it, and the actions that change it.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::auth::api::{current_user, ChangePassword, ChooseNewPassword, SignOut};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::navigation::reload_at;
use crate::page_data::{page_data_blocking, PageData};
use crate::routes::{AFTER_PASSWORD_CHANGE, AFTER_SIGN_OUT, HOME, LOGIN, NEW_PASSWORD};

/// Provided once by [`crate::App`]. The user is refetched whenever one of the
/// actions that can change it has run. Signing in is a plain form post
/// (`/login`), answered by a whole new page.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: PageData<Result<Option<SignedInUser>, AppError>>,
    pub sign_out: ServerAction<SignOut>,
    pub change_password: ServerAction<ChangePassword>,
    pub choose_new_password: ServerAction<ChooseNewPassword>,
}

impl Session {
    pub fn provide() -> Self {
        let sign_out = ServerAction::<SignOut>::new();
        let change_password = ServerAction::<ChangePassword>::new();
        let choose_new_password = ServerAction::<ChooseNewPassword>::new();
        // Blocking, so the server knows who is signed in before it sends any
        // HTML and can redirect at once.
        let user = page_data_blocking(
            move || choose_new_password.version().get(),
            |_| current_user(),
        );
        // Signing out or changing the password ends the session: reload
        // the page so nothing of it stays in the browser's memory.
        Effect::new(move |_| {
            if matches!(sign_out.value().get(), Some(Ok(()))) {
                reload_at(AFTER_SIGN_OUT);
            }
        });
        Effect::new(move |_| {
            if matches!(change_password.value().get(), Some(Ok(()))) {
                reload_at(AFTER_PASSWORD_CHANGE);
            }
        });
        // After the forced change the user stays signed in on a new
        // session: load the home page afresh, so no page still holds the
        // user as they were ("must change password") and sends them back.
        Effect::new(move |_| {
            if matches!(choose_new_password.value().get(), Some(Ok(()))) {
                reload_at(HOME);
            }
        });
        let session = Session {
            user,
            sign_out,
            change_password,
            choose_new_password,
        };
        provide_context(session);
        session
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Renders `children` for a signed-in user (available to them through
/// `use_context::<SignedInUser>()`); sends everyone else to sign in, and a
/// user who must choose a new password to that form first.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    // One `Suspend`, made once, not a closure: the server runs a closure in
    // a `Transition` more than once (a dry run, then for real), and each run
    // would build the page again, its resources loading (and audited
    // reads being recorded) again.
    let page = Suspend::new(async move {
        match session.user.await {
            Ok(Some(user))
                if user.must_change_password
                    && location.pathname.get_untracked() != NEW_PASSWORD =>
            {
                view! { <Redirect path=NEW_PASSWORD /> }.into_any()
            }
            Ok(Some(user)) => {
                provide_context(user);
                children().into_any()
            }
            Ok(None) => view! { <Redirect path=LOGIN /> }.into_any(),
            Err(error) => {
                view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {page}
        </Transition>
    }
}

/// The signed-in user inside [`SignedIn`].
pub fn use_signed_in_user() -> SignedInUser {
    expect_context::<SignedInUser>()
}
