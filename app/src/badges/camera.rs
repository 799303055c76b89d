//! "Scan with camera" on `/badge`: the tablet's front camera, a frame five
//! times a second drawn to a canvas and decoded in WebAssembly (`quircs`, a
//! port of quirc), until a badge URL of this site shows up. Nothing leaves
//! the browser but the token, posted like one from a badge URL.

use leptos::prelude::*;

#[component]
pub fn CameraScanner(on_token: Callback<String>) -> impl IntoView {
    let video = NodeRef::<leptos::html::Video>::new();
    let scanning = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let start = move |_| {
        problem.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let Some(element) = video.get_untracked() else {
                return;
            };
            match browser::start(&element).await {
                Ok(stream) => {
                    scanning.set(true);
                    let found = browser::scan(&element, scanning).await;
                    browser::stop(&stream);
                    scanning.set(false);
                    if let Some(token) = found {
                        on_token.run(token);
                    }
                }
                Err(message) => problem.set(Some(message)),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (video, scanning, on_token);
    };
    view! {
        <div class="camera-scan">
            <Show
                when=move || scanning.get()
                fallback=move || view! {
                    <button type="button" class="button primary" on:click=start>"Scan with camera"</button>
                }
            >
                <p role="status">"Hold the QR code on your card up to the camera."</p>
                <button type="button" class="button secondary" on:click=move |_| scanning.set(false)>"Stop camera"</button>
            </Show>
            <video
                node_ref=video
                class="camera-view"
                autoplay
                playsinline
                muted
                aria-label="Camera"
                hidden=move || !scanning.get()
            ></video>
            {move || problem.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream,
        MediaStreamConstraints,
    };

    /// Frames larger than this are scaled down before decoding.
    const MAX_SIDE: u32 = 640;

    /// Asks for the front camera and plays it in `video`.
    pub async fn start(video: &HtmlVideoElement) -> Result<MediaStream, String> {
        let refused = |_| {
            "The camera could not be opened. Allow the camera for this site, or open the QR code with the tablet's camera app.".to_string()
        };
        let devices = web_sys::window()
            .ok_or("No window")?
            .navigator()
            .media_devices()
            .map_err(refused)?;
        let constraints = MediaStreamConstraints::new();
        let video_wish = js_sys::Object::new();
        js_sys::Reflect::set(&video_wish, &"facingMode".into(), &"user".into()).map_err(refused)?;
        constraints.set_video(&video_wish);
        constraints.set_audio(&JsValue::FALSE);
        let promise = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(refused)?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(refused)?
            .dyn_into()
            .map_err(refused)?;
        video.set_src_object(Some(&stream));
        if let Ok(playing) = video.play() {
            let _ = JsFuture::from(playing).await;
        }
        Ok(stream)
    }

    pub fn stop(stream: &MediaStream) {
        for track in stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                track.stop();
            }
        }
    }

    async fn pause(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }

    /// Decodes frames until a badge URL of this site shows, or scanning
    /// is stopped.
    pub async fn scan(video: &HtmlVideoElement, scanning: RwSignal<bool>) -> Option<String> {
        let document = web_sys::window()?.document()?;
        let origin = web_sys::window()?.location().origin().ok()?;
        let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
        let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        while scanning.get_untracked() {
            pause(200).await;
            let (width, height) = (video.video_width(), video.video_height());
            if width == 0 || height == 0 {
                continue;
            }
            let scale = (MAX_SIDE as f64 / width.max(height) as f64).min(1.0);
            let (w, h) = (
                ((width as f64) * scale) as u32,
                ((height as f64) * scale) as u32,
            );
            canvas.set_width(w);
            canvas.set_height(h);
            if context
                .draw_image_with_html_video_element_and_dw_and_dh(
                    video, 0.0, 0.0, w as f64, h as f64,
                )
                .is_err()
            {
                continue;
            }
            let Ok(frame) = context.get_image_data(0.0, 0.0, w as f64, h as f64) else {
                continue;
            };
            let rgba = frame.data();
            let Some(text) = super::super::qr::decode_rgba(&rgba, w as usize, h as usize) else {
                continue;
            };
            let token = text
                .strip_prefix(&format!("{origin}{}", super::super::BADGE_PATH))
                .and_then(super::super::token_in_fragment);
            if let Some(token) = token {
                return Some(token.to_string());
            }
        }
        None
    }
}
