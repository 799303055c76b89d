//! The class database flows (DESIGN.md §3 "Class database", "Access codes").

use app::classes::{AccessCodes, ClassDetail, NewPassword, PasswordState};
use app::error::AppError;
use app::learners::ShownPassword;

use crate::helpers::{app_error, new_client, spawn_app, TestApp, World, PASSWORD};

struct Class {
    app: TestApp,
    world: World,
    id: String,
    learners: Vec<String>,
}

/// OAK's "Year 3 Hazel" with `size` learners (`child0`, `child1`, …), taught
/// by `teacher`, and the office signed in on `app.client`.
async fn class_of(size: usize) -> Class {
    let app = spawn_app().await;
    let world = app.world().await;
    let mut learners = Vec::new();
    for n in 0..size {
        learners.push(
            app.account(
                &world.oak,
                "learner",
                &format!("child{n}"),
                None,
                (false, false),
            )
            .await,
        );
    }
    let refs: Vec<&str> = learners.iter().map(String::as_str).collect();
    let id = app
        .class(&world.oak, "Year 3 Hazel", &[&world.oak_teacher], &refs)
        .await;
    assert_eq!(app.sign_in("OAK", "office", PASSWORD).await.status(), 200);
    Class {
        app,
        world,
        id,
        learners,
    }
}

impl Class {
    /// The class page's data, as the signed-in office sees it.
    async fn detail(&self) -> ClassDetail {
        self.app
            .call("class_detail", &[("class_id", &self.id)])
            .await
            .json()
            .await
            .unwrap()
    }

    /// "Show" on the learner at `index`, as the signed-in office.
    async fn reveal(&self, index: usize) -> reqwest::Response {
        self.app
            .call(
                "reveal_learner_password",
                &[("learner_id", &self.learners[index])],
            )
            .await
    }

    /// Turns one of Oakwood's school settings on or off.
    async fn set_school(&self, column: &str, value: bool) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE schools SET {column} = $1 WHERE id = $2"
        )))
        .bind(value)
        .bind(&self.world.oak)
        .execute(&self.app.state.db)
        .await
        .unwrap();
    }
}

