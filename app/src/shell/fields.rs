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

/// A labelled text input bound to `value`. `error` is shown under it (an
/// alert) and marks it invalid for assistive technology; its form brings
/// focus to it after a refusal ([`focus_first_invalid`]).
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
    let described_by = described_by(hint.is_some(), hint_id.clone(), error, error_id.clone());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
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
            <FieldError id=error_id error />
        </div>
    }
}

/// A field's refusal in words, under it, with the `id` its
/// `aria-describedby` names ([`described_by`]). An alert as well (DESIGN.md
/// §2): announced even when focus is in the field already (Enter pressed in
/// it).
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        error
            .get()
            .map(|text| view! { <p class="error small" role="alert" id=id.clone()>{text}</p> })
    }
}

/// The server's refusal of `field` in words, when `error` is about it: it
/// is shown under that field.
pub fn field_error(
    error: Signal<Option<crate::error::AppError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field() == Some(field))
                .map(ToString::to_string)
        })
    })
}

/// A refusal that is about none of `fields` (shown under the form).
pub fn form_error(
    error: Signal<Option<crate::error::AppError>>,
    fields: &'static [&'static str],
) -> Signal<Option<String>> {
    Signal::derive(move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field().is_none_or(|f| !fields.contains(&f)))
                .map(ToString::to_string)
        })
    })
}

/// A labelled input that its form posts by `name` (an `ActionForm`), with
/// its hint and the server's refusal of it under it, both read with it.
/// After a refused submit, [`focus_first_invalid_when_refused`] brings focus
/// to it.
#[component]
pub fn FormField(
    /// The input's `name` and `id`.
    name: &'static str,
    label: &'static str,
    /// The input's `type`: "text", "email", "password"…
    #[prop(default = "text")]
    kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    /// For codes typed in capitals ("characters"); otherwise "none".
    #[prop(default = "none")]
    autocapitalize: &'static str,
) -> impl IntoView {
    let hint_id = format!("{name}_hint");
    let error_id = format!("{name}_error");
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                autocapitalize=autocapitalize
                spellcheck="false"
                required
                aria-describedby=described_by(hint.is_some(), hint_id.clone(), error, error_id.clone())
                aria-invalid=move || error.with(Option::is_some).then_some("true")
            />
            {hint.map(|text| view! { <p class="hint" id=hint_id>{text}</p> })}
            <FieldError id=error_id error />
        </div>
    }
}

/// A field's `aria-describedby`: its hint's id, and its error's while it
/// has one.
pub fn described_by(
    has_hint: bool,
    hint_id: String,
    error: Signal<Option<String>>,
    error_id: String,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(hint_id.clone());
        }
        if error.with(Option::is_some) {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
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

/// [`focus_first_invalid`] after each refusal of `form`'s submit (an
/// `ActionForm`'s server action came back with an error).
pub fn focus_first_invalid_when_refused(
    refused: Signal<Option<crate::error::AppError>>,
    form: NodeRef<leptos::html::Form>,
) {
    Effect::new(move |_| {
        if refused.with(Option::is_some) {
            focus_first_invalid(form);
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

/// Whether focus has fallen to the page's `<body>` (or nowhere): the
/// control that had it went away, and a keyboard or screen-reader user is
/// left nowhere until something takes it.
pub fn focus_is_lost() -> bool {
    document()
        .active_element()
        .is_none_or(|active| active.tag_name().eq_ignore_ascii_case("body"))
}

/// Focuses the element with `id`, if the page has it: a button that takes
/// the place of the one pressed, in a row drawn again.
pub fn focus_by_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// A table's filter: its label and its control (the children, whose id is
/// `id`), kept on one line together when the filters wrap on a tablet.
#[component]
pub fn Filter(id: &'static str, label: &'static str, children: Children) -> impl IntoView {
    view! {
        <span class="filter">
            <label for=id>{label}</label>
            {children()}
        </span>
    }
}
