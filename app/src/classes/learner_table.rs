//! The learner table of a class (and of the school-wide student database):
//! filter, sort, show a password, reset, unlock. Rows update in place.

use leptos::prelude::*;

use super::{LearnerRow, PasswordState};
use crate::learners::api::{reveal_learner_password, unlock_learner};

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

/// Whether a row's search text contains what was typed (any case, trimmed).
fn matches(search_text: &str, filter: &str) -> bool {
    let needle = filter.trim().to_lowercase();
    needle.is_empty() || search_text.contains(&needle)
}

fn sorted_rows(rows: &[LearnerRow], sort: SortBy, ascending: bool) -> Vec<LearnerRow> {
    let mut sorted = rows.to_vec();
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
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new((SortBy::Name, true));
    // Filtering only hides rows, so typing never rebuilds 2,000 of them.
    let rows = Memo::new(move |_| {
        let (by, ascending) = sort.get();
        learners.with(|all| sorted_rows(all, by, ascending))
    });
    let shown = Memo::new(move |_| {
        let filter = filter.get();
        learners.with(|all| {
            all.iter()
                .filter(|row| matches(&search_text(row), &filter))
                .count()
        })
    });
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
                    on:click=move |_| sort.update(|(current, ascending)| {
                        *ascending = if *current == by { !*ascending } else { true };
                        *current = by;
                    })
                >
                    {label}
                </button>
            </th>
        }
    };
    let total = move || learners.with(Vec::len);
    view! {
        <div class="table-tools">
            <label for="learner_filter">{filter_label}</label>
            <input
                id="learner_filter"
                type="search"
                autocomplete="off"
                placeholder="Name, username or class"
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
            <p class="hint" role="status">
                {move || format!("Showing {} of {} learners", shown.get(), total())}
            </p>
        </div>
        <div class="table-scroll">
            <table class="learners">
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
                    <For each=move || rows.get() key=|row| (row.id.clone(), row.password, row.password_version, row.locked) let:row>
                        <LearnerLine row show_classes learners on_reset on_edit on_remove filter />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn LearnerLine(
    row: LearnerRow,
    show_classes: bool,
    learners: RwSignal<Vec<LearnerRow>>,
    on_reset: Callback<LearnerRow>,
    on_edit: Option<Callback<LearnerRow>>,
    on_remove: Option<Callback<LearnerRow>>,
    filter: RwSignal<String>,
) -> impl IntoView {
    let haystack = search_text(&row);
    let hidden = move || !matches(&haystack, &filter.get());
    let revealed = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let id = row.id.clone();
    let reveal = Action::new(move |id: &String| {
        let id = id.clone();
        async move {
            match reveal_learner_password(id).await {
                Ok(password) => revealed.set(Some(password)),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let unlock = Action::new(move |id: &String| {
        let id = id.clone();
        async move {
            match unlock_learner(id.clone()).await {
                Ok(()) => learners.update(|all| {
                    if let Some(learner) = all.iter_mut().find(|l| l.id == id) {
                        learner.locked = false;
                    }
                }),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let password_cell = {
        let id = id.clone();
        match row.password {
            PasswordState::Viewable => view! {
                {move || match revealed.get() {
                    Some(password) => view! {
                        <span class="secret">{password}</span>
                        " "
                        <button type="button" class="button small secondary" on:click=move |_| revealed.set(None)>"Hide"</button>
                    }.into_any(),
                    None => {
                        let id = id.clone();
                        view! {
                            <span class="masked" aria-hidden="true">"••••••"</span>
                            " "
                            <button type="button" class="button small" on:click=move |_| { reveal.dispatch(id.clone()); }>"Show"</button>
                        }.into_any()
                    }
                }}
            }.into_any(),
            PasswordState::SetByLearner => view! { <span class="muted">"Set by the learner"</span> }.into_any(),
            PasswordState::Hidden => view! { <span class="muted">"Not shown (school setting)"</span> }.into_any(),
        }
    };
    let reset_row = row.clone();
    let edit_row = row.clone();
    let remove_row = row.clone();
    view! {
        <tr hidden=hidden>
            <th scope="row">{row.name()}</th>
            <td>{row.username.clone()}</td>
            {show_classes.then(|| view! { <td>{row.classes.join(", ")}</td> })}
            <td>
                {password_cell}
                {move || error.get().map(|text| view! { <p class="error small" role="alert">{text}</p> })}
            </td>
            <td class="code">{row.parent_access_code.clone()}</td>
            <td class="actions">
                <button type="button" class="button small" on:click=move |_| on_reset.run(reset_row.clone())>
                    "Reset password"
                </button>
                {on_edit.map(|edit| view! {
                    <button type="button" class="button small secondary" on:click=move |_| edit.run(edit_row.clone())>
                        "Edit learner"
                    </button>
                })}
                {on_remove.map(|remove| view! {
                    <button type="button" class="button small secondary" on:click=move |_| remove.run(remove_row.clone())>
                        "Remove from class"
                    </button>
                })}
                {row.locked.then(|| view! {
                    <button type="button" class="button small warn" on:click=move |_| { unlock.dispatch(id.clone()); }>
                        "Unlock"
                    </button>
                })}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learner(first: &str, last: &str, username: &str, class: &str) -> LearnerRow {
        LearnerRow {
            id: username.into(),
            first_name: first.into(),
            last_name: last.into(),
            username: username.into(),
            password: PasswordState::Viewable,
            password_version: 1,
            parent_access_code: String::new(),
            locked: false,
            classes: vec![class.into()],
        }
    }

    #[test]
    fn filters_by_name_username_or_class_and_sorts() {
        let rows = [
            learner("Amelia", "Brown", "ameliab", "Year 3 Hazel"),
            learner("Oliver", "Jones", "oliverj", "Year 4 Rowan"),
            learner("Ava", "Ali", "avaa", "Year 3 Hazel"),
        ];
        let names =
            |rows: Vec<LearnerRow>| rows.into_iter().map(|r| r.username).collect::<Vec<_>>();
        assert_eq!(
            names(sorted_rows(&rows, SortBy::Name, true)),
            ["avaa", "ameliab", "oliverj"]
        );
        assert_eq!(
            names(sorted_rows(&rows, SortBy::Username, false)),
            ["oliverj", "avaa", "ameliab"]
        );
        let matching = |filter: &str| {
            rows.iter()
                .filter(|r| matches(&search_text(r), filter))
                .map(|r| r.username.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(matching("HAZEL"), ["ameliab", "avaa"]);
        assert_eq!(matching(" jones "), ["oliverj"]);
        assert_eq!(matching("avaa"), ["avaa"]);
        assert_eq!(matching(""), ["ameliab", "oliverj", "avaa"]);
    }
}
