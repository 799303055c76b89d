//! Checking a sign-in: account lookup, argon2 verification, the account
//! lockout and the per-network limit, each outcome audited.

use std::net::IpAddr;

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{self, AccountRecord};
use super::{failures, network_limit, unknown_names};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::Role;
use crate::db::begin_write;
use crate::error::AppError;
use crate::passwords::fair_queue::HashQueue;
use crate::state::AppState;

pub use super::failures::{FAILURE_WINDOW_SECS, MAX_FAILURES};
/// An account with [`MAX_FAILURES`] failures is locked for this long.
pub const LOCKOUT_SECS: i64 = 15 * 60;

/// No username or email is longer; longer input is refused before any work.
pub const MAX_USERNAME_CHARS: usize = 254;

/// What the sign-in form sent, and from where.
pub struct SignInAttempt {
    pub school_code: String,
    pub username: String,
    pub password: SecretString,
    pub client: IpAddr,
}

/// Returns the account when the attempt may sign in.
pub async fn check_credentials(
    state: &AppState,
    attempt: &SignInAttempt,
) -> Result<AccountRecord, AppError> {
    let now = state.clock.now();
    let username = attempt.username.trim();
    if username.is_empty() {
        return Err(AppError::invalid(
            "username",
            "Enter your username or email address.",
        ));
    }
    if username.chars().count() > MAX_USERNAME_CHARS {
        return Err(AppError::BadCredentials);
    }
    if attempt.password.expose_secret().is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    // A network that failed a lot is paced before any work: the attempt
    // waits for its slot (a few seconds at most), or is told to come back.
    // That answer takes its time too, so a storm cannot spin on refusals.
    let admitted = network_limit::admit_paced(state, attempt.client, now).await?;
    let account = if attempt.school_code.trim().is_empty() {
        accounts::by_email(&state.db, username).await?
    } else {
        accounts::by_school_and_username(&state.db, &attempt.school_code, username).await?
    };

    // A name that belongs to no account locks as an account does, so the
    // answer never tells whether it has one.
    let unknown_name = account
        .is_none()
        .then(|| unknown_names::name_key(state, &attempt.school_code, username));
    let locked_until = match (&account, &unknown_name) {
        (Some(account), _) => account.locked_until.filter(|until| *until > now),
        (None, Some(key)) => unknown_names::locked_until(&state.db, key, now).await?,
        (None, None) => None,
    };
    if let Some(locked_until) = locked_until {
        let event = match &account {
            Some(account) => AuditEvent::by_self(account, attempt.client),
            None => unknown_account_event(attempt.client),
        };
        audit(&state.db, AuditAction::SignInRefusedLocked, event, now).await?;
        return Err(AppError::Locked {
            retry_after_secs: (locked_until - now) as u64,
        });
    }

    let stored = account.as_ref().map(AccountRecord::stored_hash);
    // Hashing is shared fairly between networks: a storm from one address
    // waits behind itself, not in front of a classroom elsewhere.
    let queue = HashQueue::of_client(attempt.client);
    let password_ok = state
        .hasher
        .verify_in(queue, &attempt.password, stored.as_ref())
        .await;
    let account = match account {
        Some(account) if password_ok => return accept(state, account, attempt.client, now).await,
        other => other,
    };
    // Every failure, for a real account or an invented name, counts
    // toward pacing this network.
    state.network_limiter.record_failure(attempt.client, now);
    let answer = refuse(state, account, unknown_name, attempt.client, now).await?;
    drop(admitted);
    Err(answer)
}

/// Records a failed sign-in; returns the answer to give.
async fn refuse(
    state: &AppState,
    account: Option<AccountRecord>,
    unknown_name: Option<String>,
    client: IpAddr,
    now: i64,
) -> Result<AppError, AppError> {
    let locked = match (account, unknown_name) {
        (Some(account), _) => {
            record_failure(state, &account, client, now, "wrong password").await?
        }
        (None, Some(key)) => {
            unknown_names::record_failure(state, &key, unknown_account_event(client), now).await?
        }
        (None, None) => false,
    };
    Ok(if locked {
        AppError::Locked {
            retry_after_secs: LOCKOUT_SECS as u64,
        }
    } else {
        AppError::BadCredentials
    })
}

/// A sign-in with a name that belongs to no account. What was typed is not
/// kept: it may be a password typed into the wrong field.
fn unknown_account_event(client: IpAddr) -> AuditEvent {
    AuditEvent {
        actor_label: "(unknown account)".into(),
        target_label: "(unknown account)".into(),
        client_addr: client.to_string(),
        detail: "unknown account".into(),
        ..Default::default()
    }
}

