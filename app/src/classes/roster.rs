//! The roster's class actions (DESIGN.md §3 "Roster: classes and
//! learners"): add, rename, assign teachers, archive and restore. Owners,
//! full admins and lead teachers; a teacher only views. Every change is
//! audited.

use std::collections::HashSet;

use super::{ClassSummary, TeacherChoice};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::db::{begin_write, new_id, Flag, Tx};
use crate::error::AppError;
use crate::state::AppState;

/// Longest class name, in characters.
pub const MAX_CLASS_NAME_CHARS: usize = 80;

/// A class name as typed: trimmed, 1 to 80 characters, nothing that could
/// disguise it.
pub fn class_name(name: &str) -> Result<String, AppError> {
    // Checked as typed: tidying would turn a line break into a space.
    if name.trim().chars().any(crate::names::is_disguising) {
        return Err(AppError::invalid(
            "name",
            "A class name cannot contain line breaks or invisible characters.",
        ));
    }
    let name = &crate::names::tidy(name);
    if name.is_empty() || name.chars().count() > MAX_CLASS_NAME_CHARS {
        return Err(AppError::invalid(
            "name",
            format!(
                "A class name is 1 to {MAX_CLASS_NAME_CHARS} characters, such as Year 3 Hazel."
            ),
        ));
    }
    Ok(name.to_string())
}

/// Refuses `name` if another class of the school (not `except_id`) has it,
/// whatever the case.
async fn ensure_name_free(
    tx: &mut Tx,
    school_id: &str,
    name: &str,
    except_id: &str,
) -> Result<(), AppError> {
    let taken: Option<(String,)> = sqlx::query_as(
        "SELECT name FROM classes WHERE school_id = $1 AND lower(name) = lower($2) AND id <> $3",
    )
    .bind(school_id)
    .bind(name)
    .bind(except_id)
    .fetch_optional(&mut **tx)
    .await?;
    match taken {
        Some((existing,)) => Err(name_taken(&existing)),
        None => Ok(()),
    }
}

