//! Learner access checks, password reveal, resets and unlocking.

use std::collections::HashSet;

use secrecy::{ExposeSecret, SecretString};

use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::ssr::failures;
use crate::auth::ssr::sign_out::end_every_session;
use crate::auth::SignedInUser;
use crate::db::{begin_write, Db, Flag};
use crate::error::AppError;
use crate::password_rules::enforce_password_rules;
use crate::passwords::sealing::{Sealed, SealedFor};
use crate::schools::ssr::SchoolSettings;
use crate::state::AppState;

/// A learner as the reset flows need them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LearnerRecord {
    pub id: String,
    pub school_id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub password_version: i64,
    pub password_set_by: String,
    pub locked_until: Option<i64>,
}

/// The learner `learner_id` if `user` may manage them: another school's
/// learner (or no learner) is "not found"; a teacher may manage only the
/// learners of their assigned classes that are not archived.
pub async fn learner_for(
    db: &Db,
    user: &SignedInUser,
    learner_id: &str,
) -> Result<LearnerRecord, AppError> {
    if !user.can(Permission::ClassDatabase) {
        return Err(AppError::Forbidden);
    }
    let learner: LearnerRecord = sqlx::query_as(
        "SELECT id, school_id, username, first_name, last_name, password_version, password_set_by, locked_until \
         FROM accounts WHERE id = $1 AND school_id = $2 AND role = 'learner'",
    )
    .bind(learner_id)
    .bind(&user.school_id)
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)?;
    if !user.can(Permission::EveryClass) {
        let (Flag(taught),): (Flag,) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM enrolments e JOIN class_teachers t ON t.class_id = e.class_id \
             JOIN classes c ON c.id = e.class_id \
             WHERE e.account_id = $1 AND t.account_id = $2 AND c.archived_at IS NULL)",
        )
        .bind(learner_id)
        .bind(&user.id)
        .fetch_one(db)
        .await?;
        if !taught {
            return Err(AppError::Forbidden);
        }
    }
    Ok(learner)
}

/// The learner's current password from its sealed reveal copy. Audited.
pub async fn reveal_password(
    state: &AppState,
    user: &SignedInUser,
    settings: &SchoolSettings,
    learner: &LearnerRecord,
    client: &str,
) -> Result<SecretString, AppError> {
    if !settings.learner_passwords_visible {
        return Err(AppError::Conflict(
            "This school does not let staff see learner passwords. Reset the password instead."
                .into(),
        ));
    }
    let password = open_reveal_copy(state, learner).await?.ok_or_else(|| {
        AppError::Conflict("The learner chose this password, so nobody can see it. Reset it to give them a new one.".into())
    })?;
    let event = AuditEvent::by(user, client).on(&learner.id, &learner.username);
    audit(
        &state.db,
        AuditAction::PasswordViewed,
        event,
        state.clock.now(),
    )
    .await?;
    Ok(password)
}

/// The sealed copy of the learner's current password, if there is one.
pub async fn open_reveal_copy(
    state: &AppState,
    learner: &LearnerRecord,
) -> Result<Option<SecretString>, AppError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT key_id, sealed FROM learner_password_reveals WHERE account_id = $1 AND password_version = $2",
    )
    .bind(&learner.id)
    .bind(learner.password_version)
    .fetch_optional(&state.db)
    .await?;
    let Some((key_id, sealed)) = row else {
        return Ok(None);
    };
    let sealed_for = SealedFor::LearnerPassword {
        school_id: &learner.school_id,
        learner_id: &learner.id,
        password_version: learner.password_version,
    };
    state.sealer.open(&Sealed { key_id, sealed }, &sealed_for).map(Some).map_err(|error| {
        tracing::error!(%error, learner = %learner.id, "a learner's reveal copy would not open");
        AppError::Internal
    })
}

/// What a reset is recorded as in the audit log.
#[derive(Clone, Copy)]
pub enum ResetScope<'a> {
    OneLearner,
    WholeClass {
        class_id: &'a str,
        class_name: &'a str,
    },
}

