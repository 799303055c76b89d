//! `/classes/{id}/cards` and `/school/cards`: a login card per learner,
//! ready to print (the print stylesheet shows only the cards, whole cards
//! per page). The QR codes are drawn here, in the browser.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::load_login_cards;
use super::{qr_label, LoginCard, LoginCards};
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::title::PageTitle;

#[component]
pub fn ClassCardsPage() -> impl IntoView {
    let params = use_params_map();
    let class_id = move || params.read().get("id");
    view! {
        <SignedIn>
            <CardsLoader class_id=Signal::derive(class_id) />
        </SignedIn>
    }
}

#[component]
pub fn SchoolCardsPage() -> impl IntoView {
    view! {
        <SignedIn>
            <CardsLoader class_id=Signal::derive(|| None) />
        </SignedIn>
    }
}

#[component]
fn CardsLoader(class_id: Signal<Option<String>>) -> impl IntoView {
    let cards = page_data(move || class_id.get(), load_login_cards);
    view! {
        <section class="page cards-page">
            // Until the cards load (and in the server's HTML): the class comes after.
            <PageTitle text="Login cards" />
            <Transition fallback=|| view! { <p class="loading">"Loading login cards…"</p> }>
                {move || Suspend::new(async move {
                    match cards.await {
                        Ok(cards) => {
                            // Back where the cards were opened from.
                            let back = match class_id.get_untracked() {
                                Some(id) => (format!("/classes/{id}"), "← Back to the class"),
                                None => (crate::routes::SCHOOL_LEARNERS.to_string(), "← Back to the student database"),
                            };
                            view! { <Cards cards back /> }.into_any()
                        }
                        Err(error) => view! {
                            <h1>"Login cards"</h1>
                            <p class="error" role="alert">{error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Cards(cards: LoginCards, back: (String, &'static str)) -> impl IntoView {
    let LoginCards {
        school_name,
        school_code,
        title,
        badges_enabled,
        cards,
    } = cards;
    let count = cards.len();
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let school = StoredValue::new((school_name, school_code));
    view! {
        <p class="back-link no-print"><a href=back.0>{back.1}</a></p>
        <div class="page-head no-print">
            <PageTitle text=format!("Login cards: {title}") />
            <h1>{format!("Login cards: {title}")}</h1>
            <div class="page-actions">
                <button type="button" class="button primary" on:click=print>"Print"</button>
            </div>
        </div>
        <p class="hint no-print" role="status">
            {match count {
                1 => "1 card. Cut along the dashed lines.".to_string(),
                n => format!("{n} cards. Cut along the dashed lines."),
            }}
            {(!badges_enabled).then_some(" QR badges are off: a full admin or the owner can turn on \"Badge sign-in\" in School settings.")}
        </p>
        <div class="login-cards">
            {cards.into_iter().map(|card| {
                let (name, code) = school.get_value();
                view! { <Card card school_name=name school_code=code /> }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Card(card: LoginCard, school_name: String, school_code: String) -> impl IntoView {
    let label = qr_label(&card.first_name, &card.last_name);
    // Drawn in the browser only: an effect never runs on the server.
    let qr = RwSignal::new(None::<String>);
    if let Some(url) = card.badge_url.clone() {
        Effect::new(move |_| qr.set(super::qr::qr_data_url(&url)));
    }
    let has_badge = card.badge_url.is_some();
    view! {
        <article class=if has_badge { "login-card with-qr" } else { "login-card" } aria-label=format!("Login card for {} {}", card.first_name, card.last_name)>
            <p class="card-school">{school_name}" · "<span class="code">{school_code}</span></p>
            <h2 class="card-name">{format!("{} {}", card.first_name, card.last_name)}</h2>
            <p class="card-class">{card.class_name.clone()}</p>
            <dl class="card-details">
                <dt>"Username"</dt>
                <dd class="code">{card.username.clone()}</dd>
                <dt>"Password"</dt>
                <dd class="code">{card.password.text().to_string()}</dd>
            </dl>
            {has_badge.then(|| view! {
                <div class="card-qr">
                    {move || qr.get().map(|src| view! { <img src=src alt=label.clone() width="160" height="160" /> })}
                </div>
            })}
        </article>
    }
}
