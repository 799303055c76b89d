//! The audit page (`/audit`): full admins and the owner see every event of
//! their school, newest first and filtered; lead teachers learner events.

use app::audit::AuditPage;
use serde_json::json;

use crate::helpers::{new_client, spawn_app, teacher_changes, TestApp, World, PASSWORD};

async fn audit_as(
    app: &TestApp,
    client: &reqwest::Client,
    query: serde_json::Value,
) -> reqwest::Response {
    let mut body = json!({ "action": "", "actor": "", "from": "", "to": "", "page": 1 });
    for (key, value) in query.as_object().unwrap() {
        body[key] = value.clone();
    }
    app.call_json_as(client, "audit_log", json!({ "query": body }))
        .await
}

/// The audit page `client` gets for `query` (which must be allowed).
async fn log_as(app: &TestApp, client: &reqwest::Client, query: serde_json::Value) -> AuditPage {
    audit_as(app, client, query).await.json().await.unwrap()
}

/// The office resets a learner's password and sets the teacher's.
async fn some_events(app: &TestApp, world: &World) -> reqwest::Client {
    app.class(&world.oak, "Year 3 Hazel", &[], &[&world.oak_learner])
        .await;
    let office = new_client();
    app.signed_in_as(&office, "OAK", "office", PASSWORD).await;
    let reset = app
        .call_as(
            &office,
            "reset_learner_password",
            &[
                ("learner_id", &world.oak_learner),
                ("password", "greenfox47"),
            ],
        )
        .await;
    assert_eq!(reset.status(), 200);
    let changes = teacher_changes(
        app,
        world,
        json!({ "display_name": "T", "new_password": "copper-lantern-83" }),
    )
    .await;
    let set = app
        .call_json_as(&office, "save_staff_member", changes)
        .await;
    assert_eq!(set.status(), 200);
    app.signed_in_as(&new_client(), "RIV", "admin", PASSWORD)
        .await;
    office
}

#[tokio::test]
async fn full_admins_see_every_event_of_their_school_newest_first() {
    let app = spawn_app().await;
    let world = app.world().await;
    let office = some_events(&app, &world).await;
    let log = log_as(&app, &office, json!({})).await;
    assert!(!log.learner_events_only);
    let actions: Vec<&str> = log.rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "Staff password set",
            "Staff member changed",
            "Password reset",
            "Signed in"
        ]
    );
    assert_eq!(log.rows[2].target, "amelias");
    assert_eq!(log.rows[2].actor, "office");
    assert_eq!(log.rows[2].client_addr, "127.0.0.1");
    assert!(
        log.rows.iter().all(|r| r.actor != "admin"),
        "Riverside's events stay there"
    );

    let resets = log_as(&app, &office, json!({ "action": "password_reset" })).await;
    assert_eq!(resets.total, 1);
    let by_actor = log_as(&app, &office, json!({ "actor": "OFFICE" })).await;
    assert_eq!(by_actor.total, 4);
    // "Actor" is a search box: any part of the name, LIKE's wildcards literal.
    let by_part = log_as(&app, &office, json!({ "actor": "ffi" })).await;
    assert_eq!(by_part.total, 4);
    let wildcard = log_as(&app, &office, json!({ "actor": "%" })).await;
    assert_eq!(wildcard.total, 0);
    // "Target" is one too: whom (or which class) an event was about.
    let about_amelia = log_as(&app, &office, json!({ "target": "AMEL" })).await;
    assert_eq!(about_amelia.total, 1);
    assert_eq!(about_amelia.rows[0].action, "Password reset");
    let about_teacher = log_as(
        &app,
        &office,
        json!({ "target": "teach", "actor": "office" }),
    )
    .await;
    assert_eq!(about_teacher.total, 2);
    let wildcard = log_as(&app, &office, json!({ "target": "_" })).await;
    assert_eq!(wildcard.total, 0);
    let long_ago = log_as(&app, &office, json!({ "to": "2020-01-01" })).await;
    assert_eq!(long_ago.total, 0);
    let bad = audit_as(&app, &office, json!({ "from": "yesterday" })).await;
    assert_eq!(bad.status(), 422);
    // A range that ends before it starts is refused in words, not "0 events".
    let backwards = audit_as(
        &app,
        &office,
        json!({ "from": "2026-12-04", "to": "2026-12-01" }),
    )
    .await;
    assert_eq!(backwards.status(), 422);
    assert!(backwards.text().await.unwrap().contains("date is before"));
    let one_day = audit_as(
        &app,
        &office,
        json!({ "from": "2026-12-01", "to": "2026-12-01" }),
    )
    .await;
    assert_eq!(one_day.status(), 200);
}

