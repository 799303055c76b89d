//! Parents: sign-up with a learner's code (two carers per code), linking
//! more children, regenerated codes, and nothing else for a parent.

use app::error::AppError;
use app::parents::ChildRow;

use crate::helpers::{
    app_error, cookie_pair, deliver, link_in, new_client, set_cookie, spawn_app, spawn_app_with,
    TestApp, World, PASSWORD,
};

/// A fresh parent access code for the fixture learner, as staff would see it.
async fn code_for(app: &TestApp, learner: &str) -> String {
    let mut tx = app::db::begin_write(&app.state.db).await.unwrap();
    let (school,): (String,) = sqlx::query_as("SELECT school_id FROM accounts WHERE id = $1")
        .bind(learner)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let code = app::parents::ssr::store_access_code(&mut tx, &app.state, &school, learner, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    code
}

async fn sign_up(
    app: &TestApp,
    client: &reqwest::Client,
    code: &str,
    email: &str,
) -> reqwest::Response {
    app.call_as(
        client,
        "parent_sign_up",
        &[
            ("parent_access_code", code),
            ("email", email),
            ("password", "sunny-garden-31"),
            ("confirm_password", "sunny-garden-31"),
        ],
    )
    .await
}

/// The emailed link for `email` (the newest one sent there).
async fn confirm_link_for(app: &TestApp, email: &str) -> String {
    let emails = deliver(app).await;
    let to = format!("To: {email}");
    let message = emails
        .iter()
        .rev()
        .find(|e| e.contains(&to) && e.contains("/parent/confirm/"))
        .unwrap_or_else(|| panic!("no sign-up link for {email} in {emails:?}"));
    link_in(message)
}

/// "Finish creating account" on the link's page, with the password chosen
/// on the sign-up form.
async fn confirm(app: &TestApp, client: &reqwest::Client, token: &str) -> reqwest::Response {
    confirm_with(app, client, token, "sunny-garden-31").await
}

async fn confirm_with(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    password: &str,
) -> reqwest::Response {
    app.call_as(
        client,
        "confirm_parent_sign_up",
        &[("token", token), ("password", password)],
    )
    .await
}

/// Signs up, opens the emailed link on `client`, and checks both answers.
async fn signed_up(app: &TestApp, client: &reqwest::Client, code: &str, email: &str) {
    let response = sign_up(app, client, code, email).await;
    assert_eq!(response.status(), 200, "{email}");
    let token = confirm_link_for(app, &email.to_lowercase()).await;
    assert_eq!(confirm(app, client, &token).await.status(), 200, "{email}");
}

async fn children(app: &TestApp, client: &reqwest::Client) -> Vec<ChildRow> {
    let response = app.call_as(client, "my_children", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn prepared() -> (TestApp, World) {
    let app = spawn_app().await;
    let world = app.world().await;
    app.class(
        &world.oak,
        "Year 3 Hazel",
        &[],
        &[&world.oak_learner, &world.oak_learner2],
    )
    .await;
    (app, world)
}

#[tokio::test]
async fn a_code_serves_two_parents_who_then_see_their_child() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let mum = new_client();
    let typed = code.to_lowercase().replace('-', " ");
    let answer: String = sign_up(&app, &mum, &typed, "Mum@Home.example")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer,
        "We have sent a link to mum@home.example to finish creating your account."
    );
    assert!(
        app.current_user_of(&mum).await.is_none(),
        "not before the link"
    );
    let token = confirm_link_for(&app, "mum@home.example").await;
    assert_eq!(confirm(&app, &mum, &token).await.status(), 200);
    let user = app.current_user_of(&mum).await.expect("signed in");
    assert_eq!(user.role, app::auth::Role::Parent);
    assert_eq!(
        children(&app, &mum).await,
        [ChildRow {
            name: "amelias display".into(),
            classes: vec!["Year 3 Hazel".into()],
            school: "Oakwood Primary".into()
        }]
    );
    let dad = new_client();
    signed_up(&app, &dad, &code, "dad@home.example").await;
    assert_eq!(children(&app, &dad).await.len(), 1);
    // The link worked once.
    let (status, error) = app_error(confirm(&app, &new_client(), &token).await).await;
    assert_eq!(status, 409);
    assert!(error.to_string().contains("expired or was already used"));

    // Parents sign in with email and password, no school code.
    let again = new_client();
    let response = app
        .sign_in_as(&again, "", "mum@home.example", "sunny-garden-31")
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn defect_4_a_taken_address_gets_the_same_answer_and_bad_codes_or_passwords_are_refused() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let client = new_client();
    let (_, error) = app_error(sign_up(&app, &client, "AAA-AAA-AAA", "x@home.example").await).await;
    assert_eq!(error.field(), Some("code"));
    // A taken address gets the same answer as a free one (issue #9,
    // defect 4); its owner gets an email saying so, with no link.
    let taken = sign_up(&app, &client, &code, "OWNER@riverside.example").await;
    assert_eq!(taken.status(), 200);
    assert_eq!(
        taken.json::<String>().await.unwrap(),
        "We have sent a link to owner@riverside.example to finish creating your account."
    );
    let emails = deliver(&app).await;
    let note = emails
        .iter()
        .find(|e| e.contains("To: owner@riverside.example"))
        .unwrap();
    assert!(note.contains("already has a ClassKeys account"), "{note}");
    assert!(!note.contains("/parent/confirm/"));
    let weak = app
        .call_as(
            &client,
            "parent_sign_up",
            &[
                ("parent_access_code", &code),
                ("email", "y@home.example"),
                ("password", "password1"),
                ("confirm_password", "password1"),
            ],
        )
        .await;
    assert_eq!(app_error(weak).await.1.field(), Some("password"));
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE role = 'parent'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1, "only the fixture parent");
}