/// Writes a new class of `school_id`; returns its id. The name is checked
/// by the caller (the unique index refuses a taken one).
pub async fn insert_class(
    tx: &mut Tx,
    school_id: &str,
    name: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query("INSERT INTO classes (id, school_id, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(school_id)
        .bind(name)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

fn name_taken(existing: &str) -> AppError {
    AppError::invalid(
        "name",
        format!("There is already a class called {existing} in this school."),
    )
}

/// "Create class": a new, empty class of the user's school. Names are
/// unique in a school, compared without regard to case. Audited.
pub async fn create_class(
    state: &AppState,
    user: &SignedInUser,
    name: &str,
    client: &str,
) -> Result<ClassSummary, AppError> {
    if !user.can(Permission::ManageRoster) {
        return Err(AppError::Forbidden);
    }
    let name = class_name(name)?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    ensure_name_free(&mut tx, &user.school_id, &name, "").await?;
    let id = insert_class(&mut tx, &user.school_id, &name, now)
        .await
        .map_err(|error| match &error {
            // Two admins adding the same name at once: the index decides.
            sqlx::Error::Database(db) if db.is_unique_violation() => name_taken(&name),
            _ => error.into(),
        })?;
    let event = AuditEvent::by(user, client).on(&id, &name);
    audit(&mut *tx, AuditAction::ClassCreated, event, now).await?;
    tx.commit().await?;
    Ok(ClassSummary {
        id,
        name,
        learner_count: 0,
        archived: false,
    })
}

/// A class of the user's school, read inside `tx` for a roster change:
/// (name, archived). Another school's class is "not found".
async fn roster_class(
    tx: &mut Tx,
    user: &SignedInUser,
    class_id: &str,
) -> Result<(String, bool), AppError> {
    if !user.can(Permission::ManageRoster) {
        return Err(AppError::Forbidden);
    }
    let (name, Flag(archived)): (String, Flag) = sqlx::query_as(
        "SELECT name, archived_at IS NOT NULL FROM classes WHERE id = $1 AND school_id = $2",
    )
    .bind(class_id)
    .bind(&user.school_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((name, archived))
}

/// "Rename class": the same rules as a new class's name. Audited with the
/// old name.
pub async fn rename_class(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    name: &str,
    client: &str,
) -> Result<String, AppError> {
    let name = class_name(name)?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let (old, _) = roster_class(&mut tx, user, class_id).await?;
    if old == name {
        return Ok(name);
    }
    ensure_name_free(&mut tx, &user.school_id, &name, class_id).await?;
    sqlx::query("UPDATE classes SET name = $1 WHERE id = $2")
        .bind(&name)
        .bind(class_id)
        .execute(&mut *tx)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => name_taken(&name),
            _ => error.into(),
        })?;
    let event = AuditEvent::by(user, client)
        .on(class_id, &name)
        .with_detail(format!("was {old}"));
    audit(&mut *tx, AuditAction::ClassRenamed, event, now).await?;
    tx.commit().await?;
    Ok(name)
}

/// "Archive class" (`archive`) or "Restore class". An archived class leaves
/// the lists; its learners keep their accounts and enrolments.
pub async fn set_archived(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    archive: bool,
    client: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let (name, archived) = roster_class(&mut tx, user, class_id).await?;
    if archived == archive {
        return Ok(());
    }
    sqlx::query("UPDATE classes SET archived_at = $1 WHERE id = $2")
        .bind(archive.then_some(now))
        .bind(class_id)
        .execute(&mut *tx)
        .await?;
    let action = if archive {
        AuditAction::ClassArchived
    } else {
        AuditAction::ClassRestored
    };
    audit(
        &mut *tx,
        action,
        AuditEvent::by(user, client).on(class_id, &name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The school's active staff (and owner) for "Assign teachers", ticked
/// where assigned to the class.
pub async fn teacher_choices(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
) -> Result<Vec<TeacherChoice>, AppError> {
    let mut tx = state.db.begin().await?;
    roster_class(&mut tx, user, class_id).await?;
    let rows: Vec<(String, String, String, Flag)> = sqlx::query_as(
        "SELECT a.id, a.display_name, a.username, \
         EXISTS (SELECT 1 FROM class_teachers t WHERE t.class_id = $2 AND t.account_id = a.id) \
         FROM accounts a WHERE a.school_id = $1 AND a.role IN ('owner', 'staff') AND a.active \
         ORDER BY lower(a.display_name), a.username",
    )
    .bind(&user.school_id)
    .bind(class_id)
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, username, Flag(assigned))| TeacherChoice {
            id,
            name,
            username,
            assigned,
        })
        .collect())
}

/// "Assign teachers": the class's teachers become exactly `teacher_ids`,
/// every one an active staff member (or the owner) of the school. Audited
/// with who was added and removed.
pub async fn assign_teachers(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    teacher_ids: &[String],
    client: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let wanted: HashSet<&str> = teacher_ids.iter().map(String::as_str).collect();
    let mut tx = begin_write(&state.db).await?;
    let (class_name, _) = roster_class(&mut tx, user, class_id).await?;
    let staff: Vec<(String, String, bool)> = sqlx::query_as::<_, (String, String, Flag)>(
        "SELECT a.id, a.username, \
         EXISTS (SELECT 1 FROM class_teachers t WHERE t.class_id = $2 AND t.account_id = a.id) \
         FROM accounts a WHERE a.school_id = $1 AND a.role IN ('owner', 'staff') AND a.active",
    )
    .bind(&user.school_id)
    .bind(class_id)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(id, username, Flag(assigned))| (id, username, assigned))
    .collect();
    let known: HashSet<&str> = staff.iter().map(|(id, _, _)| id.as_str()).collect();
    if !wanted.is_subset(&known) {
        return Err(AppError::invalid(
            "teachers",
            "Choose teachers from the school's active staff.",
        ));
    }
    let added: Vec<&str> = staff
        .iter()
        .filter(|(id, _, assigned)| !assigned && wanted.contains(id.as_str()))
        .map(|(_, username, _)| username.as_str())
        .collect();
    let removed: Vec<&str> = staff
        .iter()
        .filter(|(id, _, assigned)| *assigned && !wanted.contains(id.as_str()))
        .map(|(_, username, _)| username.as_str())
        .collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(());
    }
    // Inactive staff keep their assignment: it is theirs again when reactivated.
    sqlx::query(
        "DELETE FROM class_teachers WHERE class_id = $1 AND account_id IN \
         (SELECT id FROM accounts WHERE school_id = $2 AND active)",
    )
    .bind(class_id)
    .bind(&user.school_id)
    .execute(&mut *tx)
    .await?;
    for id in &wanted {
        sqlx::query("INSERT INTO class_teachers (class_id, account_id) VALUES ($1, $2)")
            .bind(class_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let detail = [("added", &added), ("removed", &removed)]
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(what, names)| format!("{what} {}", names.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let event = AuditEvent::by(user, client)
        .on(class_id, &class_name)
        .with_detail(detail);
    audit(&mut *tx, AuditAction::ClassTeachersAssigned, event, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_trimmed_and_keep_every_letter() {
        assert_eq!(class_name("  Year 3 Hazel ").unwrap(), "Year 3 Hazel");
        assert_eq!(
            class_name("Rang 4 Ó Súilleabháin").unwrap(),
            "Rang 4 Ó Súilleabháin"
        );
        for bad in ["", "   ", "Year\n3", "Year \u{202E}3", &"x".repeat(81)] {
            assert!(class_name(bad).is_err(), "{bad:?}");
        }
    }
}
