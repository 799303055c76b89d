//! Parent sign-up by email link (DESIGN.md §3 "Parents"). A right code
//! always gets the same answer, so the form tells nobody which addresses
//! have accounts; the email either carries a single-use 60-minute link to
//! `/parent/confirm/{token}` that creates the account, or says the address
//! already has one. Nobody can squat an address they cannot read. Opened in
//! the browser that filled in the form (a cookie says so), the link
//! finishes at once; anywhere else it asks again for the password chosen on
//! the form, so someone who starts a sign-up with another person's address
//! cannot have that person (or a mail scanner) finish it into an account
//! whose password the starter knows.

use secrecy::{ExposeSecret, SecretString};

use super::{check_code, find_learner, learner_username, link, wrong_code};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::ssr::accounts::{self, AccountRecord};
use crate::auth::ssr::emails::{email_conflict, ensure_email_free};
use crate::db::{begin_write, new_id, Tx};
use crate::error::AppError;
use crate::mail::messages::{parent_address_in_use_email, parent_confirm_email};
use crate::mail::outbox::enqueue_email;
use crate::password_rules::{check_new_password, enforce_password_rules};
use crate::passwords::fair_queue::HashQueue;
use crate::recovery::ssr::{random_token, token_hash, well_formed_token, TOKEN_LIFETIME_SECS};
use crate::routes::{FORGOT_PASSWORD, PARENT_CONFIRM_PREFIX};
use crate::schools::ssr::{normalise_email, school_settings};
use crate::state::AppState;

/// Sign-up emails one address may receive within an hour, so a code
/// holder cannot flood somebody's inbox.
pub const MAX_SIGNUP_EMAILS_PER_ADDRESS_PER_HOUR: i64 = 3;

pub struct ParentSignUp {
    pub code: String,
    pub email: String,
    pub password: SecretString,
    pub confirmation: SecretString,
    /// The random value put in this browser's sign-up cookie.
    pub browser: SecretString,
}

/// What a right code answers, whatever the address.
pub fn link_sent_answer(email: &str) -> String {
    format!("We have sent a link to {email} to finish creating your account.")
}

/// What a link that no longer works answers.
pub fn unusable_link() -> AppError {
    AppError::Conflict(
        "This link has expired or was already used. Sign up again with your parent access code."
            .into(),
    )
}

