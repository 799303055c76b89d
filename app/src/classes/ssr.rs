//! Class queries and access checks.

use std::collections::HashMap;

use secrecy::ExposeSecret;

use super::{AccessCodeRow, ClassSummary, LearnerRow, PasswordState};
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::db::{Db, Flag};
use crate::error::AppError;
use crate::passwords::sealing::{Sealed, SealedFor};
use crate::schools::ssr::SchoolSettings;
use crate::state::AppState;

/// A class as lists show it.
const SUMMARY_COLUMNS: &str = "c.id, c.name, \
     (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id) AS learner_count, \
     c.archived_at IS NOT NULL AS archived";

type SummaryRow = (String, String, i64, Flag);

fn summary((id, name, learner_count, archived): SummaryRow) -> ClassSummary {
    ClassSummary {
        id,
        name,
        learner_count,
        archived: archived.into(),
    }
}

/// The classes `user` may open: a teacher's assigned classes, or every
/// class of the school for lead teachers, full admins and the owner.
/// Archived classes are listed only when asked for, to those who manage the
/// roster.
pub async fn classes_for(
    db: &Db,
    user: &SignedInUser,
    archived: bool,
) -> Result<Vec<ClassSummary>, AppError> {
    if !user.can(Permission::ClassDatabase) || (archived && !user.can(Permission::ManageRoster)) {
        return Err(AppError::Forbidden);
    }
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM classes c WHERE c.school_id = $1 AND ($2 OR EXISTS \
         (SELECT 1 FROM class_teachers t WHERE t.class_id = c.id AND t.account_id = $3)) \
         AND (c.archived_at IS NOT NULL) = $4 ORDER BY c.name"
    )))
    .bind(&user.school_id)
    .bind(user.can(Permission::EveryClass))
    .bind(&user.id)
    .bind(archived)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// One class `user` may open. Another school's class is "not found"; a
/// class a teacher is not assigned to, or one archived, is "forbidden": a
/// teacher's way into a class is teaching it while it is in use, and an
/// archived class, out of every list, is closed to them by its address too
/// (its learners stay reachable through their other classes).
pub async fn class_for<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    user: &SignedInUser,
    class_id: &str,
) -> Result<ClassSummary, AppError> {
    if !user.can(Permission::ClassDatabase) {
        return Err(AppError::Forbidden);
    }
    // One query: the class, and whether `user` teaches it.
    let (id, name, learner_count, archived, Flag(assigned)): (String, String, i64, Flag, Flag) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS}, EXISTS (SELECT 1 FROM class_teachers t \
             WHERE t.class_id = c.id AND t.account_id = $3) AS assigned \
             FROM classes c WHERE c.id = $1 AND c.school_id = $2"
        )))
        .bind(class_id)
        .bind(&user.school_id)
        .bind(&user.id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !user.can(Permission::EveryClass) && (!assigned || archived.0) {
        return Err(AppError::Forbidden);
    }
    Ok(summary((id, name, learner_count, archived)))
}

#[derive(sqlx::FromRow)]
struct LearnerQueryRow {
    id: String,
    first_name: String,
    last_name: String,
    username: String,
    password_version: i64,
    reveal_version: Option<i64>,
    reveal_key_id: Option<String>,
    reveal_sealed: Option<String>,
    locked_until: Option<i64>,
    /// `staff` or `self` (the learner chose it).
    password_set_by: String,
    code_key_id: Option<String>,
    code_sealed: Option<String>,
    /// `None` for a learner in no (unarchived) class.
    class_name: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    has_badge: bool,
}

/// The learners of one class ($2), or just one of them ($3).
const CLASS_LEARNERS: &str =
    "SELECT a.id, a.first_name, a.last_name, a.username, a.password_version, \
     r.password_version AS reveal_version, r.key_id AS reveal_key_id, r.sealed AS reveal_sealed, \
     a.locked_until, a.password_set_by, p.key_id AS code_key_id, p.sealed AS code_sealed, c.name AS class_name, \
     EXISTS (SELECT 1 FROM badges b WHERE b.learner_id = a.id) AS has_badge \
     FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN accounts a ON a.id = e.account_id \
     LEFT JOIN learner_password_reveals r ON r.account_id = a.id \
     LEFT JOIN parent_access_codes p ON p.learner_id = a.id \
     WHERE c.school_id = $1 AND a.school_id = $1 AND a.role = 'learner' AND c.id = $2 \
     AND ($3 IS NULL OR a.id = $3) \
     ORDER BY a.last_name, a.first_name, a.username";

