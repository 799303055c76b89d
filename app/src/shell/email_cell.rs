//! A table cell's email address. On a narrow column it wraps after the
//! "@" ("lead@" / "oakwood.example"), not in the middle of a word; the
//! same for any text with its own break points (a client address).

use leptos::prelude::*;

/// The address, a line break allowed after its "@"; "—" without one.
pub fn email_cell(email: Option<&str>) -> AnyView {
    match email {
        Some(email) => maybe_email(email),
        None => "—".into_any(),
    }
}

/// A name or username that may be an email address (a parent's are): a
/// line break allowed after its "@", if it has one.
pub fn maybe_email(text: &str) -> AnyView {
    breakable_after(text, &['@'])
}

/// `text` with a line break allowed after each of `marks` (`<wbr>`), and
/// nowhere else that the text itself does not allow: an email after its
/// "@", a client address after each "." or ":", never inside a word or a
/// number.
pub fn breakable_after(text: &str, marks: &[char]) -> AnyView {
    text.split_inclusive(marks)
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_owned();
            view! { {(i > 0).then(|| view! { <wbr /> })} {part} }
        })
        .collect_view()
        .into_any()
}
