//! `/school/import`, "Import roster": choose a "Roster file", "Preview"
//! what it would do, then "Apply import" with a progress bar, a summary
//! and "Download CSV" of the new accounts (built in the browser).

use leptos::prelude::*;

use super::import_api::{follow_import, preview_import, start_import};
use super::{
    ImportPreview, ImportProgress, ImportSummary, LineStatus, PreviewLine, PreviewTotals,
    PREVIEW_HEADING,
};
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::session::SignedIn;
use crate::shell::allowed::Allowed;
use crate::shell::fields::{described_by, focus_by_id, focus_next_frame, FieldError};
use crate::shell::leave_guard::warn_before_leaving;
use crate::shell::modal::DialogOutcome;
use crate::shell::scroll_box::ScrollBox;
use crate::shell::title::PageTitle;
use crate::words::counted;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ImportGate />
        </SignedIn>
    }
}

#[component]
fn ImportGate() -> impl IntoView {
    view! {
        <section class="page">
            <PageTitle text="Import roster" />
            <h1>"Import roster"</h1>
            <Allowed permission=Permission::ManageRoster for_whom="lead teachers, full admins and the school's owner">
                <Importer />
            </Allowed>
        </section>
    }
}

/// The chosen file, read in the browser and base64-encoded for the server.
#[derive(Clone, PartialEq)]
struct ChosenFile {
    name: String,
    base64: String,
}

