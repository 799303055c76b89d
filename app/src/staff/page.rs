//! `/staff`: the staff table, "Edit" and "Add staff member".

use leptos::prelude::*;

use super::add_form::AddStaffDialog;
use super::api::{load_staff_directory, unlock_staff_member};
use super::edit_form::EditStaffDialog;
use super::{StaffDirectory, StaffRow};
use crate::auth::permissions::Permission;
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::allowed::Allowed;
use crate::shell::email_cell::email_cell;
use crate::shell::fields::focus_by_id;
use crate::shell::modal::PageNotice;
use crate::shell::time_cell::last_sign_in_cell;
use crate::shell::title::PageTitle;

#[component]
pub fn StaffPage() -> impl IntoView {
    view! {
        <SignedIn>
            <section class="page wide">
                <PageTitle text="Staff" />
                <h1>"Staff"</h1>
                <Allowed permission=Permission::ManageStaff for_whom="full admins and the school's owner">
                    <StaffLoader />
                </Allowed>
            </section>
        </SignedIn>
    }
}

#[component]
fn StaffLoader() -> impl IntoView {
    let directory = page_data(|| (), |_| load_staff_directory());
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading staff…"</p> }>
            {move || Suspend::new(async move {
                match directory.await {
                    Ok(directory) => view! { <StaffView directory /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StaffView(directory: StaffDirectory) -> impl IntoView {
    let StaffDirectory {
        staff,
        classes,
        sms,
        viewer_id,
    } = directory;
    let staff = RwSignal::new(staff);
    let sms = RwSignal::new(sms);
    // What "Unlock" did: its button goes with the lock, so the page says
    // it in words.
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<StaffRow>);
    let adding = RwSignal::new(false);
    let classes = StoredValue::new(classes);
    let viewer_id = StoredValue::new(viewer_id);

    let class_names = move |ids: &[String]| {
        classes.with_value(|all| {
            let names: Vec<&str> = all
                .iter()
                .filter(|c| ids.contains(&c.id))
                .map(|c| c.name.as_str())
                .collect();
            if names.is_empty() {
                "—".to_string()
            } else {
                names.join(", ")
            }
        })
    };
    let replace = Callback::new(move |saved: StaffRow| {
        staff.update(|rows| match rows.iter_mut().find(|r| r.id == saved.id) {
            Some(row) => *row = saved,
            None => rows.push(saved),
        })
    });

    let unlock = move |row: StaffRow| {
        leptos::task::spawn_local(async move {
            error.set(None);
            match unlock_staff_member(row.id.clone()).await {
                Ok(saved) => {
                    notice.set(Some(format!(
                        "Unlocked {}. They can sign in again.",
                        saved.display_name
                    )));
                    replace.run(saved);
                    // The pressed button went with the lock: focus waits on
                    // the row's "Edit" instead of falling to the page.
                    request_animation_frame(move || focus_by_id(&format!("edit-{}", row.id)));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        })
    };

    view! {
        {move || notice.get().map(|text| view! { <PageNotice text /> })}
        {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        <div class="page-actions">
            <button type="button" class="button primary" on:click=move |_| adding.set(true)>
                "Add staff member"
            </button>
        </div>
        <div class="table-scroll">
            <table class="staff">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Mobile"</th>
                        <th scope="col">"Permissions"</th>
                        <th scope="col">"Classes"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Last " <span class="nowrap">"sign-in"</span></th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || staff.get() key=|row| format!("{row:?}") let:row>
                        {
                            let edit_row = row.clone();
                            let own = row.id == viewer_id.get_value();
                            view! {
                                <tr>
                                    <th scope="row">{row.display_name.clone()}</th>
                                    <td>{row.username.clone()}</td>
                                    <td>{email_cell(row.email.as_deref())}</td>
                                    <td>{row.mobile.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{row.permissions_label()}</td>
                                    <td>{class_names(&row.class_ids)}</td>
                                    <td>{status_cell(&row)}</td>
                                    <td>{last_sign_in_cell(row.last_sign_in.clone())}</td>
                                    <td class="actions">
                                        {(!row.is_owner && row.locked_until.is_some()).then(|| {
                                            let locked = row.clone();
                                            view! {
                                                <button type="button" class="button small warn" on:click=move |_| unlock(locked.clone())>
                                                    "Unlock"
                                                </button>
                                            }
                                        })}
                                        {if !row.is_owner {
                                            view! {
                                                // An id, so closing the dialog gives focus back to
                                                // this button even after a save redrew the row.
                                                <button type="button" id=format!("edit-{}", row.id) class="button small" on:click=move |_| editing.set(Some(edit_row.clone()))>
                                                    "Edit"
                                                </button>
                                            }.into_any()
                                        } else if own {
                                            view! { <a class="button small" href=crate::routes::ACCOUNT>"My account"</a> }.into_any()
                                        } else {
                                            view! { <span class="muted">"Only the owner changes this account"</span> }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
        {move || editing.get().map(|row| {
            let own_account = row.id == viewer_id.get_value();
            view! {
                <EditStaffDialog
                    row
                    classes=classes.get_value()
                    sms
                    own_account
                    on_close=Callback::new(move |()| editing.set(None))
                    on_saved=replace
                />
            }
        })}
        {move || adding.get().then(|| view! {
            <AddStaffDialog
                classes=classes.get_value()
                on_close=Callback::new(move |()| adding.set(false))
                on_added=replace
            />
        })}
    }
}

/// "Active", "Inactive", or "Locked until 09:14" (in full on hover) while
/// too many failed sign-ins keep them out.
fn status_cell(row: &StaffRow) -> AnyView {
    match (&row.locked_until, row.active) {
        (_, false) => "Inactive".into_any(),
        (Some(until), true) => view! {
            <span class="locked" title=until.full.clone()>"Locked until " {until.short.clone()}</span>
        }
        .into_any(),
        (None, true) => "Active".into_any(),
    }
}
