//! `/audit`: the school's audit log, newest first, filtered by action,
//! actor and date, a page at a time.

use leptos::prelude::*;

use super::api::load_audit_log;
use super::{AuditQuery, ACTION_LABELS};
use crate::auth::permissions::Permission;
use crate::session::{use_signed_in_user, SignedIn};

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <SignedIn>
            <AuditGate />
        </SignedIn>
    }
}

#[component]
fn AuditGate() -> impl IntoView {
    let allowed = use_signed_in_user().can(Permission::LearnerAuditLog);
    view! {
        <section class="page">
            <h1>"Audit log"</h1>
            {if allowed {
                view! { <AuditView /> }.into_any()
            } else {
                view! {
                    <p class="error" role="alert">
                        "You do not have permission to open this page. It is for full admins, lead teachers and the school's owner."
                    </p>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AuditView() -> impl IntoView {
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let page = RwSignal::new(1u32);
    let log = Resource::new(
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
        <div class="table-tools">
            <label for="audit_action">"Action"</label>
            <select id="audit_action" on:change=set(action)>
                <option value="">"Every action"</option>
                {options}
            </select>
            <label for="audit_actor">"Actor"</label>
            <input id="audit_actor" type="search" autocomplete="off" placeholder="Username" on:input=set(actor) />
            <label for="audit_from">"From"</label>
            <input id="audit_from" type="date" on:change=set(from) />
            <label for="audit_to">"To"</label>
            <input id="audit_to" type="date" on:change=set(to) />
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
                            <p class="hint" role="status">
                                {format!("{total} event{} · page {current} of {pages}", if total == 1 { "" } else { "s" })}
                            </p>
                            <div class="table-scroll">
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
                            </div>
                            <div class="dialog-row">
                                <button type="button" class="button" disabled={current <= 1} on:click=move |_| page.set(current - 1)>
                                    "Previous page"
                                </button>
                                <button type="button" class="button" disabled={current >= pages} on:click=move |_| page.set(current + 1)>
                                    "Next page"
                                </button>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
