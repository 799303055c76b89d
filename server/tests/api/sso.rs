//! Single sign-on against a real OpenID Provider (panva's `oidc-provider`
//! on Node.js, `end2end/oidc/provider.mjs`): settings and discovery, the
//! code flow with PKCE, every refusal, linking by (issuer, subject), and
//! "Require single sign-on for staff" (DESIGN.md §3; issue #13).

use serde_json::json;

use app::error::AppError;

use crate::helpers::{
    app_error, new_client, spawn_app, spawn_app_configured, TestApp, World, PASSWORD,
};
use crate::oidc_provider::{location, TestProvider, CLIENT_ID, CLIENT_SECRET};

struct Sso {
    app: TestApp,
    world: World,
    idp: TestProvider,
    owner: reqwest::Client,
}

#[derive(Clone, Copy)]
struct Who {
    staff: bool,
    learners: bool,
    required: bool,
}

const STAFF: Who = Who {
    staff: true,
    learners: false,
    required: false,
};

fn settings(issuer: &str, who: Who) -> serde_json::Value {
    json!({
        "provider": "oidc",
        "issuer_url": issuer,
        "tenant_id": "",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domain": "oakwood.example",
        "staff_enabled": who.staff,
        "learners_enabled": who.learners,
        "require_for_staff": who.required,
    })
}

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    form: serde_json::Value,
    version: i64,
) -> reqwest::Response {
    app.call_json_as(
        client,
        "save_sso_settings",
        json!({ "settings": form, "version": version }),
    )
    .await
}

impl Sso {
    async fn new(who: Who) -> Sso {
        let app = spawn_app().await;
        let world = app.world().await;
        let idp = TestProvider::start().await;
        idp.register(&app.url).await;
        let owner = new_client();
        app.signed_in_as(&owner, "OAK", "admin", PASSWORD).await;
        let saved = save(&app, &owner, settings(&idp.issuer, who), 0).await;
        assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
        Sso {
            app,
            world,
            idp,
            owner,
        }
    }

    /// "Sign in with single sign-on" on `/login`: where the browser is sent.
    async fn start(&self, browser: &reqwest::Client) -> String {
        let response = browser
            .get(format!("{}/sso/start?school_code=OAK", self.app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let to = location(&response).to_string();
        assert!(to.starts_with(&self.idp.issuer), "{to}");
        to
    }

    /// The whole flow in `browser` as `sub`; the callback's answer.
    async fn sign_in(&self, browser: &reqwest::Client, sub: &str) -> reqwest::Response {
        let authorize = self.start(browser).await;
        let callback = self.idp.log_in(&authorize, sub).await;
        browser.get(callback).send().await.unwrap()
    }

    /// The whole flow as `sub` in a new browser, which is refused for
    /// `why` and signs nobody in.
    async fn refused(&self, sub: &str, why: &str) {
        let browser = new_client();
        assert_eq!(
            landed(&self.sign_in(&browser, sub).await),
            format!("/login?sso={why}"),
            "{sub}"
        );
        assert!(self.app.current_user_of(&browser).await.is_none(), "{sub}");
    }

    async fn count(&self, sql: &str, bind: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .bind(bind)
            .fetch_one(&self.app.state.db)
            .await
            .unwrap();
        n
    }

    async fn audited(&self, action: &str) -> i64 {
        self.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = $1",
            action,
        )
        .await
    }
}

fn teacher_claims(email: &str) -> serde_json::Value {
    json!({ "email": email, "email_verified": true, "name": "Tess Teacher" })
}

/// Where the callback sent the browser: "/" when signed in, else
/// "/login?sso=<why>".
fn landed(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303);
    location(response).to_string()
}

