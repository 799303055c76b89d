//! Creating schools with their owner, and reading their password rules.

use secrecy::SecretString;

use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::db::{begin_write, new_id, Db};
use crate::error::AppError;
use crate::password_rules::{enforce_password_rules, PasswordContext, PasswordPolicy};
use crate::state::AppState;

/// What the operator gives to open a school.
pub struct NewSchool {
    pub name: String,
    pub code: String,
    pub owner_email: String,
    pub owner_display_name: String,
    pub owner_password: SecretString,
    /// Where its times read ("Europe/London", one of
    /// [`crate::school_time::choosable_zones`]); UTC when not given.
    pub time_zone: Option<String>,
}

/// The zone a new school is given ([`NewSchool::time_zone`]): one of the
/// Settings list, or UTC when none (or a blank one) is given.
pub fn new_school_zone(given: Option<&str>) -> Result<String, AppError> {
    match given.map(str::trim) {
        None | Some("") => Ok(crate::school_time::DEFAULT_ZONE.to_owned()),
        Some(zone) if crate::school_time::is_choosable(zone) => Ok(zone.to_owned()),
        Some(zone) => Err(AppError::invalid(
            "time_zone",
            format!(
                "“{zone}” is not a time zone: give one such as Europe/London or America/New_York."
            ),
        )),
    }
}

/// A school's code: 2 to 12 letters or digits, kept as typed in capitals.
pub fn normalise_school_code(code: &str) -> Result<String, AppError> {
    let code = code.trim().to_uppercase();
    let valid =
        (2..=12).contains(&code.chars().count()) && code.chars().all(|c| c.is_ascii_alphanumeric());
    if !valid {
        return Err(AppError::invalid(
            "code",
            "A school code is 2 to 12 letters or digits, such as OAK.",
        ));
    }
    Ok(code)
}

/// Emails are stored trimmed and lower-cased, and must look like one.
pub fn normalise_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace)
        // What the mailer will accept, so a saved address is never undeliverable.
        && email.parse::<lettre::Address>().is_ok();
    if !valid {
        return Err(AppError::invalid(
            "email",
            "Enter an email address such as name@school.example.",
        ));
    }
    Ok(email)
}

/// Opens a school with its owner account (username `admin`). Returns the school id.
pub async fn create_school(state: &AppState, school: NewSchool) -> Result<String, AppError> {
    let name = school.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid(
            "name",
            "A school name is 1 to 120 characters.",
        ));
    }
    let code = normalise_school_code(&school.code)?;
    let email = normalise_email(&school.owner_email)?;
    let time_zone = new_school_zone(school.time_zone.as_deref())?;
    let context = PasswordContext {
        username: "admin".into(),
        school_name: name.clone(),
        school_code: code.clone(),
    };
    use secrecy::ExposeSecret;
    enforce_password_rules(
        &PasswordPolicy::default(),
        school.owner_password.expose_secret(),
        &context,
    )
    .map_err(|problem| AppError::invalid("password", problem.to_string()))?;
    let hash = state.hasher.hash(&school.owner_password).await?;
    let now = state.clock.now();
    let school_id = new_id();
    let owner_id = new_id();

    let mut tx = begin_write(&state.db).await?;
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM schools WHERE lower(code) = lower($1)")
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(format!(
            "The school code {code} is already used."
        )));
    }
    let email_taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM accounts WHERE lower(email) = lower($1)")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
    if email_taken.is_some() {
        return Err(AppError::Conflict(
            "This email address is already used by another account.".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO schools (id, name, code, created_at, time_zone) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&school_id)
    .bind(&name)
    .bind(&code)
    .bind(now)
    .bind(&time_zone)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO accounts (id, school_id, role, username, display_name, email, password_hash, \
         password_set_by, created_at) VALUES ($1, $2, 'owner', 'admin', $3, $4, $5, 'self', $6)",
    )
    .bind(&owner_id)
    .bind(&school_id)
    .bind(school.owner_display_name.trim())
    .bind(&email)
    .bind(&hash.0)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let event = AuditEvent {
        school_id: Some(school_id.clone()),
        actor_label: "operator".into(),
        target_id: Some(owner_id),
        target_label: format!("{name} ({code})"),
        ..Default::default()
    };
    audit(&mut *tx, AuditAction::SchoolCreated, event, now).await?;
    tx.commit().await?;
    Ok(school_id)
}

