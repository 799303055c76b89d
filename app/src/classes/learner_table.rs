//! The learner table of a class (and of the school-wide student database):
//! filter, sort, show a password, reset, unlock. Rows update in place.

use std::sync::Arc;

use leptos::prelude::*;

use super::{LearnerRow, PasswordState};
use crate::learners::api::{reveal_learner_password, unlock_learner};
use crate::shell::fields::focus_by_id;
use crate::shell::paging::{rows_per_page, Pager};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Name,
    Username,
    Class,
}

/// What the filter box searches in: name, username and classes, in lower case.
fn search_text(row: &LearnerRow) -> String {
    format!(
        "{}\n{}\n{}",
        row.name(),
        row.username,
        row.classes.join("\n")
    )
    .to_lowercase()
}

/// The rows in `sort` order, each copied once into an `Arc` that the page,
/// its rows and their buttons then share.
fn sorted_rows(rows: &[LearnerRow], sort: SortBy, ascending: bool) -> Vec<Arc<LearnerRow>> {
    let mut sorted: Vec<Arc<LearnerRow>> = rows.iter().cloned().map(Arc::new).collect();
    sorted.sort_by(|a, b| {
        let order = match sort {
            SortBy::Name => (&a.last_name, &a.first_name).cmp(&(&b.last_name, &b.first_name)),
            SortBy::Username => a.username.cmp(&b.username),
            SortBy::Class => a.classes.cmp(&b.classes),
        };
        if ascending {
            order
        } else {
            order.reverse()
        }
    });
    sorted
}

/// Which rows (indices into `rows`) match `filter`: one pass over texts
/// prepared once, so a keystroke costs no allocation per learner.
fn matching_rows(search_texts: &[String], filter: &str) -> Vec<usize> {
    let needle = filter.trim().to_lowercase();
    search_texts
        .iter()
        .enumerate()
        .filter(|(_, text)| needle.is_empty() || text.contains(&needle))
        .map(|(index, _)| index)
        .collect()
}