#[cfg(feature = "hydrate")]
async fn read_chosen_file() -> Result<ChosenFile, String> {
    use base64::Engine;
    use wasm_bindgen::JsCast;
    let input = document()
        .get_element_by_id("roster_file")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .ok_or("The file field is missing.")?;
    let file = input
        .files()
        .and_then(|files| files.get(0))
        .ok_or("Choose a roster file first.")?;
    use super::MAX_UPLOAD_BYTES;
    if file.size() > MAX_UPLOAD_BYTES as f64 {
        return Err(format!(
            "The file is larger than {} MB, the largest accepted. Split the roster into smaller files (for example one per year group) and upload them one at a time.",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ));
    }
    let name = file.name();
    let bytes = gloo_file::futures::read_as_bytes(&gloo_file::File::from(file))
        .await
        .map_err(|e| format!("The file could not be read: {e}"))?;
    Ok(ChosenFile {
        name,
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

#[cfg(not(feature = "hydrate"))]
async fn read_chosen_file() -> Result<ChosenFile, String> {
    Err("Files are read in the browser.".into())
}

/// Waits `ms` milliseconds in the browser.
async fn pause(ms: i32) {
    #[cfg(feature = "hydrate")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

#[component]
fn Importer() -> impl IntoView {
    let inactivate = RwSignal::new(false);
    // Inactivating and reactivating accounts is for full admins and the
    // owner (DESIGN.md §1); the server refuses it to anyone else too.
    let may_inactivate =
        use_context::<SignedInUser>().is_some_and(|user| user.can(Permission::ManageUsers));
    let previewed = RwSignal::new(None::<(ChosenFile, bool, ImportPreview)>);
    let error = RwSignal::new(None::<String>);
    // What is wrong with the chosen file (none, unreadable, refused by the
    // preview): said under "Roster file", which takes focus.
    let file_error = RwSignal::new(None::<String>);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let refuse_file = move |message: String| {
        file_error.set(Some(message));
        focus_next_frame(file_input);
    };
    let progress = RwSignal::new(None::<ImportProgress>);
    let summary = RwSignal::new(None::<ImportSummary>);
    // Counts changes to the file and the choice: a preview that comes back
    // after one (it was asked for the form as it was) is dropped.
    let form_changes = StoredValue::new(0u64);
    // Local actions: reading a file and waiting are browser futures, not Send.
    let preview = Action::new_local(move |inactivate: &bool| {
        let inactivate = *inactivate;
        let asked_at = form_changes.get_value();
        async move {
            let file = match read_chosen_file().await {
                Ok(file) => file,
                Err(message) => return refuse_file(message),
            };
            let result = preview_import(file.base64.clone(), inactivate).await;
            if form_changes.get_value() != asked_at {
                return;
            }
            match result {
                Ok(result) => {
                    previewed.set(Some((file, inactivate, result)));
                    // The preview appeared below the button: focus goes
                    // to it, so a keyboard or a screen reader is there.
                    request_animation_frame(|| focus_by_id(PREVIEW_HEADING));
                }
                // The one refusal not about the file: the checkbox.
                Err(e) if e.field() == Some("inactivate_missing") => error.set(Some(e.to_string())),
                Err(e) => refuse_file(e.to_string()),
            }
        }
    });
    let apply = Action::new_local(
        move |(file, inactivate, basis): &(ChosenFile, bool, String)| {
            let (file, inactivate, basis) = (file.clone(), *inactivate, basis.clone());
            async move {
                let job = match start_import(file.base64, inactivate, Some(basis)).await {
                    Ok(job) => job,
                    Err(e) => return error.set(Some(e.to_string())),
                };
                loop {
                    match follow_import(job.clone()).await {
                        Ok(now) => {
                            let outcome = now.outcome.clone();
                            progress.set(Some(now));
                            match outcome {
                                Some(Ok(done)) => {
                                    previewed.set(None);
                                    return summary.set(Some(done));
                                }
                                // Nothing was written: the bar goes, and
                                // the message says why.
                                Some(Err(message)) => {
                                    progress.set(None);
                                    return error.set(Some(message));
                                }
                                None => pause(400).await,
                            }
                        }
                        Err(e) => {
                            progress.set(None);
                            return error.set(Some(e.to_string()));
                        }
                    }
                }
            }
        },
    );
    let (previewing, applying) = (preview.pending(), apply.pending());
    let busy = move || previewing.get() || applying.get();
    // In a press's handler: a press while busy does nothing.
    let busy_now = move || previewing.get_untracked() || applying.get_untracked();
    let on_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy_now() {
            return;
        }
        error.set(None);
        file_error.set(None);
        summary.set(None);
        progress.set(None);
        previewed.set(None);
        preview.dispatch(inactivate.get_untracked());
    };
    // A preview is of one file with one choice: choosing another file or
    // changing the choice withdraws it (and its "Apply import"), also one
    // still on its way, so what is applied is always what was previewed on
    // screen.
    let withdraw_preview = move || {
        if !applying.get_untracked() {
            form_changes.update_value(|n| *n += 1);
            previewed.set(None);
            error.set(None);
            file_error.set(None);
        }
    };
    view! {
        <p class="lead">
            "Add or update the school's classes and learners from a file: a CSV with the header "
            <code>"class,first_name,last_name,username,external_id,email"</code>
            " (username, external_id and email may be empty), or a OneRoster 1.1 CSV zip. "
            "Nothing changes until you apply the preview."
        </p>
        <form class="form" novalidate on:submit=on_preview>
            <div class="field">
                <label for="roster_file">"Roster file"</label>
                <input
                    node_ref=file_input
                    id="roster_file"
                    type="file"
                    accept=".csv,.tsv,.txt,.zip,text/csv,text/tab-separated-values,application/zip"
                    aria-describedby=described_by(true, "roster_file_hint".into(), file_error.into(), "roster_file_error".into())
                    aria-invalid=move || file_error.with(Option::is_some).then_some("true")
                    on:change=move |_| withdraw_preview()
                />
                <p class="hint" id="roster_file_hint">"CSV (UTF-8, UTF-16 or Windows-1252; comma, semicolon or tab) or a OneRoster zip, up to 5 MB."</p>
                <FieldError id="roster_file_error" error=file_error />
            </div>
            {if may_inactivate {
                view! {
                    <div class="choice">
                        <input
                            id="inactivate_missing"
                            type="checkbox"
                            prop:checked=move || inactivate.get()
                            on:change=move |ev| {
                                inactivate.set(event_target_checked(&ev));
                                withdraw_preview();
                            }
                        />
                        <label for="inactivate_missing">"Inactivate learners who are not in the file"</label>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <p class="hint">
                        "Learners who are not in the file keep their accounts: only a full admin or the owner can inactivate or reactivate accounts, or set learners' emails."
                    </p>
                }
                .into_any()
            }}
            <div class="dialog-row">
                <button type="submit" class="button" aria-busy=move || previewing.get().to_string() aria-disabled=move || busy().to_string()>
                    "Preview"
                </button>
            </div>
        </form>
        {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        {move || progress.get().map(|now| view! { <ImportProgressBar now /> })}
        {move || summary.get().map(|done| view! { <ImportDone summary=done /> })}
        {move || previewed.get().map(|(file, inactivate, result)| {
            let can_apply = result.totals.error == 0
                && (result.totals.create + result.totals.update > 0 || !result.to_inactivate.is_empty());
            let nothing_to_do = result.totals.error == 0 && !can_apply;
            let to_apply = (file.clone(), inactivate, result.basis.clone());
            let ImportPreview { file_kind, lines, totals, new_learners, new_classes, to_inactivate, .. } = result;
            view! {
                <PreviewSummary
                    file_name=file.name
                    file_kind
                    totals
                    new_learners
                    new_classes
                    inactivating=to_inactivate.len()
                />
                <div class="dialog-row">
                    <button
                        type="button"
                        class="button primary"
                        disabled=!can_apply
                        aria-disabled=move || busy().to_string()
                        aria-busy=move || applying.get().to_string()
                        on:click=move |_| {
                            // Busy: a press does nothing, and focus stays here.
                            if busy_now() {
                                return;
                            }
                            error.set(None);
                            apply.dispatch(to_apply.clone());
                        }
                    >
                        "Apply import"
                    </button>
                    {nothing_to_do.then(|| view! {
                        <p class="hint">"Nothing to change: the school already matches the file."</p>
                    })}
                </div>
                <PreviewLines lines to_inactivate />
            }
        })}
    }
}

#[component]
fn ImportProgressBar(now: ImportProgress) -> impl IntoView {
    let percent = now.percent;
    view! {
        <div class="import-progress">
            <p id="import_stage">{now.stage.clone()}</p>
            <div
                class="progress-track"
                role="progressbar"
                aria-label="Import progress"
                aria-describedby="import_stage"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=percent.to_string()
                aria-valuetext=format!("{percent}%")
            >
                // Set through the CSS object model, which the page's
                // Content-Security-Policy (style-src 'self') allows; an
                // inline style attribute it would refuse.
                <div class="progress-fill" style:width=format!("{percent}%")></div>
            </div>
            <p class="hint">{format!("{percent}%")}</p>
        </div>
    }
}

/// The preview's totals and what they mean, above "Apply import": a long
/// file's lines (and the learners it would inactivate) come after it.
#[component]
fn PreviewSummary(
    file_name: String,
    file_kind: String,
    totals: PreviewTotals,
    new_learners: usize,
    new_classes: Vec<String>,
    /// Learners not in the file the import would inactivate.
    inactivating: usize,
) -> impl IntoView {
    let status = format!(
        "{file_name} ({file_kind}): {} to create, {} to update, {} unchanged, {} with errors{}.",
        totals.create,
        totals.update,
        totals.unchanged,
        totals.error,
        if inactivating > 0 {
            format!(", {inactivating} to inactivate")
        } else {
            String::new()
        }
    );
    view! {
        <h2 id=PREVIEW_HEADING tabindex="-1">"Preview"</h2>
        <p role="status">{status}</p>
        {(new_learners > 0).then(|| view! {
            <p>{new_learners_line(new_learners, totals.create, totals.error > 0)}</p>
        })}
        {(totals.error > 0).then(|| view! {
            <p class="error">"Lines with errors block the import: fix them in the file, then preview again. They are listed first."</p>
        })}
        {(!new_classes.is_empty()).then(|| view! {
            <p>{format!("New classes: {}.", new_classes.join(", "))}</p>
        })}
        {(inactivating > 0).then(|| view! {
            <p class="warning">{inactivating_line(inactivating, totals.update + totals.unchanged)}</p>
        })}
    }
}

/// What "Apply import" does to the learners not in the file, in words;
/// `kept` is how many of the school's learners the file names. Inactivating
/// more than it keeps is most likely one class's file taken for the whole
/// school's, and says so.
fn inactivating_line(learners: usize, kept: usize) -> String {
    let line = format!(
        "Applying inactivates {} who {} not in the file: they can no longer sign in and are signed out at once. A full admin can reactivate an account on Users. They are listed below the button.",
        counted(learners, "learner", "learners"),
        if learners == 1 { "is" } else { "are" }
    );
    if learners > kept {
        format!(
            "{line} That is more learners than the file keeps ({kept}): check that it is the whole school's roster, not one class's."
        )
    } else {
        line
    }
}

/// The learners the import would inactivate, then every line of the file,
/// those in error first.
#[component]
fn PreviewLines(mut lines: Vec<PreviewLine>, to_inactivate: Vec<String>) -> impl IntoView {
    // What blocks the import first, where a long file would hide it; each
    // group keeps the file's order.
    lines.sort_by_key(|line| line.status != LineStatus::Error);
    view! {
        {(!to_inactivate.is_empty()).then(|| view! {
            <h3>"Learners who would be inactivated"</h3>
            <ul class="inactivate">
                {to_inactivate.iter().map(|name| view! { <li>{name.clone()}</li> }).collect_view()}
            </ul>
        })}
        <ScrollBox label="Lines of the file">
            <table class="import-preview">
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col">"Learner"</th>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Class"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Reason"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|line| {
                        let where_ = if line.file.is_empty() { line.line.to_string() } else { format!("{} {}", line.file, line.line) };
                        let class = match line.status {
                            LineStatus::Error => "status error",
                            LineStatus::Create => "status create",
                            LineStatus::Update => "status update",
                            LineStatus::Unchanged => "status unchanged",
                        };
                        view! {
                            <tr>
                                <td>{where_}</td>
                                <th scope="row">{line.learner}</th>
                                <td>{line.username}</td>
                                <td>{line.class}</td>
                                <td class=class>{line.status.label()}</td>
                                <td>{line.reason}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </ScrollBox>
    }
}

/// How many learners the lines to create make: fewer than the lines when
/// a learner is in several classes, which the totals (one per line) do not
/// show, and "Import done" counts learners. While lines with errors block
/// the import, nobody gets one yet.
fn new_learners_line(learners: usize, lines_to_create: usize, blocked: bool) -> String {
    let who = counted(learners, "learner", "learners");
    let will = if blocked {
        format!(
            "Nothing is imported until the lines with errors are fixed; the other lines would give {who} an account"
        )
    } else {
        format!("{who} will get an account")
    };
    if learners == lines_to_create {
        format!("{will}.")
    } else {
        format!("{will}: a learner on several lines is counted once.")
    }
}

#[component]
fn ImportDone(summary: ImportSummary) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let has_new = !summary.new_accounts.is_empty();
    let text = format!(
        "Import done: {} created, {} updated, {} unchanged, {} inactivated, {} created.",
        counted(summary.created, "learner", "learners"),
        summary.updated,
        summary.unchanged,
        summary.inactivated,
        counted(summary.classes_created, "class", "classes"),
    );
    let downloaded = RwSignal::new(false);
    warn_before_leaving(
        Signal::derive(move || has_new && !downloaded.get()),
        "The new learners' passwords and parent access codes are shown only on this page and are not downloaded yet. Leave the page without them?",
    );
    let download = move |_| {
        let bytes = crate::csv::access_codes_csv(&summary.new_accounts);
        match crate::download::save_file(&summary.file_name, "text/csv;charset=utf-8", &bytes) {
            Ok(()) => downloaded.set(true),
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        // Focused as it appears: "Apply import" is gone with the preview.
        <DialogOutcome>{text}</DialogOutcome>
        {has_new.then(|| view! {
            <p>"The new learners' passwords and parent access codes are shown only now: download them before you leave this page."</p>
            <button type="button" class="button primary" on:click=download>"Download CSV"</button>
        })}
        {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::{inactivating_line, new_learners_line};

    #[test]
    fn a_learner_on_several_lines_is_counted_once() {
        assert_eq!(
            new_learners_line(1, 1, false),
            "1 learner will get an account."
        );
        assert_eq!(
            new_learners_line(5, 6, false),
            "5 learners will get an account: a learner on several lines is counted once."
        );
    }

    #[test]
    fn inactivating_more_learners_than_the_file_keeps_asks_to_check_the_file() {
        assert!(!inactivating_line(3, 80).contains("more learners than"));
        assert!(inactivating_line(83, 1).ends_with(
            "That is more learners than the file keeps (1): check that it is the whole school's roster, not one class's."
        ));
    }

    #[test]
    fn while_errors_block_the_import_nobody_gets_an_account_yet() {
        assert_eq!(
            new_learners_line(2, 2, true),
            "Nothing is imported until the lines with errors are fixed; the other lines would give 2 learners an account."
        );
    }
}