/// The twenty wrong codes a network may type in an hour, each refused as wrong.
async fn twenty_wrong_codes(app: &TestApp, client: &reqwest::Client) {
    for _ in 0..20 {
        let response = sign_up(app, client, "AAA-AAA-AAA", "g@home.example").await;
        assert_eq!(response.status(), 422);
    }
}

#[tokio::test]
async fn guessing_codes_is_cut_off_after_twenty_wrong_ones() {
    let (app, _world) = prepared().await;
    let client = new_client();
    twenty_wrong_codes(&app, &client).await;
    let (status, error) =
        app_error(sign_up(&app, &client, "AAA-AAA-AAA", "g@home.example").await).await;
    assert_eq!(status, 429);
    assert!(matches!(error, AppError::TooManyAttempts { .. }));
}

/// A network over its limit is answered without the database's write
/// lock: its flood does not queue every school's writers behind it.
#[tokio::test]
async fn a_network_over_its_limit_is_refused_while_the_database_is_busy_writing() {
    let (app, _world) = prepared().await;
    let client = new_client();
    twenty_wrong_codes(&app, &client).await;
    let writing = app::db::begin_write(&app.state.db).await.unwrap();
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sign_up(&app, &client, "AAA-AAA-AAA", "g@home.example"),
    )
    .await
    .expect("answered while the write lock is held");
    let (status, error) = app_error(answer).await;
    assert_eq!(status, 429);
    assert!(matches!(error, AppError::TooManyAttempts { .. }));
    writing.rollback().await.unwrap();
}

