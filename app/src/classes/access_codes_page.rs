//! Access codes: "Show access codes" reveals usernames, passwords and parent
//! access codes; "Download CSV" builds the file in the browser. For one
//! class (`/classes/{id}/accounts`) or the school (`/school/accounts`).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::{record_access_codes_download, reveal_access_codes};
use super::AccessCodes;
use crate::error::AppError;
use crate::session::SignedIn;

#[component]
pub fn ClassAccessCodesPage() -> impl IntoView {
    view! {
        <SignedIn>
            <ClassAccessCodes />
        </SignedIn>
    }
}

#[component]
fn ClassAccessCodes() -> impl IntoView {
    let params = use_params_map();
    let class_id = params.read_untracked().get("id").unwrap_or_default();
    view! {
        <section class="page">
            <p><a href=format!("/classes/{class_id}")>"← Back to the class"</a></p>
            <h1>"Access codes"</h1>
            <AccessCodesPanel class_id=Some(class_id) />
        </section>
    }
}

/// The two buttons and the revealed table.
#[component]
pub fn AccessCodesPanel(class_id: Option<String>) -> impl IntoView {
    let class_id = StoredValue::new(class_id);
    let reveal = Action::new(move |_: &()| reveal_access_codes(class_id.get_value()));
    let saved = RwSignal::new(None::<Result<String, String>>);
    let download = Action::new(move |_: &()| async move {
        let outcome = save_csv(class_id.get_value()).await;
        saved.set(Some(outcome));
    });

    view! {
        <p>"Usernames, passwords and parent access codes, to print or hand out. Every reveal and download is recorded in the audit log."</p>
        <div class="page-actions">
            <button type="button" class="button primary" on:click=move |_| { reveal.dispatch(()); }>
                "Show access codes"
            </button>
            <button
                type="button"
                class="button"
                aria-busy=move || download.pending().get().to_string()
                on:click=move |_| { download.dispatch(()); }
            >
                "Download CSV"
            </button>
        </div>
        {move || saved.get().map(|outcome| match outcome {
            Ok(file) => view! { <p class="notice" role="status">"Saved " {file}</p> }.into_any(),
            Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
        })}
        {move || match reveal.value().get() {
            Some(Ok(codes)) => view! { <CodesTable codes /> }.into_any(),
            Some(Err(error)) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// Fetches the codes, builds the CSV here in the browser and saves it.
async fn save_csv(class_id: Option<String>) -> Result<String, String> {
    let codes = reveal_access_codes(class_id.clone())
        .await
        .map_err(|e: AppError| e.to_string())?;
    let started = crate::download::now_ms();
    let bytes = crate::csv::access_codes_csv(&codes.rows);
    // Read by bench/csv-in-browser.mjs; nothing in the page depends on it.
    leptos::logging::log!(
        "classkeys: built the access-codes CSV of {} rows in {:.2} ms",
        codes.rows.len(),
        crate::download::now_ms() - started
    );
    crate::download::save_file(&codes.file_name, "text/csv;charset=utf-8", &bytes)?;
    record_access_codes_download(class_id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(codes.file_name)
}

#[component]
fn CodesTable(codes: AccessCodes) -> impl IntoView {
    view! {
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
                <tbody>
                    {codes.rows.into_iter().map(|row| view! {
                        <tr>
                            <td>{row.class}</td>
                            <th scope="row">{format!("{} {}", row.first_name, row.last_name)}</th>
                            <td>{row.username}</td>
                            <td class="secret">{row.password.unwrap_or_else(|| "(not shown)".into())}</td>
                            <td class="code">{row.parent_access_code}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
