//! Server-side paging of long tables: a summary line and the buttons.

use leptos::prelude::*;

/// "84 accounts · page 1 of 2".
pub fn page_summary(total: u32, current: u32, pages: u32, noun: &str) -> String {
    let plural = if total == 1 { "" } else { "s" };
    format!("{total} {noun}{plural} · page {current} of {pages}")
}

/// "Previous page" and "Next page", moving `page` within 1..=`pages`.
#[component]
pub fn PageButtons(current: u32, pages: u32, page: RwSignal<u32>) -> impl IntoView {
    view! {
        <div class="dialog-row">
            <button type="button" class="button" disabled={current <= 1} on:click=move |_| page.set(current - 1)>
                "Previous page"
            </button>
            <button type="button" class="button" disabled={current >= pages} on:click=move |_| page.set(current + 1)>
                "Next page"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_count_in_words() {
        assert_eq!(
            page_summary(84, 1, 2, "account"),
            "84 accounts · page 1 of 2"
        );
        assert_eq!(page_summary(1, 1, 1, "event"), "1 event · page 1 of 1");
    }
}