/// Every learner of the school with each unarchived class, or one learner
/// ($3). A plain LEFT JOIN of enrolments (not of a nested join, which SQLite
/// would first build for every school's enrolments).
const SCHOOL_LEARNERS: &str =
    "SELECT a.id, a.first_name, a.last_name, a.username, a.password_version, \
     r.password_version AS reveal_version, r.key_id AS reveal_key_id, r.sealed AS reveal_sealed, \
     a.locked_until, a.password_set_by, p.key_id AS code_key_id, p.sealed AS code_sealed, c.name AS class_name, \
     EXISTS (SELECT 1 FROM badges b WHERE b.learner_id = a.id) AS has_badge \
     FROM accounts a \
     LEFT JOIN enrolments e ON e.account_id = a.id AND EXISTS \
       (SELECT 1 FROM classes live WHERE live.id = e.class_id AND live.archived_at IS NULL) \
     LEFT JOIN classes c ON c.id = e.class_id \
     LEFT JOIN learner_password_reveals r ON r.account_id = a.id \
     LEFT JOIN parent_access_codes p ON p.learner_id = a.id \
     WHERE a.school_id = $1 AND a.role = 'learner' AND ($2 IS NULL OR $2 = '') \
     AND ($3 IS NULL OR a.id = $3) \
     ORDER BY c.name, a.last_name, a.first_name, a.username";

/// Learners of one class, or (with `None`) of the whole school, optionally
/// just one of them: one row per learner per class, sorted by class then
/// name. School-wide, a learner in no class (or only archived ones) still
/// has a row, without a class.
async fn learner_query<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    school_id: &str,
    class_id: Option<&str>,
    learner_id: Option<&str>,
) -> Result<Vec<LearnerQueryRow>, AppError> {
    let query = match class_id {
        Some(_) => CLASS_LEARNERS,
        None => SCHOOL_LEARNERS,
    };
    Ok(sqlx::query_as(query)
        .bind(school_id)
        .bind(class_id)
        .bind(learner_id)
        .fetch_all(db)
        .await?)
}

fn parent_code(state: &AppState, school_id: &str, row: &LearnerQueryRow) -> String {
    let (Some(key_id), Some(sealed)) = (&row.code_key_id, &row.code_sealed) else {
        return String::new();
    };
    let sealed = Sealed {
        key_id: key_id.clone(),
        sealed: sealed.clone(),
    };
    match state.sealer.open(
        &sealed,
        &SealedFor::ParentAccessCode {
            school_id,
            learner_id: &row.id,
        },
    ) {
        Ok(code) => code.expose_secret().to_string(),
        Err(error) => {
            tracing::error!(%error, learner = %row.id, "a parent access code would not open");
            String::new()
        }
    }
}

fn password_state(settings: &SchoolSettings, row: &LearnerQueryRow) -> PasswordState {
    if !settings.learner_passwords_visible {
        PasswordState::Hidden
    } else if row.reveal_version == Some(row.password_version) {
        PasswordState::Viewable
    } else if row.password_set_by == "self" {
        PasswordState::SetByLearner
    } else {
        // Set by staff, but its copy is gone: destroyed when the school
        // stopped showing passwords, or never kept while it did not.
        PasswordState::NotStored
    }
}

/// The learner table of one class, or of the school (each learner once,
/// with all their classes).
pub async fn learner_rows(
    state: &AppState,
    settings: &SchoolSettings,
    class_id: Option<&str>,
) -> Result<Vec<LearnerRow>, AppError> {
    learner_rows_where(state, &state.db, settings, class_id, None).await
}

/// One learner's row (with all their classes), if they are in a class.
pub async fn learner_row(
    state: &AppState,
    settings: &SchoolSettings,
    learner_id: &str,
) -> Result<Option<LearnerRow>, AppError> {
    Ok(
        learner_rows_where(state, &state.db, settings, None, Some(learner_id))
            .await?
            .pop(),
    )
}

