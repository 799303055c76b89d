//! A table cell's email address. On a narrow column it wraps after the
//! "@" ("lead@" / "oakwood.example"), not in the middle of a word.

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
    match text.split_once('@') {
        Some((name, domain)) => {
            let (name, domain) = (name.to_owned(), domain.to_owned());
            view! { {name} "@" <wbr /> {domain} }.into_any()
        }
        None => text.to_owned().into_any(),
    }
}
