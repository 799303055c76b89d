//! QR badges and login cards (DESIGN.md §3; issue #14): a badge's life
//! (created, signs in, voided, refused for an inactive learner, with badges
//! off, never for staff), only its hash at rest, the audit rows, and who
//! may print a class's cards.

use app::badges::ssr::token_hash;
use app::badges::LoginCards;
use app::error::AppError;

use crate::helpers::{app_error, new_client, spawn_app, TestApp, World, PASSWORD};

struct Fixture {
    app: TestApp,
    world: World,
    hazel: String,
    teacher: reqwest::Client,
}

async fn fixture(badges_on: bool) -> Fixture {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = app
        .class(
            &world.oak,
            "Year 3 Hazel",
            &[&world.oak_teacher],
            &[&world.oak_learner, &world.oak_learner2],
        )
        .await;
    sqlx::query("UPDATE schools SET badges_enabled = $1 WHERE id = $2")
        .bind(badges_on)
        .bind(&world.oak)
        .execute(&app.state.db)
        .await
        .unwrap();
    let teacher = new_client();
    app.signed_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    Fixture {
        app,
        world,
        hazel,
        teacher,
    }
}

impl Fixture {
    async fn cards_as(
        &self,
        client: &reqwest::Client,
        class_id: Option<&str>,
    ) -> reqwest::Response {
        let form: Vec<(&str, &str)> = class_id.map(|id| ("class_id", id)).into_iter().collect();
        self.app.call_as(client, "login_cards", &form).await
    }

    async fn cards(&self) -> LoginCards {
        let response = self.cards_as(&self.teacher, Some(&self.hazel)).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The token in each learner's badge URL, by username.
    async fn tokens(&self) -> Vec<(String, String)> {
        self.cards()
            .await
            .cards
            .into_iter()
            .filter_map(|card| {
                let url = card.badge_url?;
                Some((card.username, url.split_once('#').unwrap().1.to_string()))
            })
            .collect()
    }

    async fn create(&self) -> reqwest::Response {
        self.app
            .call_as(&self.teacher, "create_badges", &[("class_id", &self.hazel)])
            .await
    }

    async fn sign_in(&self, browser: &reqwest::Client, token: &str) -> reqwest::Response {
        self.app
            .call_as(browser, "badge_sign_in", &[("token", token)])
            .await
    }

    async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.app.state.db)
            .await
            .unwrap();
        n
    }
}

#[tokio::test]
async fn a_badge_signs_its_learner_in_until_it_is_voided() {
    let f = fixture(true).await;
    assert_eq!(f.create().await.json::<u64>().await.unwrap(), 2);
    // Created again: nobody is without one.
    assert_eq!(f.create().await.json::<u64>().await.unwrap(), 0);
    let tokens = f.tokens().await;
    assert_eq!(tokens.len(), 2);
    let (username, token) = tokens.iter().find(|(u, _)| u == "amelias").unwrap().clone();
    assert_eq!(token.len(), 43, "256 bits, URL-safe base64");
    let url = f
        .cards()
        .await
        .cards
        .into_iter()
        .find(|c| c.username == username)
        .unwrap()
        .badge_url
        .unwrap();
    assert_eq!(url, format!("{}/badge#{token}", f.app.url));

    // At rest: only the hash of the token.
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT token_hash, badge_id FROM badges")
        .fetch_all(&f.app.state.db)
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|(hash, id)| !hash.contains(&token) && !id.contains(&token)));
    assert!(stored.iter().any(|(hash, _)| *hash == token_hash(&token)));

    let tablet = new_client();
    assert_eq!(f.sign_in(&tablet, &token).await.status(), 200);
    let user = f.app.current_user_of(&tablet).await.expect("signed in");
    assert_eq!(user.id, f.world.oak_learner);
    // The same card again on another tablet: a badge is not single-use.
    let other = new_client();
    assert_eq!(f.sign_in(&other, &token).await.status(), 200);

    // A password reset leaves the badge alone.
    f.app
        .reset_learner_as(&f.teacher, &f.world.oak_learner, "river-otter-58")
        .await;
    assert_eq!(f.sign_in(&new_client(), &token).await.status(), 200);

    // Voided: refused at once; the password still works.
    let void = f
        .app
        .call_as(
            &f.teacher,
            "void_badge",
            &[("learner_id", &f.world.oak_learner)],
        )
        .await;
    assert_eq!(void.status(), 200);
    let (status, error) = app_error(f.sign_in(&new_client(), &token).await).await;
    assert_eq!(status, 422);
    assert!(
        error.to_string().contains("does not work any more"),
        "{error}"
    );
    f.app
        .signed_in_as(&new_client(), "OAK", "amelias", "river-otter-58")
        .await;

    assert_eq!(
        f.app
            .audit_actions()
            .await
            .iter()
            .filter(|a| a.starts_with("badge"))
            .cloned()
            .collect::<Vec<_>>(),
        [
            "badges_created",
            "badges_created",
            "badge_sign_in",
            "badge_sign_in",
            "badge_sign_in",
            "badge_voided"
        ]
    );
}

