//! `/reset-password/{token}` and `/welcome/{token}`: "New password",
//! "Confirm new password", "Set password". A link that no longer works (or
//! belongs to the other page) says so in words.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::{reset_link_state, ResetPasswordWithToken};
use super::{LinkPage, LinkState};
use crate::auth::password_form::NewPasswordInputs;
use crate::navigation::reload_at;
use crate::page_data::page_data;
use crate::routes::FORGOT_PASSWORD;
use crate::shell::fields::{focus_first_invalid_when_refused, form_error};
use crate::shell::title::PageTitle;

#[component]
pub fn ResetPasswordPage(page: LinkPage) -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let link = page_data(
        {
            let token = token.clone();
            move || token.clone()
        },
        move |token| reset_link_state(token, page),
    );
    let token = StoredValue::new(token);
    let heading = match page {
        LinkPage::ResetPassword => "Choose a new password",
        LinkPage::Welcome => "Welcome to ClassKeys: choose your password",
    };
    view! {
        <section class="page narrow">
            <PageTitle text=heading />
            <h1>{heading}</h1>
            <Transition fallback=|| view! { <p class="loading">"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(LinkState::Valid { display_name, school_name, rules }) => view! {
                            <p>"For " <strong>{display_name}</strong> " at " {school_name} "."</p>
                            <ResetForm token=token.get_value() page rules />
                        }.into_any(),
                        Ok(LinkState::Unusable) => view! {
                            <p class="error" role="alert">
                                "This link has expired or was already used. Links work once, for 60 minutes."
                            </p>
                            <p><a class="button" href=FORGOT_PASSWORD>"Ask for a new link"</a></p>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ResetForm(
    token: String,
    page: LinkPage,
    rules: (
        crate::password_rules::PasswordPolicy,
        crate::password_rules::PasswordContext,
    ),
) -> impl IntoView {
    let action = ServerAction::<ResetPasswordWithToken>::new();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            reload_at(page.after_password());
        }
    });
    let refused = Signal::derive(move || action.value().get().and_then(Result::err));
    let form = NodeRef::<leptos::html::Form>::new();
    focus_first_invalid_when_refused(refused, form);
    view! {
        <ActionForm action node_ref=form attr:class="form" attr:novalidate=true>
            <input type="hidden" name="token" value=token />
            <input type="hidden" name="page" value=format!("{page:?}") />
            <NewPasswordInputs rules=Some(rules) refused />
            {move || form_error(refused, &["new_password", "confirm_new_password"]).get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            <button type="submit" class="button primary">"Set password"</button>
        </ActionForm>
    }
}