async fn reset_class(class: &Class, mode: &str) -> Vec<NewPassword> {
    let response = class
        .app
        .call(
            "reset_class_passwords",
            &[("class_id", &class.id), ("mode", mode)],
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_new_password_for_each_learner_lets_each_sign_in_with_it() {
    let class = class_of(6).await;
    let passwords = reset_class(&class, "NewPasswordEach").await;
    assert_eq!(passwords.len(), 6);
    for new in &passwords {
        let learner = new_client();
        let status = class
            .app
            .sign_in_as(&learner, "OAK", &new.username, &new.password)
            .await
            .status();
        assert_eq!(status, 200, "{} with {}", new.username, new.password);
        let user = class.app.current_user_of(&learner).await.unwrap();
        assert!(
            !user.must_change_password,
            "children are not made to change a reset password"
        );
    }
    let distinct: std::collections::HashSet<_> = passwords.iter().map(|p| &p.password).collect();
    assert!(
        distinct.len() > 1,
        "each learner gets their own password: {passwords:?}"
    );
}

#[tokio::test]
async fn the_same_password_for_every_learner() {
    let class = class_of(5).await;
    let passwords = reset_class(&class, "SamePassword").await;
    let shared = &passwords[0].password;
    assert!(passwords.iter().all(|p| &p.password == shared));
    assert_eq!(
        class
            .app
            .sign_in_as(&new_client(), "OAK", "child4", shared)
            .await
            .status(),
        200
    );
    let detail = class.detail().await;
    assert!(detail
        .learners
        .iter()
        .all(|l| l.password == PasswordState::Viewable));
}

#[tokio::test]
async fn a_whole_class_reset_changes_every_learner_or_none() {
    let class = class_of(20).await;
    let before: Vec<String> =
        futures::future::join_all(class.learners.iter().map(|l| class.app.password_hash(l))).await;
    let learner = new_client();
    assert_eq!(
        class
            .app
            .sign_in_as(&learner, "OAK", "child3", PASSWORD)
            .await
            .status(),
        200
    );
    // The database refuses the 15th learner's update.
    let fifteenth = &class.learners[14];
    crate::test_database::refuse_updates(
        &class.app.state.db,
        "fail_fifteenth",
        ("accounts", Some("password_hash")),
        &format!("NEW.id = '{fifteenth}'"),
    )
    .await;

    let (status, error) = app_error(
        class
            .app
            .call(
                "reset_class_passwords",
                &[("class_id", &class.id), ("mode", "NewPasswordEach")],
            )
            .await,
    )
    .await;
    assert_eq!((status, error), (500, AppError::Internal));
    let after: Vec<String> =
        futures::future::join_all(class.learners.iter().map(|l| class.app.password_hash(l))).await;
    assert_eq!(before, after, "no learner changed");
    assert!(
        class.app.current_user_of(&learner).await.is_some(),
        "no session ended"
    );
    assert!(!class
        .app
        .audit_actions()
        .await
        .contains(&"class_passwords_reset".to_string()));
}

#[tokio::test]
async fn a_single_reset_shows_and_can_be_revealed_then_ends_the_learners_sessions() {
    let class = class_of(2).await;
    let learner = new_client();
    class
        .app
        .signed_in_as(&learner, "OAK", "child0", PASSWORD)
        .await;
    let suggested: String = class
        .app
        .call(
            "suggest_learner_password",
            &[("learner_id", &class.learners[0])],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        suggested.chars().any(|c| c.is_ascii_digit()) && suggested.len() >= 8,
        "{suggested}"
    );
    let response = class
        .app
        .call(
            "reset_learner_password",
            &[("learner_id", &class.learners[0]), ("password", &suggested)],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        class.app.current_user_of(&learner).await.is_none(),
        "the learner's old session ended"
    );
    let response = class.reveal(0).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let shown: ShownPassword = response.json().await.unwrap();
    assert_eq!(shown.password, suggested);
    assert_eq!(shown.locked_until, None);
    assert_eq!(
        class
            .app
            .sign_in_as(&learner, "OAK", "child0", &suggested)
            .await
            .status(),
        200
    );
    let actions = class.app.audit_actions().await;
    assert!(
        actions.contains(&"password_reset".to_string())
            && actions.contains(&"password_viewed".to_string()),
        "{actions:?}"
    );
    let details = crate::test_database::audit_text(&class.app.state.db).await;
    assert!(
        !details.contains(&suggested),
        "the audit log never holds a password"
    );
}

#[tokio::test]
async fn a_reset_password_must_follow_the_rules() {
    let class = class_of(1).await;
    for (password, message) in [
        ("abc", "at least 8"),
        ("password1", "too common"),
        ("greenfoxes", "digit"),
    ] {
        let (status, error) = app_error(
            class
                .app
                .call(
                    "reset_learner_password",
                    &[("learner_id", &class.learners[0]), ("password", password)],
                )
                .await,
        )
        .await;
        assert_eq!(status, 422, "{password}");
        assert!(error.to_string().contains(message), "{password}: {error}");
    }
}

#[tokio::test]
async fn a_password_the_learner_chose_cannot_be_shown() {
    let class = class_of(1).await;
    let learner = new_client();
    class
        .app
        .signed_in_as(&learner, "OAK", "child0", PASSWORD)
        .await;
    let form = [
        ("current_password", PASSWORD),
        ("new_password", "my-own-secret-9"),
        ("confirm_new_password", "my-own-secret-9"),
    ];
    assert_eq!(
        class
            .app
            .call_as(&learner, "change_password", &form)
            .await
            .status(),
        200
    );
    let detail = class.detail().await;
    assert_eq!(detail.learners[0].password, PasswordState::SetByLearner);
    let (status, error) = app_error(class.reveal(0).await).await;
    assert_eq!(status, 409);
    assert!(error.to_string().contains("learner chose"), "{error}");
}

#[tokio::test]
async fn when_the_school_hides_learner_passwords_nothing_reveals_them() {
    let class = class_of(3).await;
    reset_class(&class, "NewPasswordEach").await;
    class.set_school("learner_passwords_visible", false).await;
    let detail = class.detail().await;
    assert!(!detail.passwords_visible);
    assert!(detail
        .learners
        .iter()
        .all(|l| l.password == PasswordState::Hidden));
    let (status, _) = app_error(class.reveal(0).await).await;
    assert_eq!(status, 409);
    let codes: AccessCodes = class
        .app
        .call("reveal_access_codes", &[("class_id", &class.id)])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        codes.rows.iter().all(|row| row.password.is_none()),
        "no password column"
    );
    // A reset made now still hands its new passwords over once, and keeps no copy.
    let passwords = reset_class(&class, "NewPasswordEach").await;
    assert!(passwords.iter().all(|p| !p.password.is_empty()));
    let (copies,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM learner_password_reveals")
        .fetch_one(&class.app.state.db)
        .await
        .unwrap();
    assert_eq!(copies, 0);
}

#[tokio::test]
async fn a_teacher_unlocks_a_locked_out_learner_at_once() {
    let class = class_of(1).await;
    // A password the office set, so staff can see it.
    let reset = class
        .app
        .call(
            "reset_learner_password",
            &[
                ("learner_id", &class.learners[0]),
                ("password", "greenfox47"),
            ],
        )
        .await;
    assert_eq!(reset.status(), 200);
    for _ in 0..10 {
        let response = class
            .app
            .sign_in_as(&new_client(), "OAK", "child0", "wrong-password-1")
            .await;
        assert!(matches!(response.status().as_u16(), 401 | 423));
    }
    // The class page says until when, in the school's zone: India's
    // (UTC+05:30 all year, so the test needs no calendar).
    sqlx::query("UPDATE schools SET time_zone = 'Asia/Kolkata' WHERE code = 'OAK'")
        .execute(&class.app.state.db)
        .await
        .unwrap();
    let (until,): (i64,) = sqlx::query_as("SELECT locked_until FROM accounts WHERE id = $1")
        .bind(&class.learners[0])
        .fetch_one(&class.app.state.db)
        .await
        .unwrap();
    let in_india = until + 5 * 3_600 + 30 * 60;
    let clock_time = format!(
        "{:02}:{:02}",
        in_india % 86_400 / 3_600,
        in_india % 3_600 / 60
    );
    let detail = class.detail().await;
    let shown_until = detail.learners[0].locked_until.clone().expect("locked");
    assert_eq!(shown_until.short, clock_time);
    assert!(
        shown_until.full.ends_with(&format!("{clock_time} IST")),
        "{}",
        shown_until.full
    );
    // "Show" says so too: a page opened before the lockout learns it there.
    let shown: ShownPassword = class.reveal(0).await.json().await.unwrap();
    assert_eq!(shown.password, "greenfox47");
    assert_eq!(shown.locked_until, Some(shown_until));
    let teacher = new_client();
    class
        .app
        .signed_in_as(&teacher, "OAK", "teacher", PASSWORD)
        .await;
    assert_eq!(
        class
            .app
            .call_as(
                &teacher,
                "unlock_learner",
                &[("learner_id", &class.learners[0])]
            )
            .await
            .status(),
        200
    );
    assert_eq!(
        class
            .app
            .sign_in_as(&new_client(), "OAK", "child0", "greenfox47")
            .await
            .status(),
        200
    );
    assert!(class
        .app
        .audit_actions()
        .await
        .contains(&"account_unlocked".to_string()));
}

#[tokio::test]
async fn access_codes_list_each_learner_per_class_and_are_audited() {
    let class = class_of(2).await;
    class
        .app
        .class(&class.world.oak, "Chess club", &[], &[&class.learners[0]])
        .await;
    reset_class(&class, "SamePassword").await;
    let codes: AccessCodes = class
        .app
        .call("reveal_access_codes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(codes.file_name, "OAK-all-classes-access-codes.csv");
    let classes: Vec<&str> = codes.rows.iter().map(|r| r.class.as_str()).collect();
    assert_eq!(
        classes,
        ["Chess club", "Year 3 Hazel", "Year 3 Hazel"],
        "one row per learner per class"
    );
    assert!(codes.rows.iter().all(|r| r.password.is_some()));
    assert!(
        codes
            .rows
            .iter()
            .all(
                |r| app::passwords::generator::normalise_access_code(&r.parent_access_code)
                    .is_none()
            ),
        "fixture learners have no code"
    );
    let class_codes: AccessCodes = class
        .app
        .call("reveal_access_codes", &[("class_id", &class.id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(class_codes.file_name, "OAK-Year 3 Hazel-access-codes.csv");
    assert_eq!(
        class
            .app
            .call("record_access_codes_download", &[("class_id", &class.id)])
            .await
            .status(),
        200
    );
    let actions = class.app.audit_actions().await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "access_codes_revealed")
            .count(),
        2
    );
    assert!(actions.contains(&"access_codes_downloaded".to_string()));
}

#[tokio::test]
async fn a_school_can_make_learners_change_a_reset_password() {
    let class = class_of(1).await;
    class.set_school("learners_change_after_reset", true).await;
    class
        .app
        .call(
            "reset_learner_password",
            &[
                ("learner_id", &class.learners[0]),
                ("password", "sunnyowl07"),
            ],
        )
        .await;
    let learner = new_client();
    let response = class
        .app
        .sign_in_as(&learner, "OAK", "child0", "sunnyowl07")
        .await;
    assert_eq!(response.headers()["location"], "/account/new-password");
    assert!(
        class
            .app
            .current_user_of(&learner)
            .await
            .unwrap()
            .must_change_password
    );
}

#[tokio::test]
async fn defect_8_two_teachers_resetting_one_class_at_once_never_both_win() {
    let class = class_of(8).await;
    let teacher = new_client();
    let status = class
        .app
        .sign_in_as(&teacher, "OAK", "teacher", PASSWORD)
        .await
        .status();
    assert_eq!(status, 200);
    let form = [("class_id", class.id.as_str()), ("mode", "NewPasswordEach")];
    let (office, theirs) = tokio::join!(
        class.app.call("reset_class_passwords", &form),
        class.app.call_as(&teacher, "reset_class_passwords", &form),
    );
    let mut statuses = [office.status().as_u16(), theirs.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "the second reset is refused");
    let (winner, loser) = if office.status() == 200 {
        (office, theirs)
    } else {
        (theirs, office)
    };
    assert_eq!(
        app_error(loser).await.1.to_string(),
        "Someone else changed this a moment ago. Reload to see their change."
    );
    // Every password the winner hands out works.
    let handed_out: Vec<NewPassword> = winner.json().await.unwrap();
    for new in &handed_out {
        let status = class
            .app
            .sign_in_as(&new_client(), "OAK", &new.username, &new.password)
            .await
            .status();
        assert_eq!(status, 200, "{}", new.username);
    }
    let (resets,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = 'class_passwords_reset'")
            .fetch_one(&class.app.state.db)
            .await
            .unwrap();
    assert_eq!(resets, 1);
}

#[tokio::test]
async fn a_class_too_large_for_one_reset_is_refused_with_a_reason() {
    let class = class_of(0).await;
    let ids: Vec<String> = (0..=app::classes::MAX_CLASS_RESET)
        .map(|_| app::db::new_id())
        .collect();
    let mut tx = class.app.state.db.begin().await.unwrap();
    for (n, id) in ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO accounts (id, school_id, role, username, display_name, password_hash, created_at) \
             VALUES ($1, $2, 'learner', $3, $3, 'x', 0)",
        )
        .bind(id)
        .bind(&class.world.oak)
        .bind(format!("big{n}"))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO enrolments (class_id, account_id) VALUES ($1, $2)")
            .bind(&class.id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let response = class
        .app
        .call(
            "reset_class_passwords",
            &[("class_id", class.id.as_str()), ("mode", "SamePassword")],
        )
        .await;
    let (status, error) = app_error(response).await;
    assert_eq!(status, 409);
    assert!(error.to_string().contains("at most 500"), "{error}");
}

#[tokio::test]
async fn opening_a_class_is_audited_because_it_shows_parent_access_codes() {
    let class = class_of(2).await;
    class.detail().await;
    let learners = class.app.call("school_learners", &[]).await;
    assert_eq!(learners.status(), 200);
    let actions = class.app.audit_actions().await;
    assert!(actions.contains(&"class_opened".to_string()), "{actions:?}");
    assert!(actions.contains(&"student_database_opened".to_string()));
}

/// The server renders what is inside `SignedIn` from one build of the page:
/// a page built twice loaded the class twice and audited the view twice.
#[tokio::test]
async fn opening_a_class_page_loads_and_audits_the_class_once() {
    let class = class_of(3).await;
    let page = class
        .app
        .client
        .get(format!("{}/classes/{}", class.app.url, class.id))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("child2"), "the learner table is rendered");
    let opened = class
        .app
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a == "class_opened")
        .count();
    assert_eq!(opened, 1);
}

#[tokio::test]
async fn the_reveal_check_finds_copies_that_no_longer_match_their_passwords() {
    use app::passwords::reveal_check::check_reveal_copies;
    let class = class_of(4).await;
    reset_class(&class, "NewPasswordEach").await;
    let check = check_reveal_copies(&class.app.state).await.unwrap();
    assert_eq!((check.checked, check.matching), (4, 4));
    assert!(check.is_sound());
    // A half-written change: child1's hash is child0's, child2's reveal copy
    // is of an older version, child3's copy is sealed for someone else.
    let db = &class.app.state.db;
    sqlx::query(
        "UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE id = $1) \
         WHERE id = $2",
    )
    .bind(&class.learners[0])
    .bind(&class.learners[1])
    .execute(db)
    .await
    .unwrap();
    sqlx::query("UPDATE accounts SET password_version = password_version + 1 WHERE id = $1")
        .bind(&class.learners[2])
        .execute(db)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE learner_password_reveals SET sealed = (SELECT sealed FROM learner_password_reveals \
         WHERE account_id = $1) WHERE account_id = $2",
    )
    .bind(&class.learners[0])
    .bind(&class.learners[3])
    .execute(db)
    .await
    .unwrap();
    let check = check_reveal_copies(&class.app.state).await.unwrap();
    assert!(!check.is_sound());
    assert_eq!(check.matching, 1);
    assert_eq!(check.differing, ["OAK/child1"]);
    assert_eq!(check.stale, ["OAK/child2"]);
    assert_eq!(check.unopenable, ["OAK/child3"]);
}
