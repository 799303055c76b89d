//! A page's data, loaded on the server while it renders the page and handed
//! to the browser inside it: Leptos resources, with one change to how the
//! browser reads them.
//!
//! Leptos's default resource codec reads that JSON with
//! `serde_json::from_str`, while a server function's answer (the same data,
//! when the page loads it again) is read with `serde_json::from_slice`. The
//! two are different JSON readers, so the WebAssembly carried a second
//! decoder for every type a page loads. [`Json`] reads resources from bytes
//! too: the same JSON on the wire, one decoder per type.
//!
//! A page's data that comes back "not signed in" in the browser means the
//! session ended elsewhere (signed out everywhere, inactivated, a password
//! change): the page reloads at the sign-in page, dropping what it showed,
//! instead of keeping the signed-in header and data around an error.

use std::future::Future;

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON, written as Leptos's default codec writes it and read as server
/// functions read their answers.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(json.as_bytes())
    }
}

/// A page's data: a [`Resource`] read with [`Json`].
pub type PageData<T> = Resource<T, Json>;

/// Whether a page's data says the session it was asked for has ended.
pub trait EndsSession {
    fn ends_session(&self) -> bool;
}

impl<T> EndsSession for Result<T, crate::error::AppError> {
    fn ends_session(&self) -> bool {
        matches!(self, Err(crate::error::AppError::NotSignedIn))
    }
}

/// `fetcher`, reloading the browser at the sign-in page when its answer
/// says the session has ended.
fn leaving_when_signed_out<T, S, Fut>(
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> impl Fn(S) -> std::pin::Pin<Box<dyn Future<Output = T> + Send>> + Send + Sync + 'static
where
    T: EndsSession + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    move |source| {
        let answer = fetcher(source);
        Box::pin(async move {
            let answer = answer.await;
            if answer.ends_session() {
                crate::navigation::reload_at(crate::routes::AFTER_SESSION_ENDED);
            }
            answer
        })
    }
}

/// Loads `fetcher(source())` (again whenever `source` changes), as
/// `Resource::new`.
#[track_caller]
pub fn page_data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageData<T>
where
    T: Serialize + DeserializeOwned + EndsSession + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, leaving_when_signed_out(fetcher), false)
}

/// As [`page_data`], but the server sends nothing of the page until it has
/// loaded (`Resource::new_blocking`): for data that decides a redirect or
/// the status code.
#[track_caller]
pub fn page_data_blocking<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageData<T>
where
    T: Serialize + DeserializeOwned + EndsSession + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, leaving_when_signed_out(fetcher), true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn only_not_signed_in_ends_the_session() {
        assert!(Err::<(), _>(AppError::NotSignedIn).ends_session());
        assert!(!Err::<(), _>(AppError::Forbidden).ends_session());
        assert!(!Err::<(), _>(AppError::NotFound).ends_session());
        assert!(!Ok::<(), AppError>(()).ends_session());
    }

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Row {
        name: String,
        note: Option<String>,
    }

    /// What the server writes into the page is what Leptos's default codec
    /// writes, and it reads back the same, errors included.
    #[test]
    fn writes_what_the_default_codec_writes_and_reads_it_back() {
        use leptos::server::codee::string::JsonSerdeCodec;

        let value: Result<Vec<Row>, AppError> = Ok(vec![Row {
            name: "Zoë \"Z\" O'Neill\n".into(),
            note: None,
        }]);
        let written = <Json as Encoder<_>>::encode(&value).unwrap();
        assert_eq!(written, JsonSerdeCodec::encode(&value).unwrap());
        let read: Result<Vec<Row>, AppError> = Json::decode(&written).unwrap();
        assert_eq!(read, value);

        let refused: Result<Vec<Row>, AppError> = Err(AppError::NotFound);
        let written = <Json as Encoder<_>>::encode(&refused).unwrap();
        let read: Result<Vec<Row>, AppError> = Json::decode(&written).unwrap();
        assert_eq!(read, refused);
    }

    #[test]
    fn refuses_what_is_not_the_type() {
        let read: Result<Row, _> = <Json as Decoder<Row>>::decode(r#"{"nom":"x"}"#);
        assert!(read.is_err());
    }
}
