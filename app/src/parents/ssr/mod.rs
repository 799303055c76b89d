//! Parent access codes (a keyed hash to find the learner by what a parent
//! types, a sealed copy for staff to show), linking and unlinking parents;
//! sign-up by email link in [`signup`].

pub mod signup;

use super::ChildRow;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::ssr::client_addr::network_label;
use crate::auth::{Role, SignedInUser};
use crate::db::{begin_write, Db, Tx};
use crate::error::AppError;
use crate::passwords::generator::{normalise_access_code, parent_access_code};
use crate::passwords::sealing::SealedFor;
use crate::state::AppState;

/// Gives a learner a new parent access code, replacing any earlier one (which
/// stops working; parents already linked stay linked). Returns the code.
pub async fn store_access_code(
    tx: &mut Tx,
    state: &AppState,
    school_id: &str,
    learner_id: &str,
    now: i64,
) -> Result<String, AppError> {
    let code = parent_access_code();
    let lookup = state
        .sealer
        .lookup_hash(&normalise_access_code(&code).unwrap_or_default());
    let sealed = state.sealer.seal(
        &code,
        &SealedFor::ParentAccessCode {
            school_id,
            learner_id,
        },
    );
    sqlx::query(
        "INSERT INTO parent_access_codes (learner_id, lookup_hash, key_id, sealed, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (learner_id) DO UPDATE SET \
         lookup_hash = excluded.lookup_hash, key_id = excluded.key_id, sealed = excluded.sealed, \
         created_at = excluded.created_at",
    )
    .bind(learner_id)
    .bind(lookup)
    .bind(&sealed.key_id)
    .bind(&sealed.sealed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(code)
}

/// Wrong codes one network (an IPv4 address, an IPv6 /64) may enter in an
/// hour: codes have 45 bits, so guessing one is out of reach at this rate.
pub const MAX_REFUSED_CODES_PER_HOUR: i64 = 20;
/// Wrong codes the whole platform takes in an hour: the second line against
/// a guesser spread over many networks (README "Limits" works out the odds).
pub const PLATFORM_MAX_REFUSED_CODES_PER_HOUR: i64 = 1_000;

pub(crate) fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "That parent access code is not right. Check it with your child's school.",
    )
}

/// The active learner (id, school id) a typed code belongs to, if any. A
/// code stored under an older key (before a rotation) is found too, and
/// re-keyed to the current one on the way.
pub async fn find_learner(
    tx: &mut Tx,
    state: &AppState,
    typed: &str,
) -> Result<Option<(String, String)>, AppError> {
    let Some(code) = normalise_access_code(typed) else {
        return Ok(None);
    };
    let candidates = state.sealer.lookup_candidates(&code);
    let placeholders: Vec<String> = (1..=candidates.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT a.id, a.school_id, p.lookup_hash FROM parent_access_codes p \
         JOIN accounts a ON a.id = p.learner_id \
         WHERE p.lookup_hash IN ({}) AND a.role = 'learner' AND a.active = TRUE",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String, String)>(sqlx::AssertSqlSafe(sql));
    for candidate in &candidates {
        query = query.bind(candidate);
    }
    let Some((learner_id, school_id, stored)) = query.fetch_optional(&mut **tx).await? else {
        return Ok(None);
    };
    if stored != candidates[0] {
        sqlx::query("UPDATE parent_access_codes SET lookup_hash = $1 WHERE learner_id = $2")
            .bind(&candidates[0])
            .bind(&learner_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(Some((learner_id, school_id)))
}

/// Wrong codes from `network` within the hour before `now`, and when the
/// oldest of them was typed.
async fn refusals_from<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    network: &str,
    now: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM audit_events WHERE action = 'parent_code_refused' \
         AND client_net = $1 AND created_at > $2",
    )
    .bind(network)
    .bind(now - 3600)
    .fetch_one(db)
    .await
}

/// Checks a typed code for a learner of `school` (any school when `None`).
/// Counting earlier refusals, looking the code up and recording a refusal
/// happen in one write transaction, so parallel guesses cannot slip past
/// the limit, and a refusal that cannot be recorded refuses the request.
pub(crate) async fn check_code(
    state: &AppState,
    typed: &str,
    school: Option<&str>,
    client: &str,
) -> Result<(String, String), AppError> {
    // Nothing typed is not a guess: asked for, and not counted.
    if typed.trim().is_empty() {
        return Err(AppError::invalid(
            "code",
            "Type the parent access code from your child's school, such as K7Q-P2M-9XD.",
        ));
    }
    let now = state.clock.now();
    let network = network_label(client);
    // Until the oldest counted refusal leaves the hour.
    let wait = |oldest: Option<i64>| oldest.map_or(60, |at| (at + 3600 - now).max(1) as u64);
    let over_limit = |(refused, oldest): (i64, Option<i64>)| {
        (refused >= MAX_REFUSED_CODES_PER_HOUR).then(|| AppError::TooManyAttempts {
            retry_after_secs: wait(oldest),
        })
    };
    // A network already over its limit is refused before the write lock,
    // so its flood does not queue every school's writers behind it.
    if let Some(refusal) = over_limit(refusals_from(&state.db, &network, now).await?) {
        return Err(refusal);
    }
    let mut tx = begin_write(&state.db).await?;
    let (refused, oldest) = refusals_from(&mut *tx, &network, now).await?;
    if let Some(refusal) = over_limit((refused, oldest)) {
        return Err(refusal);
    }
    // The platform-wide ceiling holds back networks that already guessed
    // wrong this hour: a parent typing a right code from a clean network
    // is never refused because of someone else's guessing, and a guesser
    // spread over many networks gets one try per network.
    if refused > 0 {
        let (everywhere, oldest_anywhere): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM audit_events \
             WHERE action = 'parent_code_refused' AND created_at > $1",
        )
        .bind(now - 3600)
        .fetch_one(&mut *tx)
        .await?;
        if everywhere >= PLATFORM_MAX_REFUSED_CODES_PER_HOUR {
            return Err(AppError::Busy {
                retry_after_secs: wait(oldest_anywhere),
            });
        }
    }
    let found = find_learner(&mut tx, state, typed)
        .await?
        .filter(|(_, found_school)| school.is_none_or(|school| school == found_school));
    match found {
        Some(found) => {
            // Keeps a look-up re-keyed after a rotation.
            tx.commit().await?;
            Ok(found)
        }
        None => {
            let event = AuditEvent {
                school_id: school.map(str::to_string),
                actor_label: "someone".into(),
                client_addr: client.to_string(),
                ..Default::default()
            };
            audit(&mut *tx, AuditAction::ParentCodeRefused, event, now).await?;
            tx.commit().await?;
            Err(wrong_code())
        }
    }
}