#[tokio::test]
async fn badges_refuse_inactive_learners_schools_with_badges_off_and_made_up_tokens() {
    let f = fixture(true).await;
    f.create().await;
    let tokens = f.tokens().await;
    let amelia = tokens
        .iter()
        .find(|(u, _)| u == "amelias")
        .unwrap()
        .1
        .clone();
    let oliver = tokens
        .iter()
        .find(|(u, _)| u == "oliverj")
        .unwrap()
        .1
        .clone();

    f.app.set_flag(&f.world.oak_learner2, "active", false).await;
    assert_eq!(
        app_error(f.sign_in(&new_client(), &oliver).await).await,
        (403, AppError::AccountInactive)
    );

    sqlx::query("UPDATE schools SET badges_enabled = FALSE WHERE id = $1")
        .bind(&f.world.oak)
        .execute(&f.app.state.db)
        .await
        .unwrap();
    let browser = new_client();
    let (status, error) = app_error(f.sign_in(&browser, &amelia).await).await;
    assert_eq!(status, 409);
    assert!(error.to_string().contains("switched off"), "{error}");
    assert!(f.app.current_user_of(&browser).await.is_none());
    // Turned off, badges cannot be made either.
    assert_eq!(f.create().await.status(), 409);

    // A made-up token: refused, audited, and counted for the network.
    let made_up = "A".repeat(43);
    let before = f
        .app
        .state
        .network_limiter
        .failures("127.0.0.1".parse().unwrap(), f.app.state.clock.now());
    assert_eq!(f.sign_in(&new_client(), &made_up).await.status(), 422);
    let after = f
        .app
        .state
        .network_limiter
        .failures("127.0.0.1".parse().unwrap(), f.app.state.clock.now());
    assert_eq!(after, before + 1);
    assert_eq!(
        f.count("SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in_failed' AND detail LIKE 'badge sign-in%'").await,
        3
    );
}

#[tokio::test]
async fn a_badge_never_signs_in_staff() {
    let f = fixture(true).await;
    // A badge row made for a staff account (it cannot be made through
    // the app: badges go to a class's learners) still signs nobody in.
    let (key_id, token) = f.app.state.sealer.badge_token("staff-badge");
    sqlx::query(
        "INSERT INTO badges (learner_id, school_id, badge_id, key_id, token_hash, created_at) \
         VALUES ($1, $2, 'staff-badge', $3, $4, 0)",
    )
    .bind(&f.world.oak_teacher)
    .bind(&f.world.oak)
    .bind(&key_id)
    .bind(token_hash(&token))
    .execute(&f.app.state.db)
    .await
    .unwrap();
    let browser = new_client();
    assert_eq!(f.sign_in(&browser, &token).await.status(), 422);
    assert!(f.app.current_user_of(&browser).await.is_none());
}

#[tokio::test]
async fn login_cards_are_for_whoever_may_see_the_class_and_are_audited() {
    let f = fixture(false).await;
    let cards = f.cards().await;
    assert_eq!(
        (
            cards.school_code.as_str(),
            cards.title.as_str(),
            cards.badges_enabled
        ),
        ("OAK", "Year 3 Hazel", false)
    );
    assert_eq!(cards.cards.len(), 2);
    assert!(cards.cards.iter().all(|card| card.badge_url.is_none()));
    assert_eq!(
        f.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login_cards_opened'")
            .await,
        1
    );

    // Riverside's owner: not found. A learner: refused. Signed out: sign in.
    let riverside = new_client();
    f.app
        .signed_in_as(&riverside, "RIV", "admin", PASSWORD)
        .await;
    assert_eq!(f.cards_as(&riverside, Some(&f.hazel)).await.status(), 404);
    let learner = new_client();
    f.app
        .signed_in_as(&learner, "OAK", "oliverj", PASSWORD)
        .await;
    assert_eq!(f.cards_as(&learner, Some(&f.hazel)).await.status(), 403);
    assert_eq!(
        f.cards_as(&new_client(), Some(&f.hazel)).await.status(),
        401
    );
    // School-wide cards: lead teachers and admins, not a class teacher.
    assert_eq!(f.cards_as(&f.teacher, None).await.status(), 403);
    let lead = new_client();
    f.app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    assert_eq!(f.cards_as(&lead, None).await.status(), 200);
    // Nobody outside the class voids its badges.
    assert_eq!(
        f.app
            .call_as(&riverside, "void_class_badges", &[("class_id", &f.hazel)])
            .await
            .status(),
        404
    );
    assert_eq!(
        f.app
            .call_as(
                &riverside,
                "void_badge",
                &[("learner_id", &f.world.oak_learner)]
            )
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn only_the_scan_badge_page_may_use_the_camera() {
    let app = spawn_app().await;
    let policy = |path: &'static str| {
        let client = new_client();
        let url = format!("{}{path}", app.url);
        async move {
            let response = client.get(url).send().await.unwrap();
            response.headers()["permissions-policy"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    assert!(policy("/badge").await.starts_with("camera=(self)"));
    for path in ["/login", "/classes", "/badge/other"] {
        assert!(policy(path).await.starts_with("camera=()"), "{path}");
    }
}
