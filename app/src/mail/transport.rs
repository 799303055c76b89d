//! Where email goes: `.eml` files in `<data>/outbox/email/` by default
//! (lettre's file transport), or real SMTP when `SMTP_URL` is set.

use std::path::PathBuf;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub enum Mailer {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// `.eml` files in `folder` (created if missing).
    pub fn files(folder: PathBuf) -> std::io::Result<Mailer> {
        std::fs::create_dir_all(&folder)?;
        Ok(Mailer::Files(AsyncFileTransport::new(folder)))
    }

    /// SMTP from a URL such as `smtp://user:pass@host:587` (STARTTLS) or
    /// `smtps://…` (TLS), as lettre reads them.
    pub fn smtp(url: &str) -> Result<Mailer, String> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map(|builder| Mailer::Smtp(builder.build()))
            .map_err(|e| format!("SMTP_URL is not usable: {e}"))
    }

    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Mailer::Files(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Mailer::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}
