//! A table cell's moment: compact, the full time as its tooltip.

use leptos::prelude::*;

use crate::shown_time::ShownTime;

/// "Today 15:52" (hover: "2 Dec 2026, 15:52 UTC"), or "Never".
pub fn last_sign_in_cell(at: Option<ShownTime>) -> AnyView {
    match at {
        Some(at) => view! { <span title=at.full>{at.short}</span> }.into_any(),
        None => "Never".into_any(),
    }
}
