//! Which account an identity at the provider signs in as: the one linked
//! to its (issuer, subject), or, on its first sign-in only, the one active
//! account of the school with its verified email in the school's domain.
//! Nothing re-links later by email; nothing creates accounts.

use super::settings::SchoolSso;
use crate::auth::ssr::accounts::{self, AccountRecord};
use crate::auth::Role;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::sso::Provider;

/// What the provider vouched for, read from a verified ID token.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    /// Google's hosted domain (`hd`): the Workspace the account belongs to.
    pub hosted_domain: Option<String>,
    /// Microsoft's tenant (`tid`).
    pub tenant: Option<String>,
}

/// Why an identity signs nobody in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoMatch {
    /// No account, several, an unverified email, another domain.
    NoAccount,
    /// The account is inactive.
    Inactive,
    /// Single sign-on is off for this kind of account.
    NotEnabled,
    /// The identity is the owner's, who signs in with a password only (see
    /// [`enabled_for`]). Told apart only for "Test sign-in" and the audit
    /// log: whoever signs in is told "no account", as for a stranger.
    Owner,
}

impl NoMatch {
    pub fn code(self) -> &'static str {
        match self {
            NoMatch::NoAccount => "no_account",
            NoMatch::Inactive => "inactive",
            NoMatch::NotEnabled => "not_enabled",
            NoMatch::Owner => "no_account",
        }
    }
}

/// The account an identity signs in as, and whether this sign-in links it.
pub struct Matched {
    pub account: AccountRecord,
    pub newly_linked: bool,
}

/// The account linked to this identity in the school, if any.
async fn linked(
    db: &Db,
    school_id: &str,
    identity: &Identity,
) -> Result<Option<AccountRecord>, AppError> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT account_id FROM sso_identities WHERE school_id = $1 AND issuer = $2 AND subject = $3",
    )
    .bind(school_id)
    .bind(&identity.issuer)
    .bind(&identity.subject)
    .fetch_optional(db)
    .await?;
    match found {
        Some((account_id,)) => Ok(accounts::by_id(db, &account_id).await?),
        None => Ok(None),
    }
}

/// Whether the token's own claims put the identity in the school's
/// domain: the email's domain, and Google's `hd` or Microsoft's tenant.
fn in_school_domain(school: &SchoolSso, identity: &Identity) -> bool {
    let Some(email) = &identity.email else {
        return false;
    };
    let email_domain_ok = email
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(&school.allowed_domain));
    let provider_ok = match school.provider {
        Provider::Google => identity
            .hosted_domain
            .as_deref()
            .is_some_and(|hd| hd.eq_ignore_ascii_case(&school.allowed_domain)),
        Provider::Microsoft => identity
            .tenant
            .as_deref()
            .is_some_and(|tid| tid.eq_ignore_ascii_case(&school.tenant_id)),
        Provider::Oidc => true,
    };
    email_domain_ok && provider_ok
}

/// The one active staff, learner or owner account of the school with this
/// email (the owner's is then refused: see [`enabled_for`]).
async fn only_account_with_email(
    db: &Db,
    school_id: &str,
    email: &str,
) -> Result<Option<AccountRecord>, AppError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE school_id = $1 AND lower(email) = lower($2) \
         AND active AND role IN ('owner', 'staff', 'learner') LIMIT 2",
    )
    .bind(school_id)
    .bind(email)
    .fetch_all(db)
    .await?;
    match ids.as_slice() {
        [(id,)] => Ok(accounts::by_id(db, id).await?),
        _ => Ok(None),
    }
}

/// Whether the school lets this kind of account use single sign-on. The
/// owner always signs in with their password: a full admin sets up single
/// sign-on (provider, issuer, domain), and a provider they run could
/// otherwise vouch for the owner's email and sign them in as the owner,
/// whose account a full admin may never use (DESIGN.md §2).
fn enabled_for(school: &SchoolSso, account: &AccountRecord) -> bool {
    match account.role() {
        Role::Staff => school.staff_enabled,
        Role::Learner => school.learners_enabled,
        Role::Owner | Role::Parent => false,
    }
}

