//! The WebAssembly entry point: hydrates the server-rendered page. Pages in
//! `app::lazy_pages` load as their own WebAssembly chunks, so hydration is
//! asynchronous: it waits for the chunk of the page it opens.

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Already started is fine.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Tells the end-to-end tests (and nothing else) that the page, its
        // lazily loaded code included, is interactive.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
