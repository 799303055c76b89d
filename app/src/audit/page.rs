//! `/audit`: the school's audit log, newest first, filtered by action,
//! actor and date, a page at a time.

use leptos::prelude::*;

use super::api::load_audit_log;
use super::{AuditQuery, ACTION_LABELS};
use crate::auth::permissions::Permission;
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::allowed::Allowed;
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
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let page = RwSignal::new(1u32);
    let page_moved = RwSignal::new(false);
    let log = page_data(
        move || AuditQuery {
            action: action.get(),
            actor: actor.get(),
            from: from.get(),
            to: to.get(),
            page: page.get(),
        },
        load_audit_log,
    );
    let set = move |signal: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            signal.set(event_target_value(&ev));
            page.set(1);
        }
    };
    let options = ACTION_LABELS
        .iter()
        .map(|(code, label)| view! { <option value=code.as_str()>{*label}</option> })
        .collect_view();

    view! {
        // Each label stays with its control when the filters wrap on a tablet.
        <div class="table-tools">
            <span class="filter">
                <label for="audit_action">"Action"</label>
                <select id="audit_action" on:change=set(action)>
                    <option value="">"Every action"</option>
                    {options}
                </select>
            </span>
            <span class="filter">
                <label for="audit_actor">"Actor"</label>
                <input id="audit_actor" type="search" autocomplete="off" placeholder="Username" on:input=set(actor) />
            </span>
            <span class="filter">
                <label for="audit_from">"From"</label>
                <input id="audit_from" type="date" on:change=set(from) />
            </span>
            <span class="filter">
                <label for="audit_to">"To"</label>
                <input id="audit_to" type="date" on:change=set(to) />
            </span>
        </div>
        <Transition fallback=|| view! { <p class="loading">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(found) => {
                        let (current, pages, total) = (found.page, found.pages, found.total);
                        let rows = found.rows.into_iter().map(|row| view! {
                            <tr>
                                <td class="code">{row.time}</td>
                                <td>{row.actor}</td>
                                <td>{row.action}</td>
                                <td>{row.target}</td>
                                <td class="code">{row.client_addr}</td>
                                <td>{row.detail}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            {found.learner_events_only.then(|| view! {
                                <p class="hint">"As a lead teacher you see the events about learners."</p>
                            })}
                            <PageSummary text=page_summary(total, current, pages, "event") moved=page_moved />
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
                            <PageButtons current pages page moved=page_moved />
                        }.into_any()
                    }
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
