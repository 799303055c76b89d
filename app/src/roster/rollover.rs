//! The year-end rollover (DESIGN.md §3 "Roster"): every class's learners
//! move to their next class, or leave (inactivated), in one transaction;
//! the last rollover can be undone while none of its learners changed
//! since. Owners and full admins. Audited.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::db::{Conn, Flag};

use super::{
    LastRollover, LearnerMove, NextClass, RolloverChoice, RolloverClass, RolloverPreview,
    RolloverSetup,
};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::ssr::sign_out::end_every_session;
use crate::auth::SignedInUser;
use crate::classes::roster::insert_class;
use crate::db::{begin_write, new_id};
use crate::error::AppError;
use crate::state::AppState;

const LEAVER: &str = "Inactivated (leaver)";

/// Why "Apply rollover" was refused when its preview no longer holds.
pub const CHANGED_SINCE_PREVIEW: &str = "The classes changed since this preview, so nothing was \
     changed: preview the rollover again to see where every learner goes now.";

/// Where one class's learners go, resolved against the school.
#[derive(Debug, Clone)]
enum Target {
    Class { id: Option<String>, name: String },
    Leavers,
}

struct Resolved {
    class_id: String,
    class_name: String,
    target: Target,
}

/// One learner leaving one class.
struct Move {
    learner_id: String,
    learner: String,
    username: String,
    from_id: String,
    from_name: String,
    target: Target,
}

fn allowed(user: &SignedInUser) -> Result<(), AppError> {
    if user.can(Permission::YearEndRollover) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid("choices", message)
}

/// Checks every choice against the school's current classes.
async fn resolve(
    conn: &mut Conn,
    school_id: &str,
    choices: &[RolloverChoice],
) -> Result<Vec<Resolved>, AppError> {
    let classes: Vec<(String, String, bool)> = sqlx::query_as::<_, (String, String, Flag)>(
        "SELECT id, name, archived_at IS NOT NULL FROM classes WHERE school_id = $1",
    )
    .bind(school_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, name, Flag(archived))| (id, name, archived))
    .collect();
    let current: HashMap<&str, &str> = classes
        .iter()
        .filter(|(_, _, archived)| !archived)
        .map(|(id, name, _)| (id.as_str(), name.as_str()))
        .collect();
    let taken_names: HashMap<String, (&str, bool)> = classes
        .iter()
        .map(|(_, name, archived)| (name.to_lowercase(), (name.as_str(), *archived)))
        .collect();
    let mut seen = HashSet::new();
    let mut resolved = Vec::new();
    for choice in choices {
        let Some(&class_name) = current.get(choice.class_id.as_str()) else {
            return Err(invalid("Choose classes of this school."));
        };
        if !seen.insert(choice.class_id.as_str()) {
            return Err(invalid(format!(
                "{class_name} has two next classes: choose one."
            )));
        }
        let target = match &choice.next {
            NextClass::Stays => continue,
            NextClass::Leavers => Target::Leavers,
            NextClass::Existing(id) if id == &choice.class_id => {
                return Err(invalid(format!(
                    "{class_name} cannot move into itself: choose “Stays as it is”."
                )))
            }
            NextClass::Existing(id) => match current.get(id.as_str()) {
                Some(name) => Target::Class {
                    id: Some(id.clone()),
                    name: name.to_string(),
                },
                None => return Err(invalid("Choose next classes of this school.")),
            },
            NextClass::New(name) => {
                let name = crate::classes::roster::class_name(name)
                    .map_err(|e| invalid(format!("{class_name}: {e}")))?;
                match taken_names.get(&name.to_lowercase()) {
                    // An undone rollover archives the classes it made.
                    Some((existing, true)) => {
                        return Err(invalid(format!(
                            "There is an archived class called {existing} (an undone rollover archives the classes it made). Restore it on the Classes page (“Show archived”) and choose it from the list for {class_name}, or give the new class another name."
                        )))
                    }
                    Some((existing, false)) => {
                        return Err(invalid(format!(
                            "There is already a class called {existing}: choose it from the list for {class_name}."
                        )))
                    }
                    None => {}
                }
                Target::Class { id: None, name }
            }
        };
        resolved.push(Resolved {
            class_id: choice.class_id.clone(),
            class_name: class_name.to_string(),
            target,
        });
    }
    if resolved.is_empty() {
        return Err(invalid(
            "Every class stays as it is: choose a next class for at least one.",
        ));
    }
    Ok(resolved)
}

