//! A school's single sign-on settings: read for the settings page (never
//! the secret), checked and saved (discovery fetched first), and loaded
//! with the secret opened for a sign-in.

use secrecy::SecretString;

use super::provider::issuer_allowed;
use crate::audit::ssr::{record as audit, AuditEvent};
use crate::audit::AuditAction;
use crate::auth::permissions::Permission;
use crate::auth::SignedInUser;
use crate::db::{begin_write, Db};
use crate::error::AppError;
use crate::passwords::sealing::{Sealed, SealedFor};
use crate::sso::{Provider, SsoSettingsForm, SsoSettingsPage, CALLBACK_PATH, GOOGLE_ISSUER};
use crate::state::AppState;

const MAX_CLIENT_ID_CHARS: usize = 255;
const MAX_SECRET_CHARS: usize = 1024;

/// A school's settings as a sign-in uses them, the secret opened.
pub struct SchoolSso {
    pub school_id: String,
    pub provider: Provider,
    pub issuer_url: String,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub allowed_domain: String,
    pub staff_enabled: bool,
    pub learners_enabled: bool,
    pub require_for_staff: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    school_id: String,
    provider: String,
    issuer_url: String,
    tenant_id: String,
    client_id: String,
    secret_key_id: String,
    secret_sealed: String,
    allowed_domain: String,
    staff_enabled: bool,
    learners_enabled: bool,
    require_for_staff: bool,
    row_version: i64,
}

const SELECT: &str = "SELECT school_id, provider, issuer_url, tenant_id, client_id, secret_key_id, \
     secret_sealed, allowed_domain, staff_enabled, learners_enabled, require_for_staff, row_version \
     FROM sso_settings";

async fn row<'e, E>(executor: E, school_id: &str) -> Result<Option<Row>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE school_id = $1"
    )))
    .bind(school_id)
    .fetch_optional(executor)
    .await?)
}

impl Row {
    fn form(&self) -> SsoSettingsForm {
        SsoSettingsForm {
            provider: Provider::parse(&self.provider).unwrap_or(Provider::Oidc),
            issuer_url: self.issuer_url.clone(),
            tenant_id: self.tenant_id.clone(),
            client_id: self.client_id.clone(),
            client_secret: String::new(),
            allowed_domain: self.allowed_domain.clone(),
            staff_enabled: self.staff_enabled,
            learners_enabled: self.learners_enabled,
            require_for_staff: self.require_for_staff,
        }
    }
}

pub fn redirect_url(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.public_url)
}

pub async fn load(state: &AppState, user: &SignedInUser) -> Result<SsoSettingsPage, AppError> {
    if !user.can(Permission::SchoolSettings) {
        return Err(AppError::Forbidden);
    }
    let saved = row(&state.db, &user.school_id).await?;
    Ok(SsoSettingsPage {
        form: saved
            .as_ref()
            .map(Row::form)
            .unwrap_or_else(|| SsoSettingsForm {
                issuer_url: GOOGLE_ISSUER.into(),
                ..Default::default()
            }),
        configured: saved.is_some(),
        redirect_url: redirect_url(state),
        version: saved.map_or(0, |saved| saved.row_version),
    })
}

/// The school's settings with the secret opened, for a sign-in.
pub async fn for_school(state: &AppState, school_id: &str) -> Result<Option<SchoolSso>, AppError> {
    let Some(row) = row(&state.db, school_id).await? else {
        return Ok(None);
    };
    let secret = state
        .sealer
        .open(
            &Sealed {
                key_id: row.secret_key_id.clone(),
                sealed: row.secret_sealed.clone(),
            },
            &SealedFor::SsoClientSecret {
                school_id: &row.school_id,
            },
        )
        .map_err(|error| {
            tracing::error!(%error, school = %row.school_id, "single sign-on secret cannot be opened");
            AppError::Internal
        })?;
    Ok(Some(SchoolSso {
        provider: Provider::parse(&row.provider).unwrap_or(Provider::Oidc),
        school_id: row.school_id,
        issuer_url: row.issuer_url,
        tenant_id: row.tenant_id,
        client_id: row.client_id,
        client_secret: secret,
        allowed_domain: row.allowed_domain,
        staff_enabled: row.staff_enabled,
        learners_enabled: row.learners_enabled,
        require_for_staff: row.require_for_staff,
    }))
}

