//! The class page's data, read in as few round trips as the page allows:
//! the class, whether the caller teaches it and the school's settings in one
//! query, then the learners and the audit event on the same connection (a
//! pooled connection is checked each time it goes back to the pool, so
//! every statement on a fresh one costs two trips to the database).

use super::ssr::{learner_rows_where, may_open, summary, SUMMARY_COLUMNS};
use super::ClassDetail;
use crate::audit::ssr::{record, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::db::Flag;
use crate::error::AppError;
use crate::schools::ssr::{SchoolSettings, SettingsRow, SETTINGS_COLUMNS};
use crate::state::AppState;

/// The class's summary columns and whether the caller teaches it, then the
/// school's [`SETTINGS_COLUMNS`].
type ClassAndSettingsRow = (
    String,
    String,
    i64,
    Flag,
    Flag,
    String,
    String,
    i64,
    bool,
    bool,
    bool,
    bool,
    bool,
);

/// One class `user` may open, with its learners; the view is audited as
/// `class_opened` (the table carries every learner's parent access code).
/// Another school's class is "not found"; a class a teacher is not
/// assigned to is "forbidden".
pub async fn class_detail(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    client_addr: std::net::IpAddr,
) -> Result<ClassDetail, AppError> {
    if !user.can(Permission::ClassDatabase) {
        return Err(AppError::Forbidden);
    }
    let mut conn = state.db.acquire().await?;
    let row: ClassAndSettingsRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS}, EXISTS (SELECT 1 FROM class_teachers t \
         WHERE t.class_id = c.id AND t.account_id = $3) AS assigned, {SETTINGS_COLUMNS} \
         FROM classes c JOIN schools s ON s.id = c.school_id WHERE c.id = $1 AND c.school_id = $2"
    )))
    .bind(class_id)
    .bind(&user.school_id)
    .bind(&user.id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let (id, name, learner_count, archived, Flag(assigned), s0, s1, s2, s3, s4, s5, s6, s7) = row;
    let settings: SettingsRow = (s0, s1, s2, s3, s4, s5, s6, s7);
    may_open(user, assigned)?;
    let class = summary((id, name, learner_count, archived));
    let settings = SchoolSettings::from_row(&user.school_id, settings);
    let learners = learner_rows_where(state, &mut *conn, &settings, Some(&class.id), None).await?;
    let event = AuditEvent::by(user, client_addr).on(&class.id, &class.name);
    record(
        &mut *conn,
        AuditAction::ClassOpened,
        event,
        state.clock.now(),
    )
    .await?;
    Ok(ClassDetail {
        class,
        school_code: settings.code,
        passwords_visible: settings.learner_passwords_visible,
        badges_enabled: settings.badges_enabled,
        learners,
    })
}