/// Marks the learner's access code as it is now: a regenerated code (it
/// leaked) no longer matches, and its pending sign-ups die.
async fn code_marker(tx: &mut Tx, learner_id: &str) -> Result<String, AppError> {
    let (sealed,): (String,) =
        sqlx::query_as("SELECT sealed FROM parent_access_codes WHERE learner_id = $1")
            .bind(learner_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(token_hash(&sealed))
}

/// "Create account" on `/parent/signup`: checks the code and the password,
/// then emails a link (or, for an address in use, a note saying so).
/// Returns the answer to show.
pub async fn request_sign_up(
    state: &AppState,
    form: ParentSignUp,
    client: &str,
) -> Result<String, AppError> {
    let email = normalise_email(&form.email)?;
    // The code first, so the password is checked against the right school.
    let (learner_id, school_id) = check_code(state, &form.code, None, client).await?;
    let settings = school_settings(&state.db, &school_id).await?;
    let context = settings.password_context(&email);
    check_new_password(
        &settings.policy,
        form.password.expose_secret(),
        form.confirmation.expose_secret(),
        &context,
    )
    .and_then(|()| {
        enforce_password_rules(&settings.policy, form.password.expose_secret(), &context)
    })
    .map_err(|problem| AppError::invalid("password", problem.to_string()))?;
    // Hashed whether or not the address is in use: both take the same time.
    let queue = HashQueue::of_client_text(client);
    let hash = state.hasher.hash_in(queue, &form.password).await?;

    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    // Again under the write lock: a code regenerated meanwhile is refused.
    if find_learner(&mut tx, state, &form.code).await?.as_ref()
        != Some(&(learner_id.clone(), school_id.clone()))
    {
        return Err(wrong_code());
    }
    let (recent,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'parent_signup_link_sent' \
         AND target_label = $1 AND created_at > $2",
    )
    .bind(&email)
    .bind(now - 3600)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= MAX_SIGNUP_EMAILS_PER_ADDRESS_PER_HOUR {
        // The same answer: the address's owner has had enough email.
        return Ok(link_sent_answer(&email));
    }
    let (crate::db::Flag(in_use),): (crate::db::Flag,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM accounts WHERE lower(email) = lower($1))")
            .bind(&email)
            .fetch_one(&mut *tx)
            .await?;
    let message = if in_use {
        let forgot = format!("{}{FORGOT_PASSWORD}", state.public_url);
        parent_address_in_use_email(&settings.name, &forgot)
    } else {
        let token = random_token();
        sqlx::query(
            "INSERT INTO parent_signups (id, learner_id, email, password_hash, token_hash, \
             code_marker, browser_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(&learner_id)
        .bind(&email)
        .bind(&hash.0)
        .bind(token_hash(token.expose_secret()))
        .bind(code_marker(&mut tx, &learner_id).await?)
        .bind(token_hash(form.browser.expose_secret()))
        .bind(now)
        .bind(now + TOKEN_LIFETIME_SECS)
        .execute(&mut *tx)
        .await?;
        let link = format!(
            "{}{PARENT_CONFIRM_PREFIX}{}",
            state.public_url,
            token.expose_secret()
        );
        parent_confirm_email(&settings.name, &link)
    };
    let expires = (!in_use).then_some(now + TOKEN_LIFETIME_SECS);
    enqueue_email(
        &mut tx,
        &state.sealer,
        &school_id,
        &email,
        &message,
        now,
        expires,
    )
    .await?;
    // Says nothing about whether the address was in use. Not a learner
    // event (no learner target): lead teachers do not see parents' emails.
    let event = AuditEvent {
        school_id: Some(school_id),
        actor_label: "someone".into(),
        target_label: email.clone(),
        client_addr: client.to_string(),
        detail: "sign-up email sent".into(),
        ..Default::default()
    };
    audit(&mut *tx, AuditAction::ParentSignUpLinkSent, event, now).await?;
    tx.commit().await?;
    Ok(link_sent_answer(&email))
}

/// Wrong passwords on one confirmation link before it stops working.
pub const MAX_CONFIRM_ATTEMPTS: i64 = 5;

/// What the confirmation page answers when it needs the password: opened
/// in another browser than the one that filled in the form.
pub fn password_needed() -> AppError {
    AppError::invalid(
        "password",
        "To finish, type the password you chose when you signed up.",
    )
}

/// How `/parent/confirm/{token}` proves it is the person who signed up.
pub enum Proof<'a> {
    /// The sign-up cookie of the browser that filled in the form, if any.
    SameBrowser(Option<&'a str>),
    /// The password chosen on the form, typed again.
    Password(&'a SecretString),
}

/// `/parent/confirm/{token}`: in the browser that signed up, or with the
/// password chosen on the form, creates the parent account the link was
/// sent for and links it to the child. The caller then signs it in.
pub async fn confirm_sign_up(
    state: &AppState,
    token: &str,
    proof: Proof<'_>,
    client: &str,
) -> Result<AccountRecord, AppError> {
    if !well_formed_token(token) {
        return Err(unusable_link());
    }
    let now = state.clock.now();
    let pending: Option<(String, String, String)> = sqlx::query_as(
        "SELECT id, password_hash, browser_hash FROM parent_signups \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let Some((signup_id, stored, browser_hash)) = pending else {
        return Err(unusable_link());
    };
    let password = match proof {
        Proof::SameBrowser(Some(cookie)) if token_hash(cookie) == browser_hash => None,
        // Trying without a password costs no attempt.
        Proof::SameBrowser(_) => return Err(password_needed()),
        Proof::Password(password) => Some(password),
    };
    let queue = HashQueue::of_client_text(client);
    let stored = crate::passwords::hashing::StoredHash(stored);
    let right = match password {
        None => true,
        Some(password) => state.hasher.verify_in(queue, password, Some(&stored)).await,
    };
    if !right {
        let mut tx = begin_write(&state.db).await?;
        sqlx::query(
            "UPDATE parent_signups SET failed_attempts = failed_attempts + 1, \
             used_at = CASE WHEN failed_attempts + 1 >= $1 THEN $2 ELSE used_at END \
             WHERE id = $3 AND used_at IS NULL",
        )
        .bind(MAX_CONFIRM_ATTEMPTS)
        .bind(now)
        .bind(&signup_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Err(AppError::invalid(
            "password",
            "That is not the password you chose when you signed up.",
        ));
    }
    let mut tx = begin_write(&state.db).await?;
    let pending: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT s.id, s.learner_id, s.email, s.password_hash, s.code_marker, a.school_id \
         FROM parent_signups s JOIN accounts a ON a.id = s.learner_id \
         WHERE s.token_hash = $1 AND s.used_at IS NULL AND s.expires_at > $2 \
         AND a.active = TRUE AND a.role = 'learner'",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((signup_id, learner_id, email, hash, marker, school_id)) = pending else {
        return Err(unusable_link());
    };
    if code_marker(&mut tx, &learner_id).await? != marker {
        return Err(unusable_link());
    }
    // Every pending sign-up of this address ends: one account per address.
    sqlx::query("UPDATE parent_signups SET used_at = $1 WHERE email = $2 AND used_at IS NULL")
        .bind(now)
        .bind(&email)
        .execute(&mut *tx)
        .await?;
    let id = new_id();
    ensure_email_free(&mut tx, &email, &id).await?;
    let display_name = email.split('@').next().unwrap_or_default().to_string();
    sqlx::query(
        "INSERT INTO accounts (id, school_id, role, username, display_name, email, password_hash, \
         password_set_by, created_at) VALUES ($1, $2, 'parent', $3, $4, $3, $5, 'self', $6)",
    )
    .bind(&id)
    .bind(&school_id)
    .bind(&email)
    .bind(&display_name)
    .bind(&hash)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(email_conflict)?;
    link(&mut tx, &id, &learner_id, now).await?;
    let event = AuditEvent {
        school_id: Some(school_id),
        actor_id: Some(id.clone()),
        actor_label: email.clone(),
        target_id: Some(learner_id.clone()),
        target_label: learner_username(&mut tx, &learner_id).await?,
        client_addr: client.to_string(),
        detail: format!("parent account created (sign-up {signup_id})"),
    };
    audit(&mut *tx, AuditAction::ParentLinked, event, now).await?;
    tx.commit().await?;
    accounts::by_id(&state.db, &id)
        .await?
        .ok_or(AppError::Internal)
}

/// Deletes sign-ups that were used or expired (each holds an address and a
/// password hash); the server's cleanup task calls it.
pub async fn forget_finished(db: &crate::db::Db, now: i64) -> Result<u64, AppError> {
    Ok(
        sqlx::query("DELETE FROM parent_signups WHERE used_at IS NOT NULL OR expires_at <= $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
