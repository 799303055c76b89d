//! Writes audit events.

use super::AuditAction;
use crate::auth::ssr::accounts::AccountRecord;
use crate::auth::SignedInUser;

/// One audit event. Labels are copied in so the log still reads right after
/// an account is renamed.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub school_id: Option<String>,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub target_id: Option<String>,
    pub target_label: String,
    pub client_addr: String,
    pub detail: String,
}

impl AuditEvent {
    /// An event an account did to itself (signing in, changing its password).
    pub fn by_self(account: &AccountRecord, client_addr: impl ToString) -> Self {
        AuditEvent {
            school_id: Some(account.school_id.clone()),
            actor_id: Some(account.id.clone()),
            actor_label: account.username.clone(),
            target_id: Some(account.id.clone()),
            target_label: account.username.clone(),
            client_addr: client_addr.to_string(),
            detail: String::new(),
        }
    }

    /// An event a signed-in user did; say to whom with [`AuditEvent::on`].
    pub fn by(actor: &SignedInUser, client_addr: impl ToString) -> Self {
        AuditEvent {
            school_id: Some(actor.school_id.clone()),
            actor_id: Some(actor.id.clone()),
            actor_label: actor.username.clone(),
            client_addr: client_addr.to_string(),
            ..Default::default()
        }
    }

    pub fn on(mut self, target_id: &str, target_label: &str) -> Self {
        self.target_id = Some(target_id.to_string());
        self.target_label = target_label.to_string();
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

pub async fn record<'e, E>(
    executor: E,
    action: AuditAction,
    event: AuditEvent,
    now: i64,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    sqlx::query(
        "INSERT INTO audit_events (id, school_id, actor_id, actor_label, action, target_id, \
         target_label, client_addr, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(crate::db::new_id())
    .bind(event.school_id)
    .bind(event.actor_id)
    .bind(event.actor_label)
    .bind(action.as_str())
    .bind(event.target_id)
    .bind(event.target_label)
    .bind(event.client_addr)
    .bind(event.detail)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}
