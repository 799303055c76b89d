//! QR badges and login cards on the server: badges created, voided and
//! signed in with (each audited), and a class's cards (audited like a
//! reveal). A badge's token is never stored: only its SHA-256, to find it,
//! and a random badge id from which the server key derives it again for
//! printing (`Sealer::badge_token`).

use std::net::IpAddr;

use super::{CardPassword, LoginCard, LoginCards, BADGE_PATH};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::ssr::accounts::{self, AccountRecord};
use crate::auth::ssr::network_limit;
use crate::auth::SignedInUser;
use crate::classes::ssr::{card_sources, class_for};
use crate::classes::PasswordState;
use crate::db::begin_write;
use crate::error::AppError;
use crate::recovery::ssr::random_token;
/// What is stored to find a badge by its token (as for reset links).
pub use crate::recovery::ssr::token_hash;
use crate::schools::ssr::school_settings;
use crate::state::AppState;
use secrecy::ExposeSecret;

/// The URL a badge's QR code holds.
pub fn badge_url(state: &AppState, token: &str) -> String {
    format!("{}{BADGE_PATH}#{token}", state.public_url)
}

fn badges_off() -> AppError {
    AppError::Conflict(
        "Badge sign-in is switched off. An admin can turn it on in School settings.".into(),
    )
}