/// A parent's username is their email: a lead teacher sees a parent's
/// learner events, but not who the parent is, nor can they test a guessed
/// address with the actor filter.
#[tokio::test]
async fn a_lead_teacher_never_sees_a_parents_email() {
    let app = spawn_app().await;
    let world = app.world().await;
    let mut tx = app::db::begin_write(&app.state.db).await.unwrap();
    let code = app::parents::ssr::store_access_code(
        &mut tx,
        &app.state,
        &world.oak,
        &world.oak_learner,
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let parent = new_client();
    app.signed_in_as(&parent, "OAK", "parent@home.example", PASSWORD)
        .await;
    let added = app
        .call_as(&parent, "add_child", &[("parent_access_code", &code)])
        .await;
    assert_eq!(added.status(), 200);

    let lead = new_client();
    app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    let log = log_as(&app, &lead, json!({})).await;
    let linked: Vec<_> = log
        .rows
        .iter()
        .filter(|r| r.action == "Parent linked to a child")
        .collect();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].actor, "a parent");
    assert!(
        log.rows
            .iter()
            .all(|r| !format!("{r:?}").contains("home.example")),
        "{:?}",
        log.rows
    );
    let guessed = log_as(&app, &lead, json!({ "actor": "parent@home.example" })).await;
    assert_eq!(guessed.total, 0);
    let part = log_as(&app, &lead, json!({ "actor": "home.ex" })).await;
    assert_eq!(part.total, 0, "no part of a parent's email either");

    // The office sees who it was.
    let office = new_client();
    app.signed_in_as(&office, "OAK", "office", PASSWORD).await;
    let log = log_as(&app, &office, json!({ "actor": "parent@home.example" })).await;
    assert!(log
        .rows
        .iter()
        .any(|r| r.action == "Parent linked to a child"));
}

#[tokio::test]
async fn a_lead_teacher_sees_learner_events_only_and_a_teacher_nothing() {
    let app = spawn_app().await;
    let world = app.world().await;
    some_events(&app, &world).await;
    let lead = new_client();
    app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    let log = log_as(&app, &lead, json!({})).await;
    assert!(log.learner_events_only);
    let actions: Vec<&str> = log.rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["Password reset"]);

    for username in ["oliverj", "parent@home.example"] {
        let client = new_client();
        app.signed_in_as(&client, "OAK", username, PASSWORD).await;
        assert_eq!(
            audit_as(&app, &client, json!({})).await.status(),
            403,
            "{username}"
        );
    }
    // The teacher's password was set by the office: they choose their own
    // first, so the refusal below is the audit permission's, not that.
    let teacher = new_client();
    app.signed_in_as(&teacher, "OAK", "teacher", "copper-lantern-83")
        .await;
    let chosen = app
        .call_as(
            &teacher,
            "choose_new_password",
            &[
                ("new_password", "amber-meadow-64"),
                ("confirm_new_password", "amber-meadow-64"),
            ],
        )
        .await;
    assert_eq!(chosen.status(), 200);
    let refused = audit_as(&app, &teacher, json!({})).await;
    let (status, error) = crate::helpers::app_error(refused).await;
    assert_eq!((status, error), (403, app::error::AppError::Forbidden));
}
