//! The outbox: queued in the database, delivered with retries and backoff.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::messages::Email;
use super::transport::Mailer;
use crate::db::{new_id, Db, Tx};
use crate::error::AppError;
use crate::passwords::sealing::{Sealed, SealedFor, Sealer};

/// Give up on a message after this many failed attempts.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed email is left to the server that claimed it before
/// another may try it (that server died mid-send).
/// Longer than a whole claimed batch can take ([`CLAIM_BATCH`] emails, each
/// within lettre's 60 s SMTP timeout).
pub const CLAIM_LEASE_SECS: i64 = 15 * 60;
/// Emails claimed per poll.
const CLAIM_BATCH: i64 = 10;
const FROM: &str = "ClassKeys <no-reply@classkeys.invalid>";

/// Queues an email inside the caller's transaction. Its bodies are sealed
/// (they may carry a live link) until delivery, then blanked. One that
/// carries a link gives the link's expiry: it is not delivered after that.
pub async fn enqueue_email(
    tx: &mut Tx,
    sealer: &Sealer,
    school_id: &str,
    to: &str,
    email: &Email,
    now: i64,
    expires_at: Option<i64>,
) -> Result<(), AppError> {
    let id = new_id();
    let text = sealer.seal(&email.text, &body_part(&id, TEXT));
    let html = sealer.seal(&email.html, &body_part(&id, HTML));
    sqlx::query(
        "INSERT INTO outgoing_messages (id, school_id, channel, recipient, subject, body_text, body_html, \
         key_id, next_attempt_at, created_at, expires_at) \
         VALUES ($1, $2, 'email', $3, $4, $5, $6, $7, $8, $8, $9)",
    )
    .bind(&id)
    .bind(school_id)
    .bind(to)
    .bind(&email.subject)
    .bind(&text.sealed)
    .bind(&html.sealed)
    .bind(&text.key_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const TEXT: &str = "text";
const HTML: &str = "html";

fn body_part<'a>(message_id: &'a str, part: &'static str) -> SealedFor<'a> {
    SealedFor::OutgoingMessage { message_id, part }
}

/// A queued email as the outbox reads it back.
#[derive(sqlx::FromRow)]
struct QueuedRow {
    id: String,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    key_id: Option<String>,
    attempts: i64,
}

impl QueuedRow {
    /// The plain-text and HTML bodies (rows queued before sealing are plain).
    fn open(&self, sealer: &Sealer) -> Result<(String, String), String> {
        use secrecy::ExposeSecret;
        let Some(key_id) = &self.key_id else {
            return Ok((self.body_text.clone(), self.body_html.clone()));
        };
        let open = |sealed: &str, part| {
            let sealed = Sealed {
                key_id: key_id.clone(),
                sealed: sealed.to_string(),
            };
            sealer
                .open(&sealed, &body_part(&self.id, part))
                .map(|body| body.expose_secret().to_string())
                .map_err(|e| format!("the queued body would not open: {e}"))
        };
        Ok((open(&self.body_text, TEXT)?, open(&self.body_html, HTML)?))
    }
}

/// Every queued or sent email with its plain-text body opened, oldest
/// first (for tests and the operator's checks).
pub async fn opened_messages(db: &Db, sealer: &Sealer) -> Result<Vec<(String, String)>, AppError> {
    let rows: Vec<QueuedRow> = sqlx::query_as(
        "SELECT id, recipient, subject, body_text, body_html, key_id, attempts \
         FROM outgoing_messages WHERE channel = 'email' ORDER BY created_at, rowid",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let text = if row.body_text.is_empty() {
                String::new()
            } else {
                row.open(sealer).map(|(text, _)| text).unwrap_or_default()
            };
            (row.recipient.clone(), text)
        })
        .collect())
}

fn build(to: &str, subject: &str, text: &str, html: &str) -> Result<Message, String> {
    let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(FROM.parse().map_err(|e| format!("bad sender: {e}"))?)
        .to(to)
        .subject(subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text.to_string()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html.to_string()),
                ),
        )
        .map_err(|e| e.to_string())
}

/// Seconds to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … up to an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// Sends every email that is due; returns how many were sent. Emails whose
/// link expired while they waited are given up, their bodies blanked.
pub async fn deliver_due(
    db: &Db,
    sealer: &Sealer,
    mailer: &Mailer,
    now: i64,
) -> Result<usize, AppError> {
    sqlx::query(
        "UPDATE outgoing_messages SET status = 'failed', body_text = '', body_html = '', \
         last_error = 'the link expired before the email could be delivered' \
         WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $1",
    )
    .bind(now)
    .execute(db)
    .await?;
    // Claimed, not just read: every server polls the same outbox, and the
    // claim moves the rows' next attempt past the lease in one statement, so
    // a second poller (another server) no longer finds them due. A server
    // that dies mid-send leaves its rows to be retried once the lease ends.
    let due: Vec<QueuedRow> = sqlx::query_as(
        "UPDATE outgoing_messages SET next_attempt_at = $2 \
         WHERE id IN (SELECT id FROM outgoing_messages WHERE channel = 'email' \
         AND status = 'pending' AND next_attempt_at <= $1 ORDER BY created_at LIMIT $3) \
         AND status = 'pending' AND next_attempt_at <= $1 \
         RETURNING id, recipient, subject, body_text, body_html, key_id, attempts",
    )
    .bind(now)
    .bind(now + CLAIM_LEASE_SECS)
    .bind(CLAIM_BATCH)
    .fetch_all(db)
    .await?;
    let mut sent = 0;
    for row in due {
        let outcome = match row
            .open(sealer)
            .and_then(|(text, html)| build(&row.recipient, &row.subject, &text, &html))
        {
            Ok(message) => mailer.send(message).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(()) => {
                // The body carries a live link: once delivered, it is not kept.
                sqlx::query(
                    "UPDATE outgoing_messages SET status = 'sent', sent_at = $1, attempts = attempts + 1, \
                     body_text = '', body_html = '' WHERE id = $2",
                )
                .bind(now)
                .bind(&row.id)
                .execute(db)
                .await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(message = %row.id, %error, "email not delivered, will retry");
                let status = if row.attempts + 1 >= MAX_ATTEMPTS {
                    "failed"
                } else {
                    "pending"
                };
                sqlx::query(
                    "UPDATE outgoing_messages SET attempts = attempts + 1, status = $1, next_attempt_at = $2, \
                     last_error = $3, \
                     body_text = CASE WHEN $1 = 'failed' THEN '' ELSE body_text END, \
                     body_html = CASE WHEN $1 = 'failed' THEN '' ELSE body_html END WHERE id = $4",
                )
                .bind(status)
                .bind(now + backoff_secs(row.attempts))
                .bind(error.chars().take(500).collect::<String>())
                .bind(&row.id)
                .execute(db)
                .await?;
            }
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_secs(0), 30);
        assert_eq!(backoff_secs(1), 60);
        assert_eq!(backoff_secs(3), 240);
        assert_eq!(backoff_secs(20), 3600);
    }

    #[test]
    fn messages_have_plain_text_and_html_parts() {
        let email = super::super::messages::reset_link_email(
            "Ann <Head>",
            "Elm",
            "http://x/reset-password/abc",
        );
        let message = build("ann@elm.example", &email.subject, &email.text, &email.html).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(
            raw.contains("text/plain") && raw.contains("text/html"),
            "{raw}"
        );
        assert!(raw.contains("Ann &lt;Head&gt;"), "HTML is escaped");
    }
}
