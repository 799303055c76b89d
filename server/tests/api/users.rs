//! User management (`/users`): who may use it, inactivation ending sessions
//! at once, the owner out of reach, emails unique, search and pages.

use app::error::AppError;
use app::users::{DuplicateGroup, UserPage};
use serde_json::json;

use crate::helpers::{app_error, new_client, spawn_app, teacher_changes, TestApp, World, PASSWORD};

async fn list(app: &TestApp, query: serde_json::Value) -> UserPage {
    let mut body = json!({ "search": "", "role": "", "status": "", "page": 1 });
    for (key, value) in query.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = app.call_json("list_users", json!({ "query": body })).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn set_active(app: &TestApp, account: &str, active: bool) -> reqwest::Response {
    let active = active.to_string();
    app.call(
        "set_account_active",
        &[("account_id", account), ("active", &active)],
    )
    .await
}

async fn change_email(app: &TestApp, account: &str, email: &str) -> reqwest::Response {
    app.call(
        "change_account_email",
        &[("account_id", account), ("email", email)],
    )
    .await
}

async fn as_office() -> (TestApp, World) {
    let app = spawn_app().await;
    let world = app.world().await;
    assert_eq!(app.sign_in("OAK", "office", PASSWORD).await.status(), 200);
    (app, world)
}

/// Security review: a parent's username is their sign-up email, and a
/// changed email left it as it was, so the old address still signed them
/// in (with the school code) and still named them on Users.
#[tokio::test]
async fn a_parents_new_email_is_also_their_sign_in_name_and_the_old_one_stops_working() {
    let (app, world) = as_office().await;
    let response = change_email(&app, &world.oak_parent, "Parent.New@Home.example").await;
    assert_eq!(response.status(), 200);
    let (username, email): (String, String) =
        sqlx::query_as("SELECT username, email FROM accounts WHERE id = $1")
            .bind(&world.oak_parent)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        (username.as_str(), email.as_str()),
        ("parent.new@home.example", "parent.new@home.example")
    );
    for (code, name) in [("OAK", "parent@home.example"), ("", "parent@home.example")] {
        let (status, _) =
            app_error(app.sign_in_as(&new_client(), code, name, PASSWORD).await).await;
        assert_eq!(status, 401, "{code} {name}");
    }
    for code in ["OAK", ""] {
        let response = app
            .sign_in_as(&new_client(), code, "parent.new@home.example", PASSWORD)
            .await;
        assert_eq!(response.status(), 200, "{code}");
    }
    // A staff member's username is theirs to keep.
    assert_eq!(
        change_email(&app, &world.oak_teacher, "t.new@oakwood.example")
            .await
            .status(),
        200
    );
    let (username,): (String,) = sqlx::query_as("SELECT username FROM accounts WHERE id = $1")
        .bind(&world.oak_teacher)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(username, "teacher");
}

#[tokio::test]
async fn only_full_admins_and_the_owner_manage_users() {
    let app = spawn_app().await;
    let world = app.world().await;
    for username in ["lead", "teacher", "amelias", "parent@home.example"] {
        let client = new_client();
        app.signed_in_as(&client, "OAK", username, PASSWORD).await;
        let calls = [
            (
                "set_account_active",
                vec![
                    ("account_id", world.oak_learner2.as_str()),
                    ("active", "false"),
                ],
            ),
            (
                "change_account_email",
                vec![
                    ("account_id", world.oak_teacher.as_str()),
                    ("email", "x@y.example"),
                ],
            ),
            ("possible_duplicates", vec![]),
        ];
        for (name, form) in calls {
            let response = app.call_as(&client, name, &form).await;
            assert_eq!(response.status(), 403, "{username} {name}");
        }
        let query = json!({ "query": { "search": "", "role": "", "status": "", "page": 1 } });
        let listed = app.call_json_as(&client, "list_users", query).await;
        assert_eq!(listed.status(), 403, "{username}");
    }
    let (active,): (bool,) = sqlx::query_as("SELECT active FROM accounts WHERE id = $1")
        .bind(&world.oak_learner2)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(active);
}