/// The provider whose button `/login` shows for a school code, when anyone
/// of that school may sign in with it.
pub async fn login_option(db: &Db, school_code: &str) -> Result<Option<Provider>, AppError> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT o.provider FROM sso_settings o JOIN schools s ON s.id = o.school_id \
         WHERE lower(s.code) = lower($1) AND (o.staff_enabled OR o.learners_enabled)",
    )
    .bind(school_code.trim())
    .fetch_optional(db)
    .await?;
    Ok(found.and_then(|(provider,)| Provider::parse(&provider)))
}

/// The id of the school with this code, if any.
pub async fn school_id_of(db: &Db, school_code: &str) -> Result<Option<String>, AppError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM schools WHERE lower(code) = lower($1)")
            .bind(school_code.trim())
            .fetch_optional(db)
            .await?;
    Ok(found.map(|(id,)| id))
}

/// Whether the school refuses staff passwords (the owner's still work).
pub async fn staff_must_use_sso(db: &Db, school_id: &str) -> Result<bool, AppError> {
    let found: Option<(bool,)> = sqlx::query_as(
        "SELECT require_for_staff FROM sso_settings WHERE school_id = $1 AND staff_enabled",
    )
    .bind(school_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some_and(|(required,)| required))
}

/// The form made tidy and checked; the issuer URL to use.
fn checked(form: &mut SsoSettingsForm, secret_saved: bool) -> Result<String, AppError> {
    form.client_id = form.client_id.trim().to_string();
    form.tenant_id = form.tenant_id.trim().to_string();
    form.allowed_domain = form
        .allowed_domain
        .trim()
        .trim_start_matches('@')
        .to_ascii_lowercase();
    let issuer = match form.provider {
        Provider::Google => GOOGLE_ISSUER.to_string(),
        Provider::Microsoft => {
            // A tenant's id is a GUID, which is also what its tokens' `tid`
            // says; never a shared endpoint such as "common".
            if !is_guid(&form.tenant_id) {
                return Err(AppError::invalid(
                    "tenant_id",
                    "Enter your school's Microsoft tenant ID (a GUID from Microsoft Entra, not \"common\").",
                ));
            }
            Provider::microsoft_issuer(&form.tenant_id)
        }
        Provider::Oidc => {
            let url = issuer_allowed(&form.issuer_url)
                .map_err(|message| AppError::invalid("issuer_url", message))?;
            // Google's and Microsoft's issuers need their own checks (`hd`,
            // the tenant): under "Other" a personal account would match.
            match url.host_str() {
                Some("accounts.google.com") => {
                    return Err(AppError::invalid(
                        "issuer_url",
                        "That is Google's issuer: choose Google as the provider.",
                    ))
                }
                Some(host) if host.ends_with("microsoftonline.com") => {
                    return Err(AppError::invalid(
                        "issuer_url",
                        "That is Microsoft's issuer: choose Microsoft as the provider and enter the tenant ID.",
                    ))
                }
                _ => {}
            }
            form.issuer_url.trim().to_string()
        }
    };
    form.issuer_url = issuer.clone();
    if form.client_id.is_empty() || form.client_id.chars().count() > MAX_CLIENT_ID_CHARS {
        return Err(AppError::invalid(
            "client_id",
            "Enter the client ID your provider gave ClassKeys.",
        ));
    }
    let secret = form.client_secret.trim();
    if secret.is_empty() && !secret_saved {
        return Err(AppError::invalid(
            "client_secret",
            "Enter the client secret your provider gave ClassKeys.",
        ));
    }
    if secret.chars().count() > MAX_SECRET_CHARS {
        return Err(AppError::invalid(
            "client_secret",
            "That client secret is too long (at most 1,024 characters).",
        ));
    }
    let domain_ok = form.allowed_domain.contains('.')
        && form.allowed_domain.len() <= 253
        && form.allowed_domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !domain_ok {
        return Err(AppError::invalid(
            "allowed_domain",
            "Enter your school's email domain, e.g. oakwood.sch.uk.",
        ));
    }
    if form.require_for_staff && !form.staff_enabled {
        return Err(AppError::invalid(
            "require_for_staff",
            "Single sign-on can only be required for staff once staff may sign in with it.",
        ));
    }
    Ok(issuer)
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// What changed, in words; never the secret itself.
fn describe(before: Option<&SsoSettingsForm>, after: &SsoSettingsForm, new_secret: bool) -> String {
    let on_off = |on: bool| if on { "on" } else { "off" };
    let mut changes = vec![];
    if before.is_none() {
        changes.push("single sign-on set up".to_string());
    }
    let before = before.cloned().unwrap_or_default();
    if before.provider != after.provider {
        changes.push(format!("provider {}", after.provider.label()));
    }
    if before.issuer_url != after.issuer_url {
        changes.push(format!("issuer {}", after.issuer_url));
    }
    if before.client_id != after.client_id {
        changes.push(format!("client ID {}", after.client_id));
    }
    if new_secret {
        changes.push("client secret replaced".into());
    }
    if before.allowed_domain != after.allowed_domain {
        changes.push(format!("allowed domain {}", after.allowed_domain));
    }
    for (label, was, is) in [
        (
            "staff single sign-on",
            before.staff_enabled,
            after.staff_enabled,
        ),
        (
            "learner single sign-on",
            before.learners_enabled,
            after.learners_enabled,
        ),
        (
            "single sign-on required for staff",
            before.require_for_staff,
            after.require_for_staff,
        ),
    ] {
        if was != is {
            changes.push(format!("{label} {}", on_off(is)));
        }
    }
    changes.join("; ")
}

/// Checks the form, fetches the provider's metadata (a clear message when
/// it cannot be reached or is not OpenID Connect), then saves. A save made
/// from an older version than the one saved answers 409.
pub async fn save(
    state: &AppState,
    user: &SignedInUser,
    mut form: SsoSettingsForm,
    version: i64,
    client: &str,
) -> Result<SsoSettingsPage, AppError> {
    if !user.can(Permission::SchoolSettings) {
        return Err(AppError::Forbidden);
    }
    let saved = row(&state.db, &user.school_id).await?;
    let issuer = checked(&mut form, saved.is_some())?;
    // Outside the write lock: a slow provider holds nobody up.
    let metadata = state
        .sso
        .metadata(&issuer, true)
        .await
        .map_err(|error| AppError::invalid("issuer_url", error.to_string()))?;
    if metadata.token_endpoint().is_none() {
        return Err(AppError::invalid(
            "issuer_url",
            "The issuer's metadata has no token endpoint, so ClassKeys cannot use it for sign-in.",
        ));
    }

    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let before = row(&mut *tx, &user.school_id).await?;
    if before.as_ref().map_or(0, |before| before.row_version) != version {
        return Err(AppError::stale());
    }
    let new_secret = !form.client_secret.trim().is_empty();
    // The saved secret goes only to the provider it was entered for: a
    // new issuer or client needs it typed again.
    let same_client = before.as_ref().is_some_and(|before| {
        before.provider == form.provider.as_str()
            && before.issuer_url == issuer
            && before.client_id == form.client_id
    });
    if !new_secret && !same_client {
        return Err(AppError::invalid(
            "client_secret",
            "Enter the client secret again: the provider or client ID changed.",
        ));
    }
    let sealed = match (&before, new_secret) {
        (Some(before), false) => Sealed {
            key_id: before.secret_key_id.clone(),
            sealed: before.secret_sealed.clone(),
        },
        _ => state.sealer.seal(
            form.client_secret.trim(),
            &SealedFor::SsoClientSecret {
                school_id: &user.school_id,
            },
        ),
    };
    sqlx::query(
        "INSERT INTO sso_settings (school_id, provider, issuer_url, tenant_id, client_id, \
         secret_key_id, secret_sealed, allowed_domain, staff_enabled, learners_enabled, \
         require_for_staff, row_version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12) \
         ON CONFLICT (school_id) DO UPDATE SET provider = excluded.provider, \
         issuer_url = excluded.issuer_url, tenant_id = excluded.tenant_id, \
         client_id = excluded.client_id, secret_key_id = excluded.secret_key_id, \
         secret_sealed = excluded.secret_sealed, allowed_domain = excluded.allowed_domain, \
         staff_enabled = excluded.staff_enabled, learners_enabled = excluded.learners_enabled, \
         require_for_staff = excluded.require_for_staff, \
         row_version = sso_settings.row_version + 1, updated_at = excluded.updated_at",
    )
    .bind(&user.school_id)
    .bind(form.provider.as_str())
    .bind(&issuer)
    .bind(if form.provider == Provider::Microsoft {
        form.tenant_id.as_str()
    } else {
        ""
    })
    .bind(&form.client_id)
    .bind(&sealed.key_id)
    .bind(&sealed.sealed)
    .bind(&form.allowed_domain)
    .bind(form.staff_enabled)
    .bind(form.learners_enabled)
    .bind(form.require_for_staff)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let detail = describe(before.as_ref().map(Row::form).as_ref(), &form, new_secret);
    if !detail.is_empty() {
        let event = AuditEvent::by(user, client)
            .on(&user.school_id, &user.school_name)
            .with_detail(detail);
        audit(&mut *tx, AuditAction::SettingsChanged, event, now).await?;
    }
    tx.commit().await?;
    load(state, user).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SsoSettingsForm {
        SsoSettingsForm {
            provider: Provider::Oidc,
            issuer_url: " http://127.0.0.1:4000 ".into(),
            client_id: " classkeys ".into(),
            client_secret: "s3cret".into(),
            allowed_domain: " @Oakwood.SCH.uk ".into(),
            staff_enabled: true,
            ..Default::default()
        }
    }

    #[test]
    fn the_form_is_tidied_and_the_issuer_chosen_by_provider() {
        let mut oidc = form();
        assert_eq!(checked(&mut oidc, false).unwrap(), "http://127.0.0.1:4000");
        assert_eq!(
            (oidc.client_id.as_str(), oidc.allowed_domain.as_str()),
            ("classkeys", "oakwood.sch.uk")
        );

        let mut google = SsoSettingsForm {
            provider: Provider::Google,
            issuer_url: "https://evil.example".into(),
            ..form()
        };
        assert_eq!(checked(&mut google, false).unwrap(), GOOGLE_ISSUER);

        let mut microsoft = SsoSettingsForm {
            provider: Provider::Microsoft,
            tenant_id: "9188040d-6c67-4c5b-b112-36a304b66dad".into(),
            ..form()
        };
        assert_eq!(
            checked(&mut microsoft, false).unwrap(),
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
        );
    }

    #[test]
    fn wrong_settings_name_their_field() {
        let field_of = |mut form: SsoSettingsForm, saved: bool| match checked(&mut form, saved) {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        // Google's or Microsoft's issuer under "Other" would skip their
        // domain checks; a tenant is a GUID, not a domain name.
        for issuer in [
            "https://accounts.google.com",
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        ] {
            let form = SsoSettingsForm {
                issuer_url: issuer.into(),
                ..form()
            };
            assert_eq!(field_of(form, false), "issuer_url", "{issuer}");
        }
        let by_name = SsoSettingsForm {
            provider: Provider::Microsoft,
            tenant_id: "contoso.onmicrosoft.com".into(),
            ..form()
        };
        assert_eq!(field_of(by_name, false), "tenant_id");
        assert_eq!(
            field_of(
                SsoSettingsForm {
                    issuer_url: "http://idp.example.com".into(),
                    ..form()
                },
                false
            ),
            "issuer_url"
        );
        assert_eq!(
            field_of(
                SsoSettingsForm {
                    provider: Provider::Microsoft,
                    tenant_id: "common".into(),
                    ..form()
                },
                false
            ),
            "tenant_id"
        );
        assert_eq!(
            field_of(
                SsoSettingsForm {
                    client_id: " ".into(),
                    ..form()
                },
                false
            ),
            "client_id"
        );
        assert_eq!(
            field_of(
                SsoSettingsForm {
                    client_secret: "".into(),
                    ..form()
                },
                false
            ),
            "client_secret"
        );
        assert_eq!(
            field_of(
                SsoSettingsForm {
                    allowed_domain: "oakwood".into(),
                    ..form()
                },
                false
            ),
            "allowed_domain"
        );
        assert_eq!(
            field_of(
                SsoSettingsForm {
                    staff_enabled: false,
                    require_for_staff: true,
                    ..form()
                },
                false
            ),
            "require_for_staff"
        );
        // An empty secret keeps the saved one.
        let mut keep = SsoSettingsForm {
            client_secret: "".into(),
            ..form()
        };
        assert!(checked(&mut keep, true).is_ok());
    }

    #[test]
    fn the_audit_detail_never_holds_the_secret() {
        let detail = describe(None, &form(), true);
        assert!(detail.contains("client secret replaced"), "{detail}");
        assert!(!detail.contains("s3cret"), "{detail}");
    }
}
