//! `/users`: search, filter and page through every account of the school;
//! inactivate (after a confirmation), reactivate, change an email, and find
//! possible duplicates.

use leptos::prelude::*;

use super::api::{
    change_account_email, learner_for_reset, list_users, possible_duplicates,
    send_account_reset_link, set_account_active, unlink_single_sign_on,
};
use super::{UserQuery, UserRow};
use crate::auth::api::sign_out_everywhere;
use crate::auth::permissions::Permission;
use crate::classes::LearnerRow;
use crate::error::AppError;
use crate::learners::reset_dialog::ResetPasswordDialog;
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::address_filter::{
    any_text, filter_in_address, first_page_when_changed, page_in_address, TYPING_PAUSE,
};
use crate::shell::allowed::Allowed;
use crate::shell::email_cell::{email_cell, maybe_email};
use crate::shell::fields::{
    field_error, focus_first_invalid, form_error, Filter, TextInput, Typing,
};
#[cfg(feature = "hydrate")]
use crate::shell::fields::{focus_by_id, focus_is_lost};
use crate::shell::modal::Modal;
use crate::shell::paging::{page_summary, PageButtons, PageSummary};
use crate::shell::time_cell::last_sign_in_cell;
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

#[derive(Clone, Copy)]
enum RowAction {
    ResetPassword,
    Inactivate,
    Reactivate,
    ChangeEmail,
    UnlinkSso,
    SignOutEverywhere,
}

#[component]
fn UserTable(rows: Vec<UserRow>, on_row: Callback<(UserRow, RowAction)>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|row| {
            let actions = row.manageable.then(|| {
                // Inactivating signs them out and stops their sign-in: amber,
                // like the other actions that take something away.
                let (toggle, toggle_label, toggle_class) = if row.active {
                    (RowAction::Inactivate, "Inactivate", "button small warn")
                } else {
                    (RowAction::Reactivate, "Reactivate", "button small")
                };
                let for_toggle = row.clone();
                let for_email = row.clone();
                let for_reset = row.clone();
                let for_unlink = row.clone();
                let for_sign_out = row.clone();
                let has_email = row.role != "learner";
                let reset_label = if has_email { "Send reset link" } else { "Reset password" };
                view! {
                    {row.active.then(|| view! {
                        <button type="button" class="button small" on:click=move |_| on_row.run((for_reset.clone(), RowAction::ResetPassword))>
                            {reset_label}
                        </button>
                    })}
                    <button type="button" class=toggle_class on:click=move |_| on_row.run((for_toggle.clone(), toggle))>
                        {toggle_label}
                    </button>
                    {has_email.then(|| view! {
                        <button type="button" class="button small" on:click=move |_| on_row.run((for_email.clone(), RowAction::ChangeEmail))>
                            "Change email"
                        </button>
                    })}
                    {row.active.then(|| view! {
                        <button type="button" class="button small" on:click=move |_| on_row.run((for_sign_out.clone(), RowAction::SignOutEverywhere))>
                            "Sign out everywhere"
                        </button>
                    })}
                    {row.sso_linked.then(|| view! {
                        <button type="button" class="button small warn" on:click=move |_| on_row.run((for_unlink.clone(), RowAction::UnlinkSso))>
                            "Unlink single sign-on"
                        </button>
                    })}
                }
            });
            view! {
                <tr>
                    // A parent's name and username are their email.
                    <th scope="row">{maybe_email(&row.display_name)}</th>
                    <td>{maybe_email(&row.username)}</td>
                    <td>{row.role_label.clone()}</td>
                    <td>{email_cell(row.email.as_deref())}</td>
                    <td>{if row.active { "Active" } else { "Inactive" }}</td>
                    <td>{last_sign_in_cell(row.last_sign_in.clone())}</td>
                    <td>{if row.sso_linked { "Linked" } else { "—" }}</td>
                    <td class="actions">{actions}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="users">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Last " <span class="nowrap">"sign-in"</span></th>
                        <th scope="col">"Single " <span class="nowrap">"sign-on"</span></th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[component]
fn InactivateDialog(
    row: UserRow,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(row.id.clone());
    let name = StoredValue::new(row.display_name.clone());
    let inactivate = Action::new(move |_: &()| async move {
        match set_account_active(id.get_value(), false).await {
            Ok(_) => on_done.run(format!(
                "{} is inactive and was signed out everywhere.",
                name.get_value()
            )),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    view! {
        <Modal title="Inactivate account" on_close>
            <p>
                <strong>{row.display_name.clone()}</strong> " (" {row.username.clone()} ", " {row.role_label.clone()} ") "
                "is signed out at once on every device and cannot sign in until the account is reactivated."
            </p>
            {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            // The safe choice first, so it has focus: Enter pressed twice
            // does not inactivate anyone.
            <div class="dialog-row">
                <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button warn" aria-busy=move || inactivate.pending().get().to_string() on:click=move |_| { inactivate.dispatch(()); }>
                    "Inactivate"
                </button>
            </div>
        </Modal>
    }
}

#[component]
fn ChangeEmailDialog(
    row: UserRow,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let email = RwSignal::new(row.email.clone().unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let form = NodeRef::<leptos::html::Form>::new();
    let id = StoredValue::new(row.id.clone());
    let name = StoredValue::new(row.display_name.clone());
    let save = Action::new(move |address: &String| {
        let address = address.clone();
        async move {
            match change_account_email(id.get_value(), address).await {
                Ok(saved) => on_done.run(format!(
                    "{}'s email is now {}.",
                    name.get_value(),
                    saved.email.unwrap_or_default()
                )),
                Err(e) => {
                    error.set(Some(e));
                    focus_first_invalid(form);
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save.dispatch(email.get_untracked());
    };
    view! {
        <Modal title="Change email" on_close>
            <p>{row.display_name.clone()} " (" {row.username.clone()} ")"</p>
            <form class="form" novalidate on:submit=submit node_ref=form>
                <TextInput id="account_email" label="Email" value=email kind="email" typing=Typing::Verbatim error=field_error(error.into(), "email") />
                {move || form_error(error.into(), &["email"]).get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <div class="dialog-row">
                    <button type="submit" class="button primary" aria-busy=move || save.pending().get().to_string()>"Save"</button>
                </div>
            </form>
        </Modal>
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