/// Finds the account `identity` signs in as. Nothing is written: the
/// caller links it (see [`link`]) in the transaction that signs it in.
pub async fn match_account(
    db: &Db,
    school: &SchoolSso,
    identity: &Identity,
) -> Result<Result<Matched, NoMatch>, AppError> {
    let (account, newly_linked) = match linked(db, &school.school_id, identity).await? {
        Some(account) => (account, false),
        None => {
            if !identity.email_verified || !in_school_domain(school, identity) {
                return Ok(Err(NoMatch::NoAccount));
            }
            let email = identity.email.as_deref().unwrap_or_default();
            let Some(account) = only_account_with_email(db, &school.school_id, email).await? else {
                return Ok(Err(NoMatch::NoAccount));
            };
            if is_linked(db, &account.id).await? {
                // Linked to another identity: never re-linked by email.
                return Ok(Err(NoMatch::NoAccount));
            }
            (account, true)
        }
    };
    if account.school_id != school.school_id || account.role() == Role::Parent {
        return Ok(Err(NoMatch::NoAccount));
    }
    if account.role() == Role::Owner {
        // Neither linked nor signed in, even by a link made before this rule.
        return Ok(Err(NoMatch::Owner));
    }
    if !account.active {
        return Ok(Err(NoMatch::Inactive));
    }
    if !enabled_for(school, &account) {
        return Ok(Err(NoMatch::NotEnabled));
    }
    Ok(Ok(Matched {
        account,
        newly_linked,
    }))
}

async fn is_linked(db: &Db, account_id: &str) -> Result<bool, AppError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT account_id FROM sso_identities WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Links `identity` to `account`. False when another sign-in linked
/// either of them meanwhile (nothing is changed then).
pub async fn link(
    tx: &mut Tx,
    school_id: &str,
    identity: &Identity,
    account_id: &str,
    now: i64,
) -> Result<bool, AppError> {
    let inserted = sqlx::query(
        "INSERT INTO sso_identities (school_id, issuer, subject, account_id, linked_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(school_id)
    .bind(&identity.issuer)
    .bind(&identity.subject)
    .bind(account_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Removes the link of an account; false when it had none.
pub async fn unlink(tx: &mut Tx, account_id: &str) -> Result<bool, AppError> {
    let removed = sqlx::query("DELETE FROM sso_identities WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(removed.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn school(provider: Provider) -> SchoolSso {
        SchoolSso {
            school_id: "s".into(),
            provider,
            issuer_url: String::new(),
            tenant_id: "9188040d-6c67-4c5b-b112-36a304b66dad".into(),
            client_id: "c".into(),
            client_secret: SecretString::from("x"),
            allowed_domain: "oakwood.sch.uk".into(),
            staff_enabled: true,
            learners_enabled: true,
            require_for_staff: false,
        }
    }

    fn identity(email: &str, hd: Option<&str>, tid: Option<&str>) -> Identity {
        Identity {
            issuer: "i".into(),
            subject: "s".into(),
            email: Some(email.into()),
            email_verified: true,
            hosted_domain: hd.map(Into::into),
            tenant: tid.map(Into::into),
        }
    }

    #[test]
    fn google_needs_the_hosted_domain_claim_not_just_the_email() {
        let google = school(Provider::Google);
        assert!(in_school_domain(
            &google,
            &identity("a@oakwood.sch.uk", Some("oakwood.sch.uk"), None)
        ));
        // A consumer Google account with an address at the school's domain
        // has no `hd`: not the school's Workspace.
        assert!(!in_school_domain(
            &google,
            &identity("a@oakwood.sch.uk", None, None)
        ));
        assert!(!in_school_domain(
            &google,
            &identity("a@oakwood.sch.uk", Some("other.org"), None)
        ));
        assert!(!in_school_domain(
            &google,
            &identity("a@gmail.com", Some("oakwood.sch.uk"), None)
        ));
    }

    #[test]
    fn microsoft_needs_the_schools_tenant() {
        let microsoft = school(Provider::Microsoft);
        let tenant = Some("9188040d-6c67-4c5b-b112-36a304b66dad");
        assert!(in_school_domain(
            &microsoft,
            &identity("a@Oakwood.sch.uk", None, tenant)
        ));
        assert!(!in_school_domain(
            &microsoft,
            &identity(
                "a@oakwood.sch.uk",
                None,
                Some("00000000-0000-0000-0000-000000000000")
            )
        ));
        assert!(!in_school_domain(
            &microsoft,
            &identity("a@oakwood.sch.uk", None, None)
        ));
    }

    #[test]
    fn other_providers_need_the_email_domain_exactly() {
        let oidc = school(Provider::Oidc);
        assert!(in_school_domain(
            &oidc,
            &identity("a@oakwood.sch.uk", None, None)
        ));
        assert!(!in_school_domain(
            &oidc,
            &identity("a@evil-oakwood.sch.uk", None, None)
        ));
        assert!(!in_school_domain(
            &oidc,
            &identity("a@oakwood.sch.uk.evil.com", None, None)
        ));
        assert!(!in_school_domain(
            &oidc,
            &identity("oakwood.sch.uk", None, None)
        ));
    }
}
