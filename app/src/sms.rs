//! Text messages: a `.txt` file per SMS in `<data>/outbox/sms/` by default,
//! or an HTTP POST of `{"to","body"}` JSON to `SMS_GATEWAY_URL`. Every SMS
//! costs the school one credit, spent only when the gateway accepted it.

use std::path::PathBuf;
use std::time::Duration;

use crate::db::{new_id, Tx};
use crate::error::AppError;

/// Where SMS go.
#[derive(Clone)]
pub enum SmsGateway {
    /// One `.txt` file per message in this folder.
    Files(PathBuf),
    /// POSTs `{"to","body"}` JSON; any 2xx answer means accepted.
    Http {
        url: String,
        client: reqwest::Client,
    },
    /// No gateway (tests and tools that never send SMS).
    None,
}

/// Never prints the gateway's URL: it may carry an API key.
impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmsGateway::Files(folder) => f.debug_tuple("Files").field(folder).finish(),
            SmsGateway::Http { .. } => f.write_str("Http { .. }"),
            SmsGateway::None => f.write_str("None"),
        }
    }
}

/// How long the gateway may take to accept a message.
const GATEWAY_TIMEOUT: Duration = Duration::from_secs(10);

impl SmsGateway {
    pub fn files(folder: PathBuf) -> SmsGateway {
        SmsGateway::Files(folder)
    }

    pub fn http(url: &str) -> Result<SmsGateway, String> {
        let client = reqwest::Client::builder()
            .timeout(GATEWAY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the SMS client: {e}"))?;
        Ok(SmsGateway::Http {
            url: url.to_string(),
            client,
        })
    }

    /// Hands one message to the gateway. `Ok` only when it was accepted.
    pub async fn send(&self, to: &str, body: &str) -> Result<(), String> {
        match self {
            SmsGateway::Files(folder) => write_file(folder, to, body).await,
            SmsGateway::Http { url, client } => {
                let response = client
                    .post(url)
                    .json(&serde_json::json!({ "to": to, "body": body }))
                    .send()
                    .await
                    // Without the URL: it may hold the gateway's API key.
                    .map_err(|e| format!("SMS gateway unreachable: {}", e.without_url()))?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("SMS gateway answered {}", response.status()))
                }
            }
            SmsGateway::None => Err("no SMS gateway is configured".into()),
        }
    }
}

/// Writes the message under a temporary name and renames it, so a reader
/// of the folder never sees half a message.
async fn write_file(folder: &std::path::Path, to: &str, body: &str) -> Result<(), String> {
    crate::files::create_private_dir(folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let name = new_id();
    let partial = folder.join(format!(".{name}.partial"));
    let done = folder.join(format!("{name}.txt"));
    let text = format!("To: {to}\n\n{body}\n");
    // The message holds a live link: owner-only before a byte is written.
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let write = async {
        let mut file = options.open(&partial).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, text.as_bytes()).await?;
        file.sync_all().await
    };
    write
        .await
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    tokio::fs::rename(&partial, &done)
        .await
        .map_err(|e| format!("cannot write {}: {e}", done.display()))
}

/// Takes one credit from the school, if it has one left. Returns the credits
/// left afterwards, or `None` (and takes nothing) when it had none.
pub async fn reserve_credit(tx: &mut Tx, school_id: &str) -> Result<Option<i64>, AppError> {
    let left: Option<(i64,)> = sqlx::query_as(
        "UPDATE schools SET sms_credits = sms_credits - 1 WHERE id = $1 AND sms_credits > 0 \
         RETURNING sms_credits",
    )
    .bind(school_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(left.map(|(n,)| n))
}

/// Gives back a credit reserved for a message the gateway refused.
pub async fn refund_credit(tx: &mut Tx, school_id: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE schools SET sms_credits = sms_credits + 1 WHERE id = $1")
        .bind(school_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Mobile numbers are stored in international (E.164) form: `+`, country
/// code and number, 8 to 15 digits. Spaces, dashes, dots and brackets are
/// dropped, and so is a national `(0)` written after the country code.
pub fn normalise_mobile(mobile: &str) -> Result<Option<String>, AppError> {
    let trimmed = mobile.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let Some(rest) = trimmed.strip_prefix('+') else {
        return Err(AppError::invalid(
            "mobile",
            "Enter the mobile number with its country code, such as +44 7700 900123.",
        ));
    };
    let rest = rest.replacen("(0)", "", 1);
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err(AppError::invalid(
                    "mobile",
                    "A mobile number has only digits, spaces and a + in front, such as +44 7700 900123.",
                ))
            }
        }
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(AppError::invalid(
            "mobile",
            "Enter the mobile number with its country code, such as +44 7700 900123.",
        ));
    }
    Ok(Some(format!("+{digits}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_stored_in_international_form() {
        for (typed, stored) in [
            (" +44 (0)7700-900.123 ", "+447700900123"),
            ("+44 7700 900123", "+447700900123"),
            ("+1 (555) 010-9999", "+15550109999"),
        ] {
            assert_eq!(
                normalise_mobile(typed).unwrap().as_deref(),
                Some(stored),
                "{typed}"
            );
        }
        assert_eq!(normalise_mobile("  ").unwrap(), None);
        for bad in [
            "07700 900123",
            "+44 7700 900123 ext 5",
            "+0 7700 900123",
            "+1234567",
            "+1234567890123456",
        ] {
            assert!(normalise_mobile(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn file_messages_appear_whole() {
        let folder = tempfile::tempdir().unwrap();
        let gateway = SmsGateway::files(folder.path().join("sms"));
        gateway.send("+447700900123", "hello").await.unwrap();
        let files: Vec<_> = std::fs::read_dir(folder.path().join("sms"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert!(files[0].extension().is_some_and(|e| e == "txt"));
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert_eq!(text, "To: +447700900123\n\nhello\n");
    }

    #[tokio::test]
    async fn no_gateway_accepts_nothing() {
        assert!(SmsGateway::None.send("+447700900123", "x").await.is_err());
    }
}