/// Every active learner of the rolled classes, with where they go.
async fn moves(
    conn: &mut Conn,
    school_id: &str,
    resolved: &[Resolved],
) -> Result<Vec<Move>, AppError> {
    let mut moves = Vec::new();
    for class in resolved {
        let learners: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT a.id, a.first_name, a.last_name, a.username FROM enrolments e \
             JOIN accounts a ON a.id = e.account_id \
             WHERE e.class_id = $1 AND a.school_id = $2 AND a.role = 'learner' AND a.active \
             ORDER BY a.last_name, a.first_name, a.username",
        )
        .bind(&class.class_id)
        .bind(school_id)
        .fetch_all(&mut *conn)
        .await?;
        for (id, first, last, username) in learners {
            moves.push(Move {
                learner_id: id,
                learner: format!("{first} {last}").trim().to_string(),
                username,
                from_id: class.class_id.clone(),
                from_name: class.class_name.clone(),
                target: class.target.clone(),
            });
        }
    }
    Ok(moves)
}

fn new_class_names(resolved: &[Resolved]) -> Vec<String> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for class in resolved {
        if let Target::Class { id: None, name } = &class.target {
            names.entry(name.to_lowercase()).or_insert(name.clone());
        }
    }
    names.into_values().collect()
}

/// The classes and the last rollover, for `/school/rollover`.
pub async fn setup(state: &AppState, user: &SignedInUser) -> Result<RolloverSetup, AppError> {
    allowed(user)?;
    let mut conn = state.db.acquire().await?;
    let classes: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT c.id, c.name, (SELECT COUNT(*) FROM enrolments e JOIN accounts a ON a.id = e.account_id \
         WHERE e.class_id = c.id AND a.active) FROM classes c \
         WHERE c.school_id = $1 AND c.archived_at IS NULL ORDER BY c.name",
    )
    .bind(&user.school_id)
    .fetch_all(&mut *conn)
    .await?;
    let last = last_rollover(&mut conn, &user.school_id).await?;
    Ok(RolloverSetup {
        classes: classes
            .into_iter()
            .map(|(id, name, learner_count)| RolloverClass {
                id,
                name,
                learner_count,
            })
            .collect(),
        last,
    })
}

/// The school's last rollover that was not undone, if any. Who applied it
/// reads as the staff list shows them, "Name (username)"; a username no
/// account has any more reads alone.
async fn last_rollover(conn: &mut Conn, school_id: &str) -> Result<Option<LastRollover>, AppError> {
    let last: Option<(String, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT r.id, r.created_at, \
         COALESCE(a.display_name || ' (' || r.created_by || ')', r.created_by), r.undone_at \
         FROM rollovers r LEFT JOIN accounts a \
         ON a.school_id = r.school_id AND lower(a.username) = lower(r.created_by) \
         WHERE r.school_id = $1 ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1",
    )
    .bind(school_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, created_at, by, None)) = last else {
        return Ok(None);
    };
    let changed = changed_since(conn, &id).await?;
    let zone = crate::schools::ssr::school_zone(&mut *conn, school_id).await?;
    let (learners,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT account_id) FROM rollover_moves WHERE rollover_id = $1",
    )
    .bind(&id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(LastRollover {
        id,
        when: crate::school_time::display_time(created_at, &zone).unwrap_or_default(),
        by,
        learners: learners as usize,
        undo_refused: undo_refusal(&changed),
    }))
}

/// Learners of a rollover changed since it (their usernames).
async fn changed_since(conn: &mut Conn, rollover_id: &str) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT a.username FROM rollover_moves m JOIN accounts a ON a.id = m.account_id \
         WHERE m.rollover_id = $1 AND a.row_version <> m.row_version ORDER BY a.username",
    )
    .bind(rollover_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

fn undo_refusal(changed: &[String]) -> Option<String> {
    if changed.is_empty() {
        return None;
    }
    let shown: Vec<&str> = changed.iter().take(5).map(String::as_str).collect();
    let more = changed.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!(
        "Undo is no longer possible: {}{more} changed since the rollover.",
        shown.join(", ")
    ))
}

/// "Preview rollover": every learner's move. Writes nothing.
pub async fn preview(
    state: &AppState,
    user: &SignedInUser,
    choices: &[RolloverChoice],
) -> Result<RolloverPreview, AppError> {
    allowed(user)?;
    let mut conn = state.db.acquire().await?;
    let resolved = resolve(&mut conn, &user.school_id, choices).await?;
    let moves = moves(&mut conn, &user.school_id, &resolved).await?;
    Ok(preview_of(&moves, &resolved))
}

/// The digest a preview's "Apply rollover" must match: every move as
/// (learner id, class it leaves, where it goes: `class:<id>`,
/// `new:<name in lower case>` or `leavers`), in any order.
pub fn basis_of<'a>(moves: impl IntoIterator<Item = (&'a str, &'a str, String)>) -> String {
    let mut lines: Vec<String> = moves
        .into_iter()
        .map(|(learner, from, to)| format!("{learner}\t{from}\t{to}\n"))
        .collect();
    lines.sort();
    crate::digest::sha256_hex(lines.concat().as_bytes())
}

