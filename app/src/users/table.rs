//! The `/users` table: one row per account, with the row's buttons directly
//! on it (DESIGN.md §3 "User management").

use leptos::prelude::*;

use super::UserRow;
use crate::shell::email_cell::{email_cell, maybe_email};
use crate::shell::time_cell::last_sign_in_cell;

/// What a row's button asks the page to do.
#[derive(Clone, Copy)]
pub(super) enum RowAction {
    ResetPassword,
    Inactivate,
    Reactivate,
    ChangeEmail,
    UnlinkSso,
    SignOutEverywhere,
}

#[component]
pub(super) fn UserTable(
    rows: Vec<UserRow>,
    on_row: Callback<(UserRow, RowAction)>,
) -> impl IntoView {
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