#[tokio::test]
async fn inactivation_signs_out_at_once_and_blocks_sign_in_until_reactivated() {
    let (app, world) = as_office().await;
    let teacher = new_client();
    app.signed_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    assert!(app.current_user_of(&teacher).await.is_some());

    assert_eq!(
        set_active(&app, &world.oak_teacher, false).await.status(),
        200
    );
    assert!(
        app.current_user_of(&teacher).await.is_none(),
        "the very next request is signed out"
    );
    let (status, error) =
        app_error(app.sign_in_as(&teacher, "OAK", "teacher", PASSWORD).await).await;
    assert_eq!((status, error), (403, AppError::AccountInactive));
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE account_id = $1")
        .bind(&world.oak_teacher)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "its sessions were deleted");

    let inactive = list(&app, json!({ "status": "inactive" })).await;
    assert_eq!(inactive.total, 1);
    assert_eq!(inactive.rows[0].username, "teacher");

    assert_eq!(
        set_active(&app, &world.oak_teacher, true).await.status(),
        200
    );
    assert_eq!(
        app.sign_in_as(&teacher, "OAK", "teacher", PASSWORD)
            .await
            .status(),
        200
    );
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"account_inactivated".into())
            && actions.contains(&"account_reactivated".into()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_owner_is_out_of_reach_and_nobody_inactivates_themselves() {
    let (app, world) = as_office().await;
    assert_eq!(
        app_error(set_active(&app, &world.oak_owner, false).await)
            .await
            .1,
        AppError::Forbidden
    );
    let changed = change_email(&app, &world.oak_owner, "mine@oakwood.example").await;
    assert_eq!(app_error(changed).await.1, AppError::Forbidden);
    let (_, error) = app_error(set_active(&app, &world.oak_admin, false).await).await;
    assert!(error.to_string().contains("your own account"), "{error}");
    assert_eq!(
        set_active(&app, &world.riv_teacher, false).await.status(),
        404
    );

    let rows = list(&app, json!({ "role": "owner" })).await.rows;
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].manageable, "no controls on the owner's row");

    let owner = new_client();
    app.signed_in_as(&owner, "OAK", "admin", PASSWORD).await;
    let own = app
        .call_as(
            &owner,
            "set_account_active",
            &[("account_id", &world.oak_owner), ("active", "false")],
        )
        .await;
    assert_eq!(
        own.status(),
        422,
        "not even the owner switches the owner off"
    );
    let (active,): (bool,) = sqlx::query_as("SELECT active FROM accounts WHERE id = $1")
        .bind(&world.oak_owner)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(active);
}

#[tokio::test]
async fn emails_are_unique_across_schools_and_case() {
    let (app, world) = as_office().await;
    let (status, error) =
        app_error(change_email(&app, &world.oak_teacher, "OWNER@riverside.example").await).await;
    assert_eq!(status, 422);
    assert_eq!(
        error.to_string(),
        "This email address is already used by another account."
    );
    let (email,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
        .bind(&world.oak_teacher)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(email, "teacher@oakwood.example");

    let learner = change_email(&app, &world.oak_learner, "kid@home.example").await;
    assert_eq!(app_error(learner).await.0, 422);

    let moved = change_email(&app, &world.oak_parent, " Carer@Home.Example ").await;
    assert_eq!(moved.status(), 200);
    let (detail,): (String,) =
        sqlx::query_as("SELECT detail FROM audit_events WHERE action = 'email_changed'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(detail, "parent@home.example → carer@home.example");
}

#[tokio::test]
async fn search_filters_and_pages_keep_thousands_of_accounts_manageable() {
    let (app, world) = as_office().await;
    for i in 0..120 {
        app.account(
            &world.oak,
            "learner",
            &format!("pupil{i:03}"),
            None,
            (false, false),
        )
        .await;
    }
    let learners = list(&app, json!({ "role": "learner" })).await;
    assert_eq!(
        (learners.total, learners.pages, learners.rows.len()),
        (122, 3, 50)
    );
    let last = list(&app, json!({ "role": "learner", "page": 3 })).await;
    assert_eq!((last.page, last.rows.len()), (3, 22));
    let beyond = list(&app, json!({ "role": "learner", "page": 99 })).await;
    assert_eq!(beyond.page, 3, "a page past the end shows the last one");

    let everyone = list(&app, json!({})).await;
    assert_eq!(everyone.total, 127, "Riverside's accounts are not listed");
    assert_eq!(everyone.rows[0].role_label, "Owner");

    let found = list(&app, json!({ "search": "OLIVERJ" })).await;
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].username, "oliverj");
    let by_email = list(&app, json!({ "search": "@home.example" })).await;
    assert_eq!(by_email.rows[0].role, "parent");
    assert_eq!(
        list(&app, json!({ "search": "%" })).await.total,
        0,
        "% is a character"
    );

    let bad = app
        .call_json(
            "list_users",
            json!({ "query": { "search": "", "role": "admin", "status": "", "page": 1 } }),
        )
        .await;
    assert_eq!(app_error(bad).await.0, 422);
}

