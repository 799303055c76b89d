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

/// The columns of an audit row, in the order [`bind_event`] binds them.
macro_rules! audit_columns {
    () => {
        "id, school_id, actor_id, actor_label, action, target_id, target_label, client_addr, \
         client_net, detail, created_at"
    };
}
pub(super) use audit_columns;
/// How many values [`bind_event`] binds for one row.
pub(super) const AUDIT_VALUES_PER_ROW: usize = 11;

/// Binds one audit row's values (see `audit_columns!`) to `query`.
pub(super) fn bind_event<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    action: AuditAction,
    event: AuditEvent,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    // Per-address limits count the network (IPv6 by /64), kept beside the address.
    let client_net = crate::auth::ssr::client_addr::network_label(&event.client_addr);
    query
        .bind(crate::db::new_time_ordered_id())
        .bind(event.school_id)
        .bind(event.actor_id)
        .bind(event.actor_label)
        .bind(action.as_str())
        .bind(event.target_id)
        .bind(event.target_label)
        .bind(event.client_addr)
        .bind(client_net)
        .bind(event.detail)
        .bind(now)
}

/// Writes one audit row with `executor` (inside the transaction of the
/// change it describes, where there is one). Views go through
/// [`super::group_commit::AuditQueue`] instead.
pub async fn record<'e, E>(
    executor: E,
    action: AuditAction,
    event: AuditEvent,
    now: i64,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let query = sqlx::query(concat!(
        "INSERT INTO audit_events (",
        audit_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ));
    bind_event(query, action, event, now)
        .execute(executor)
        .await?;
    Ok(())
}

/// Rows per page of the audit log.
pub const AUDIT_PAGE_SIZE: u32 = 50;

/// A `YYYY-MM-DD` date of the form's `field`, if one was entered.
fn form_date(date: &str, field: &str) -> Result<Option<jiff::civil::Date>, crate::error::AppError> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(None);
    }
    let bad = || crate::error::AppError::invalid(field, "Enter a date such as 2026-11-23.");
    let mut parts = date.splitn(3, '-').map(str::parse::<i16>);
    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let month = i8::try_from(month).map_err(|_| bad())?;
    let day = i8::try_from(day).map_err(|_| bad())?;
    jiff::civil::Date::new(year, month, day)
        .map(Some)
        .map_err(|_| bad())
}