#[component]
pub fn LearnerTable(
    learners: RwSignal<Vec<LearnerRow>>,
    /// Adds a "Classes" column (school-wide list).
    #[prop(optional)]
    show_classes: bool,
    /// The filter box's label.
    #[prop(into)]
    filter_label: String,
    /// "Reset password" on a row.
    on_reset: Callback<LearnerRow>,
    /// "Edit learner" on a row (those who manage the roster).
    #[prop(default = None)]
    on_edit: Option<Callback<LearnerRow>>,
    /// "Remove from class" on a row (a class page, for roster managers).
    #[prop(default = None)]
    on_remove: Option<Callback<LearnerRow>>,
    /// "Void badge" on a row with a QR badge (a class page, badges on).
    #[prop(default = None)]
    on_void_badge: Option<Callback<LearnerRow>>,
    /// Shows every row while there are at most this many learners
    /// ([`crate::shell::paging::WHOLE_CLASS_UP_TO`] on a class page); pages
    /// of [`crate::shell::paging::PAGE_SIZE`] beyond.
    #[prop(default = 0)]
    whole_up_to: usize,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    // What the last action on a row did ("Unlocked …"): its button is gone
    // with the redrawn row, so the table says it in words.
    let notice = RwSignal::new(None::<String>);
    let sort = RwSignal::new((SortBy::Name, true));
    let page = RwSignal::new(0usize);
    // Sorted once per change of the learners or the sort, and each row's
    // search text prepared once from those; typing only filters the texts.
    let rows = Memo::new(move |_| {
        let (by, ascending) = sort.get();
        learners.with(|all| sorted_rows(all, by, ascending))
    });
    let texts = Memo::new(move |_| {
        rows.with(|sorted| {
            sorted
                .iter()
                .map(|row| search_text(row))
                .collect::<Vec<_>>()
        })
    });
    // In the browser the texts are made when the page opens, not on the
    // first keystroke; the server, where nobody types, never makes them.
    Effect::new(move || texts.track());
    let matching = Memo::new(move |_| {
        let filter = filter.get();
        if filter.trim().is_empty() {
            (0..rows.with(Vec::len)).collect()
        } else {
            texts.with(|texts| matching_rows(texts, &filter))
        }
    });
    let page_size = move || rows_per_page(learners.with(Vec::len), whole_up_to);
    let pages = move || matching.with(Vec::len).div_ceil(page_size()).max(1);
    let shown_rows = move || {
        let size = page_size();
        let first = page.get().min(pages() - 1) * size;
        rows.with(|sorted| {
            matching.with(|indices| {
                indices
                    .iter()
                    .skip(first)
                    .take(size)
                    .map(|&index| Arc::clone(&sorted[index]))
                    .collect::<Vec<_>>()
            })
        })
    };
    let header = move |label: &'static str, by: SortBy| {
        let aria_sort = move || match sort.get() {
            (current, true) if current == by => "ascending",
            (current, false) if current == by => "descending",
            _ => "none",
        };
        view! {
            <th scope="col" aria-sort=aria_sort>
                <button
                    type="button"
                    class="sort"
                    on:click=move |_| {
                        page.set(0);
                        sort.update(|(current, ascending)| {
                            *ascending = if *current == by { !*ascending } else { true };
                            *current = by;
                        })
                    }
                >
                    {label}
                </button>
            </th>
        }
    };
    let total = move || learners.with(Vec::len);
    let pager = move || {
        (pages() > 1)
            .then(|| view! { <Pager label="Learner pages" pages=Signal::derive(pages) page /> })
    };
    view! {
        <div class="table-tools">
            <label for="learner_filter">{filter_label}</label>
            <input
                id="learner_filter"
                type="search"
                autocomplete="off"
                placeholder="Name, username or class"
                on:input=move |ev| {
                    page.set(0);
                    filter.set(event_target_value(&ev));
                }
            />
            <p class="hint" role="status">
                {move || filter.with(|typed| showing(matching.with(Vec::len), total(), typed))}
            </p>
        </div>
        {move || notice.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <div class="table-scroll">
            <table class=table_class(show_classes, on_edit.is_some(), on_remove.is_some())>
                <thead>
                    <tr>
                        {header("Name", SortBy::Name)}
                        {header("Username", SortBy::Username)}
                        {show_classes.then(|| header("Classes", SortBy::Class))}
                        <th scope="col">"Password"</th>
                        <th scope="col">"Parent access code"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=shown_rows key=|row| (row.id.clone(), row.password, row.password_version, row.locked_until.clone(), row.has_badge, row.parent_access_code.clone()) let:row>
                        <LearnerLine row show_classes learners notice on_reset on_edit on_remove on_void_badge />
                    </For>
                </tbody>
            </table>
        </div>
        {pager}
    }
}