fn basis(moves: &[Move]) -> String {
    basis_of(moves.iter().map(|m| {
        let to = match &m.target {
            Target::Class { id: Some(id), .. } => format!("class:{id}"),
            Target::Class { id: None, name } => format!("new:{}", name.to_lowercase()),
            Target::Leavers => "leavers".to_string(),
        };
        (m.learner_id.as_str(), m.from_id.as_str(), to)
    }))
}

fn preview_of(moves: &[Move], resolved: &[Resolved]) -> RolloverPreview {
    let leavers: HashSet<&str> = moves
        .iter()
        .filter(|m| matches!(m.target, Target::Leavers))
        .map(|m| m.learner_id.as_str())
        .collect();
    let moving: HashSet<&str> = moves
        .iter()
        .map(|m| m.learner_id.as_str())
        .filter(|id| !leavers.contains(id))
        .collect();
    RolloverPreview {
        basis: basis(moves),
        leavers: leavers.len(),
        learners_moving: moving.len(),
        moves: moves
            .iter()
            .map(|m| LearnerMove {
                learner: m.learner.clone(),
                username: m.username.clone(),
                from: m.from_name.clone(),
                to: match &m.target {
                    Target::Class { name, .. } => name.clone(),
                    Target::Leavers => LEAVER.to_string(),
                },
            })
            .collect(),
        new_classes: new_class_names(resolved),
    }
}

