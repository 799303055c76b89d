//! The class page's data on one pooled connection: the class (with the
//! access check), the school's settings and the learners; then the audit
//! event, committed with other views (`audit::group_commit`).
//! sqlx checks a connection each time it goes back to the pool, so every
//! statement on a fresh one would cost two trips to the database.

use super::ssr::{class_for, learner_rows_where};
use super::ClassDetail;
use crate::audit::ssr::AuditEvent;
use crate::audit::AuditAction;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::schools::ssr::school_settings;
use crate::state::AppState;

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
    let mut conn = state.db.acquire().await?;
    let class = class_for(&mut *conn, user, class_id).await?;
    let settings = school_settings(&mut *conn, &user.school_id).await?;
    let learners = learner_rows_where(state, &mut *conn, &settings, Some(&class.id), None).await?;
    let event = AuditEvent::by(user, client_addr).on(&class.id, &class.name);
    drop(conn);
    state
        .audit_queue
        .record(AuditAction::ClassOpened, event, state.clock.now())
        .await?;
    Ok(ClassDetail {
        class,
        school_code: settings.code,
        passwords_visible: settings.learner_passwords_visible,
        badges_enabled: settings.badges_enabled,
        learners,
    })
}