#[tokio::test]
async fn a_teacher_signs_in_through_the_provider_and_is_linked_by_subject() {
    let sso = Sso::new(STAFF).await;
    sso.idp
        .account("t-1", teacher_claims("Teacher@Oakwood.example"))
        .await;
    let browser = new_client();
    let answer = sso.sign_in(&browser, "t-1").await;
    assert_eq!(landed(&answer), "/");
    let user = sso.app.current_user_of(&browser).await.expect("signed in");
    assert_eq!(user.id, sso.world.oak_teacher);
    assert_eq!(
        sso.count(
            "SELECT COUNT(*) FROM sso_identities WHERE account_id = $1",
            &sso.world.oak_teacher
        )
        .await,
        1
    );
    assert_eq!(
        (
            sso.audited("sso_linked").await,
            sso.audited("sso_sign_in").await
        ),
        (1, 1)
    );

    // The email changes at the provider: the subject still signs in as
    // the same account, without linking again.
    sso.idp
        .account("t-1", teacher_claims("tess.renamed@oakwood.example"))
        .await;
    let again = new_client();
    assert_eq!(landed(&sso.sign_in(&again, "t-1").await), "/");
    assert_eq!(
        sso.app.current_user_of(&again).await.unwrap().id,
        sso.world.oak_teacher
    );
    assert_eq!(
        (
            sso.audited("sso_linked").await,
            sso.audited("sso_sign_in").await
        ),
        (1, 2)
    );

    // /users shows the link; "Unlink single sign-on" removes it (audited).
    let users = sso
        .app
        .call_json_as(
            &sso.owner,
            "list_users",
            json!({ "query": { "search": "teacher", "role": "", "status": "", "page": 1 } }),
        )
        .await;
    let users: serde_json::Value = users.json().await.unwrap();
    let teacher = users["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == sso.world.oak_teacher.as_str())
        .unwrap();
    assert_eq!(teacher["sso_linked"], true);
    let unlink = sso
        .app
        .call_as(
            &sso.owner,
            "unlink_single_sign_on",
            &[("account_id", &sso.world.oak_teacher)],
        )
        .await;
    assert_eq!(unlink.status(), 200);
    assert_eq!(sso.audited("sso_unlinked").await, 1);
    // Unlinking ends the account's sessions.
    assert!(sso.app.current_user_of(&again).await.is_none());
    // Unlinked, the renamed email matches no account: nothing re-links by
    // the old link.
    let after = new_client();
    assert_eq!(
        landed(&sso.sign_in(&after, "t-1").await),
        "/login?sso=no_account"
    );
    assert!(sso.app.current_user_of(&after).await.is_none());
}

#[tokio::test]
async fn spoiled_id_tokens_sign_nobody_in() {
    let sso = Sso::new(STAFF).await;
    sso.idp
        .account("t-1", teacher_claims("teacher@oakwood.example"))
        .await;
    for mode in ["audience", "issuer", "signature", "expired", "nonce"] {
        sso.idp.tamper(mode).await;
        let browser = new_client();
        let answer = sso.sign_in(&browser, "t-1").await;
        assert_eq!(landed(&answer), "/login?sso=invalid_token", "{mode}");
        assert!(sso.app.current_user_of(&browser).await.is_none(), "{mode}");
    }
    assert_eq!(sso.audited("sso_sign_in").await, 0);
    assert_eq!(
        sso.count(
            "SELECT COUNT(*) FROM sso_identities WHERE account_id <> $1",
            ""
        )
        .await,
        0
    );
    assert_eq!(
        sso.count("SELECT COUNT(*) FROM audit_events WHERE action = $1 AND detail LIKE 'single sign-on:%'", "sign_in_failed").await,
        5
    );
    // A clean token afterwards still works: nothing was left spoiled.
    let browser = new_client();
    assert_eq!(landed(&sso.sign_in(&browser, "t-1").await), "/");
}

#[tokio::test]
async fn a_callback_works_once_only_in_its_browser_and_for_ten_minutes() {
    let sso = Sso::new(STAFF).await;
    sso.idp
        .account("t-1", teacher_claims("teacher@oakwood.example"))
        .await;

    // Replayed: the state was used.
    let browser = new_client();
    let authorize = sso.start(&browser).await;
    let callback = sso.idp.log_in(&authorize, "t-1").await;
    assert_eq!(landed(&browser.get(&callback).send().await.unwrap()), "/");
    let replay = new_client();
    assert_eq!(
        landed(&replay.get(&callback).send().await.unwrap()),
        "/login?sso=expired"
    );
    assert!(sso.app.current_user_of(&replay).await.is_none());

    // Opened in another browser than the one that started it (a link sent
    // to someone else): refused, and the state is spent.
    let starter = new_client();
    let authorize = sso.start(&starter).await;
    let callback = sso.idp.log_in(&authorize, "t-1").await;
    let other = new_client();
    assert_eq!(
        landed(&other.get(&callback).send().await.unwrap()),
        "/login?sso=expired"
    );
    assert!(sso.app.current_user_of(&other).await.is_none());
    assert_eq!(
        landed(&starter.get(&callback).send().await.unwrap()),
        "/login?sso=expired"
    );

    // Older than ten minutes.
    let slow = new_client();
    let authorize = sso.start(&slow).await;
    let callback = sso.idp.log_in(&authorize, "t-1").await;
    sqlx::query("UPDATE sso_pending SET created_at = created_at - 601")
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    assert_eq!(
        landed(&slow.get(&callback).send().await.unwrap()),
        "/login?sso=expired"
    );
    assert!(sso.app.current_user_of(&slow).await.is_none());

    // A forged callback with no state at all.
    let forged = new_client();
    let answer = forged
        .get(format!("{}/sso/callback?code=abc", sso.app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(landed(&answer), "/login?sso=expired");
}

#[tokio::test]
async fn a_sign_in_cancelled_at_the_provider_says_so_in_words() {
    let sso = Sso::new(STAFF).await;
    let browser = new_client();
    let authorize = sso.start(&browser).await;
    let callback = sso.idp.cancel(&authorize).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    assert_eq!(
        landed(&browser.get(&callback).send().await.unwrap()),
        "/login?sso=cancelled"
    );
    assert!(sso.app.current_user_of(&browser).await.is_none());
}

#[tokio::test]
async fn a_code_issued_without_this_flows_pkce_challenge_is_refused() {
    let sso = Sso::new(STAFF).await;
    sso.idp
        .account("t-1", teacher_claims("teacher@oakwood.example"))
        .await;
    let browser = new_client();
    let authorize = sso.start(&browser).await;
    // The same request without PKCE (as an attacker injecting a code they
    // obtained elsewhere would have): ClassKeys sends its verifier with the
    // code and the provider refuses the exchange.
    let mut url = reqwest::Url::parse(&authorize).unwrap();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| !key.starts_with("code_challenge"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut().clear().extend_pairs(kept);
    let callback = sso.idp.log_in(url.as_str(), "t-1").await;
    assert_eq!(
        landed(&browser.get(&callback).send().await.unwrap()),
        "/login?sso=provider_error"
    );
    assert!(sso.app.current_user_of(&browser).await.is_none());
}

#[tokio::test]
async fn only_one_active_verified_account_in_the_schools_domain_is_linked() {
    let sso = Sso::new(Who {
        staff: true,
        learners: true,
        required: false,
    })
    .await;
    let refused = |sub: &'static str, claims: serde_json::Value, why: &'static str| {
        let sso = &sso;
        async move {
            sso.idp.account(sub, claims).await;
            sso.refused(sub, why).await;
        }
    };
    refused(
        "unverified",
        json!({ "email": "teacher@oakwood.example", "email_verified": false }),
        "no_account",
    )
    .await;
    refused(
        "no-email-verified-claim",
        json!({ "email": "teacher@oakwood.example" }),
        "no_account",
    )
    .await;
    // Riverside's teacher has this email in another domain.
    refused(
        "other-domain",
        teacher_claims("teacher@riverside.example"),
        "no_account",
    )
    .await;
    refused(
        "stranger",
        teacher_claims("nobody@oakwood.example"),
        "no_account",
    )
    .await;
    // A parent of the school is never signed in by single sign-on.
    sqlx::query("UPDATE accounts SET email = 'carer@oakwood.example' WHERE id = $1")
        .bind(&sso.world.oak_parent)
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    refused(
        "parent",
        teacher_claims("carer@oakwood.example"),
        "no_account",
    )
    .await;

    // Two accounts with the email: which one is meant is not known. The
    // platform keeps emails unique (`accounts_email_unique`), so this takes
    // a database that lost the rule (a manual fix, an old backup).
    sqlx::query("DROP INDEX accounts_email_unique")
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    for learner in [&sso.world.oak_learner, &sso.world.oak_learner2] {
        sqlx::query("UPDATE accounts SET email = 'twins@oakwood.example' WHERE id = $1")
            .bind(learner)
            .execute(&sso.app.state.db)
            .await
            .unwrap();
    }
    refused(
        "twins",
        teacher_claims("twins@oakwood.example"),
        "no_account",
    )
    .await;
    // One of them inactive: the other, active, one is linked (a learner
    // whose email came from the roster).
    sqlx::query("UPDATE accounts SET active = FALSE WHERE id = $1")
        .bind(&sso.world.oak_learner2)
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    let browser = new_client();
    sso.idp
        .account("twin-1", teacher_claims("twins@oakwood.example"))
        .await;
    assert_eq!(landed(&sso.sign_in(&browser, "twin-1").await), "/");
    assert_eq!(
        sso.app.current_user_of(&browser).await.unwrap().id,
        sso.world.oak_learner
    );

    // An inactive account is refused even when linked, and its link is kept.
    sqlx::query("UPDATE accounts SET active = FALSE WHERE id = $1")
        .bind(&sso.world.oak_learner)
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    refused(
        "twin-1",
        teacher_claims("twins@oakwood.example"),
        "inactive",
    )
    .await;
    assert_eq!(sso.audited("sso_sign_in").await, 1);
    assert_eq!(
        sso.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND detail LIKE 'single sign-on:%'",
            "sign_in_failed"
        )
        .await,
        7
    );
}

#[tokio::test]
async fn learners_sign_in_by_single_sign_on_only_when_the_school_allows_it() {
    let sso = Sso::new(STAFF).await;
    sqlx::query("UPDATE accounts SET email = 'amelia@oakwood.example' WHERE id = $1")
        .bind(&sso.world.oak_learner)
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    sso.idp
        .account("l-1", teacher_claims("amelia@oakwood.example"))
        .await;
    sso.refused("l-1", "not_enabled").await;
    assert_eq!(
        sso.count(
            "SELECT COUNT(*) FROM sso_identities WHERE account_id = $1",
            &sso.world.oak_learner
        )
        .await,
        0
    );
}

#[tokio::test]
async fn requiring_single_sign_on_refuses_staff_passwords_but_not_the_owners() {
    let sso = Sso::new(Who {
        staff: true,
        learners: false,
        required: true,
    })
    .await;
    let teacher = new_client();
    let refused = sso
        .app
        .sign_in_as(&teacher, "OAK", "teacher", PASSWORD)
        .await;
    assert_eq!(
        app_error(refused).await,
        (403, AppError::SingleSignOnRequired)
    );
    assert!(sso.app.current_user_of(&teacher).await.is_none());
    // A wrong password still says only that the details are wrong.
    let wrong = sso
        .app
        .sign_in_as(&new_client(), "OAK", "teacher", "not-it-123")
        .await;
    assert_eq!(app_error(wrong).await, (401, AppError::BadCredentials));
    // The owner always keeps a password; learners are not staff.
    sso.app
        .signed_in_as(&new_client(), "OAK", "admin", PASSWORD)
        .await;
    sso.app
        .signed_in_as(&new_client(), "OAK", "amelias", PASSWORD)
        .await;
    // Riverside does not require it.
    sso.app
        .signed_in_as(&new_client(), "RIV", "teacher", PASSWORD)
        .await;
    // The teacher gets in through the provider.
    sso.idp
        .account("t-1", teacher_claims("teacher@oakwood.example"))
        .await;
    assert_eq!(landed(&sso.sign_in(&teacher, "t-1").await), "/");
}

/// The reason a save was refused, as the settings form shows it.
async fn refusal(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body.to_string())
}

#[tokio::test]
async fn single_sign_on_never_reaches_private_network_addresses() {
    // A school's deployment: its public URL is not on this machine.
    let public = [("CLASSKEYS_PUBLIC_URL", "https://keys.oakwood.example")];
    let app = spawn_app_configured(false, &public).await;
    app.world().await;
    let idp = TestProvider::start().await;
    let owner = new_client();
    app.signed_in_as(&owner, "OAK", "admin", PASSWORD).await;
    // A provider on the server's own machine (the test provider, which
    // works for a server on loopback), a cloud metadata address, an
    // intranet address, and a name that resolves to the machine itself.
    let localhost = idp.issuer.replace("127.0.0.1", "localhost");
    for issuer in [
        idp.issuer.as_str(),
        "https://169.254.169.254/latest",
        "https://10.0.0.1",
        "https://[fd00::1]",
        localhost.as_str(),
    ] {
        let (status, body) = refusal(save(&app, &owner, settings(issuer, STAFF), 0).await).await;
        assert_eq!(status, 422, "{issuer}: {body}");
        assert!(
            body.contains("private or local network address"),
            "{issuer}: {body}"
        );
    }
    assert_eq!(count_rows(&app, "sso_settings").await, 0);

    // An operator whose identity provider is on the school's own network
    // allows private networks: this machine and the metadata service stay
    // out of reach. (That a private address is then reached is a unit test:
    // this machine has no provider on one.)
    let allowed = spawn_app_configured(
        false,
        &[public[0], ("CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS", "1")],
    )
    .await;
    allowed.world().await;
    let owner = new_client();
    allowed.signed_in_as(&owner, "OAK", "admin", PASSWORD).await;
    for issuer in [idp.issuer.as_str(), "https://169.254.169.254/latest"] {
        let (status, body) =
            refusal(save(&allowed, &owner, settings(issuer, STAFF), 0).await).await;
        assert_eq!(status, 422, "{issuer}: {body}");
        assert!(
            body.contains("private or local network address"),
            "{issuer}: {body}"
        );
    }
}

#[tokio::test]
async fn settings_are_checked_against_the_providers_discovery_before_saving() {
    let app = spawn_app().await;
    app.world().await;
    let idp = TestProvider::start().await;
    let owner = new_client();
    app.signed_in_as(&owner, "OAK", "admin", PASSWORD).await;

    // Nothing listens there.
    let (status, body) =
        refusal(save(&app, &owner, settings("http://127.0.0.1:9", STAFF), 0).await).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("could not be reached"), "{body}");
    // Something answers, but not with OpenID Connect metadata.
    let (status, body) = refusal(
        save(
            &app,
            &owner,
            settings(&format!("{}/nothing", app.url), STAFF),
            0,
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("not with valid OpenID Connect metadata"),
        "{body}"
    );
    // Plain http beyond this machine.
    let (status, body) =
        refusal(save(&app, &owner, settings("http://idp.example.com", STAFF), 0).await).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("https://"), "{body}");
    assert_eq!(count_rows(&app, "sso_settings").await, 0);

    // The real provider: saved, the secret sealed and never sent back or
    // written in the audit log.
    let saved = save(&app, &owner, settings(&idp.issuer, STAFF), 0).await;
    assert_eq!(saved.status(), 200);
    let text = saved.text().await.unwrap();
    assert!(!text.contains(CLIENT_SECRET), "{text}");
    let page: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["configured"], true);
    assert_eq!(page["redirect_url"], format!("{}/sso/callback", app.url));
    let (sealed,): (String,) = sqlx::query_as("SELECT secret_sealed FROM sso_settings")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(!sealed.contains(CLIENT_SECRET));
    let (detail,): (String,) =
        sqlx::query_as("SELECT detail FROM audit_events WHERE action = 'settings_changed'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(
        detail.contains("client secret replaced") && !detail.contains(CLIENT_SECRET),
        "{detail}"
    );

    // An empty secret keeps the saved one; a save from an old version is refused.
    let mut keep = settings(&idp.issuer, STAFF);
    keep["client_secret"] = json!("");
    keep["learners_enabled"] = json!(true);
    assert_eq!(save(&app, &owner, keep.clone(), 1).await.status(), 200);
    assert_eq!(save(&app, &owner, keep.clone(), 1).await.status(), 409);
    // The saved secret goes only to the client it was entered for: another
    // client ID (or issuer) needs it typed again.
    keep["client_id"] = json!("someone-elses-client");
    let (status, body) = refusal(save(&app, &owner, keep, 2).await).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("client secret again"), "{body}");
    let loaded = app.call_as(&owner, "sso_settings", &[]).await;
    let loaded: serde_json::Value = loaded.json().await.unwrap();
    assert_eq!(
        (
            loaded["form"]["client_secret"].as_str(),
            loaded["version"].as_i64()
        ),
        (Some(""), Some(2))
    );
}

