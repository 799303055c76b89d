//! `classkeys admin rotate-key`: re-seals every sealed value (reveal
//! copies, parent access codes, queued email) and re-hashes every parent
//! code look-up under the current key, in one transaction. Afterwards the
//! keys listed in `CLASSKEYS_OLD_SECRET_KEYS` can be dropped.

use secrecy::{ExposeSecret, SecretString};

use super::generator::normalise_access_code;
use super::sealing::{Sealed, SealedFor};
use crate::db::begin_write;
use crate::error::AppError;
use crate::state::AppState;

/// What a rotation re-sealed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rotated {
    pub learner_passwords: usize,
    pub parent_access_codes: usize,
    pub queued_emails: usize,
    pub sso_client_secrets: usize,
}

fn unopenable(what: &str, key_id: &str) -> AppError {
    AppError::Conflict(format!(
        "A {what} was sealed with a key that is not configured (key id {key_id}). \
         Add that key to CLASSKEYS_OLD_SECRET_KEYS and run the rotation again; nothing was changed."
    ))
}

/// Re-seals everything not sealed with the current key. All or nothing:
/// a value no configured key opens stops the rotation with nothing changed.
pub async fn rotate_to_current_key(state: &AppState) -> Result<Rotated, AppError> {
    let sealer = &state.sealer;
    let current = sealer.current_key_id().to_string();
    let mut rotated = Rotated::default();
    let mut tx = begin_write(&state.db).await?;

    let reveals: Vec<(String, String, i64, String, String)> = sqlx::query_as(
        "SELECT a.school_id, r.account_id, r.password_version, r.key_id, r.sealed \
         FROM learner_password_reveals r JOIN accounts a ON a.id = r.account_id WHERE r.key_id <> $1",
    )
    .bind(&current)
    .fetch_all(&mut *tx)
    .await?;
    for (school_id, learner_id, version, key_id, sealed) in reveals {
        let sealed_for = SealedFor::LearnerPassword {
            school_id: &school_id,
            learner_id: &learner_id,
            password_version: version,
        };
        let password = sealer
            .open(
                &Sealed {
                    key_id: key_id.clone(),
                    sealed,
                },
                &sealed_for,
            )
            .map_err(|_| unopenable("learner password", &key_id))?;
        let resealed = sealer.seal(password.expose_secret(), &sealed_for);
        sqlx::query(
            "UPDATE learner_password_reveals SET key_id = $1, sealed = $2 WHERE account_id = $3",
        )
        .bind(&resealed.key_id)
        .bind(&resealed.sealed)
        .bind(&learner_id)
        .execute(&mut *tx)
        .await?;
        rotated.learner_passwords += 1;
    }

    let codes: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT a.school_id, p.learner_id, p.key_id, p.sealed FROM parent_access_codes p \
         JOIN accounts a ON a.id = p.learner_id WHERE p.key_id <> $1",
    )
    .bind(&current)
    .fetch_all(&mut *tx)
    .await?;
    for (school_id, learner_id, key_id, sealed) in codes {
        let sealed_for = SealedFor::ParentAccessCode {
            school_id: &school_id,
            learner_id: &learner_id,
        };
        let code = sealer
            .open(
                &Sealed {
                    key_id: key_id.clone(),
                    sealed,
                },
                &sealed_for,
            )
            .map_err(|_| unopenable("parent access code", &key_id))?;
        let resealed = sealer.seal(code.expose_secret(), &sealed_for);
        let lookup =
            sealer.lookup_hash(&normalise_access_code(code.expose_secret()).unwrap_or_default());
        sqlx::query(
            "UPDATE parent_access_codes SET key_id = $1, sealed = $2, lookup_hash = $3 WHERE learner_id = $4",
        )
        .bind(&resealed.key_id)
        .bind(&resealed.sealed)
        .bind(&lookup)
        .bind(&learner_id)
        .execute(&mut *tx)
        .await?;
        rotated.parent_access_codes += 1;
    }

    // Emails queued before bodies were sealed (no key id) are sealed too.
    let messages: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT id, key_id, body_text, body_html FROM outgoing_messages \
         WHERE (key_id IS NULL OR key_id <> $1) AND body_text <> ''",
    )
    .bind(&current)
    .fetch_all(&mut *tx)
    .await?;
    for (id, key_id, text, html) in messages {
        let mut parts = Vec::new();
        for (part, stored) in [("text", text), ("html", html)] {
            let sealed_for = SealedFor::OutgoingMessage {
                message_id: &id,
                part,
            };
            let body = match &key_id {
                None => SecretString::from(stored),
                Some(key_id) => sealer
                    .open(
                        &Sealed {
                            key_id: key_id.clone(),
                            sealed: stored,
                        },
                        &sealed_for,
                    )
                    .map_err(|_| unopenable("queued email", key_id))?,
            };
            parts.push(sealer.seal(body.expose_secret(), &sealed_for).sealed);
        }
        sqlx::query(
            "UPDATE outgoing_messages SET key_id = $1, body_text = $2, body_html = $3 WHERE id = $4",
        )
        .bind(&current)
        .bind(&parts[0])
        .bind(&parts[1])
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        rotated.queued_emails += 1;
    }

    let secrets: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT school_id, secret_key_id, secret_sealed FROM sso_settings WHERE secret_key_id <> $1",
    )
    .bind(&current)
    .fetch_all(&mut *tx)
    .await?;
    for (school_id, key_id, sealed) in secrets {
        let sealed_for = SealedFor::SsoClientSecret {
            school_id: &school_id,
        };
        let secret = sealer
            .open(
                &Sealed {
                    key_id: key_id.clone(),
                    sealed,
                },
                &sealed_for,
            )
            .map_err(|_| unopenable("single sign-on client secret", &key_id))?;
        let resealed = sealer.seal(secret.expose_secret(), &sealed_for);
        sqlx::query(
            "UPDATE sso_settings SET secret_key_id = $1, secret_sealed = $2 WHERE school_id = $3",
        )
        .bind(&resealed.key_id)
        .bind(&resealed.sealed)
        .bind(&school_id)
        .execute(&mut *tx)
        .await?;
        rotated.sso_client_secrets += 1;
    }

    let event = crate::audit::ssr::AuditEvent {
        actor_label: "operator".into(),
        detail: format!(
            "{} learner passwords, {} parent access codes, {} queued emails, {} single sign-on secrets re-sealed under key {current}",
            rotated.learner_passwords, rotated.parent_access_codes, rotated.queued_emails, rotated.sso_client_secrets
        ),
        ..Default::default()
    };
    let now = state.clock.now();
    crate::audit::ssr::record(
        &mut *tx,
        crate::audit::AuditAction::SecretKeyRotated,
        event,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(rotated)
}
