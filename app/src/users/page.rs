//! `/users`: search, filter and page through every account of the school;
//! inactivate (after a confirmation), reactivate, change an email, and find
//! possible duplicates.

use leptos::prelude::*;

use super::api::{
    learner_for_reset, list_users, possible_duplicates, send_account_reset_link,
    set_account_active, unlink_single_sign_on,
};
use super::dialogs::{ChangeEmailDialog, InactivateDialog};
use super::table::{RowAction, UserTable};
use super::{UserQuery, UserRow};
use crate::auth::api::sign_out_everywhere;
use crate::auth::permissions::Permission;
use crate::classes::LearnerRow;
use crate::learners::reset_dialog::ResetPasswordDialog;
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::address_filter::{
    any_text, filter_in_address, first_page_when_changed, page_in_address, TYPING_PAUSE,
};
use crate::shell::allowed::Allowed;
use crate::shell::fields::Filter;
#[cfg(feature = "hydrate")]
use crate::shell::fields::{focus_by_id, focus_is_lost};
use crate::shell::paging::{page_summary, PageButtons, PageSummary};
use crate::shell::title::PageTitle;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <SignedIn>
            <section class="page wide">
                <PageTitle text="Users" />
                <h1>"Users"</h1>
                <Allowed permission=Permission::ManageUsers for_whom="full admins and the school's owner">
                    <UsersView />
                </Allowed>
            </section>
        </SignedIn>
    }
}

/// What a row's buttons ask the page to do.
#[derive(Clone)]
enum Pending {
    Inactivate(UserRow),
    ChangeEmail(UserRow),
    ResetLearner(LearnerRow, bool),
}