#[tokio::test]
async fn a_regenerated_code_refuses_the_old_one_and_keeps_links() {
    let (app, world) = prepared().await;
    let old = code_for(&app, &world.oak_learner).await;
    let mum = new_client();
    signed_up(&app, &mum, &old, "mum@home.example").await;

    let teacher = new_client();
    let hazel: (String,) = sqlx::query_as("SELECT id FROM classes WHERE name = 'Year 3 Hazel'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO class_teachers (class_id, account_id) VALUES ($1, $2)")
        .bind(&hazel.0)
        .bind(&world.oak_teacher)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.signed_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    let response = app
        .call_as(
            &teacher,
            "regenerate_parent_access_code",
            &[("learner_id", &world.oak_learner)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let new: String = response.json().await.unwrap();
    assert_ne!(new, old);

    let late = new_client();
    let (_, error) = app_error(sign_up(&app, &late, &old, "late@home.example").await).await;
    assert_eq!(error.field(), Some("code"), "the old code stopped working");
    signed_up(&app, &late, &new, "late@home.example").await;
    assert_eq!(children(&app, &mum).await.len(), 1, "existing links stay");

    // Another school's teacher cannot.
    let riv = new_client();
    app.signed_in_as(&riv, "RIV", "teacher", PASSWORD).await;
    let response = app
        .call_as(
            &riv,
            "regenerate_parent_access_code",
            &[("learner_id", &world.oak_learner)],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert!(app
        .audit_actions()
        .await
        .contains(&"parent_code_regenerated".into()));
}

#[tokio::test]
async fn add_a_child_links_another_learner_of_the_same_school() {
    let (app, world) = prepared().await;
    let first = code_for(&app, &world.oak_learner).await;
    let second = code_for(&app, &world.oak_learner2).await;
    let mum = new_client();
    signed_up(&app, &mum, &first, "mum@home.example").await;
    let added = app
        .call_as(&mum, "add_child", &[("parent_access_code", &second)])
        .await;
    assert_eq!(added.status(), 200);
    let added: app::parents::ChildAdded = added.json().await.unwrap();
    assert!(
        matches!(added, app::parents::ChildAdded::Linked(_)),
        "{added:?}"
    );
    assert_eq!(children(&app, &mum).await.len(), 2);
    // The same code again: said so, nothing changes.
    let again: app::parents::ChildAdded = app
        .call_as(&mum, "add_child", &[("parent_access_code", &second)])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        matches!(again, app::parents::ChildAdded::AlreadyLinked(_)),
        "{again:?}"
    );
    assert_eq!(children(&app, &mum).await.len(), 2);
    // Nothing typed is asked for, and is not counted as a wrong code.
    let empty = app
        .call_as(&mum, "add_child", &[("parent_access_code", "  ")])
        .await;
    let (_, error) = app_error(empty).await;
    assert!(
        error.to_string().starts_with("Type the parent access code"),
        "{error}"
    );

    let riv_learner = app
        .account(&world.riv, "learner", "kestrel1", None, (false, false))
        .await;
    let elsewhere = code_for(&app, &riv_learner).await;
    let refused = app
        .call_as(&mum, "add_child", &[("parent_access_code", &elsewhere)])
        .await;
    let (_, error) = app_error(refused).await;
    assert_eq!(error.field(), Some("code"), "answered like a wrong code");
    assert_eq!(children(&app, &mum).await.len(), 2);
}

#[tokio::test]
async fn a_parent_can_call_no_staff_function() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let mum = new_client();
    signed_up(&app, &mum, &code, "mum@home.example").await;
    let forms: [(&str, Vec<(&str, &str)>); 8] = [
        ("list_classes", vec![]),
        ("school_learners", vec![]),
        (
            "reveal_learner_password",
            vec![("learner_id", &world.oak_learner)],
        ),
        (
            "reset_learner_password",
            vec![
                ("learner_id", &world.oak_learner),
                ("password", "greenfox47"),
            ],
        ),
        (
            "regenerate_parent_access_code",
            vec![("learner_id", &world.oak_learner)],
        ),
        ("staff_directory", vec![]),
        (
            "send_staff_reset_email",
            vec![("account_id", &world.oak_teacher)],
        ),
        ("possible_duplicates", vec![]),
    ];
    for (name, form) in forms {
        let response = app.call_as(&mum, name, &form).await;
        assert_eq!(response.status(), 403, "{name}");
    }
    let staff_child = new_client();
    app.signed_in_as(&staff_child, "OAK", "teacher", PASSWORD)
        .await;
    assert_eq!(
        app.call_as(&staff_child, "my_children", &[]).await.status(),
        403
    );
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_limit() {
    let (app, _world) = prepared().await;
    let client = new_client();
    let guesses = (0..30).map(|_| sign_up(&app, &client, "AAA-AAA-AAA", "g@home.example"));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
}

async fn wrong_code_from(app: &TestApp, addr: &str) -> reqwest::Response {
    app.call_from(
        addr,
        "parent_sign_up",
        &[
            ("parent_access_code", "AAA-AAA-AAA"),
            ("email", "g@home.example"),
            ("password", "sunny-garden-31"),
            ("confirm_password", "sunny-garden-31"),
        ],
    )
    .await
}

#[tokio::test]
async fn defect_3_wrong_codes_from_one_ipv6_slash_64_share_one_limit() {
    let app =
        crate::helpers::spawn_app_configured(false, &[("CLASSKEYS_TRUSTED_PROXIES", "127.0.0.1")])
            .await;
    app.world().await;
    // A new address of the same /64 for every guess.
    for n in 1..=20 {
        let response = wrong_code_from(&app, &format!("2001:db8:5:6::{n:x}")).await;
        assert_eq!(response.status(), 422, "guess {n}");
    }
    let walked = wrong_code_from(&app, "2001:db8:5:6:ffff::1").await;
    assert_eq!(walked.status(), 429, "the /64 is one network");
    let elsewhere = wrong_code_from(&app, "2001:db8:5:7::1").await;
    assert_eq!(elsewhere.status(), 422, "the next /64 is another");
}

#[tokio::test]
async fn defect_3_a_platform_wide_ceiling_stops_a_guesser_spread_over_many_networks() {
    let app =
        crate::helpers::spawn_app_configured(false, &[("CLASSKEYS_TRUSTED_PROXIES", "127.0.0.1")])
            .await;
    let world = app.world().await;
    let code = code_for(&app, &world.oak_learner).await;
    // Wrong codes already typed this hour from a thousand networks.
    app.state.clock.freeze();
    let now = app.state.clock.now();
    let mut tx = app.state.db.begin().await.unwrap();
    for n in 0..app::parents::ssr::PLATFORM_MAX_REFUSED_CODES_PER_HOUR {
        let addr = format!("198.51.{}.{}", n / 250, n % 250);
        sqlx::query(
            "INSERT INTO audit_events (id, actor_label, action, client_addr, client_net, created_at) \
             VALUES ($1, 'someone', 'parent_code_refused', $2, $2, $3)",
        )
        .bind(app::db::new_id())
        .bind(&addr)
        .bind(now - 60)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let sign_up_from = |addr: &'static str, code: String| {
        let app = &app;
        async move {
            app.call_from(
                addr,
                "parent_sign_up",
                &[
                    ("parent_access_code", &code),
                    ("email", "x@home.example"),
                    ("password", "sunny-garden-31"),
                    ("confirm_password", "sunny-garden-31"),
                ],
            )
            .await
        }
    };
    // A network that already guessed wrong this hour is held back, even
    // with a right code...
    let guesser = "198.51.0.7";
    let (status, error) = app_error(sign_up_from(guesser, code.clone()).await).await;
    assert_eq!(status, 429);
    assert!(
        matches!(error, AppError::Busy { retry_after_secs } if retry_after_secs == 3540),
        "until the oldest refusal leaves the hour: {error:?}"
    );
    // ...a new one gets a single try before it is held back too...
    let fresh = "203.0.113.50";
    let wrong = sign_up_from(fresh, "AAA-AAA-AAA".into()).await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(sign_up_from(fresh, code.clone()).await.status(), 429);
    // ...while a parent on a clean network is never refused for others' guessing.
    assert_eq!(
        sign_up_from("203.0.113.99", code.clone()).await.status(),
        200
    );
    // An hour later the window has moved on.
    app.state.clock.advance(3600);
    assert_eq!(sign_up_from(guesser, code).await.status(), 200);
}

#[tokio::test]
async fn defect_4_nobody_can_squat_an_address_they_cannot_read() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    // Someone with the code types a neighbour's address.
    let squatter = new_client();
    assert_eq!(
        sign_up(&app, &squatter, &code, "neighbour@home.example")
            .await
            .status(),
        200
    );
    assert!(app.current_user_of(&squatter).await.is_none());
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE email = 'neighbour@home.example'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(n, 0, "no account until the link in the email is opened");
    // The neighbour signs up for real and gets in with their own link.
    let neighbour = new_client();
    signed_up(&app, &neighbour, &code, "neighbour@home.example").await;
    assert_eq!(children(&app, &neighbour).await.len(), 1);
}

#[tokio::test]
async fn defect_4_a_link_is_stored_hashed_expires_and_dies_with_a_regenerated_code() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    sign_up(&app, &new_client(), &code, "late@home.example").await;
    let token = confirm_link_for(&app, "late@home.example").await;
    let (stored,): (String,) = sqlx::query_as("SELECT token_hash FROM parent_signups")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_ne!(stored, token, "only a hash is kept");
    app.state.clock.advance(60 * 60);
    let (status, _) = app_error(confirm(&app, &new_client(), &token).await).await;
    assert_eq!(status, 409, "60 minutes");

    app.state.clock.advance(-60 * 60);
    sign_up(&app, &new_client(), &code, "other@home.example").await;
    let token = confirm_link_for(&app, "other@home.example").await;
    code_for(&app, &world.oak_learner).await;
    let (status, _) = app_error(confirm(&app, &new_client(), &token).await).await;
    assert_eq!(status, 409, "the code it was made with was regenerated");
}