#[component]
fn LearnerLine(
    row: Arc<LearnerRow>,
    show_classes: bool,
    learners: RwSignal<Vec<LearnerRow>>,
    notice: RwSignal<Option<String>>,
    on_reset: Callback<LearnerRow>,
    on_edit: Option<Callback<LearnerRow>>,
    on_remove: Option<Callback<LearnerRow>>,
    on_void_badge: Option<Callback<LearnerRow>>,
) -> impl IntoView {
    let revealed = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    // Locked out until then, as the page loaded it or as "Show" found it since.
    let locked = RwSignal::new(row.locked_until.clone());
    let id = row.id.clone();
    // Plain tasks rather than an `Action` per row: a page of rows then
    // makes no reactive actions it may never use (cheaper to draw, on the
    // server and in the browser).
    let reveal = move |id: String| {
        leptos::task::spawn_local(async move {
            match reveal_learner_password(id).await {
                Ok(shown) => {
                    revealed.set(Some(shown.password));
                    locked.set(shown.locked_until);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        })
    };
    let name = row.name();
    let unlock = move |id: String| {
        let name = name.clone();
        leptos::task::spawn_local(async move {
            match unlock_learner(id.clone()).await {
                Ok(()) => {
                    locked.set(None);
                    notice.set(Some(format!("Unlocked {name}. They can sign in again.")));
                    learners.update(|all| {
                        if let Some(learner) = all.iter_mut().find(|l| l.id == id) {
                            learner.locked_until = None;
                        }
                    });
                    // The pressed button went with the old row: focus
                    // waits on the new row's first action instead of
                    // falling back to the top of the page.
                    request_animation_frame(move || focus_by_id(&format!("reset-{id}")));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        })
    };
    // Every button of the row is described by the learner's name: its own
    // name stays the one DESIGN.md gives ("Reset password"), and a screen
    // reader listing the buttons hears whose it is.
    let name_id = format!("name-{}", row.id);
    let password_cell = {
        let id = id.clone();
        let name_id = name_id.clone();
        match row.password {
            PasswordState::Viewable => view! {
                {move || match revealed.get() {
                    Some(password) => view! {
                        <span class="secret">{password}</span>
                        " "
                        <button type="button" class="button small secondary" aria-describedby=name_id.clone() on:click=move |_| revealed.set(None)>"Hide"</button>
                    }.into_any(),
                    None => {
                        let id = id.clone();
                        view! {
                            <span class="masked" aria-hidden="true">"••••••"</span>
                            " "
                            <button type="button" class="button small" aria-describedby=name_id.clone() on:click=move |_| reveal(id.clone())>"Show"</button>
                        }.into_any()
                    }
                }}
            }.into_any(),
            PasswordState::SetByLearner => view! { <span class="muted">"Set by the learner"</span> }.into_any(),
            PasswordState::NotStored => view! { <span class="muted">"Not stored (reset to see a new one)"</span> }.into_any(),
            PasswordState::Hidden => view! { <span class="muted">"Not shown (school setting)"</span> }.into_any(),
        }
    };
    // Each button hands its callback a copy of the row when pressed.
    let reset_row = Arc::clone(&row);
    let edit_row = Arc::clone(&row);
    let remove_row = Arc::clone(&row);
    let badge_row = Arc::clone(&row);
    view! {
        <tr>
            <th scope="row">
                <span id=name_id.clone()>{row.name()}</span>
                {row.has_badge.then(|| view! { " " <span class="tag">"QR badge"</span> })}
            </th>
            <td>{row.username.clone()}</td>
            {show_classes.then(|| view! { <td>{row.classes.join(", ")}</td> })}
            <td class="password">
                {password_cell}
                // A shown password does not sign a locked-out learner in
                // until "Unlock" (or a reset).
                {move || (locked.with(Option::is_some) && revealed.with(Option::is_some)).then(|| view! {
                    <p class="error small" role="alert">"Locked out after too many wrong passwords: press “Unlock” before they sign in."</p>
                })}
                {move || error.get().map(|text| view! { <p class="error small" role="alert">{text}</p> })}
            </td>
            <td class="code">{row.parent_access_code.clone()}</td>
            <td class="actions">
                // An id, so the reset dialog gives focus back to this
                // button even after the reset has redrawn the row.
                <button type="button" id=format!("reset-{}", row.id) class="button small" aria-describedby=name_id.clone() on:click=move |_| { notice.set(None); on_reset.run(LearnerRow::clone(&reset_row)) }>
                    "Reset password"
                </button>
                {on_edit.map(|edit| view! {
                    <button type="button" class="button small secondary" aria-describedby=name_id.clone() on:click=move |_| { notice.set(None); edit.run(LearnerRow::clone(&edit_row)) }>
                        "Edit learner"
                    </button>
                })}
                {on_remove.map(|remove| view! {
                    <button type="button" class="button small secondary warn" aria-describedby=name_id.clone() on:click=move |_| { notice.set(None); remove.run(LearnerRow::clone(&remove_row)) }>
                        "Remove from class"
                    </button>
                })}
                {on_void_badge.filter(|_| row.has_badge).map(|void| view! {
                    <button type="button" class="button small secondary" aria-describedby=name_id.clone() on:click=move |_| { notice.set(None); void.run(LearnerRow::clone(&badge_row)) }>
                        "Void badge"
                    </button>
                })}
                {move || locked.get().map(|until| {
                    let (id, unlock) = (id.clone(), unlock.clone());
                    view! {
                        // When the lock ends, so a teacher may choose to
                        // wait instead (as the staff list says it).
                        <span class="locked" title=until.full>"Locked until " {until.short}</span>
                        " "
                        <button type="button" class="button small warn" aria-describedby=name_id.clone() on:click=move |_| unlock(id.clone())>
                            "Unlock"
                        </button>
                    }
                })}
            </td>
        </tr>
    }
}

/// The table's classes: which columns it has, and which row buttons (the
/// stylesheet keeps a row's buttons on one line on a desktop).
fn table_class(show_classes: bool, editable: bool, removable: bool) -> String {
    let mut class = String::from("learners");
    for (has, modifier) in [
        (show_classes, " with-classes"),
        (editable, " with-edit"),
        (removable, " with-remove"),
    ] {
        if has {
            class.push_str(modifier);
        }
    }
    class
}

/// The line above the table: how many learners show, and why none do.
fn showing(matching: usize, total: usize, filter: &str) -> String {
    match (matching, total) {
        (_, 0) => "No learners yet.".to_string(),
        (0, _) => format!(
            "Showing 0 of {total} learners: none match “{}”.",
            filter.trim()
        ),
        (matching, 1) => format!("Showing {matching} of 1 learner"),
        (matching, total) => format!("Showing {matching} of {total} learners"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_above_the_table_counts_in_words_and_says_why_nothing_shows() {
        assert_eq!(showing(28, 84, ""), "Showing 28 of 84 learners");
        assert_eq!(showing(1, 1, ""), "Showing 1 of 1 learner");
        assert_eq!(showing(0, 0, ""), "No learners yet.");
        assert_eq!(
            showing(0, 28, " zzz "),
            "Showing 0 of 28 learners: none match “zzz”."
        );
    }

    fn learner(first: &str, last: &str, username: &str, class: &str) -> LearnerRow {
        LearnerRow {
            id: username.into(),
            first_name: first.into(),
            last_name: last.into(),
            username: username.into(),
            password: PasswordState::Viewable,
            password_version: 1,
            parent_access_code: String::new(),
            locked_until: None,
            classes: vec![class.into()],
            has_badge: false,
        }
    }

    #[test]
    fn filters_by_name_username_or_class_and_sorts() {
        let rows = [
            learner("Amelia", "Brown", "ameliab", "Year 3 Hazel"),
            learner("Oliver", "Jones", "oliverj", "Year 4 Rowan"),
            learner("Ava", "Ali", "avaa", "Year 3 Hazel"),
        ];
        let names = |rows: Vec<Arc<LearnerRow>>| {
            rows.iter().map(|r| r.username.clone()).collect::<Vec<_>>()
        };
        assert_eq!(
            names(sorted_rows(&rows, SortBy::Name, true)),
            ["avaa", "ameliab", "oliverj"]
        );
        assert_eq!(
            names(sorted_rows(&rows, SortBy::Username, false)),
            ["oliverj", "avaa", "ameliab"]
        );
        let texts: Vec<String> = rows.iter().map(search_text).collect();
        let matching = |filter: &str| {
            matching_rows(&texts, filter)
                .into_iter()
                .map(|index| rows[index].username.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(matching("HAZEL"), ["ameliab", "avaa"]);
        assert_eq!(matching(" jones "), ["oliverj"]);
        assert_eq!(matching("avaa"), ["avaa"]);
        assert_eq!(matching(""), ["ameliab", "oliverj", "avaa"]);
    }
}