pub(super) async fn learner_rows_where<'e>(
    state: &AppState,
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    settings: &SchoolSettings,
    class_id: Option<&str>,
    learner_id: Option<&str>,
) -> Result<Vec<LearnerRow>, AppError> {
    let now = state.clock.now();
    let mut rows: Vec<LearnerRow> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for row in learner_query(db, &settings.id, class_id, learner_id).await? {
        if let Some(&index) = index_of.get(&row.id) {
            rows[index].classes.extend(row.class_name);
            continue;
        }
        index_of.insert(row.id.clone(), rows.len());
        rows.push(LearnerRow {
            parent_access_code: parent_code(state, &settings.id, &row),
            password: password_state(settings, &row),
            password_version: row.password_version,
            locked_until: settings.lock_end(now, row.locked_until),
            classes: row.class_name.clone().into_iter().collect(),
            has_badge: row.has_badge,
            id: row.id,
            first_name: row.first_name,
            last_name: row.last_name,
            username: row.username,
        });
    }
    rows.sort_by(|a, b| (&a.last_name, &a.first_name).cmp(&(&b.last_name, &b.first_name)));
    Ok(rows)
}

/// Usernames, passwords (where they can be shown) and parent access codes:
/// one row per learner per class.
pub async fn access_code_rows(
    state: &AppState,
    settings: &SchoolSettings,
    class_id: Option<&str>,
) -> Result<Vec<AccessCodeRow>, AppError> {
    let rows = learner_query(&state.db, &settings.id, class_id, None).await?;
    Ok(rows
        .iter()
        // One row per learner per class: a learner in no class has none.
        .filter(|row| row.class_name.is_some())
        .map(|row| {
            let password = open_password(state, settings, row);
            AccessCodeRow {
                class: row.class_name.clone().unwrap_or_default(),
                first_name: row.first_name.clone(),
                last_name: row.last_name.clone(),
                username: row.username.clone(),
                password,
                parent_access_code: parent_code(state, &settings.id, row),
            }
        })
        .collect())
}

/// The learner's password from its reveal copy, when staff may see it.
fn open_password(
    state: &AppState,
    settings: &SchoolSettings,
    row: &LearnerQueryRow,
) -> Option<String> {
    if password_state(settings, row) != PasswordState::Viewable {
        return None;
    }
    let sealed = Sealed {
        key_id: row.reveal_key_id.clone()?,
        sealed: row.reveal_sealed.clone()?,
    };
    let sealed_for = SealedFor::LearnerPassword {
        school_id: &settings.id,
        learner_id: &row.id,
        password_version: row.password_version,
    };
    state
        .sealer
        .open(&sealed, &sealed_for)
        .ok()
        .map(|p| p.expose_secret().to_string())
}

/// What a login card needs of a learner: one per learner per class.
pub struct CardSource {
    pub id: String,
    pub class_name: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub password: PasswordState,
    /// The password itself, when it can be shown.
    pub password_text: Option<String>,
}

/// The learners of a class (or every class of the school) for login cards,
/// by class then name.
pub async fn card_sources(
    state: &AppState,
    settings: &SchoolSettings,
    class_id: Option<&str>,
) -> Result<Vec<CardSource>, AppError> {
    let rows = learner_query(&state.db, &settings.id, class_id, None).await?;
    Ok(rows
        .iter()
        .filter(|row| row.class_name.is_some())
        .map(|row| CardSource {
            id: row.id.clone(),
            class_name: row.class_name.clone().unwrap_or_default(),
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            username: row.username.clone(),
            password: password_state(settings, row),
            password_text: open_password(state, settings, row),
        })
        .collect())
}

/// Whose access codes a request is about: one class the caller may open, or
/// (with no class) the caller's whole school, for lead teachers and admins.
pub struct AccessCodesScope {
    pub user: SignedInUser,
    pub settings: SchoolSettings,
    pub class: Option<ClassSummary>,
}

