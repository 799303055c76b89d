//! Access codes: "Show access codes" reveals usernames, passwords and parent
//! access codes; "Download CSV" builds the file in the browser from the codes
//! the page loaded when it opened, with no request before the save. For one
//! class (`/classes/{id}/accounts`) or the school (`/school/accounts`).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::{load_class_summary, record_access_codes_download, reveal_access_codes};
use super::AccessCodes;
use crate::error::AppError;
use crate::page_data::page_data_blocking;
use crate::session::SignedIn;
use crate::shell::not_found::NotFound;
use crate::shell::paging::{rows_per_page, Pager, WHOLE_CLASS_UP_TO};
use crate::shell::title::PageTitle;

#[component]
pub fn ClassAccessCodesPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ClassAccessCodes />
        </SignedIn>
    }
}

/// A class the user cannot see (another school's, or one a teacher does
/// not teach) is the not-found page, sent as such by the server, rather
/// than buttons that would then fail.
#[component]
fn ClassAccessCodes() -> impl IntoView {
    let params = use_params_map();
    let class_id = params.read_untracked().get("id").unwrap_or_default();
    let class = page_data_blocking(move || class_id.clone(), load_class_summary);
    let page = move || {
        Suspend::new(async move {
            match class.await {
                Ok(class) => view! {
                    <PageTitle text=format!("Access codes: {}", class.name) />
                    <section class="page">
                        <p class="back-link"><a href=crate::routes::class_page(&class.id)>"← Back to the class"</a></p>
                        <h1>"Access codes"</h1>
                        // Which class, on screen and on the printout.
                        <p class="lead">{class.name}</p>
                        <AccessCodesPanel class_id=Some(class.id) />
                    </section>
                }
                .into_any(),
                Err(AppError::NotFound | AppError::Forbidden) => view! { <NotFound /> }.into_any(),
                Err(error) => view! {
                    <PageTitle text="Access codes" />
                    <section class="page">
                        <h1>"Access codes"</h1>
                        <p class="error" role="alert">{error.to_string()}</p>
                    </section>
                }
                .into_any(),
            }
        })
    };
    view! { <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>{page}</Suspense> }
}

/// What the page holds: the codes load once, when the page opens.
#[derive(Clone)]
enum Loaded {
    Loading,
    Ready(std::sync::Arc<AccessCodes>),
    Failed(String),
}