#[component]
fn UsersView() -> impl IntoView {
    // The filters and the page are kept in the address
    // (`?q=…&role=…&status=…&page=…`), so a reload or a bookmark shows the
    // same accounts again.
    let (search, set_search) = filter_in_address("q", any_text, Some(TYPING_PAUSE));
    let (role, set_role) = filter_in_address("role", |v| ROLES.contains(&v), None);
    let (status, set_status) = filter_in_address("status", |v| STATUSES.contains(&v), None);
    let page = page_in_address("page");
    let page_moved = RwSignal::new(false);
    first_page_when_changed(move || (search.get(), role.get(), status.get()), page);
    // Bumped after every change, so the table and duplicates reload.
    let version = RwSignal::new(0u32);
    let pending = RwSignal::new(None::<Pending>);
    let notice = RwSignal::new(None::<Result<String, String>>);
    let show_duplicates = RwSignal::new(false);

    let users = page_data(
        move || {
            (
                UserQuery {
                    search: search.get(),
                    role: role.get(),
                    status: status.get(),
                    page: page.get(),
                },
                version.get(),
            )
        },
        |(query, _)| list_users(query),
    );
    let duplicates = page_data(
        move || (show_duplicates.get(), version.get()),
        |(shown, _)| async move {
            if shown {
                possible_duplicates().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let reactivate = Action::new(move |row: &UserRow| {
        let row = row.clone();
        async move {
            notice.set(Some(match set_account_active(row.id.clone(), true).await {
                Ok(_) => Ok(format!("{} can sign in again.", row.display_name)),
                Err(e) => Err(e.to_string()),
            }));
            version.update(|v| *v += 1);
        }
    });
    let unlink = Action::new(move |row: &UserRow| {
        let row = row.clone();
        async move {
            notice.set(Some(match unlink_single_sign_on(row.id.clone()).await {
                Ok(_) => Ok(format!(
                    "{} is no longer linked to single sign-on.",
                    row.display_name
                )),
                Err(e) => Err(e.to_string()),
            }));
            version.update(|v| *v += 1);
        }
    });
    // A learner: the class page's "Reset password" dialog. Staff and
    // parents: the forgotten-password link, by email.
    let reset = Action::new(move |row: &UserRow| {
        let row = row.clone();
        async move {
            if row.role == "learner" {
                match learner_for_reset(row.id.clone()).await {
                    Ok((learner, visible)) => {
                        pending.set(Some(Pending::ResetLearner(learner, visible)))
                    }
                    Err(e) => notice.set(Some(Err(e.to_string()))),
                }
            } else {
                notice.set(Some(
                    send_account_reset_link(row.id.clone())
                        .await
                        .map(|text| format!("{} ({}): {text}", row.display_name, row.username))
                        .map_err(|e| e.to_string()),
                ));
            }
        }
    });
    // Ends every session of the account; it stays active and can sign in again.
    let sign_out_all = Action::new(move |row: &UserRow| {
        let row = row.clone();
        async move {
            notice.set(Some(match sign_out_everywhere(row.id.clone()).await {
                Ok(()) => Ok(format!(
                    "{} ({}) is signed out everywhere: their next page asks them to sign in.",
                    row.display_name, row.username
                )),
                Err(e) => Err(e.to_string()),
            }));
        }
    });
    let on_row = Callback::new(move |(row, act): (UserRow, RowAction)| match act {
        RowAction::ResetPassword => {
            notice.set(None);
            reset.dispatch(row);
        }
        RowAction::Inactivate => pending.set(Some(Pending::Inactivate(row))),
        RowAction::Reactivate => {
            reactivate.dispatch(row);
        }
        RowAction::ChangeEmail => pending.set(Some(Pending::ChangeEmail(row))),
        RowAction::UnlinkSso => {
            unlink.dispatch(row);
        }
        RowAction::SignOutEverywhere => {
            sign_out_all.dispatch(row);
        }
    });
    let done = Callback::new(move |message: String| {
        pending.set(None);
        notice.set(Some(Ok(message)));
        version.update(|v| *v += 1);
    });
    let close = Callback::new(move |()| pending.set(None));
    let filter_changed = move || page.set(1);

    view! {
        // Each label stays with its control when the filters wrap on a tablet.
        <div class="table-tools">
            <Filter id="user_search" label="Search">
                <input
                    id="user_search"
                    type="search"
                    autocomplete="off"
                    placeholder="Name, username or email"
                    value=search.get_untracked()
                    prop:value=move || search.get()
                    on:input=move |ev| { set_search.run(event_target_value(&ev)); filter_changed(); }
                />
            </Filter>
            <Filter id="user_role" label="Role">
                <select id="user_role" prop:value=move || role.get() on:change=move |ev| { set_role.run(event_target_value(&ev)); filter_changed(); }>
                    {choices(&ROLES, &ROLE_LABELS, role.get_untracked())}
                </select>
            </Filter>
            <Filter id="user_status" label="Status">
                <select id="user_status" prop:value=move || status.get() on:change=move |ev| { set_status.run(event_target_value(&ev)); filter_changed(); }>
                    {choices(&STATUSES, &STATUS_LABELS, status.get_untracked())}
                </select>
            </Filter>
            <button
                type="button"
                class="button"
                aria-pressed=move || show_duplicates.get().to_string()
                on:click=move |_| show_duplicates.update(|s| *s = !*s)
            >
                "Possible duplicates"
            </button>
        </div>
        {move || notice.get().map(|n| match n {
            // Focusable: a row the action took out of the filtered list
            // (reactivated under "Inactive") took focus with it.
            Ok(text) => view! { <p class="notice" role="status" id="users_notice" tabindex="-1">{text}</p> }.into_any(),
            Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="loading">"Loading possible duplicates…"</p> }>
            {move || Suspend::new(async move {
                match duplicates.await {
                    Ok(Some(groups)) => view! {
                        <section aria-labelledby="duplicates_heading">
                            <h2 id="duplicates_heading">"Possible duplicates"</h2>
                            {if groups.is_empty() {
                                view! { <p>"No accounts share a name or an email name."</p> }.into_any()
                            } else {
                                groups.into_iter().map(|group| view! {
                                    <h3>{group.reason}</h3>
                                    <UserTable rows=group.rows on_row />
                                }).collect_view().into_any()
                            }}
                        </section>
                    }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="loading">"Loading accounts…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(found) => {
                        let (current, pages, total) = (found.page, found.pages, found.total);
                        // Redrawn after an action: if its row (and the
                        // focus on its button) went, focus goes to what
                        // the action did instead of the top of the page.
                        #[cfg(feature = "hydrate")]
                        request_animation_frame(|| {
                            if focus_is_lost() {
                                focus_by_id("users_notice");
                            }
                        });
                        let table = if found.rows.is_empty() {
                            view! { <p>"No accounts match the search and filters."</p> }.into_any()
                        } else {
                            view! { <UserTable rows=found.rows on_row /> }.into_any()
                        };
                        view! {
                            <PageSummary text=page_summary(total, current, pages, "account") moved=page_moved />
                            {table}
                            <PageButtons current pages page moved=page_moved />
                        }.into_any()
                    }
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        {move || pending.get().map(|p| match p {
            Pending::Inactivate(row) => view! { <InactivateDialog row on_close=close on_done=done /> }.into_any(),
            Pending::ChangeEmail(row) => view! { <ChangeEmailDialog row on_close=close on_done=done /> }.into_any(),
            Pending::ResetLearner(learner, passwords_visible) => view! {
                <ResetPasswordDialog learner passwords_visible on_close=close on_reset=Callback::new(|_| ()) />
            }.into_any(),
        })}
    }
}

/// The values of the "Role" and "Status" filters ("" is all), and their labels.
const ROLES: [&str; 5] = ["", "owner", "staff", "parent", "learner"];
const ROLE_LABELS: [&str; 5] = ["All roles", "Owner", "Staff", "Parent", "Learner"];
const STATUSES: [&str; 3] = ["", "active", "inactive"];
const STATUS_LABELS: [&str; 3] = ["Active and inactive", "Active", "Inactive"];

/// A filter's `<option>`s, `current` selected.
fn choices(
    values: &'static [&'static str],
    labels: &'static [&'static str],
    current: String,
) -> impl IntoView {
    values
        .iter()
        .zip(labels)
        .map(|(value, label)| {
            view! { <option value=*value selected=*value == current>{*label}</option> }
        })
        .collect_view()
}
