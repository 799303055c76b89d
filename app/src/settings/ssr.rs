//! Reading and saving school settings. Turning learner-password visibility
//! off destroys every sealed copy of the school's learner passwords in the
//! same transaction.

use super::{SchoolSettingsForm, SettingsPageData, MIN_LENGTH_RANGE};
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::db::{begin_write, Db, Tx};
use crate::error::AppError;
use crate::state::AppState;

type Row = (
    String,
    i64,
    bool,
    bool,
    bool,
    bool,
    bool,
    i64,
    i64,
    bool,
    String,
);

async fn read<'e, E>(executor: E, school_id: &str) -> Result<SettingsPageData, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (name, min, digit, common, visible, change, sms, credits, version, badges, time_zone): Row =
        sqlx::query_as(
            "SELECT name, min_password_length, require_digit, block_common_passwords, \
         learner_passwords_visible, learners_change_after_reset, sms_enabled, sms_credits, \
         row_version, badges_enabled, time_zone FROM schools WHERE id = $1",
        )
        .bind(school_id)
        .fetch_one(executor)
        .await?;
    Ok(SettingsPageData {
        school_name: name,
        form: SchoolSettingsForm {
            min_password_length: min as u32,
            require_digit: digit,
            block_common_passwords: common,
            learner_passwords_visible: visible,
            learners_change_after_reset: change,
            sms_enabled: sms,
            badge_sign_in: badges,
            time_zone: Some(time_zone),
        },
        sms_credits: credits,
        time_zones: crate::school_time::choosable_zones().to_vec(),
        version,
    })
}

pub async fn load(db: &Db, user: &SignedInUser) -> Result<SettingsPageData, AppError> {
    if !user.can(Permission::SchoolSettings) {
        return Err(AppError::Forbidden);
    }
    read(db, &user.school_id).await
}

/// What changed, in words, for the audit log.
fn describe_changes(before: &SchoolSettingsForm, after: &SchoolSettingsForm) -> Vec<String> {
    let on_off = |on: bool| if on { "on" } else { "off" };
    let mut changes = Vec::new();
    if before.min_password_length != after.min_password_length {
        changes.push(format!(
            "minimum password length {} → {}",
            before.min_password_length, after.min_password_length
        ));
    }
    let flags = [
        ("require a digit", before.require_digit, after.require_digit),
        (
            "block common passwords",
            before.block_common_passwords,
            after.block_common_passwords,
        ),
        (
            "staff can see learner passwords",
            before.learner_passwords_visible,
            after.learner_passwords_visible,
        ),
        (
            "learners choose a new password after a reset",
            before.learners_change_after_reset,
            after.learners_change_after_reset,
        ),
        ("SMS", before.sms_enabled, after.sms_enabled),
        ("badge sign-in", before.badge_sign_in, after.badge_sign_in),
    ];
    for (label, was, is) in flags {
        if was != is {
            changes.push(format!("{label} {}", on_off(is)));
        }
    }
    if let (Some(was), Some(is)) = (&before.time_zone, &after.time_zone) {
        if was != is {
            changes.push(format!("time zone {was} → {is}"));
        }
    }
    changes
}

/// Destroys the sealed copies of every learner password of the school.
async fn destroy_reveal_copies(tx: &mut Tx, school_id: &str) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "DELETE FROM learner_password_reveals WHERE account_id IN \
         (SELECT id FROM accounts WHERE school_id = $1)",
    )
    .bind(school_id)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Saves the form, made from the settings at `version`. A save from an
