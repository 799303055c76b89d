//! `/audit`: the school's audit log, newest first, filtered by action,
//! actor, target and date (the filters kept in the address), a page at a
//! time.

use leptos::either::Either;
use leptos::prelude::*;

use super::api::load_audit_log;
use super::{AuditQuery, ACTION_LABELS};
use crate::auth::permissions::Permission;
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::address_filter::{
    any_text, day, filter_in_address, first_page_when_changed, TYPING_PAUSE,
};
use crate::shell::allowed::Allowed;
use crate::shell::email_cell::breakable_after;
use crate::shell::fields::Filter;
use crate::shell::paging::{page_summary, PageButtons, PageSummary};
use crate::shell::scroll_box::ScrollBox;
use crate::shell::title::PageTitle;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <SignedIn>
            <section class="page">
                <PageTitle text="Audit log" />
                <h1>"Audit log"</h1>
                <Allowed permission=Permission::LearnerAuditLog for_whom="full admins, lead teachers and the school's owner">
                    <AuditView />
                </Allowed>
            </section>
        </SignedIn>
    }
}

#[component]
fn AuditView() -> impl IntoView {
    // The filters are kept in the address (`?action=…&actor=…&target=…&from=…&to=…`),
    // so a reload, a bookmark or a link to a colleague shows the same events.
    let (action, set_action) = filter_in_address("action", known_action, None);
    let (actor, set_actor) = filter_in_address("actor", any_text, Some(TYPING_PAUSE));
    let (target, set_target) = filter_in_address("target", any_text, Some(TYPING_PAUSE));
    let (from, set_from) = filter_in_address("from", day, None);
    let (to, set_to) = filter_in_address("to", day, None);
    let page = RwSignal::new(1u32);
    let page_moved = RwSignal::new(false);
    first_page_when_changed(
        move || {
            (
                action.get(),
                actor.get(),
                target.get(),
                from.get(),
                to.get(),
            )
        },
        page,
    );
    let log = page_data(
        move || AuditQuery {
            action: action.get(),
            actor: actor.get(),
            target: target.get(),
            from: from.get(),
            to: to.get(),
            page: page.get(),
        },
        load_audit_log,
    );
    let set = move |set: Callback<String>| {
        move |ev: leptos::ev::Event| {
            set.run(event_target_value(&ev));
            page.set(1);
        }
    };
    let filtered = move || {
        [action, actor, target, from, to]
            .iter()
            .any(|filter| !filter.with_untracked(|value| value.trim().is_empty()))
    };
    let current_action = action.get_untracked();
    let options = ACTION_LABELS
        .iter()
        .map(|(code, label)| {
            let selected = code.as_str() == current_action;
            view! { <option value=code.as_str() selected=selected>{*label}</option> }
        })
        .collect_view();

    view! {
        // Each label stays with its control when the filters wrap on a tablet.
        <div class="table-tools">
            <Filter id="audit_action" label="Action">
                <select id="audit_action" prop:value=move || action.get() on:change=set(set_action)>
                    <option value="">"Every action"</option>
                    {options}
                </select>
            </Filter>
            <Filter id="audit_actor" label="Actor">
                <input id="audit_actor" type="search" autocomplete="off" placeholder="Username"
                    value=actor.get_untracked() prop:value=move || actor.get() on:input=set(set_actor) />
            </Filter>
            <Filter id="audit_target" label="Target">
                <input id="audit_target" type="search" autocomplete="off" placeholder="Username or class"
                    value=target.get_untracked() prop:value=move || target.get() on:input=set(set_target) />
            </Filter>
            <Filter id="audit_from" label="From">
                <input id="audit_from" type="date" value=from.get_untracked() prop:value=move || from.get() on:change=set(set_from) />
            </Filter>
            <Filter id="audit_to" label="To">
                <input id="audit_to" type="date" value=to.get_untracked() prop:value=move || to.get() on:change=set(set_to) />
            </Filter>
        </div>
        <Transition fallback=|| view! { <p class="loading">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(found) => {
                        let (current, pages, total) = (found.page, found.pages, found.total);
                        let rows = found.rows.into_iter().map(|row| view! {
                            <tr>
                                <td class="time">{audit_time_cell(&row.time)}</td>
                                <td>{row.actor}</td>
                                <td>{row.action}</td>
                                <td>{row.target}</td>
                                // Broken between its groups, never inside a number.
                                <td class="code address">{breakable_after(&row.client_addr, &['.', ':'])}</td>
                                <td>{row.detail}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            {found.learner_events_only.then(|| view! {
                                <p class="hint">"As a lead teacher you see the events about learners."</p>
                            })}
                            <PageSummary text=page_summary(total, current, pages, "event") moved=page_moved />
                            {if total == 0 {
                                Either::Left(view! {
                                    <p>{if filtered() { "No events match the filters." } else { "Nothing has been recorded yet." }}</p>
                                })
                            } else {
                                Either::Right(view! {
                                    <ScrollBox label="Audit events">
                                        <table class="audit">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Time"</th>
                                                    <th scope="col">"Actor"</th>
                                                    <th scope="col">"Action"</th>
                                                    <th scope="col">"Target"</th>
                                                    <th scope="col">"Client address"</th>
                                                    <th scope="col">"Detail"</th>
                                                </tr>
                                            </thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </ScrollBox>
                                })
                            }}
                            <PageButtons current pages page moved=page_moved />
                        }.into_any()
                    }
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// An action code the log knows.
fn known_action(code: &str) -> bool {
    ACTION_LABELS
        .iter()
        .any(|(action, _)| action.as_str() == code)
}

/// "5 Dec 2026, 09:10 GMT" on at most two lines on a narrow column: the
/// date, then the time, each kept whole.
fn audit_time_cell(time: &str) -> AnyView {
    match time.split_once(", ") {
        Some((date, clock)) => {
            let (date, clock) = (format!("{date},"), clock.to_owned());
            view! { <span class="nowrap">{date}</span> " " <span class="nowrap">{clock}</span> }
                .into_any()
        }
        None => time.to_owned().into_any(),
    }
}
