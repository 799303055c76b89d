//! Where email goes: `.eml` files in `<data>/outbox/email/` by default
//! (lettre's file transport), or real SMTP when `SMTP_URL` is set.

use std::path::PathBuf;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub enum Mailer {
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        folder: PathBuf,
    },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// How an `smtp://` or `smtps://` URL is protected once ClassKeys has read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// STARTTLS, and the message (and any password) is never sent without it.
    StartTlsRequired,
    /// `smtp://` with `tls=opportunistic`, no credentials, not port 587.
    StartTlsIfOffered,
    /// Plain text: a local relay without credentials, or `tls=none` spelled out.
    None,
}

/// Reads `SMTP_URL` the way ClassKeys means it: lettre sends `smtp://` URLs
/// in clear unless told otherwise, so port 587 and any URL that carries a
/// password require STARTTLS unless `tls=none` is written out (which is
/// logged as a warning). Returns the URL to hand to lettre and its security.
pub fn smtp_plan(url: &str) -> Result<(String, SmtpSecurity), String> {
    let mut parsed = url::Url::parse(url).map_err(|_| "SMTP_URL is not a URL".to_string())?;
    let tls = parsed
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.to_lowercase());
    let has_credentials = !parsed.username().is_empty() || parsed.password().is_some();
    let security = match (parsed.scheme(), tls.as_deref()) {
        ("smtps", _) => SmtpSecurity::Tls,
        ("smtp", Some("none")) => SmtpSecurity::None,
        ("smtp", Some("required")) => SmtpSecurity::StartTlsRequired,
        ("smtp", _) if has_credentials || parsed.port() == Some(587) => {
            SmtpSecurity::StartTlsRequired
        }
        ("smtp", Some("opportunistic")) => SmtpSecurity::StartTlsIfOffered,
        ("smtp", None) => SmtpSecurity::None,
        ("smtp", Some(other)) => {
            return Err(format!(
                "SMTP_URL: tls={other} is not one of required, opportunistic or none"
            ))
        }
        (scheme, _) => return Err(format!("SMTP_URL: {scheme}:// is not smtp:// or smtps://")),
    };
    let lettre_tls = match security {
        SmtpSecurity::StartTlsRequired => Some("required"),
        SmtpSecurity::StartTlsIfOffered => Some("opportunistic"),
        SmtpSecurity::Tls | SmtpSecurity::None => None,
    };
    let others: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(key, _)| key != "tls")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed.set_query(None);
    if lettre_tls.is_some() || !others.is_empty() {
        let mut query = parsed.query_pairs_mut();
        for (key, value) in &others {
            query.append_pair(key, value);
        }
        if let Some(tls) = lettre_tls {
            query.append_pair("tls", tls);
        }
    }
    Ok((parsed.to_string(), security))
}

impl Mailer {
    /// `.eml` files in `folder` (created if missing, readable by the owner
    /// only: a queued reset link is a live credential).
    pub fn files(folder: PathBuf) -> std::io::Result<Mailer> {
        crate::files::create_private_dir(&folder)?;
        Ok(Mailer::Files {
            transport: AsyncFileTransport::new(&folder),
            folder,
        })
    }

    /// SMTP from a URL such as `smtp://user:pass@host:587` (STARTTLS
    /// required) or `smtps://user:pass@host:465` (TLS); see [`smtp_plan`].
    pub fn smtp(url: &str) -> Result<Mailer, String> {
        let (url, security) = smtp_plan(url)?;
        if security == SmtpSecurity::None {
            tracing::warn!(
                "SMTP_URL sends email without TLS: use it only for a relay on this machine"
            );
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map(|builder| Mailer::Smtp(builder.build()))
            .map_err(|e| format!("SMTP_URL is not usable: {e}"))
    }

    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Mailer::Files { transport, folder } => {
                let id = transport.send(message).await.map_err(|e| e.to_string())?;
                // lettre writes with the process umask; the link is a secret.
                crate::files::make_private(&folder.join(format!("{id}.eml")))
                    .map_err(|e| e.to_string())
            }
            Mailer::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lettre transport's own settings, as its `Debug` prints them.
    fn transport_tls(url: &str) -> String {
        let Mailer::Smtp(smtp) = Mailer::smtp(url).unwrap() else {
            panic!("an SMTP transport");
        };
        let debug = format!("{smtp:?}");
        let start = debug.find("tls: ").expect("the TLS setting") + "tls: ".len();
        debug[start..]
            .split([',', ' ', '}'])
            .next()
            .unwrap()
            .to_string()
    }

    // lettre's SMTP pool starts its tokio task when built.
    #[tokio::test]
    async fn defect_9_every_documented_smtp_url_protects_the_password() {
        // The URLs README.md and DESIGN.md give as examples.
        for (url, tls) in [
            ("smtp://user:pass@host:587", "Required"),
            ("smtps://user:pass@host:465", "Wrapper"),
            ("smtp://user:pass@mail.example:25", "Required"),
            ("smtp://mail.example:587", "Required"),
            ("smtp://user:pass@host:587?tls=opportunistic", "Required"),
            ("smtp://localhost:25", "None"),
            ("smtp://user:pass@localhost:2525?tls=none", "None"),
        ] {
            assert_eq!(transport_tls(url), tls, "{url}");
        }
    }

    #[test]
    fn the_transport_keeps_host_port_and_credentials() {
        let (url, security) = smtp_plan("smtp://us%40er:p%26ss@mail.example:587/hello").unwrap();
        assert_eq!(security, SmtpSecurity::StartTlsRequired);
        assert_eq!(
            url,
            "smtp://us%40er:p%26ss@mail.example:587/hello?tls=required"
        );
        let (url, _) = smtp_plan("smtp://localhost:2525?tls=none").unwrap();
        assert_eq!(url, "smtp://localhost:2525");
    }

    #[test]
    fn unknown_schemes_and_tls_values_are_explained() {
        assert!(smtp_plan("http://host").unwrap_err().contains("smtp://"));
        assert!(smtp_plan("smtp://host?tls=maybe")
            .unwrap_err()
            .contains("tls=maybe"));
        assert!(smtp_plan("not a url").is_err());
    }
}