/// "Apply rollover": every move in one transaction, if they are still the
/// moves of the preview whose `basis` is sent. Returns what was done.
pub async fn apply(
    state: &AppState,
    user: &SignedInUser,
    choices: &[RolloverChoice],
    basis: &str,
    client: &str,
) -> Result<RolloverPreview, AppError> {
    allowed(user)?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let resolved = resolve(&mut tx, &user.school_id, choices).await?;
    let moves = moves(&mut tx, &user.school_id, &resolved).await?;
    if moves.is_empty() {
        return Err(AppError::Conflict(
            "The chosen classes have no learners to move.".into(),
        ));
    }
    let done = preview_of(&moves, &resolved);
    if done.basis != basis {
        // Applied already (a second click, another tab), or the classes
        // changed since the preview: nothing is written.
        return Err(AppError::Conflict(CHANGED_SINCE_PREVIEW.into()));
    }
    let rollover_id = new_id();
    sqlx::query(
        "INSERT INTO rollovers (id, school_id, created_by, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&rollover_id)
    .bind(&user.school_id)
    .bind(&user.username)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut new_ids: HashMap<String, String> = HashMap::new();
    for name in new_class_names(&resolved) {
        let id = insert_class(&mut tx, &user.school_id, &name, now).await?;
        sqlx::query("INSERT INTO rollover_classes (rollover_id, class_id) VALUES ($1, $2)")
            .bind(&rollover_id)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        new_ids.insert(name.to_lowercase(), id);
    }
    // Every learner leaves their class first, so chains (3 → 4 → 5) move
    // everyone one step, not two.
    for m in &moves {
        sqlx::query("DELETE FROM enrolments WHERE class_id = $1 AND account_id = $2")
            .bind(&m.from_id)
            .bind(&m.learner_id)
            .execute(&mut *tx)
            .await?;
    }
    let mut recorded = Vec::new();
    for m in &moves {
        let (to, joined, inactivated) = match &m.target {
            Target::Class { id, name } => {
                let to = id
                    .clone()
                    .or_else(|| new_ids.get(&name.to_lowercase()).cloned())
                    .ok_or(AppError::Internal)?;
                let joined = sqlx::query(
                    "INSERT INTO enrolments (class_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(&to)
                .bind(&m.learner_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                (Some(to), joined, false)
            }
            Target::Leavers => {
                let switched_off = sqlx::query(
                    "UPDATE accounts SET active = FALSE WHERE id = $1 AND active = TRUE",
                )
                .bind(&m.learner_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                crate::recovery::ssr::retire_tokens(&mut tx, &m.learner_id, now).await?;
                end_every_session(&mut tx, &m.learner_id).await?;
                // Once per learner, though a leaver of two classes moves twice.
                if switched_off {
                    let event = AuditEvent::by(user, client)
                        .on(&m.learner_id, &m.username)
                        .with_detail("year-end rollover: leaver");
                    audit(&mut *tx, AuditAction::AccountInactivated, event, now).await?;
                }
                (None, false, true)
            }
        };
        recorded.push((m, to, joined, inactivated));
    }
    let learners: HashSet<&str> = moves.iter().map(|m| m.learner_id.as_str()).collect();
    for id in &learners {
        sqlx::query("UPDATE accounts SET row_version = row_version + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    for (m, to, joined, inactivated) in recorded {
        sqlx::query(
            "INSERT INTO rollover_moves (rollover_id, account_id, from_class_id, to_class_id, row_version, joined, inactivated) \
             SELECT $1, $2, $3, $4, row_version, $5, $6 FROM accounts WHERE id = $2",
        )
        .bind(&rollover_id)
        .bind(&m.learner_id)
        .bind(&m.from_id)
        .bind(to)
        .bind(joined)
        .bind(inactivated)
        .execute(&mut *tx)
        .await?;
    }
    let detail = format!(
        "{} moved, {} inactivated, {}",
        crate::words::counted(done.learners_moving, "learner", "learners"),
        done.leavers,
        crate::words::counted(done.new_classes.len(), "new class", "new classes")
    );
    let event = AuditEvent::by(user, client)
        .on(&rollover_id, "year-end rollover")
        .with_detail(detail);
    audit(&mut *tx, AuditAction::RolloverApplied, event, now).await?;
    tx.commit().await?;
    Ok(done)
}

/// "Undo rollover": puts the last rollover's learners back, if it is the
/// last and none of them changed since. Classes it made are archived.
pub async fn undo(
    state: &AppState,
    user: &SignedInUser,
    rollover_id: &str,
    client: &str,
) -> Result<(), AppError> {
    allowed(user)?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let last = last_rollover(&mut tx, &user.school_id).await?;
    let Some(last) = last.filter(|last| last.id == rollover_id) else {
        return Err(AppError::Conflict(
            "Only the school's last rollover can be undone, once.".into(),
        ));
    };
    if let Some(refusal) = last.undo_refused {
        return Err(AppError::Conflict(refusal));
    }
    let moves: Vec<(String, String, Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT account_id, from_class_id, to_class_id, joined, inactivated FROM rollover_moves \
         WHERE rollover_id = $1",
    )
    .bind(rollover_id)
    .fetch_all(&mut *tx)
    .await?;
    for (learner, from, to, joined, _) in &moves {
        if let (Some(to), true) = (to, joined) {
            sqlx::query("DELETE FROM enrolments WHERE class_id = $1 AND account_id = $2")
                .bind(to)
                .bind(learner)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO enrolments (class_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(from)
        .bind(learner)
        .execute(&mut *tx)
        .await?;
    }
    let learners: HashSet<&str> = moves.iter().map(|m| m.0.as_str()).collect();
    let leavers: HashSet<&str> = moves.iter().filter(|m| m.4).map(|m| m.0.as_str()).collect();
    for id in &learners {
        let (username,): (String,) = sqlx::query_as(
            "UPDATE accounts SET row_version = row_version + 1, active = (active OR $2) \
             WHERE id = $1 RETURNING username",
        )
        .bind(id)
        .bind(leavers.contains(id))
        .fetch_one(&mut *tx)
        .await?;
        if leavers.contains(id) {
            let event = AuditEvent::by(user, client)
                .on(id, &username)
                .with_detail("year-end rollover undone");
            audit(&mut *tx, AuditAction::AccountReactivated, event, now).await?;
        }
    }
    sqlx::query(
        "UPDATE classes SET archived_at = $1 WHERE id IN \
         (SELECT class_id FROM rollover_classes WHERE rollover_id = $2) \
         AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.class_id = classes.id)",
    )
    .bind(now)
    .bind(rollover_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE rollovers SET undone_at = $1 WHERE id = $2")
        .bind(now)
        .bind(rollover_id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::by(user, client)
        .on(rollover_id, "year-end rollover")
        .with_detail(format!("{} learners put back", learners.len()));
    audit(&mut *tx, AuditAction::RolloverUndone, event, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::basis_of;

    #[test]
    fn a_basis_names_the_moves_in_any_order_and_changes_with_any_of_them() {
        let moves = |list: &[(&'static str, &'static str, &str)]| {
            basis_of(list.iter().map(|&(l, f, t)| (l, f, t.to_string())))
        };
        let a = moves(&[("l1", "c3", "class:c4"), ("l2", "c4", "leavers")]);
        assert_eq!(
            a,
            moves(&[("l2", "c4", "leavers"), ("l1", "c3", "class:c4")])
        );
        assert_ne!(a, moves(&[("l1", "c3", "class:c4")]), "a move fewer");
        assert_ne!(
            a,
            moves(&[("l1", "c3", "class:c5"), ("l2", "c4", "leavers")])
        );
        assert_ne!(
            a,
            moves(&[("l1", "c4", "class:c4"), ("l2", "c4", "leavers")])
        );
        assert_eq!(a.len(), 64);
    }
}
