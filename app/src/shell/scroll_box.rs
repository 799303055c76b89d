//! A wide table's sideways-scrolling box, for tables with nothing to focus
//! inside (the audit log, previews): the box itself takes focus, named, so
//! a keyboard can scroll it on a narrow screen (WCAG 2.1.1; axe-core's
//! `scrollable-region-focusable`). Tables with buttons in their rows use a
//! plain `.table-scroll`: tabbing through the buttons scrolls them.

use leptos::prelude::*;

#[component]
pub fn ScrollBox(
    /// What the box holds, read out when it takes focus ("Audit events").
    label: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
            {children()}
        </div>
    }
}