#[tokio::test]
async fn defect_4_staff_unlink_the_parents_of_a_learner_whose_code_leaked() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let mum = new_client();
    signed_up(&app, &mum, &code, "mum@home.example").await;
    assert_eq!(children(&app, &mum).await.len(), 1);

    let unlink = |client: reqwest::Client| {
        let app = &app;
        let learner = world.oak_learner.clone();
        async move {
            app.call_as(&client, "unlink_parents", &[("learner_id", &learner)])
                .await
        }
    };
    let riv = new_client();
    assert_eq!(
        app.sign_in_as(&riv, "RIV", "admin", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(unlink(riv).await.status(), 404, "another school");
    let outsider = new_client();
    assert_eq!(
        app.sign_in_as(&outsider, "OAK", "teacher", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(unlink(outsider).await.status(), 403, "not their class");
    assert_eq!(
        children(&app, &mum).await.len(),
        1,
        "refusals changed nothing"
    );

    let office = new_client();
    assert_eq!(
        app.sign_in_as(&office, "OAK", "office", PASSWORD)
            .await
            .status(),
        200
    );
    let response = unlink(office).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<u64>().await.unwrap(), 1);
    assert!(children(&app, &mum).await.is_empty());
    assert!(app
        .audit_actions()
        .await
        .contains(&"parents_unlinked".to_string()));
}

#[tokio::test]
async fn defect_4_a_link_reaching_someone_else_creates_nothing_without_the_chosen_password() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    // Someone with the code starts a sign-up with a neighbour's address and a
    // password of their own; the neighbour opens the link.
    sign_up(&app, &new_client(), &code, "neighbour@home.example").await;
    let token = confirm_link_for(&app, "neighbour@home.example").await;
    let neighbour = new_client();
    for attempt in 1..=4 {
        let (status, error) =
            app_error(confirm_with(&app, &neighbour, &token, "a-guess-of-theirs-1").await).await;
        assert_eq!(
            (status, error.field()),
            (422, Some("password")),
            "{attempt}"
        );
    }
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE email = 'neighbour@home.example'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(n, 0, "no account, no session");
    assert!(app.current_user_of(&neighbour).await.is_none());
    // The fifth wrong password ends the link, even for the right one.
    confirm_with(&app, &neighbour, &token, "a-guess-of-theirs-1").await;
    assert_eq!(confirm(&app, &new_client(), &token).await.status(), 409);
}

#[tokio::test]
async fn the_browser_that_signed_up_finishes_without_the_password_again() {
    let (app, world) = prepared().await;
    let code = code_for(&app, &world.oak_learner).await;
    let laptop = new_client();
    sign_up(&app, &laptop, &code, "mum@home.example").await;
    let token = confirm_link_for(&app, "mum@home.example").await;
    // Another browser must type the password; trying without costs nothing.
    let phone = new_client();
    let (status, error) = app_error(confirm_with(&app, &phone, &token, "").await).await;
    assert_eq!((status, error.field()), (422, Some("password")));
    assert_eq!(
        error.to_string(),
        "To finish, type the password you chose when you signed up."
    );
    let (failed,): (i64,) = sqlx::query_as("SELECT failed_attempts FROM parent_signups")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(failed, 0);
    // The browser that filled in the form finishes at once.
    assert_eq!(confirm_with(&app, &laptop, &token, "").await.status(), 200);
    assert_eq!(children(&app, &laptop).await.len(), 1);
}

#[tokio::test]
async fn over_https_only_the_host_prefixed_sign_up_cookie_finishes_without_the_password() {
    let app = spawn_app_with(true).await;
    let world = app.world().await;
    app.class(&world.oak, "Year 3 Hazel", &[], &[&world.oak_learner])
        .await;
    let code = code_for(&app, &world.oak_learner).await;
    let response = sign_up(&app, &new_client(), &code, "mum@home.example").await;
    assert_eq!(response.status(), 200);
    let signup = set_cookie(&response, "__Host-classkeys_signup")
        .expect("the sign-up cookie, with the __Host- prefix");
    assert!(signup.contains("; Secure") && signup.contains("Path=/"));
    let value = cookie_pair(&signup).split_once('=').unwrap().1.to_string();
    let token = confirm_link_for(&app, "mum@home.example").await;
    let finish_sending = |cookie: String| {
        let (app, token) = (&app, &token);
        async move {
            new_client()
                .post(format!("{}/api/confirm_parent_sign_up", app.url))
                .header("sec-fetch-site", "same-origin")
                .header("cookie", cookie)
                .form(&[("token", token.as_str()), ("password", "")])
                .send()
                .await
                .unwrap()
        }
    };
    // The same value without the prefix (which a sibling subdomain or a
    // plain-http network could plant) proves nothing.
    let (status, error) =
        app_error(finish_sending(format!("classkeys_signup={value}")).await).await;
    assert_eq!((status, error.field()), (422, Some("password")));
    // The prefixed cookie finishes, and is then cleared.
    let finished = finish_sending(format!("__Host-classkeys_signup={value}")).await;
    assert_eq!(finished.status(), 200);
    let cleared = set_cookie(&finished, "__Host-classkeys_signup").unwrap_or_default();
    assert!(
        cleared.starts_with("__Host-classkeys_signup=;") && cleared.contains("Max-Age=0"),
        "{cleared:?}"
    );
}