pub async fn access_codes_scope(
    state: &AppState,
    class_id: Option<&str>,
) -> Result<AccessCodesScope, AppError> {
    use crate::auth::ssr::guard::{require, require_user};
    use crate::schools::ssr::school_settings;

    let (user, class) = match class_id {
        Some(id) => {
            let user = require_user().await?;
            let class = class_for(&state.db, &user, id).await?;
            (user, Some(class))
        }
        None => (require(Permission::SchoolLearners).await?, None),
    };
    let settings = school_settings(&state.db, &user.school_id).await?;
    Ok(AccessCodesScope {
        user,
        settings,
        class,
    })
}

impl AccessCodesScope {
    /// Records `action` against the class, or the school.
    pub async fn audit(
        &self,
        state: &AppState,
        action: crate::audit::AuditAction,
    ) -> Result<(), AppError> {
        let target = match &self.class {
            Some(class) => (class.id.as_str(), class.name.as_str()),
            None => (self.settings.id.as_str(), "whole school"),
        };
        record_codes_shown(state, &self.user, action, target).await
    }
}

/// Records that `user` was shown parent access codes (or passwords) of a
/// class or the whole school: `target` is its id and label.
pub async fn record_codes_shown(
    state: &AppState,
    user: &SignedInUser,
    action: crate::audit::AuditAction,
    (target_id, target_label): (&str, &str),
) -> Result<(), AppError> {
    use crate::audit::ssr::AuditEvent;
    use crate::auth::ssr::guard::request_client_addr;

    let event = AuditEvent::by(user, request_client_addr().await).on(target_id, target_label);
    state
        .audit_queue
        .record(action, event, state.clock.now())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{password_state, LearnerQueryRow, PasswordState, CLASS_LEARNERS, SCHOOL_LEARNERS};
    use crate::schools::ssr::SchoolSettings;

    fn learner(set_by: &str, reveal_version: Option<i64>) -> LearnerQueryRow {
        LearnerQueryRow {
            id: "learner".into(),
            first_name: "Poppy".into(),
            last_name: "Begum".into(),
            username: "poppyb".into(),
            password_version: 2,
            reveal_version,
            reveal_key_id: None,
            reveal_sealed: None,
            locked_until: None,
            password_set_by: set_by.into(),
            code_key_id: None,
            code_sealed: None,
            class_name: None,
            has_badge: false,
        }
    }

    /// A password staff set whose copy is gone (the school stopped showing
    /// passwords, then started again) is "not stored", never "set by the
    /// learner": a teacher must not think the child chose it.
    #[test]
    fn a_staff_set_password_without_its_copy_is_not_stored() {
        let settings = |visible| SchoolSettings {
            id: "school".into(),
            name: "Oakwood Primary".into(),
            code: "OAK".into(),
            policy: crate::password_rules::PasswordPolicy::default(),
            learner_passwords_visible: visible,
            learners_change_after_reset: false,
            badges_enabled: false,
            time_zone: "UTC".into(),
        };
        let (visible, hidden) = (settings(true), settings(false));
        assert_eq!(
            password_state(&visible, &learner("staff", Some(2))),
            PasswordState::Viewable
        );
        assert_eq!(
            password_state(&visible, &learner("staff", None)),
            PasswordState::NotStored
        );
        assert_eq!(
            password_state(&visible, &learner("staff", Some(1))),
            PasswordState::NotStored
        );
        assert_eq!(
            password_state(&visible, &learner("self", None)),
            PasswordState::SetByLearner
        );
        assert_eq!(
            password_state(&hidden, &learner("staff", Some(2))),
            PasswordState::Hidden
        );
    }
    use crate::db::testing::fresh_db;

    /// Each table is read by an index look-up, never scanned or built whole.
    #[tokio::test]
    async fn learner_tables_look_rows_up_and_never_scan_a_table() {
        let (db, _dir) = fresh_db().await;
        for query in [CLASS_LEARNERS, SCHOOL_LEARNERS] {
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {query}")))
                    .bind("school")
                    .bind(Some("class"))
                    .bind(None::<String>)
                    .fetch_all(&db)
                    .await
                    .unwrap();
            let steps: Vec<&str> = plan.iter().map(|(_, _, _, step)| step.as_str()).collect();
            assert!(
                steps
                    .iter()
                    .all(|step| !step.starts_with("SCAN") && !step.starts_with("MATERIALIZE")),
                "{steps:?}"
            );
        }
    }
}
