//! A table cell's email address. On a narrow column it wraps after the
//! "@" ("lead@" / "oakwood.example"), not in the middle of a word.

use leptos::prelude::*;

/// The address, a line break allowed after its "@"; "—" without one.
pub fn email_cell(email: Option<&str>) -> AnyView {
    match email {
        Some(email) => match email.split_once('@') {
            Some((name, domain)) => {
                let (name, domain) = (name.to_owned(), domain.to_owned());
                view! { {name} "@" <wbr /> {domain} }.into_any()
            }
            None => email.to_owned().into_any(),
        },
        None => "—".into_any(),
    }
}
