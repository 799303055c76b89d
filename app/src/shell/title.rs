//! The document title of a page: "Staff · Oakwood Primary · ClassKeys" for
//! a signed-in user, "Sign in · ClassKeys" otherwise (`App` adds the last
//! part). Screen readers announce it first and tabs show it, so it names
//! the page and the school.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::SignedInUser;

#[component]
pub fn PageTitle(
    /// The page's name, as its heading says it.
    #[prop(into)]
    text: Signal<String>,
) -> impl IntoView {
    let school = use_context::<SignedInUser>().map(|user| user.school_name);
    // `try_get`: the title may be read once more while its page (which owns
    // a signal it shows, such as a class's name) is being taken down.
    let title = move || {
        let text = text.try_get().unwrap_or_default();
        match &school {
            Some(school) => format!("{text} · {school}"),
            None => text,
        }
    };
    view! { <Title text=title /> }
}
