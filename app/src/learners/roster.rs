//! The roster's learner actions (DESIGN.md §3 "Roster"): add a learner with
//! a generated password and a parent access code, edit names, username and
//! classes, remove from a class. Owners, full admins and lead teachers.
//! Usernames are unique in a school across learners and staff, whatever
//! the case. Every change is audited.

use std::collections::{BTreeSet, HashSet};

use secrecy::SecretString;

use super::{AddedLearner, ClassMembership, LearnerChanges, LearnerProfile};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::db::{begin_write, new_id, Flag, Tx};
use crate::error::AppError;
use crate::passwords::generator::child_friendly_password;
use crate::passwords::sealing::SealedFor;
use crate::schools::ssr::school_settings;
use crate::state::AppState;
use crate::usernames::{numbered, MAX_CHARS};

/// A first or last name, or the field's error.
pub fn checked_name(field: &'static str, value: &str) -> Result<String, AppError> {
    crate::names::person_name(value).map_err(|problem| AppError::invalid(field, problem))
}

/// The plain-letters form of a name for a username: `Ó Súilleabháin` →
/// `osuilleabhain`, `王` → `wang`.
fn username_part(name: &str) -> String {
    deunicode::deunicode(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The username a learner would get before numbering: `ali.khan`.
pub fn username_stem(first: &str, last: &str) -> String {
    let parts: Vec<String> = [username_part(first), username_part(last)]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect();
    let stem = if parts.is_empty() {
        "learner".to_string()
    } else {
        parts.join(".")
    };
    let stem: String = stem.chars().take(MAX_CHARS).collect();
    if stem.chars().count() < 2 {
        format!("{stem}1")
    } else {
        stem
    }
}

/// Usernames of the school (lower case) that start like `stem`.
pub async fn usernames_like(
    tx: &mut Tx,
    school_id: &str,
    stem: &str,
) -> Result<HashSet<String>, AppError> {
    // A stem is letters, digits and dots only: nothing LIKE would read.
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT lower(username) FROM accounts WHERE school_id = $1 AND lower(username) LIKE $2",
    )
    .bind(school_id)
    .bind(format!("{}%", stem.trim_end_matches(['.', '-', '_'])))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// The first of `stem`, `stem2`, `stem3`… that is in neither set.
pub fn first_free(stem: &str, taken: &HashSet<String>, also: &HashSet<String>) -> String {
    (1..)
        .map(|n| numbered(stem, n))
        .find(|candidate| !taken.contains(candidate) && !also.contains(candidate))
        .unwrap_or_else(|| stem.to_string())
}

/// A unique username for a new learner of the school.
pub async fn suggest_username(
    state: &AppState,
    user: &SignedInUser,
    first: &str,
    last: &str,
) -> Result<String, AppError> {
    if !user.can(Permission::ManageRoster) {
        return Err(AppError::Forbidden);
    }
    let stem = username_stem(first, last);
    let mut tx = state.db.begin().await?;
    let taken = usernames_like(&mut tx, &user.school_id, &stem).await?;
    Ok(first_free(&stem, &taken, &HashSet::new()))
}

/// Refuses `username` if another account of the school has it.
async fn ensure_username_free(
    tx: &mut Tx,
    school_id: &str,
    username: &str,
    except_id: &str,
) -> Result<(), AppError> {
    let taken: Option<(String,)> = sqlx::query_as(
        "SELECT role FROM accounts WHERE school_id = $1 AND lower(username) = lower($2) AND id <> $3",
    )
    .bind(school_id)
    .bind(username)
    .bind(except_id)
    .fetch_optional(&mut **tx)
    .await?;
    match taken {
        None => Ok(()),
        Some((role,)) => {
            let who = if role == "learner" {
                "another learner"
            } else {
                "a staff account"
            };
            Err(AppError::invalid(
                "username",
                format!("The username {username} is already used by {who} in this school."),
            ))
        }
    }
}

/// A new learner's row: everything [`insert_learner`] writes.
pub struct NewLearner<'a> {
    pub school_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub username: &'a str,
    pub external_id: Option<&'a str>,
    pub email: Option<&'a str>,
    pub hash: &'a str,
    /// Kept as a sealed reveal copy when the school shows learner passwords.
    pub password: Option<&'a str>,
    pub class_ids: &'a [String],
}

/// Writes a learner, their classes, their reveal copy and a parent access
/// code. Returns the new id and the parent access code.
pub async fn insert_learner(
    tx: &mut Tx,
    state: &AppState,
    learner: &NewLearner<'_>,
    now: i64,
) -> Result<(String, String), AppError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO accounts (id, school_id, role, username, display_name, first_name, last_name, \
         external_id, email, password_hash, password_set_by, created_at) \
         VALUES ($1, $2, 'learner', $3, $4, $5, $6, $7, $8, $9, 'staff', $10)",
    )
    .bind(&id)
    .bind(learner.school_id)
    .bind(learner.username)
    .bind(format!("{} {}", learner.first_name, learner.last_name))
    .bind(learner.first_name)
    .bind(learner.last_name)
    .bind(learner.external_id)
    .bind(learner.email)
    .bind(learner.hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for class_id in learner.class_ids {
        sqlx::query("INSERT INTO enrolments (class_id, account_id) VALUES ($1, $2)")
            .bind(class_id)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(password) = learner.password {
        let sealed = state.sealer.seal(
            password,
            &SealedFor::LearnerPassword {
                school_id: learner.school_id,
                learner_id: &id,
                password_version: 1,
            },
        );
        sqlx::query(
            "INSERT INTO learner_password_reveals (account_id, password_version, key_id, sealed, created_at) \
             VALUES ($1, 1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(&sealed.key_id)
        .bind(&sealed.sealed)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let code =
        crate::parents::ssr::store_access_code(tx, state, learner.school_id, &id, now).await?;
    Ok((id, code))
}

/// A class of the user's school, by id: its name. Another school's class
/// is "not found".
async fn school_class(tx: &mut Tx, school_id: &str, class_id: &str) -> Result<String, AppError> {
    let (name,): (String,) =
        sqlx::query_as("SELECT name FROM classes WHERE id = $1 AND school_id = $2")
            .bind(class_id)
            .bind(school_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::NotFound)?;
    Ok(name)
}

/// "Add learner": a learner in `class_id` with a generated password (shown
/// once) and a parent access code.
pub async fn add_learner(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    (first, last, username): (&str, &str, &str),
    client: &str,
) -> Result<AddedLearner, AppError> {
    if !user.can(Permission::ManageRoster) {
        return Err(AppError::Forbidden);
    }
    let mut tx = begin_write(&state.db).await?;
    let class_name = school_class(&mut tx, &user.school_id, class_id).await?;
    tx.rollback().await?;
    let first = checked_name("first_name", first)?;
    let last = checked_name("last_name", last)?;
    let username = if username.trim().is_empty() {
        suggest_username(state, user, &first, &last).await?
    } else {
        crate::usernames::checked(username)?
    };
    let settings = school_settings(&state.db, &user.school_id).await?;
    let password = child_friendly_password(&settings.policy, &settings.password_context(&username));
    let hash = state
        .hasher
        .hash(&SecretString::from(password.clone()))
        .await?;
    let now = state.clock.now();

    let mut tx = begin_write(&state.db).await?;
    ensure_username_free(&mut tx, &user.school_id, &username, "").await?;
    let (visible,): (bool,) =
        sqlx::query_as("SELECT learner_passwords_visible FROM schools WHERE id = $1")
            .bind(&user.school_id)
            .fetch_one(&mut *tx)
            .await?;
    let class_ids = [class_id.to_string()];
    let learner = NewLearner {
        school_id: &user.school_id,
        first_name: &first,
        last_name: &last,
        username: &username,
        external_id: None,
        email: None,
        hash: &hash.0,
        password: visible.then_some(password.as_str()),
        class_ids: &class_ids,
    };
    let (id, _) = insert_learner(&mut tx, state, &learner, now).await?;
    let event = AuditEvent::by(user, client)
        .on(&id, &username)
        .with_detail(format!("added to {class_name}"));
    audit(&mut *tx, AuditAction::LearnerCreated, event, now).await?;
    tx.commit().await?;
    let row = crate::classes::ssr::learner_row(state, &settings, &id)
        .await?
        .ok_or(AppError::Internal)?;
    Ok(AddedLearner { row, password })
}

/// A learner of the user's school for a roster change: (username, row version).
async fn roster_learner(
    tx: &mut Tx,
    user: &SignedInUser,
    learner_id: &str,
) -> Result<(String, i64), AppError> {
    if !user.can(Permission::ManageRoster) {
        return Err(AppError::Forbidden);
    }
    sqlx::query_as(
        "SELECT username, row_version FROM accounts WHERE id = $1 AND school_id = $2 AND role = 'learner'",
    )
    .bind(learner_id)
    .bind(&user.school_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// What "Edit learner" shows: names, username and every class of the
/// school (archived ones only where the learner still is in them).
pub async fn learner_profile(
    state: &AppState,
    user: &SignedInUser,
    learner_id: &str,
) -> Result<LearnerProfile, AppError> {
    let mut tx = state.db.begin().await?;
    roster_learner(&mut tx, user, learner_id).await?;
    let (first_name, last_name, username, version): (String, String, String, i64) = sqlx::query_as(
        "SELECT first_name, last_name, username, row_version FROM accounts WHERE id = $1",
    )
    .bind(learner_id)
    .fetch_one(&mut *tx)
    .await?;
    let classes: Vec<(String, String, Flag)> = sqlx::query_as(
        "SELECT c.id, c.name, EXISTS (SELECT 1 FROM enrolments e WHERE e.class_id = c.id AND e.account_id = $2) AS member \
         FROM classes c WHERE c.school_id = $1 ORDER BY c.name",
    )
    .bind(&user.school_id)
    .bind(learner_id)
    .fetch_all(&mut *tx)
    .await?;
    let archived: HashSet<String> = sqlx::query_as::<_, (String,)>(
        "SELECT id FROM classes WHERE school_id = $1 AND archived_at IS NOT NULL",
    )
    .bind(&user.school_id)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(id,)| id)
    .collect();
    Ok(LearnerProfile {
        id: learner_id.to_string(),
        first_name,
        last_name,
        username,
        classes: classes
            .into_iter()
            .filter(|(id, _, Flag(member))| *member || !archived.contains(id))
            .map(|(id, name, Flag(member))| ClassMembership { id, name, member })
            .collect(),
        version,
    })
}

/// "Save learner": names, username and classes at once, refused if someone
/// else changed the learner since the form was loaded. Audited with what
/// changed.
pub async fn save_learner(
    state: &AppState,
    user: &SignedInUser,
    changes: &LearnerChanges,
    client: &str,
) -> Result<(), AppError> {
    let first = checked_name("first_name", &changes.first_name)?;
    let last = checked_name("last_name", &changes.last_name)?;
    let username = crate::usernames::checked(&changes.username)?;
    let wanted: BTreeSet<&str> = changes.class_ids.iter().map(String::as_str).collect();
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let (old_username, version) = roster_learner(&mut tx, user, &changes.id).await?;
    if version != changes.version {
        return Err(AppError::stale());
    }
    ensure_username_free(&mut tx, &user.school_id, &username, &changes.id).await?;
    let (old_first, old_last): (String, String) =
        sqlx::query_as("SELECT first_name, last_name FROM accounts WHERE id = $1")
            .bind(&changes.id)
            .fetch_one(&mut *tx)
            .await?;
    let mut class_names = Vec::new();
    for class_id in &wanted {
        class_names.push(
            school_class(&mut tx, &user.school_id, class_id)
                .await
                .map_err(|_| AppError::invalid("classes", "Choose classes of this school."))?,
        );
    }
    let before: Vec<(String,)> = sqlx::query_as(
        "SELECT c.name FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE e.account_id = $1",
    )
    .bind(&changes.id)
    .fetch_all(&mut *tx)
    .await?;
    let before: BTreeSet<String> = before.into_iter().map(|(n,)| n).collect();
    let after: BTreeSet<String> = class_names.into_iter().collect();
    let mut detail = Vec::new();
    if (old_first.as_str(), old_last.as_str()) != (first.as_str(), last.as_str()) {
        detail.push(format!("name {old_first} {old_last} → {first} {last}"));
    }
    if old_username != username {
        detail.push(format!("username {old_username} → {username}"));
    }
    let joined: Vec<&str> = after.difference(&before).map(String::as_str).collect();
    let left: Vec<&str> = before.difference(&after).map(String::as_str).collect();
    if !joined.is_empty() {
        detail.push(format!("joined {}", joined.join(", ")));
    }
    if !left.is_empty() {
        detail.push(format!("left {}", left.join(", ")));
    }
    if detail.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE accounts SET first_name = $1, last_name = $2, display_name = $3, username = $4, \
         row_version = row_version + 1 WHERE id = $5",
    )
    .bind(&first)
    .bind(&last)
    .bind(format!("{first} {last}"))
    .bind(&username)
    .bind(&changes.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM enrolments WHERE account_id = $1")
        .bind(&changes.id)
        .execute(&mut *tx)
        .await?;
    for class_id in &wanted {
        sqlx::query("INSERT INTO enrolments (class_id, account_id) VALUES ($1, $2)")
            .bind(class_id)
            .bind(&changes.id)
            .execute(&mut *tx)
            .await?;
    }
    let event = AuditEvent::by(user, client)
        .on(&changes.id, &username)
        .with_detail(detail.join("; "));
    audit(&mut *tx, AuditAction::LearnerUpdated, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// "Remove from class": the learner leaves one class and keeps their
/// account, password and other classes.
pub async fn remove_from_class(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    learner_id: &str,
    client: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let (username, _) = roster_learner(&mut tx, user, learner_id).await?;
    let class_name = school_class(&mut tx, &user.school_id, class_id).await?;
    let removed = sqlx::query("DELETE FROM enrolments WHERE class_id = $1 AND account_id = $2")
        .bind(class_id)
        .bind(learner_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 0 {
        return Err(AppError::Conflict(format!(
            "{username} is not in {class_name}."
        )));
    }
    sqlx::query("UPDATE accounts SET row_version = row_version + 1 WHERE id = $1")
        .bind(learner_id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::by(user, client)
        .on(learner_id, &username)
        .with_detail(format!("from {class_name}"));
    audit(&mut *tx, AuditAction::LearnerRemovedFromClass, event, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_made_from_plain_letters_of_the_names() {
        assert_eq!(username_stem("Ali", "Khan"), "ali.khan");
        assert_eq!(
            username_stem("Seán", "Ó Súilleabháin"),
            "sean.osuilleabhain"
        );
        assert_eq!(username_stem("Thị", "Nguyễn"), "thi.nguyen");
        assert_eq!(username_stem("", "王"), "wang");
        assert_eq!(username_stem("!!", "??"), "learner");
        assert!(crate::usernames::username(&username_stem(&"a".repeat(50), "b")).is_ok());
    }

    #[test]
    fn the_first_free_username_gets_the_next_number() {
        let taken: HashSet<String> = ["ali.khan", "ali.khan2"].map(String::from).into();
        let in_file: HashSet<String> = ["ali.khan3".to_string()].into();
        assert_eq!(first_free("ali.khan", &taken, &HashSet::new()), "ali.khan3");
        assert_eq!(first_free("ali.khan", &taken, &in_file), "ali.khan4");
        assert_eq!(first_free("amelia.brown", &taken, &in_file), "amelia.brown");
    }
}
