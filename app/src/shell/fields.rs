//! Form fields the dialogs share: a labelled text input with its hint and
//! its own error, and a list of checkboxes that edits a set of ids.

use leptos::prelude::*;

/// How a tablet's on-screen keyboard treats what is typed into a field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Typing {
    /// Names: each word starts with a capital; no spelling check, since
    /// names are not in a dictionary.
    #[default]
    Words,
    /// Usernames, email addresses, phone numbers: exactly as typed.
    Verbatim,
}

impl Typing {
    fn autocapitalize(self) -> &'static str {
        match self {
            Typing::Words => "words",
            Typing::Verbatim => "none",
        }
    }
}

/// A labelled text input bound to `value`. `error` is shown under it and
/// marks it invalid for assistive technology; when it appears after a
/// button press, the field takes focus ([`focus_when_refused`]).
#[component]
pub fn TextInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] maxlength: Option<u32>,
    /// The input's `type`: "text", "email" or "tel".
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] typing: Typing,
) -> impl IntoView {
    let hint_id = format!("{id}_hint");
    let error_id = format!("{id}_error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input = NodeRef::<leptos::html::Input>::new();
    focus_when_refused(input, error);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                node_ref=input
                id=id
                type=kind
                autocomplete="off"
                autocapitalize=typing.autocapitalize()
                spellcheck="false"
                maxlength=maxlength
                aria-describedby=described_by
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|text| view! { <p class="hint" id=hint_id>{text}</p> })}
            {move || error.get().map(|text| view! { <p class="error small" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

/// Moves focus to `input` when `error` appears while focus is not in a
/// field: the user pressed a button ("Create class", "Add learner") and the
/// server refused this field, so focus goes where the fix is, and a screen
/// reader reads the field with its error. An error that appears as the user
/// types (a username checked as it is typed) leaves focus where it is.
pub fn focus_when_refused(input: NodeRef<leptos::html::Input>, error: Signal<Option<String>>) {
    Effect::new(move |had_error: Option<bool>| {
        let has_error = error.with(Option::is_some);
        if has_error && had_error == Some(false) && !typing_in_a_field() {
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
        }
        has_error
    });
}

/// After a form was refused (its button pressed, or Enter in any of its
/// fields): focus goes to the form's first field marked invalid, on the
/// next frame (once the errors are drawn), unless it is in one already. A
/// screen reader then reads that field with its error; without this, Enter
/// in "First name" left focus there while "Last name" was refused in silence.
pub fn focus_first_invalid(form: NodeRef<leptos::html::Form>) {
    use wasm_bindgen::JsCast;
    request_animation_frame(move || {
        let Some(form) = form.get_untracked() else {
            return;
        };
        let in_an_invalid_field = document().active_element().is_some_and(|active| {
            active.get_attribute("aria-invalid").as_deref() == Some("true")
                && form.contains(Some(&active))
        });
        if in_an_invalid_field {
            return;
        }
        if let Ok(Some(field)) = form.query_selector("[aria-invalid=\"true\"]") {
            if let Ok(field) = field.dyn_into::<web_sys::HtmlElement>() {
                let _ = field.focus();
            }
        }
    });
}

/// Focuses `input` on the next frame: after the frame that draws a
/// refusal, which otherwise leaves focus on the pressed button.
pub fn focus_next_frame(input: NodeRef<leptos::html::Input>) {
    request_animation_frame(move || {
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    });
}

/// Whether focus is in a text field, select or text area.
fn typing_in_a_field() -> bool {
    document().active_element().is_some_and(|element| {
        matches!(element.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
    })
}

/// One checkbox per `(id, label)`; `chosen` holds the ids ticked.
#[component]
pub fn CheckboxList(
    /// The group's name, read out before its boxes.
    legend: &'static str,
    /// Prefix of each input's id, to keep them unique on the page.
    id_prefix: &'static str,
    options: Vec<(String, String)>,
    chosen: RwSignal<Vec<String>>,
) -> impl IntoView {
    let boxes = options
        .into_iter()
        .map(|(id, label)| {
            let input_id = format!("{id_prefix}-{id}");
            let id = StoredValue::new(id);
            let toggle = move |on: bool| {
                chosen.update(|ids| {
                    let id = id.get_value();
                    ids.retain(|other| *other != id);
                    if on {
                        ids.push(id);
                    }
                })
            };
            view! {
                <div class="choice">
                    <input
                        id=input_id.clone()
                        type="checkbox"
                        prop:checked=move || chosen.with(|ids| ids.contains(&id.get_value()))
                        on:change=move |ev| toggle(event_target_checked(&ev))
                    />
                    <label for=input_id>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {boxes}
        </fieldset>
    }
}