async fn accept(
    state: &AppState,
    account: AccountRecord,
    client: IpAddr,
    now: i64,
) -> Result<AccountRecord, AppError> {
    let sso_required = account.role() == Role::Staff
        && crate::sso::ssr::settings::staff_must_use_sso(&state.db, &account.school_id).await?;
    let mut tx = begin_write(&state.db).await?;
    if !account.active {
        let event = AuditEvent::by_self(&account, client).with_detail("account inactive");
        audit(&mut *tx, AuditAction::SignInFailed, event, now).await?;
        tx.commit().await?;
        return Err(AppError::AccountInactive);
    }
    // Checked after the password, so it tells nobody without the password
    // that the account exists.
    if sso_required {
        let event = AuditEvent::by_self(&account, client)
            .with_detail("password refused: the school requires single sign-on for staff");
        audit(&mut *tx, AuditAction::SignInFailed, event, now).await?;
        tx.commit().await?;
        return Err(AppError::SingleSignOnRequired);
    }
    // Checked again under the write lock: attempts sent all at once must
    // not slip past a lockout that other attempts set meanwhile.
    let accepted = sqlx::query(
        "UPDATE accounts SET locked_until = NULL, last_sign_in_at = $1 \
         WHERE id = $2 AND (locked_until IS NULL OR locked_until <= $1)",
    )
    .bind(now)
    .bind(&account.id)
    .execute(&mut *tx)
    .await?;
    if accepted.rows_affected() == 0 {
        let locked_until = locked_until_of(&mut tx, &account.id).await?;
        audit(
            &mut *tx,
            AuditAction::SignInRefusedLocked,
            AuditEvent::by_self(&account, client),
            now,
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::Locked {
            retry_after_secs: (locked_until - now).max(1) as u64,
        });
    }
    failures::clear(&mut *tx, &account.id).await?;
    audit(
        &mut *tx,
        AuditAction::SignIn,
        AuditEvent::by_self(&account, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// Counts a wrong password (at sign-in, or as the "current password" of a
/// password change); returns true when this failure locked the account.
pub async fn record_failure(
    state: &AppState,
    account: &AccountRecord,
    client: IpAddr,
    now: i64,
    what: &str,
) -> Result<bool, AppError> {
    let mut tx = begin_write(&state.db).await?;
    if locked_until_of(&mut tx, &account.id).await? > now {
        // Locked by attempts that ran at the same time as this one.
        return Ok(true);
    }
    let locked = failures::count_failure(&mut tx, failures::CountedBy::Account, &account.id, now)
        .await?
        >= MAX_FAILURES;
    if locked {
        sqlx::query("UPDATE accounts SET locked_until = $1 WHERE id = $2")
            .bind(now + LOCKOUT_SECS)
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        failures::clear(&mut *tx, &account.id).await?;
    }
    let action = if locked {
        AuditAction::AccountLocked
    } else {
        AuditAction::SignInFailed
    };
    let event = AuditEvent::by_self(account, client).with_detail(what);
    audit(&mut *tx, action, event, now).await?;
    tx.commit().await?;
    Ok(locked)
}

async fn locked_until_of(tx: &mut crate::db::Tx, account_id: &str) -> Result<i64, AppError> {
    let (until,): (Option<i64>,) =
        sqlx::query_as("SELECT locked_until FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(until.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ssr::accounts;
    use crate::db::testing::fresh_db;
    use crate::passwords::sealing::{Sealer, SecretKey};

    async fn state_with_learner() -> (AppState, AccountRecord, tempfile::TempDir) {
        let (db, dir) = fresh_db().await;
        sqlx::query(
            "INSERT INTO schools (id, name, code, created_at) VALUES ('s', 'Oakwood', 'OAK', 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO accounts (id, school_id, role, username, display_name, password_hash, created_at) \
             VALUES ('a', 's', 'learner', 'amelias', 'Amelia', 'x', 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        let state = AppState::new(
            db,
            Sealer::new(SecretKey::generate(), vec![]),
            "http://127.0.0.1",
        );
        let account = accounts::by_id(&state.db, "a").await.unwrap().unwrap();
        (state, account, dir)
    }

    const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[tokio::test]
    async fn a_right_password_checked_while_the_account_got_locked_is_refused() {
        // The account was read unlocked; other attempts locked it before
        // this one's password check finished.
        let (state, account_read_before, _dir) = state_with_learner().await;
        let now = state.clock.now();
        sqlx::query("UPDATE accounts SET locked_until = $1 WHERE id = 'a'")
            .bind(now + LOCKOUT_SECS)
            .execute(&state.db)
            .await
            .unwrap();
        let result = accept(&state, account_read_before, CLIENT, now).await;
        assert!(matches!(result, Err(AppError::Locked { .. })), "{result:?}");
        let (last_sign_in,): (Option<i64>,) =
            sqlx::query_as("SELECT last_sign_in_at FROM accounts WHERE id = 'a'")
                .fetch_one(&state.db)
                .await
                .unwrap();
        assert_eq!(last_sign_in, None);
    }

    #[tokio::test]
    async fn failures_while_locked_do_not_restart_the_count() {
        let (state, account, _dir) = state_with_learner().await;
        let now = state.clock.now();
        for _ in 0..MAX_FAILURES {
            record_failure(&state, &account, CLIENT, now, "wrong password")
                .await
                .unwrap();
        }
        let (until_first,): (Option<i64>,) =
            sqlx::query_as("SELECT locked_until FROM accounts WHERE id = 'a'")
                .fetch_one(&state.db)
                .await
                .unwrap();
        assert!(
            record_failure(&state, &account, CLIENT, now + 5, "wrong password")
                .await
                .unwrap(),
            "still locked"
        );
        let (until,): (Option<i64>,) =
            sqlx::query_as("SELECT locked_until FROM accounts WHERE id = 'a'")
                .fetch_one(&state.db)
                .await
                .unwrap();
        assert_eq!((until, failures_kept(&state).await), (until_first, 0));
    }

    async fn failures_kept(state: &AppState) -> i64 {
        let (kept,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sign_in_failures WHERE account_id = 'a'")
                .fetch_one(&state.db)
                .await
                .unwrap();
        kept
    }

    /// `count` failures at `at`; whether the last one locked the account.
    async fn fail(state: &AppState, account: &AccountRecord, at: i64, count: usize) -> bool {
        let mut locked = false;
        for _ in 0..count {
            locked = record_failure(state, account, CLIENT, at, "wrong password")
                .await
                .unwrap();
        }
        locked
    }

    #[tokio::test]
    async fn ten_failures_within_any_fifteen_minutes_lock_the_account() {
        // One failure, then eight near the end of its 15 minutes: nine.
        let (state, account, _dir) = state_with_learner().await;
        let start = state.clock.now();
        assert!(!fail(&state, &account, start, 1).await);
        assert!(!fail(&state, &account, start + 600, 8).await);
        // The first has left the window (a second after its 15 minutes, as
        // times are whole seconds): eight and this one are nine.
        assert!(!fail(&state, &account, start + FAILURE_WINDOW_SECS + 1, 1).await);
        // The tenth within 15 minutes locks, though 15 minutes have passed
        // since the first failure (a window that restarted there would
        // count two).
        assert!(fail(&state, &account, start + FAILURE_WINDOW_SECS + 2, 1).await);
        let (until,): (Option<i64>,) =
            sqlx::query_as("SELECT locked_until FROM accounts WHERE id = 'a'")
                .fetch_one(&state.db)
                .await
                .unwrap();
        assert_eq!(until, Some(start + FAILURE_WINDOW_SECS + 2 + LOCKOUT_SECS));
        assert_eq!(failures_kept(&state).await, 0, "the lockout starts afresh");
    }

    #[tokio::test]
    async fn failures_older_than_the_window_are_forgotten() {
        let (state, account, _dir) = state_with_learner().await;
        let start = state.clock.now();
        assert!(!fail(&state, &account, start, 9).await);
        assert!(!fail(&state, &account, start + FAILURE_WINDOW_SECS + 1, 9).await);
        assert_eq!(failures_kept(&state).await, 9);
    }

    #[tokio::test]
    async fn the_cleanup_forgets_failures_that_left_the_window() {
        let (state, account, _dir) = state_with_learner().await;
        let start = state.clock.now();
        assert!(!fail(&state, &account, start, 3).await);
        assert!(!fail(&state, &account, start + 600, 1).await);
        let later = start + FAILURE_WINDOW_SECS + 1;
        failures::forget_old(&state.db, failures::CountedBy::Account, later)
            .await
            .unwrap();
        assert_eq!(failures_kept(&state).await, 1, "the one still within");
    }

    #[tokio::test]
    async fn the_cleanup_forgets_unknown_names_failures_and_ended_locks() {
        let (state, _account, _dir) = state_with_learner().await;
        let start = state.clock.now();
        let gone = unknown_names::name_key(&state, "OAK", "gone");
        let recent = unknown_names::name_key(&state, "OAK", "recent");
        for _ in 0..10 {
            let event = unknown_account_event(CLIENT);
            unknown_names::record_failure(&state, &gone, event, start)
                .await
                .unwrap();
        }
        let event = unknown_account_event(CLIENT);
        unknown_names::record_failure(&state, &recent, event, start + 600)
            .await
            .unwrap();
        let count = |sql: &'static str| {
            let db = state.db.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db).await.unwrap();
                n
            }
        };
        assert_eq!(count("SELECT COUNT(*) FROM unknown_sign_in_locks").await, 1);
        unknown_names::forget_old(&state.db, start + LOCKOUT_SECS)
            .await
            .unwrap();
        assert_eq!(count("SELECT COUNT(*) FROM unknown_sign_in_locks").await, 0);
        assert_eq!(
            count("SELECT COUNT(*) FROM unknown_sign_in_failures").await,
            1
        );
        unknown_names::forget_old(&state.db, start + 600 + FAILURE_WINDOW_SECS + 1)
            .await
            .unwrap();
        assert_eq!(
            count("SELECT COUNT(*) FROM unknown_sign_in_failures").await,
            0
        );
    }

    #[tokio::test]
    async fn a_sign_in_forgets_the_failures_before_it() {
        let (state, account, _dir) = state_with_learner().await;
        let now = state.clock.now();
        assert!(!fail(&state, &account, now, 9).await);
        accept(&state, account.clone(), CLIENT, now + 1)
            .await
            .unwrap();
        assert_eq!(failures_kept(&state).await, 0);
        assert!(
            !fail(&state, &account, now + 2, 9).await,
            "nine again, not eighteen"
        );
    }
}