pub(crate) async fn learner_username(tx: &mut Tx, learner_id: &str) -> Result<String, AppError> {
    let (username,): (String,) = sqlx::query_as("SELECT username FROM accounts WHERE id = $1")
        .bind(learner_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(username)
}

pub(crate) async fn link(
    tx: &mut Tx,
    parent_id: &str,
    learner_id: &str,
    now: i64,
) -> Result<bool, AppError> {
    let inserted = sqlx::query(
        "INSERT INTO parent_links (parent_id, learner_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (parent_id, learner_id) DO NOTHING",
    )
    .bind(parent_id)
    .bind(learner_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    // Whether the link is new (false: the parent already had this child).
    Ok(inserted.rows_affected() == 1)
}

fn require_parent(user: &SignedInUser) -> Result<(), AppError> {
    if user.role == Role::Parent {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// "Add a child": links another learner of the parent's school by its code.
pub async fn add_child(
    state: &AppState,
    parent: &SignedInUser,
    code: &str,
    client: &str,
) -> Result<super::ChildAdded, AppError> {
    require_parent(parent)?;
    // A code of another school answers like a wrong one.
    let (learner_id, _) = check_code(state, code, Some(&parent.school_id), client).await?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let linked = link(&mut tx, &parent.id, &learner_id, now).await?;
    let (name,): (String,) = sqlx::query_as("SELECT display_name FROM accounts WHERE id = $1")
        .bind(&learner_id)
        .fetch_one(&mut *tx)
        .await?;
    if !linked {
        return Ok(super::ChildAdded::AlreadyLinked(name));
    }
    let target = learner_username(&mut tx, &learner_id).await?;
    let event = AuditEvent::by(parent, client).on(&learner_id, &target);
    audit(&mut *tx, AuditAction::ParentLinked, event, now).await?;
    tx.commit().await?;
    Ok(super::ChildAdded::Linked(name))
}

/// The parent's children with their classes and school.
pub async fn children(db: &Db, parent: &SignedInUser) -> Result<Vec<ChildRow>, AppError> {
    require_parent(parent)?;
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT a.id, a.display_name, s.name, c.name FROM parent_links l \
         JOIN accounts a ON a.id = l.learner_id JOIN schools s ON s.id = a.school_id \
         LEFT JOIN enrolments e ON e.account_id = a.id LEFT JOIN classes c ON c.id = e.class_id \
         WHERE l.parent_id = $1 ORDER BY lower(a.display_name), a.id, lower(c.name)",
    )
    .bind(&parent.id)
    .fetch_all(db)
    .await?;
    let mut children: Vec<(String, ChildRow)> = Vec::new();
    for (id, name, school, class) in rows {
        if children.last().is_none_or(|(last, _)| *last != id) {
            children.push((
                id.clone(),
                ChildRow {
                    name,
                    classes: Vec::new(),
                    school,
                },
            ));
        }
        if let (Some(class), Some((_, child))) = (class, children.last_mut()) {
            child.classes.push(class);
        }
    }
    Ok(children.into_iter().map(|(_, child)| child).collect())
}

/// "Unlink parents": every parent linked to the learner loses the link at
/// once (and pending sign-ups with the learner's code die), for a code that
/// leaked. Audited; returns how many parents were unlinked.
pub async fn unlink_parents(
    state: &AppState,
    user: &SignedInUser,
    learner: &crate::learners::ssr::LearnerRecord,
    client: &str,
) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let unlinked = sqlx::query("DELETE FROM parent_links WHERE learner_id = $1")
        .bind(&learner.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("UPDATE parent_signups SET used_at = $1 WHERE learner_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(&learner.id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::by(user, client)
        .on(&learner.id, &learner.username)
        .with_detail(format!("{unlinked} parents unlinked"));
    audit(&mut *tx, AuditAction::ParentsUnlinked, event, now).await?;
    tx.commit().await?;
    Ok(unlinked)
}

/// "Regenerate parent access code": the old code stops working at once;
/// parents already linked stay linked. Audited; returns the new code.
pub async fn regenerate_code(
    state: &AppState,
    user: &SignedInUser,
    learner: &crate::learners::ssr::LearnerRecord,
    client: &str,
) -> Result<String, AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let code = store_access_code(&mut tx, state, &learner.school_id, &learner.id, now).await?;
    let event = AuditEvent::by(user, client).on(&learner.id, &learner.username);
    audit(&mut *tx, AuditAction::ParentCodeRegenerated, event, now).await?;
    tx.commit().await?;
    Ok(code)
}