/// older version (another admin saved meanwhile) changes nothing and
/// answers 409, so nobody silently undoes someone else's change.
pub async fn save(
    state: &AppState,
    user: &SignedInUser,
    form: SchoolSettingsForm,
    version: i64,
    client: &str,
) -> Result<SettingsPageData, AppError> {
    if !user.can(Permission::SchoolSettings) {
        return Err(AppError::Forbidden);
    }
    if !MIN_LENGTH_RANGE.contains(&form.min_password_length) {
        return Err(AppError::invalid(
            "min_password_length",
            "The minimum password length is between 8 and 128 characters.",
        ));
    }
    if let Some(zone) = &form.time_zone {
        if !crate::school_time::is_choosable(zone) {
            return Err(AppError::invalid(
                "time_zone",
                "Choose a time zone from the list, such as Europe/London.",
            ));
        }
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let before = read(&mut *tx, &user.school_id).await?;
    if before.version != version {
        return Err(AppError::stale());
    }
    let form = SchoolSettingsForm {
        time_zone: form.time_zone.or_else(|| before.form.time_zone.clone()),
        ..form
    };
    sqlx::query(
        "UPDATE schools SET min_password_length = $1, require_digit = $2, \
         block_common_passwords = $3, learner_passwords_visible = $4, \
         learners_change_after_reset = $5, sms_enabled = $6, badges_enabled = $7, \
         time_zone = $8, row_version = row_version + 1 WHERE id = $9",
    )
    .bind(form.min_password_length as i64)
    .bind(form.require_digit)
    .bind(form.block_common_passwords)
    .bind(form.learner_passwords_visible)
    .bind(form.learners_change_after_reset)
    .bind(form.sms_enabled)
    .bind(form.badge_sign_in)
    .bind(&form.time_zone)
    .bind(&user.school_id)
    .execute(&mut *tx)
    .await?;
    let mut changes = describe_changes(&before.form, &form);
    if !form.learner_passwords_visible {
        let destroyed = destroy_reveal_copies(&mut tx, &user.school_id).await?;
        if destroyed > 0 {
            changes.push(format!("{destroyed} stored learner passwords destroyed"));
        }
    }
    if !changes.is_empty() {
        let event = AuditEvent::by(user, client)
            .on(&user.school_id, &before.school_name)
            .with_detail(changes.join("; "));
        audit(&mut *tx, AuditAction::SettingsChanged, event, now).await?;
    }
    tx.commit().await?;
    read(&state.db, &user.school_id).await
}

/// The operator's `admin add-sms-credits`: returns the school's name and
/// its credits afterwards. Audited.
pub async fn add_sms_credits(
    state: &AppState,
    school_code: &str,
    credits: i64,
) -> Result<(String, i64), AppError> {
    if !(1..=1_000_000).contains(&credits) {
        return Err(AppError::invalid(
            "credits",
            "Add between 1 and 1,000,000 credits at a time.",
        ));
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let school: Option<(String, String, i64)> = sqlx::query_as(
        "UPDATE schools SET sms_credits = sms_credits + $1 WHERE lower(code) = lower($2) \
         RETURNING id, name, sms_credits",
    )
    .bind(credits)
    .bind(school_code.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, name, total)) = school else {
        return Err(AppError::invalid(
            "school",
            format!("There is no school with the code {}.", school_code.trim()),
        ));
    };
    let event = AuditEvent {
        school_id: Some(id.clone()),
        actor_label: "operator".into(),
        target_id: Some(id),
        target_label: name.clone(),
        detail: format!("{credits} added, {total} now"),
        ..Default::default()
    };
    audit(&mut *tx, AuditAction::SmsCreditsAdded, event, now).await?;
    tx.commit().await?;
    Ok((name, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_described_in_words() {
        let before = SchoolSettingsForm {
            min_password_length: 8,
            require_digit: true,
            block_common_passwords: true,
            learner_passwords_visible: true,
            learners_change_after_reset: false,
            sms_enabled: false,
            badge_sign_in: false,
            time_zone: Some("UTC".into()),
        };
        let after = SchoolSettingsForm {
            min_password_length: 10,
            learner_passwords_visible: false,
            sms_enabled: true,
            time_zone: Some("Europe/London".into()),
            ..before.clone()
        };
        assert_eq!(
            describe_changes(&before, &after),
            [
                "minimum password length 8 → 10",
                "staff can see learner passwords off",
                "SMS on",
                "time zone UTC → Europe/London"
            ]
        );
        assert!(describe_changes(&before, &before).is_empty());
    }
}