/// The two buttons and the revealed table.
///
/// The codes are fetched once, as soon as the page opens in the browser
/// (the server records that reveal), so "Show access codes" and "Download
/// CSV" work from memory: the file is saved in the click itself, and the
/// download is recorded afterwards without waiting for it.
#[component]
pub fn AccessCodesPanel(class_id: Option<String>) -> impl IntoView {
    let class_id = StoredValue::new(class_id);
    let loaded = RwSignal::new(Loaded::Loading);
    let shown = RwSignal::new(false);
    let download_waiting = RwSignal::new(false);
    let saved = RwSignal::new(None::<Result<String, String>>);

    let save = move |codes: &AccessCodes| {
        let outcome = save_csv(codes);
        let ok = outcome.is_ok();
        saved.set(Some(outcome));
        if ok {
            leptos::task::spawn_local(async move {
                if let Err(error) = record_access_codes_download(class_id.get_value()).await {
                    saved.set(Some(Err(format!(
                        "The file was saved, but the download could not be recorded: {error}"
                    ))));
                }
            });
        }
    };
    let load = move || {
        loaded.set(Loaded::Loading);
        leptos::task::spawn_local(async move {
            let next = match reveal_access_codes(class_id.get_value()).await {
                Ok(codes) => Loaded::Ready(std::sync::Arc::new(codes)),
                Err(error) => Loaded::Failed(error.to_string()),
            };
            if let (Loaded::Ready(codes), true) = (&next, download_waiting.get_untracked()) {
                download_waiting.set(false);
                save(codes);
            }
            loaded.set(next);
        });
    };
    // Effects run only in the browser, once the page has hydrated.
    Effect::new(move |_| load());

    let on_download = move |_| match loaded.get_untracked() {
        Loaded::Ready(codes) => save(&codes),
        Loaded::Loading => download_waiting.set(true),
        Loaded::Failed(_) => {
            download_waiting.set(true);
            load();
        }
    };
    let on_show = move |_| {
        shown.set(true);
        if matches!(loaded.get_untracked(), Loaded::Failed(_)) {
            load();
        }
    };

    view! {
        <p>"Usernames, passwords and parent access codes, to print or hand out. Opening this page and every download are recorded in the audit log."</p>
        <div class="page-actions">
            <button type="button" class="button primary" on:click=on_show>
                "Show access codes"
            </button>
            <button
                type="button"
                class="button"
                aria-busy=move || download_waiting.get().to_string()
                on:click=on_download
            >
                "Download CSV"
            </button>
        </div>
        {move || saved.get().map(|outcome| match outcome {
            Ok(file) => view! { <p class="notice" role="status">"Saved " {file}</p> }.into_any(),
            Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
        })}
        {move || {
            let wanted = shown.get() || download_waiting.get();
            match loaded.get() {
                Loaded::Failed(error) if wanted => view! { <p class="error" role="alert">{error}</p> }.into_any(),
                Loaded::Loading if wanted => view! { <p class="notice" aria-live="polite">"Loading access codes…"</p> }.into_any(),
                Loaded::Ready(codes) if shown.get() => {
                    // A class's codes are one page up to 100 learners (to
                    // print, or find in the page); the school's page by 50.
                    let whole_up_to = if class_id.with_value(Option::is_some) { WHOLE_CLASS_UP_TO } else { 0 };
                    view! { <CodesTable codes whole_up_to /> }.into_any()
                }
                _ => ().into_any(),
            }
        }}
    }
}

/// Builds the CSV here in the browser from the codes in memory and saves it.
fn save_csv(codes: &AccessCodes) -> Result<String, String> {
    let started = crate::download::now_ms();
    let bytes = crate::csv::access_codes_csv(&codes.rows);
    // Read by bench/csv-in-browser.mjs; nothing in the page depends on it.
    leptos::logging::log!(
        "classkeys: built the access-codes CSV of {} rows in {:.2} ms",
        codes.rows.len(),
        crate::download::now_ms() - started
    );
    crate::download::save_file(&codes.file_name, "text/csv;charset=utf-8", &bytes)?;
    Ok(codes.file_name.clone())
}

/// The codes, a page at a time beyond `whole_up_to` rows, so showing a
/// 3,000-learner school's codes does not freeze a tablet.
#[component]
fn CodesTable(codes: std::sync::Arc<AccessCodes>, whole_up_to: usize) -> impl IntoView {
    let total = codes.rows.len();
    let size = rows_per_page(total, whole_up_to);
    let pages = total.div_ceil(size).max(1);
    let page = RwSignal::new(0usize);
    let first = move || page.get().min(pages - 1) * size;
    let last = move || (first() + size).min(total);
    let rows = move || {
        codes.rows[first()..last()]
            .iter()
            .map(|row| {
                view! {
                    <tr>
                        <td>{row.class.clone()}</td>
                        <th scope="row">{format!("{} {}", row.first_name, row.last_name)}</th>
                        <td>{row.username.clone()}</td>
                        <td class="secret">{row.password.clone().unwrap_or_else(|| "(not shown)".into())}</td>
                        <td class="code">{row.parent_access_code.clone()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let paged = pages > 1;
    view! {
        {paged.then(|| view! {
            <p class="hint">{move || format!("Learners {}–{} of {total}", first() + 1, last())}</p>
        })}
        <div class="table-scroll">
            <table class="access-codes">
                <thead>
                    <tr>
                        <th scope="col">"Class"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Password"</th>
                        <th scope="col">"Parent access code"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {paged.then(|| view! { <Pager label="Access code pages" pages=Signal::stored(pages) page /> })}
    }
}