/// The settings of one school that the password flows read.
#[derive(Debug, Clone)]
pub struct SchoolSettings {
    pub id: String,
    pub name: String,
    pub code: String,
    pub policy: PasswordPolicy,
    pub learner_passwords_visible: bool,
    pub learners_change_after_reset: bool,
    /// "Badge sign-in": learners may sign in with a QR badge.
    pub badges_enabled: bool,
    /// The zone its times read in (an IANA name, [`crate::school_time::zone`]).
    pub time_zone: String,
}

impl SchoolSettings {
    /// When a lockout ends, in this school's zone, while it has not
    /// ([`crate::school_time::SchoolClock::lock_end`]). The zone is looked
    /// up only for an account that is locked out (rarely).
    pub fn lock_end(
        &self,
        now: i64,
        locked_until: Option<i64>,
    ) -> Option<crate::shown_time::ShownTime> {
        let until = locked_until.filter(|until| *until > now)?;
        crate::school_time::SchoolClock::new(now, crate::school_time::zone(&self.time_zone))
            .lock_end(Some(until))
    }

    /// The names a password of `username` must not repeat.
    pub fn password_context(&self, username: &str) -> PasswordContext {
        PasswordContext {
            username: username.into(),
            school_name: self.name.clone(),
            school_code: self.code.clone(),
        }
    }
}

type SettingsRow = (String, String, i64, bool, bool, bool, bool, bool, String);

pub async fn school_settings<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    school_id: &str,
) -> Result<SchoolSettings, AppError> {
    let (
        name,
        code,
        min_length,
        require_digit,
        block_common,
        visible,
        change_after_reset,
        badges,
        time_zone,
    ): SettingsRow = sqlx::query_as(
        "SELECT name, code, min_password_length, require_digit, block_common_passwords, \
             learner_passwords_visible, learners_change_after_reset, badges_enabled, time_zone \
             FROM schools WHERE id = $1",
    )
    .bind(school_id)
    .fetch_one(db)
    .await?;
    Ok(SchoolSettings {
        id: school_id.into(),
        name,
        code,
        policy: PasswordPolicy {
            min_length: min_length as u32,
            require_digit,
            block_common,
        },
        learner_passwords_visible: visible,
        learners_change_after_reset: change_after_reset,
        badges_enabled: badges,
        time_zone,
    })
}

/// The time zone the school reads its times in ([`crate::school_time`]).
pub async fn school_zone<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    school_id: &str,
) -> Result<jiff::tz::TimeZone, AppError> {
    let (name,): (String,) = sqlx::query_as("SELECT time_zone FROM schools WHERE id = $1")
        .bind(school_id)
        .fetch_one(db)
        .await?;
    Ok(crate::school_time::zone(&name))
}

/// A school's password rules and the names a password must not repeat.
pub async fn password_rules_for(
    db: &Db,
    school_id: &str,
    username: &str,
) -> Result<(PasswordPolicy, PasswordContext), AppError> {
    let settings = school_settings(db, school_id).await?;
    Ok((settings.policy, settings.password_context(username)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_codes_are_short_letters_and_digits_in_capitals() {
        assert_eq!(normalise_school_code(" oak ").unwrap(), "OAK");
        for bad in ["", "O", "OAK WOOD", "OAK-1", "ABCDEFGHIJKLM"] {
            assert!(normalise_school_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            normalise_email(" Owner@Oakwood.Example ").unwrap(),
            "owner@oakwood.example"
        );
        for bad in [
            "",
            "owner",
            "@oakwood.example",
            "owner@oakwood",
            "a b@c.example",
            "a@b@c.example",
            "a,b@c.example",
            "<a>@c.example",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }
}