/// "Create badges": a badge for every learner of the class without one.
/// Returns how many were made.
pub async fn create_for_class(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    client: &str,
) -> Result<u64, AppError> {
    let class = class_for(&state.db, user, class_id).await?;
    let settings = school_settings(&state.db, &user.school_id).await?;
    if !settings.badges_enabled {
        return Err(badges_off());
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let learners: Vec<(String,)> = sqlx::query_as(
        "SELECT a.id FROM enrolments e JOIN accounts a ON a.id = e.account_id \
         WHERE e.class_id = $1 AND a.school_id = $2 AND a.role = 'learner' \
         AND NOT EXISTS (SELECT 1 FROM badges b WHERE b.learner_id = a.id)",
    )
    .bind(&class.id)
    .bind(&user.school_id)
    .fetch_all(&mut *tx)
    .await?;
    for (learner_id,) in &learners {
        let badge_id = random_token().expose_secret().to_string();
        let (key_id, token) = state.sealer.badge_token(&badge_id);
        sqlx::query(
            "INSERT INTO badges (learner_id, school_id, badge_id, key_id, token_hash, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(learner_id)
        .bind(&user.school_id)
        .bind(&badge_id)
        .bind(&key_id)
        .bind(token_hash(&token))
        .bind(now)
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    }
    let event = AuditEvent::by(user, client)
        .on(&class.id, &class.name)
        .with_detail(format!("{} badges created", learners.len()));
    audit(&mut *tx, AuditAction::BadgesCreated, event, now).await?;
    tx.commit().await?;
    Ok(learners.len() as u64)
}

/// "Void badge": the learner's badge stops signing in at once.
pub async fn void_one(
    state: &AppState,
    user: &SignedInUser,
    learner_id: &str,
    client: &str,
) -> Result<(), AppError> {
    let learner = crate::learners::ssr::learner_for(&state.db, user, learner_id).await?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let removed = sqlx::query("DELETE FROM badges WHERE learner_id = $1 AND school_id = $2")
        .bind(&learner.id)
        .bind(&user.school_id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::Conflict("This learner has no badge.".into()));
    }
    let event = AuditEvent::by(user, client).on(&learner.id, &learner.username);
    audit(&mut *tx, AuditAction::BadgeVoided, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// "Void all badges" of a class. Returns how many were voided.
pub async fn void_class(
    state: &AppState,
    user: &SignedInUser,
    class_id: &str,
    client: &str,
) -> Result<u64, AppError> {
    let class = class_for(&state.db, user, class_id).await?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let removed = sqlx::query(
        "DELETE FROM badges WHERE school_id = $1 AND learner_id IN \
         (SELECT account_id FROM enrolments WHERE class_id = $2)",
    )
    .bind(&user.school_id)
    .bind(&class.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let event = AuditEvent::by(user, client)
        .on(&class.id, &class.name)
        .with_detail(format!("{removed} badges voided"));
    audit(&mut *tx, AuditAction::BadgesVoided, event, now).await?;
    tx.commit().await?;
    Ok(removed)
}

/// The login cards of a class (`Some`), or of every class of the school
/// (`None`: lead teachers, full admins and the owner). Audited like a
/// reveal: the cards carry passwords and badges.
pub async fn cards(
    state: &AppState,
    user: &SignedInUser,
    class_id: Option<&str>,
    client: &str,
) -> Result<LoginCards, AppError> {
    let class = match class_id {
        Some(id) => Some(class_for(&state.db, user, id).await?),
        None if user.can(Permission::SchoolLearners) => None,
        None => return Err(AppError::Forbidden),
    };
    let settings = school_settings(&state.db, &user.school_id).await?;
    let sources = card_sources(state, &settings, class.as_ref().map(|c| c.id.as_str())).await?;
    let badges: Vec<(String, String, String)> = if settings.badges_enabled {
        sqlx::query_as("SELECT learner_id, key_id, badge_id FROM badges WHERE school_id = $1")
            .bind(&settings.id)
            .fetch_all(&state.db)
            .await?
    } else {
        Vec::new()
    };
    let badge_of = |learner_id: &str| {
        badges
            .iter()
            .find(|(id, _, _)| id == learner_id)
            .and_then(|(_, key_id, badge_id)| state.sealer.badge_token_under(key_id, badge_id))
            .map(|token| badge_url(state, &token))
    };
    let cards = sources
        .into_iter()
        .map(|source| LoginCard {
            badge_url: badge_of(&source.id),
            password: match (source.password, source.password_text) {
                (PasswordState::Viewable, Some(text)) => CardPassword::Shown(text),
                (PasswordState::Hidden, _) => CardPassword::HiddenBySchool,
                (PasswordState::SetByLearner, _) => CardPassword::SetByLearner,
                (PasswordState::Viewable | PasswordState::NotStored, _) => CardPassword::NotStored,
            },
            learner_id: source.id,
            class_name: source.class_name,
            first_name: source.first_name,
            last_name: source.last_name,
            username: source.username,
        })
        .collect();
    let (target_id, title) = match &class {
        Some(class) => (class.id.clone(), class.name.clone()),
        None => (settings.id.clone(), "All classes".to_string()),
    };
    let event = AuditEvent::by(user, client).on(&target_id, &title);
    state
        .audit_queue
        .record(AuditAction::LoginCardsOpened, event, state.clock.now())
        .await?;
    Ok(LoginCards {
        school_name: settings.name,
        school_code: settings.code,
        title,
        badges_enabled: settings.badges_enabled,
        cards,
    })
}

/// Why a badge signs nobody in, in words for the child's teacher.
fn badge_refused() -> AppError {
    AppError::invalid(
        "badge",
        "This badge does not work any more. Ask your teacher for a new login card.",
    )
}

/// Signs in with a badge's token: learners only, their school's badge
/// sign-in on, the learner active. Wrong tokens count towards the
/// per-address limit like wrong passwords; every badge sign-in is audited.
pub async fn sign_in(
    state: &AppState,
    token: &str,
    client: IpAddr,
) -> Result<AccountRecord, AppError> {
    let now = state.clock.now();
    let admitted = network_limit::admit_paced(state, client, now).await?;
    let found: Option<(String,)> =
        sqlx::query_as("SELECT learner_id FROM badges WHERE token_hash = $1")
            .bind(token_hash(token.trim()))
            .fetch_optional(&state.db)
            .await?;
    let account = match found {
        Some((learner_id,)) => accounts::by_id(&state.db, &learner_id).await?,
        None => None,
    };
    let Some(account) = account.filter(|account| account.role() == crate::auth::Role::Learner)
    else {
        state.network_limiter.record_failure(client, now);
        let event = AuditEvent {
            actor_label: "(unknown badge)".into(),
            target_label: "(unknown badge)".into(),
            client_addr: client.to_string(),
            detail: "badge sign-in: no such badge".into(),
            ..Default::default()
        };
        audit(&state.db, AuditAction::SignInFailed, event, now).await?;
        return Err(badge_refused());
    };
    let enabled = school_settings(&state.db, &account.school_id)
        .await?
        .badges_enabled;
    let mut tx = begin_write(&state.db).await?;
    let refusal = if !enabled {
        Some(("badge sign-in is off", badges_off_for_learner()))
    } else if !account.active {
        Some(("account inactive", AppError::AccountInactive))
    } else {
        None
    };
    if let Some((detail, error)) = refusal {
        let event = AuditEvent::by_self(&account, client)
            .with_detail(format!("badge sign-in refused: {detail}"));
        audit(&mut *tx, AuditAction::SignInFailed, event, now).await?;
        tx.commit().await?;
        return Err(error);
    }
    // Re-checked under the write lock: a badge voided or a learner switched
    // off a moment ago signs nobody in.
    let signed_in = sqlx::query(
        "UPDATE accounts SET last_sign_in_at = $1 WHERE id = $2 AND active \
         AND EXISTS (SELECT 1 FROM badges WHERE learner_id = $2 AND token_hash = $3)",
    )
    .bind(now)
    .bind(&account.id)
    .bind(token_hash(token.trim()))
    .execute(&mut *tx)
    .await?;
    if signed_in.rows_affected() == 0 {
        return Err(badge_refused());
    }
    audit(
        &mut *tx,
        AuditAction::BadgeSignIn,
        AuditEvent::by_self(&account, client),
        now,
    )
    .await?;
    tx.commit().await?;
    drop(admitted);
    Ok(account)
}

fn badges_off_for_learner() -> AppError {
    AppError::Conflict(
        "Badge sign-in is switched off at your school. Sign in with your username and password."
            .into(),
    )
}
