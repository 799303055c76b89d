//! Paging of long tables: on the server (a summary line and the buttons),
//! or in the browser over rows it already holds ([`rows_per_page`] and
//! [`Pager`]), so a 3,000-learner school stays quick to draw on a tablet.

use leptos::prelude::*;

/// Rows shown at once when a table pages in the browser.
pub const PAGE_SIZE: usize = 50;

/// A class of up to this many learners is shown whole, on one page:
/// teachers print it and use find-in-page.
pub const WHOLE_CLASS_UP_TO: usize = 100;

/// Rows a page of a table holds: all of them up to `whole_up_to`, else
/// [`PAGE_SIZE`].
pub fn rows_per_page(total: usize, whole_up_to: usize) -> usize {
    if total <= whole_up_to {
        total.max(1)
    } else {
        PAGE_SIZE
    }
}

/// "Previous page", "Page 2 of 60" and "Next page" under a table paged in
/// the browser; `page` counts from 0 and is kept below `pages`.
#[component]
pub fn Pager(
    /// The navigation landmark's name, such as "Learner pages".
    label: &'static str,
    #[prop(into)] pages: Signal<usize>,
    page: RwSignal<usize>,
) -> impl IntoView {
    let current = move || page.get().min(pages.get().saturating_sub(1));
    // A named closure: `>=` inside `view!` would end the tag.
    let on_last_page = move || current() + 1 >= pages.get();
    view! {
        <nav class="pager" aria-label=label>
            // `aria-disabled`, not `disabled`: the button that reached the
            // first or last page keeps focus instead of dropping it.
            <button
                type="button"
                class="button small secondary"
                aria-disabled=move || (current() == 0).to_string()
                on:click=move |_| page.set(current().saturating_sub(1))
            >
                "Previous page"
            </button>
            <span>{move || format!("Page {} of {}", current() + 1, pages.get())}</span>
            <button
                type="button"
                class="button small secondary"
                aria-disabled=move || on_last_page().to_string()
                on:click=move |_| {
                    if !on_last_page() {
                        page.set(current() + 1);
                    }
                }
            >
                "Next page"
            </button>
        </nav>
    }
}

/// "84 accounts · page 1 of 2".
pub fn page_summary(total: u32, current: u32, pages: u32, noun: &str) -> String {
    let plural = if total == 1 { "" } else { "s" };
    format!("{total} {noun}{plural} · page {current} of {pages}")
}

/// "Previous page" and "Next page", moving `page` within 1..=`pages`.
/// The buttons go with the page they were on, so `moved` tells the next
/// page's [`PageSummary`] to take focus (it would fall to the page's top).
#[component]
pub fn PageButtons(
    current: u32,
    pages: u32,
    page: RwSignal<u32>,
    moved: RwSignal<bool>,
) -> impl IntoView {
    let go = move |to: u32| {
        moved.set(true);
        page.set(to);
    };
    view! {
        <div class="dialog-row">
            <button type="button" class="button" disabled={current <= 1} on:click=move |_| go(current - 1)>
                "Previous page"
            </button>
            <button type="button" class="button" disabled={current >= pages} on:click=move |_| go(current + 1)>
                "Next page"
            </button>
        </div>
    }
}

/// "84 accounts · page 2 of 2" above a server-paged table; takes focus
/// (and so comes into view) when "Previous page" or "Next page" loaded it.
#[component]
pub fn PageSummary(text: String, moved: RwSignal<bool>) -> impl IntoView {
    let line = NodeRef::<leptos::html::P>::new();
    Effect::new(move |_| {
        if let Some(line) = line.get() {
            if moved.get_untracked() {
                moved.set(false);
                let _ = line.focus();
            }
        }
    });
    view! {
        <p class="hint" role="status" tabindex="-1" node_ref=line>
            {text}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_of_up_to_100_is_one_page_and_a_bigger_one_pages_of_50() {
        assert_eq!(rows_per_page(28, WHOLE_CLASS_UP_TO), 28);
        assert_eq!(rows_per_page(100, WHOLE_CLASS_UP_TO), 100);
        assert_eq!(rows_per_page(101, WHOLE_CLASS_UP_TO), PAGE_SIZE);
        assert_eq!(rows_per_page(0, WHOLE_CLASS_UP_TO), 1);
        // The school-wide tables always page.
        assert_eq!(rows_per_page(60, 0), PAGE_SIZE);
    }

    #[test]
    fn summaries_count_in_words() {
        assert_eq!(
            page_summary(84, 1, 2, "account"),
            "84 accounts · page 1 of 2"
        );
        assert_eq!(page_summary(1, 1, 1, "event"), "1 event · page 1 of 1");
    }
}