/// Sets new passwords for learners of one school in one transaction: every
/// learner changes or none does. Hashing runs in parallel before the
/// transaction; each learner's sessions end and any lockout is lifted.
pub async fn set_learner_passwords(
    state: &AppState,
    actor: &SignedInUser,
    settings: &SchoolSettings,
    changes: &[(LearnerRecord, SecretString)],
    scope: ResetScope<'_>,
    client: &str,
) -> Result<(), AppError> {
    for (learner, password) in changes {
        enforce_password_rules(
            &settings.policy,
            password.expose_secret(),
            &settings.password_context(&learner.username),
        )
        .map_err(|problem| AppError::invalid("password", problem.to_string()))?;
    }
    let hashes = state
        .hasher
        .hash_many(changes.iter().map(|(_, p)| p.clone()).collect())
        .await?;
    let now = state.clock.now();

    let mut tx = begin_write(&state.db).await?;
    // Read under the write lock: a reveal copy is never kept after the
    // school turned visibility off, even by a reset already under way.
    let (passwords_visible,): (bool,) =
        sqlx::query_as("SELECT learner_passwords_visible FROM schools WHERE id = $1")
            .bind(&settings.id)
            .fetch_one(&mut *tx)
            .await?;
    if let ResetScope::WholeClass { class_id, .. } = scope {
        // The class as it is now, under the write lock: a learner who
        // joined or left since the passwords were made is a changed class.
        let now_in_class = learners_in_class(&mut *tx, &settings.id, class_id).await?;
        let now: HashSet<&str> = now_in_class.iter().map(|l| l.id.as_str()).collect();
        let asked: HashSet<&str> = changes.iter().map(|(l, _)| l.id.as_str()).collect();
        if now != asked {
            return Err(AppError::stale());
        }
    }
    for ((learner, password), hash) in changes.iter().zip(&hashes) {
        // Only from the password the caller saw: of two resets at once, the
        // second finds the version moved on and changes nothing, so no
        // teacher hands out passwords that no longer work. `row_version`
        // (the learner's roster details: names, classes, active) stays: a
        // reset must not make an import stale or close "Undo rollover".
        let version: Option<(i64,)> = sqlx::query_as(
            "UPDATE accounts SET password_hash = $1, password_version = password_version + 1, \
             password_set_by = 'staff', must_change_password = $2, locked_until = NULL \
             WHERE id = $3 AND school_id = $4 AND role = 'learner' AND password_version = $5 \
             RETURNING password_version",
        )
        .bind(&hash.0)
        .bind(settings.learners_change_after_reset)
        .bind(&learner.id)
        .bind(&settings.id)
        .bind(learner.password_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version,)) = version else {
            return Err(AppError::stale());
        };
        failures::clear(&mut *tx, &learner.id).await?;
        if passwords_visible {
            let sealed = state.sealer.seal(
                password.expose_secret(),
                &SealedFor::LearnerPassword {
                    school_id: &settings.id,
                    learner_id: &learner.id,
                    password_version: version,
                },
            );
            sqlx::query(
                "INSERT INTO learner_password_reveals (account_id, password_version, key_id, sealed, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET \
                 password_version = excluded.password_version, key_id = excluded.key_id, \
                 sealed = excluded.sealed, created_at = excluded.created_at",
            )
            .bind(&learner.id)
            .bind(version)
            .bind(&sealed.key_id)
            .bind(&sealed.sealed)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("DELETE FROM learner_password_reveals WHERE account_id = $1")
                .bind(&learner.id)
                .execute(&mut *tx)
                .await?;
        }
        end_every_session(&mut tx, &learner.id).await?;
    }
    let (action, event) = match scope {
        ResetScope::OneLearner => {
            let (learner, _) = changes.first().ok_or(AppError::Internal)?;
            (
                AuditAction::PasswordReset,
                AuditEvent::by(actor, client).on(&learner.id, &learner.username),
            )
        }
        ResetScope::WholeClass {
            class_id,
            class_name,
        } => (
            AuditAction::ClassPasswordsReset,
            AuditEvent::by(actor, client)
                .on(class_id, class_name)
                .with_detail(format!("{} learners", changes.len())),
        ),
    };
    audit(&mut *tx, action, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts a lockout at once. Audited.
pub async fn unlock(
    state: &AppState,
    actor: &SignedInUser,
    learner: &LearnerRecord,
    client: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    sqlx::query("UPDATE accounts SET locked_until = NULL WHERE id = $1")
        .bind(&learner.id)
        .execute(&mut *tx)
        .await?;
    failures::clear(&mut *tx, &learner.id).await?;
    let event = AuditEvent::by(actor, client).on(&learner.id, &learner.username);
    audit(&mut *tx, AuditAction::AccountUnlocked, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Every learner enrolled in one class of the school.
pub async fn learners_in_class<'e, E>(
    executor: E,
    school_id: &str,
    class_id: &str,
) -> Result<Vec<LearnerRecord>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(
        "SELECT a.id, a.school_id, a.username, a.first_name, a.last_name, a.password_version, \
         a.password_set_by, a.locked_until FROM enrolments e JOIN accounts a ON a.id = e.account_id \
         WHERE e.class_id = $1 AND a.school_id = $2 AND a.role = 'learner' \
         ORDER BY a.last_name, a.first_name, a.username",
    )
    .bind(class_id)
    .bind(school_id)
    .fetch_all(executor)
    .await?)
}