async fn count_rows(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn only_full_admins_and_owners_manage_single_sign_on_of_their_own_school() {
    let sso = Sso::new(STAFF).await;
    let teacher = new_client();
    sso.app
        .signed_in_as(&teacher, "OAK", "teacher", PASSWORD)
        .await;
    assert_eq!(
        save(&sso.app, &teacher, settings(&sso.idp.issuer, STAFF), 1)
            .await
            .status(),
        403
    );
    assert_eq!(
        sso.app
            .call_as(&teacher, "sso_settings", &[])
            .await
            .status(),
        403
    );
    // "Test sign-in" is not for teachers either.
    let test = teacher
        .get(format!("{}/sso/test", sso.app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&test), "/login");

    // Riverside's owner cannot unlink Oakwood's teacher, nor see Oakwood's settings.
    sso.idp
        .account("t-1", teacher_claims("teacher@oakwood.example"))
        .await;
    assert_eq!(landed(&sso.sign_in(&new_client(), "t-1").await), "/");
    let riverside = new_client();
    sso.app
        .signed_in_as(&riverside, "RIV", "admin", PASSWORD)
        .await;
    let unlink = sso
        .app
        .call_as(
            &riverside,
            "unlink_single_sign_on",
            &[("account_id", &sso.world.oak_teacher)],
        )
        .await;
    assert_eq!(unlink.status(), 404);
    let theirs: serde_json::Value = sso
        .app
        .call_as(&riverside, "sso_settings", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["configured"], false);
    assert_eq!(
        sso.count(
            "SELECT COUNT(*) FROM sso_identities WHERE account_id = $1",
            &sso.world.oak_teacher
        )
        .await,
        1
    );

    // A school without single sign-on offers no button and starts nothing.
    let none: Option<serde_json::Value> = sso
        .app
        .call("sso_for_school", &[("school_code", "RIV")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none, None);
    let ours: Option<String> = sso
        .app
        .call("sso_for_school", &[("school_code", "oak")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ours.as_deref(), Some("oidc"));
    let start = new_client()
        .get(format!("{}/sso/start?school_code=RIV", sso.app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&start), "/login?sso=not_enabled");
}

#[tokio::test]
async fn test_sign_in_checks_the_provider_without_linking_or_signing_in() {
    let sso = Sso::new(STAFF).await;
    sso.idp
        .account("o-1", teacher_claims("owner@oakwood.example"))
        .await;
    let test = sso
        .owner
        .get(format!("{}/sso/test", sso.app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(test.status(), 303);
    let callback = sso.idp.log_in(location(&test), "o-1").await;
    let answer = sso.owner.get(callback).send().await.unwrap();
    assert_eq!(landed(&answer), "/settings?sso=test_ok");
    assert_eq!(
        sso.count(
            "SELECT COUNT(*) FROM sso_identities WHERE account_id <> $1",
            ""
        )
        .await,
        0
    );
    assert_eq!(sso.audited("sso_sign_in").await, 0);
    // Still the owner's own session.
    assert_eq!(
        sso.app.current_user_of(&sso.owner).await.unwrap().id,
        sso.world.oak_owner
    );
}

/// A full admin sets single sign-on up, so a provider they run could vouch
/// for the owner's email: the owner is never linked nor signed in by it,
/// even with a link made before this rule.
#[tokio::test]
async fn single_sign_on_never_signs_anyone_in_as_the_owner() {
    let sso = Sso::new(STAFF).await;
    let office = new_client();
    sso.app
        .signed_in_as(&office, "OAK", "office", PASSWORD)
        .await;
    let saved = save(&sso.app, &office, settings(&sso.idp.issuer, STAFF), 1).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    sso.idp
        .account("evil", teacher_claims("owner@oakwood.example"))
        .await;
    sso.refused("evil", "no_account").await;
    let owner_links = "SELECT COUNT(*) FROM sso_identities WHERE account_id = $1";
    assert_eq!(sso.count(owner_links, &sso.world.oak_owner).await, 0);

    sqlx::query(
        "INSERT INTO sso_identities (school_id, issuer, subject, account_id, linked_at) \
         VALUES ($1, $2, 'evil', $3, 0)",
    )
    .bind(&sso.world.oak)
    .bind(&sso.idp.issuer)
    .bind(&sso.world.oak_owner)
    .execute(&sso.app.state.db)
    .await
    .unwrap();
    sso.refused("evil", "no_account").await;
}

/// `rows` sign-ins waiting at the provider, started from `network` (`i` is
/// the row's number, for a network per row).
async fn pending_from(sso: &Sso, rows: i64, network: &str) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
         INSERT INTO sso_pending (state_hash, school_id, purpose, browser_hash, nonce, pkce_verifier, created_at, client_net) \
         SELECT 'h' || i || {network}, $1, 'sign_in', 'b', 'n', 'v', $2, {network} FROM n"
    )))
    .bind(&sso.world.oak)
    .bind(sso.app.state.clock.now())
    .execute(&sso.app.state.db)
    .await
    .unwrap();
}

/// Makes the waiting sign-in `state_hash` the oldest, and checks that a
/// start from here reaches the provider in its place.
async fn assert_start_replaces(sso: &Sso, state_hash: &str) {
    sqlx::query("UPDATE sso_pending SET created_at = created_at - 60 WHERE state_hash = $1")
        .bind(state_hash)
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    assert!(start_from_here(sso).await.starts_with(&sso.idp.issuer));
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sso_pending WHERE state_hash = $1")
        .bind(state_hash)
        .fetch_one(&sso.app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "{state_hash} made room");
}

async fn start_from_here(sso: &Sso) -> String {
    let start = new_client()
        .get(format!("{}/sso/start?school_code=OAK", sso.app.url))
        .send()
        .await
        .unwrap();
    location(&start).to_string()
}

#[tokio::test]
async fn anonymous_starts_cannot_fill_the_pending_table_or_block_a_school() {
    use app::sso::ssr::flow::{MAX_PENDING_PER_NETWORK, MAX_PENDING_PER_SCHOOL};
    let sso = Sso::new(STAFF).await;
    let waiting = "SELECT COUNT(*) FROM sso_pending WHERE school_id = $1";
    // One address that kept starting sign-ins has filled its share: the
    // school's own network still starts them; that address does not.
    pending_from(&sso, MAX_PENDING_PER_NETWORK, "'198.51.100.7'").await;
    assert!(start_from_here(&sso).await.starts_with(&sso.idp.issuer));
    pending_from(&sso, MAX_PENDING_PER_NETWORK - 1, "'127.0.0.1'").await;
    assert_eq!(start_from_here(&sso).await, "/login?sso=busy");
    assert_eq!(
        sso.count(waiting, &sso.world.oak).await,
        2 * MAX_PENDING_PER_NETWORK
    );

    // Many networks together fill the school's table: a start from the
    // school's own network still goes to the provider, in the place of the
    // oldest sign-in of a network holding the most; the table stays full.
    sqlx::query("DELETE FROM sso_pending")
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    pending_from(&sso, MAX_PENDING_PER_NETWORK, "'10.0.0.1'").await;
    let others = MAX_PENDING_PER_SCHOOL - MAX_PENDING_PER_NETWORK - 1;
    pending_from(&sso, others, "'10.1.' || (i % 10) || '.1'").await;
    pending_from(&sso, 1, "'127.0.0.1'").await;
    assert_start_replaces(&sso, "h110.0.0.1").await;
    assert_eq!(
        sso.count(waiting, &sso.world.oak).await,
        MAX_PENDING_PER_SCHOOL
    );
    let ours = "SELECT COUNT(*) FROM sso_pending WHERE school_id = $1 AND client_net = '127.0.0.1'";
    assert_eq!(sso.count(ours, &sso.world.oak).await, 2);
    // Many small networks fill it, each holding fewer than the school's
    // own: a start takes the place of the oldest sign-in of all.
    sqlx::query("DELETE FROM sso_pending")
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    pending_from(&sso, 30, "'127.0.0.1'").await;
    let others = MAX_PENDING_PER_SCHOOL - 30;
    pending_from(&sso, others, "'10.2.' || (i % 1000) || '.1'").await;
    assert_start_replaces(&sso, "h110.2.1.1").await;
    assert_eq!(sso.count(ours, &sso.world.oak).await, 31);
    // Over the limit (parallel starts), the table shrinks back to it.
    pending_from(&sso, 5, "'10.3.' || i || '.1'").await;
    assert!(start_from_here(&sso).await.starts_with(&sso.idp.issuer));
    assert_eq!(
        sso.count(waiting, &sso.world.oak).await,
        MAX_PENDING_PER_SCHOOL
    );

    // A network holding its whole share still waits.
    let ours_gone = "DELETE FROM sso_pending WHERE client_net = '127.0.0.1'";
    sqlx::query(ours_gone)
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    pending_from(&sso, MAX_PENDING_PER_NETWORK, "'127.0.0.1'").await;
    assert_eq!(start_from_here(&sso).await, "/login?sso=busy");
    // Ten minutes on, the old ones are gone and sign-ins start again.
    sqlx::query("UPDATE sso_pending SET created_at = created_at - 601")
        .execute(&sso.app.state.db)
        .await
        .unwrap();
    sso.start(&new_client()).await;
    assert_eq!(sso.count(waiting, &sso.world.oak).await, 1);
}

#[test]
fn a_pending_sign_in_counts_against_its_address_or_its_ipv6_site() {
    use app::sso::ssr::flow::pending_network;
    assert_eq!(
        pending_network("203.0.113.9".parse().unwrap()),
        "203.0.113.9"
    );
    assert_eq!(
        pending_network("::ffff:203.0.113.9".parse().unwrap()),
        "203.0.113.9"
    );
    assert_eq!(
        pending_network("2001:db8:1234:5678::1".parse().unwrap()),
        "2001:db8:1234::/48"
    );
}