/// One page of the school's audit log, newest first: every event for a
/// full admin or the owner, learner events only for a lead teacher.
pub async fn audit_page(
    db: &crate::db::Db,
    user: &crate::auth::SignedInUser,
    query: &super::AuditQuery,
) -> Result<super::AuditPage, crate::error::AppError> {
    use crate::auth::permissions::Permission;
    use crate::error::AppError;

    let learner_events_only = if user.can(Permission::FullAuditLog) {
        false
    } else if user.can(Permission::LearnerAuditLog) {
        true
    } else {
        return Err(AppError::Forbidden);
    };
    if !query.action.is_empty()
        && !super::ACTION_LABELS
            .iter()
            .any(|(action, _)| action.as_str() == query.action)
    {
        return Err(AppError::invalid(
            "action",
            "Choose an action from the list.",
        ));
    }
    // The form's days are the school's days: "From" its first moment,
    // "To" up to the next day's first moment (23 or 25 hours on the days
    // the clocks change).
    let zone = crate::schools::ssr::school_zone(db, &user.school_id).await?;
    let day_start = |date: jiff::civil::Date| {
        crate::school_time::day_start(date, &zone).ok_or(AppError::Internal)
    };
    let from = form_date(&query.from, "from")?.map(day_start).transpose()?;
    let to = form_date(&query.to, "to")?
        .map(|date| day_start(date.tomorrow().map_err(|_| AppError::Internal)?))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            return Err(AppError::invalid(
                "to",
                "The \u{201c}To\u{201d} date is before the \u{201c}From\u{201d} date.",
            ));
        }
    }
    let class_actions = super::CLASS_LEARNER_ACTIONS
        .iter()
        .map(|a| format!("'{}'", a.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // A parent's username is their email, which only admins see (user
    // management): to a lead teacher a parent's learner event ("Parent
    // linked") reads "a parent", and the actor filter matches only that.
    let actor = "CASE WHEN $6 AND EXISTS (SELECT 1 FROM accounts p \
                 WHERE p.id = e.actor_id AND p.role = 'parent') THEN 'a parent' \
                 ELSE e.actor_label END";
    let filter = format!(
        "e.school_id = $1 AND ($2 = '' OR e.action = $2) AND ($3 = '' OR lower({actor}) LIKE $3 ESCAPE '\\') \
         AND ($4 IS NULL OR e.created_at >= $4) AND ($5 IS NULL OR e.created_at < $5) \
         AND ($6 = FALSE OR e.action IN ({class_actions}) OR EXISTS (SELECT 1 FROM accounts a \
         WHERE a.id = e.target_id AND a.role = 'learner' AND a.school_id = e.school_id)) \
         AND ($7 = '' OR lower(e.target_label) LIKE $7 ESCAPE '\\')"
    );
    // "Actor" and "Target" are search boxes: any part of the username
    // ("teach") or the class's name.
    let contains = |search: &str| {
        if search.trim().is_empty() {
            String::new()
        } else {
            crate::db::like_pattern(search)
        }
    };
    let actor_pattern = contains(&query.actor);
    let target_pattern = contains(&query.target);
    let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_events e WHERE {filter}"
    )))
    .bind(&user.school_id)
    .bind(&query.action)
    .bind(&actor_pattern)
    .bind(from)
    .bind(to)
    .bind(learner_events_only)
    .bind(&target_pattern)
    .fetch_one(db)
    .await?;
    let total = total as u32;
    let pages = total.div_ceil(AUDIT_PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let rows: Vec<(i64, String, String, String, String, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT e.created_at, {actor}, e.action, e.target_label, e.client_addr, e.detail \
             FROM audit_events e WHERE {filter} ORDER BY e.created_at DESC, e.rowid DESC \
             LIMIT $8 OFFSET $9"
        )))
        .bind(&user.school_id)
        .bind(&query.action)
        .bind(&actor_pattern)
        .bind(from)
        .bind(to)
        .bind(learner_events_only)
        .bind(&target_pattern)
        .bind(AUDIT_PAGE_SIZE as i64)
        .bind(((page - 1) * AUDIT_PAGE_SIZE) as i64)
        .fetch_all(db)
        .await?;
    Ok(super::AuditPage {
        rows: rows
            .into_iter()
            .map(
                |(at, actor, action, target, client_addr, detail)| super::AuditRow {
                    time: crate::school_time::display_time(at, &zone).unwrap_or_default(),
                    actor,
                    action: super::action_label(&action),
                    target,
                    client_addr,
                    detail,
                },
            )
            .collect(),
        total,
        page,
        pages,
        learner_events_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::fresh_db;

    fn event(n: usize) -> AuditEvent {
        AuditEvent {
            school_id: None,
            actor_id: None,
            actor_label: format!("actor {n}"),
            target_id: None,
            target_label: String::new(),
            client_addr: "192.0.2.1".into(),
            detail: String::new(),
        }
    }

    #[tokio::test]
    async fn audit_rows_are_appended_in_id_order_and_keep_only_the_indexes_queries_use() {
        let (db, _dir) = fresh_db().await;
        for n in 0..200 {
            record(&db, AuditAction::SignInFailed, event(n), 1_000)
                .await
                .unwrap();
        }
        let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM audit_events ORDER BY rowid")
            .fetch_all(&db)
            .await
            .unwrap();
        assert_eq!(ids.len(), 200);
        assert!(
            ids.windows(2).all(|pair| pair[0].0 < pair[1].0),
            "ids sort in the order made"
        );
        let indexes: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events' \
             AND sql IS NOT NULL ORDER BY name",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        let names: Vec<&str> = indexes.iter().map(|(name,)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "audit_events_action_net",
                "audit_events_action_time",
                "audit_events_school_time"
            ]
        );
    }

    #[test]
    fn form_dates_are_read_as_calendar_days() {
        assert_eq!(
            form_date("2026-11-23", "from").unwrap(),
            Some(jiff::civil::date(2026, 11, 23))
        );
        assert_eq!(form_date(" ", "from").unwrap(), None);
        for bad in [
            "23/11/2026",
            "2026-13-01",
            "2026-02-30",
            "soon",
            "99999-01-01",
        ] {
            assert!(form_date(bad, "from").is_err(), "{bad}");
        }
    }
}
