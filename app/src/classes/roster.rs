//! The roster (DESIGN.md §3 "Roster: classes and learners"): adding a
//! class. Owners, full admins and lead teachers; a teacher only views.

use super::ClassSummary;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::db::{begin_write, new_id};
use crate::error::AppError;
use crate::state::AppState;

/// Longest class name, in characters.
pub const MAX_CLASS_NAME_CHARS: usize = 80;

/// A class name as typed: trimmed, 1 to 80 characters, nothing that could
/// disguise it.
pub fn class_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CLASS_NAME_CHARS {
        return Err(AppError::invalid(
            "name",
            format!(
                "A class name is 1 to {MAX_CLASS_NAME_CHARS} characters, such as Year 3 Hazel."
            ),
        ));
    }
    if name.chars().any(crate::names::is_disguising) {
        return Err(AppError::invalid(
            "name",
            "A class name cannot contain line breaks or invisible characters.",
        ));
    }
    Ok(name.to_string())
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
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT name FROM classes WHERE school_id = $1 AND lower(name) = lower($2)")
            .bind(&user.school_id)
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((existing,)) = taken {
        return Err(name_taken(&existing));
    }
    let id = new_id();
    sqlx::query("INSERT INTO classes (id, school_id, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(&user.school_id)
        .bind(&name)
        .bind(now)
        .execute(&mut *tx)
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
    })
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
