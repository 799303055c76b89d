//! Filters kept in the page's address (`?q=…&role=…`), so a reload, a
//! bookmark or a link sent to a colleague shows the same list again.

use leptos::prelude::*;

/// How long typing in a search box pauses before the address follows: Safari
/// and Firefox refuse more than about 100 address changes in 30 s.
pub const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// A filter kept in the address's query (`key`): its value, read once from
/// the address (a value `accept` refuses reads as ""), and a setter that
/// updates the value at once and the address on the next frame (or after
/// `pause` without a change), replacing the history entry so Back still
/// leaves the page. The address is written, never read back while typing,
/// so a slow navigation cannot undo a keystroke.
pub fn filter_in_address(
    key: &'static str,
    accept: fn(&str) -> bool,
    pause: Option<std::time::Duration>,
) -> (RwSignal<String>, Callback<String>) {
    let options = leptos_router::NavigateOptions {
        replace: true,
        scroll: false,
        ..Default::default()
    };
    let (in_address, set_address) =
        leptos_router::hooks::query_signal_with_options::<String>(key, options);
    let read =
        move |address: Option<String>| address.filter(|value| accept(value)).unwrap_or_default();
    let value = RwSignal::new(read(in_address.get_untracked()));
    // What the address says or is about to say: this filter's own writes.
    let written = StoredValue::new(in_address.get_untracked());
    let waiting = StoredValue::new(None::<TimeoutHandle>);
    let cancel = move || {
        if let Some(handle) = waiting.try_get_value().flatten() {
            handle.clear();
        }
    };
    // Leaving the page first: the address it would write is another page's.
    on_cleanup(cancel);
    // An address changed by anything else (the menu's "Users" link, Back)
    // is the filter now, on screen too.
    Effect::watch(
        move || in_address.get(),
        move |address, _, _| {
            if written.get_value() != *address {
                cancel();
                written.set_value(address.clone());
                value.set(read(address.clone()));
            }
        },
        false,
    );
    let set = Callback::new(move |new: String| {
        value.set(new.clone());
        let new = (!new.is_empty()).then_some(new);
        written.set_value(new.clone());
        let write = move || set_address.set(new);
        match pause {
            None => write(),
            Some(pause) => {
                cancel();
                waiting.set_value(set_timeout_with_handle(write, pause).ok());
            }
        }
    });
    (value, set)
}

/// Goes back to the first page whenever the `filters` change, also when
/// the address changed them (Back, the menu's link to the page): page 3 of
/// one list is not a page of another.
pub fn first_page_when_changed<T: PartialEq + Clone + Send + Sync + 'static>(
    filters: impl Fn() -> T + Send + Sync + 'static,
    page: RwSignal<u32>,
) {
    Effect::watch(
        filters,
        move |_, _, _| {
            if page.get_untracked() != 1 {
                page.set(1);
            }
        },
        false,
    );
}

/// A list's page number kept in the address (`key`, absent for page 1),
/// so a reload or a bookmark opens the same page: the page moves the
/// address (a page button, or [`first_page_when_changed`]), and an address
/// moved by anything else (Back) moves the page. Changes made together in
/// one frame (a filter and page 1) become one address change.
pub fn page_in_address(key: &'static str) -> RwSignal<u32> {
    let (in_address, set_address) = filter_in_address(key, later_page, None);
    let read = |text: &str| text.parse::<u32>().unwrap_or(1);
    let page = RwSignal::new(read(&in_address.get_untracked()));
    Effect::watch(
        move || page.get(),
        move |page, _, _| {
            let text = if *page > 1 {
                page.to_string()
            } else {
                String::new()
            };
            if in_address.get_untracked() != text {
                set_address.run(text);
            }
        },
        false,
    );
    Effect::watch(
        move || in_address.get(),
        move |text, _, _| {
            let wanted = read(text);
            if page.get_untracked() != wanted {
                page.set(wanted);
            }
        },
        false,
    );
    page
}

/// A page number after the first ("2"); the first is no `page` at all.
fn later_page(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_digit()) && value.parse::<u32>().is_ok_and(|page| page > 1)
}

/// Any value: a search box.
pub fn any_text(_: &str) -> bool {
    true
}

/// A day as a date field gives it (`2026-12-04`); the server checks it is a
/// real one.
pub fn day(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_page_after_the_first_is_kept_in_the_address() {
        assert!(later_page("2"));
        assert!(later_page("120"));
        for not_later in ["", "0", "1", "-2", "+2", "2.0", "two", "99999999999"] {
            assert!(!later_page(not_later), "{not_later}");
        }
    }

    #[test]
    fn a_day_is_read_only_in_the_date_fields_form() {
        assert!(day("2026-12-04"));
        for not_a_day in [
            "",
            "04/12/2026",
            "2026-12-4",
            "2026-12-04x",
            "２０２６-12-04",
        ] {
            assert!(!day(not_a_day), "{not_a_day}");
        }
    }
}
