//! Saving a file the browser built (the access-codes CSV): a Blob, an
//! object URL and a click on a temporary link. Nothing goes to the server.

/// Milliseconds on the page's high-resolution clock (0 on the server).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .performance()
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    0.0
}

/// Offers `bytes` to the user as a download called `file_name`: a gloo
/// `Blob` and `ObjectUrl` (revoked when dropped, after the click).
#[cfg(feature = "hydrate")]
pub fn save_file(file_name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let url = gloo_file::ObjectUrl::from(gloo_file::Blob::new_with_options(bytes, Some(mime)));
    let document = leptos::prelude::document();
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an anchor".to_string())?;
    link.set_href(&url);
    link.set_download(file_name);
    if let Some(body) = document.body() {
        let _ = body.append_child(&link);
    }
    link.click();
    link.remove();
    Ok(())
}

#[cfg(not(feature = "hydrate"))]
pub fn save_file(_file_name: &str, _mime: &str, _bytes: &[u8]) -> Result<(), String> {
    Err("Downloads are made in the browser.".into())
}