#[tokio::test]
async fn possible_duplicates_share_a_name_or_an_email_name() {
    let (app, world) = as_office().await;
    // "teacher display" is the fixture teacher's name.
    let twin = app
        .account(
            &world.oak,
            "staff",
            "tteacher",
            Some("t.t@oakwood.example"),
            (false, false),
        )
        .await;
    sqlx::query("UPDATE accounts SET display_name = 'Teacher Display' WHERE id = $1")
        .bind(&twin)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.account(
        &world.oak,
        "parent",
        "lead@home.example",
        Some("lead@home.example"),
        (false, false),
    )
    .await;
    let groups: Vec<DuplicateGroup> = app
        .call("possible_duplicates", &[])
        .await
        .json()
        .await
        .unwrap();
    let reasons: Vec<&str> = groups.iter().map(|g| g.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["Same name: teacher display", "Same email name: lead"],
        "Riverside's teacher@ is another school's"
    );
    assert!(groups.iter().all(|g| g.rows.len() == 2));
}

#[tokio::test]
async fn the_audit_log_never_holds_a_password_or_a_token() {
    let (app, world) = as_office().await;
    let secret = "copper-lantern-83";
    let changes = teacher_changes(
        &app,
        &world,
        json!({ "display_name": "T", "new_password": secret }),
    )
    .await;
    assert_eq!(
        app.call_json("save_staff_member", changes).await.status(),
        200
    );
    app.call(
        "send_staff_reset_email",
        &[("account_id", &world.oak_teacher)],
    )
    .await;
    set_active(&app, &world.oak_lead, false).await;
    let (token_hash,): (String,) = sqlx::query_as("SELECT token_hash FROM reset_tokens LIMIT 1")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let body = crate::helpers::queued(&app).await.remove(0).1;
    let start = body.find("/reset-password/").unwrap() + "/reset-password/".len();
    let token: String = body[start..].chars().take(43).collect();
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT actor_label || target_label || detail || client_addr FROM audit_events",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert!(rows.len() >= 4);
    for (text,) in rows {
        for leaked in [secret, PASSWORD, token.as_str(), token_hash.as_str()] {
            assert!(!text.contains(leaked), "{text}");
        }
    }
}

#[tokio::test]
async fn a_full_admin_resets_any_account_but_the_owners_from_user_management() {
    let (app, world) = as_office().await;
    app.class(&world.oak, "Year 3 Hazel", &[], &[&world.oak_learner])
        .await;
    let send = |id: &str| {
        let id = id.to_string();
        let app = &app;
        async move {
            app.call("send_account_reset_link", &[("account_id", &id)])
                .await
        }
    };
    assert_eq!(send(&world.oak_parent).await.status(), 200);
    let sent = crate::helpers::queued(&app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "parent@home.example");
    assert_eq!(send(&world.oak_owner).await.status(), 403);
    assert_eq!(send(&world.oak_learner).await.status(), 422);
    assert_eq!(send(&world.riv_teacher).await.status(), 404);

    let learner = app
        .call("learner_for_reset", &[("learner_id", &world.oak_learner)])
        .await;
    assert_eq!(learner.status(), 200);
    let (row, visible): (app::classes::LearnerRow, bool) = learner.json().await.unwrap();
    assert_eq!((row.username.as_str(), visible), ("amelias", true));
    // It shows the parent access code, so it is audited on the learner.
    let (opened,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'learner_opened_for_reset' \
         AND target_id = $1",
    )
    .bind(&world.oak_learner)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(opened, 1);
    app.reset_learner_as(&app.client, &world.oak_learner, "greenfox47")
        .await;

    let owner = new_client();
    app.signed_in_as(&owner, "OAK", "admin", PASSWORD).await;
    let own_link = app
        .call_as(
            &owner,
            "send_account_reset_link",
            &[("account_id", &world.oak_owner)],
        )
        .await;
    assert_eq!(own_link.status(), 403, "the owner is never sent a link");
    assert_eq!(crate::helpers::queued(&app).await.len(), 1);

    let lead = new_client();
    app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    let refused = app
        .call_as(
            &lead,
            "learner_for_reset",
            &[("learner_id", &world.oak_learner)],
        )
        .await;
    assert_eq!(refused.status(), 403);
}
