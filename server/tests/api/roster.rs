//! The roster (DESIGN.md §3 "Roster: classes and learners", issue #10):
//! classes (add, rename, assign teachers, archive, restore) and learners
//! (add, edit, remove from a class).

use app::classes::ClassSummary;
use app::learners::{AddedLearner, LearnerProfile};
use serde_json::json;

use crate::helpers::{app_error, new_client, spawn_app, teacher_changes, TestApp, World, PASSWORD};

async fn create(app: &TestApp, client: &reqwest::Client, name: &str) -> reqwest::Response {
    app.call_as(client, "create_class", &[("name", name)]).await
}

async fn class_names(app: &TestApp, client: &reqwest::Client) -> Vec<String> {
    let response = app.call_as(client, "list_classes", &[]).await;
    assert_eq!(response.status(), 200);
    let classes: Vec<ClassSummary> = response.json().await.unwrap();
    classes.into_iter().map(|c| c.name).collect()
}

#[tokio::test]
async fn a_lead_teacher_adds_a_class_that_every_manager_then_sees() {
    let app = spawn_app().await;
    app.world().await;
    let lead = new_client();
    app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    let response = create(&app, &lead, "  Year 2 Birch ").await;
    assert_eq!(response.status(), 200);
    let class: ClassSummary = response.json().await.unwrap();
    assert_eq!(
        (class.name.as_str(), class.learner_count),
        ("Year 2 Birch", 0)
    );
    assert_eq!(class_names(&app, &lead).await, ["Year 2 Birch"]);
    let office = new_client();
    app.signed_in_as(&office, "OAK", "office", PASSWORD).await;
    assert_eq!(class_names(&app, &office).await, ["Year 2 Birch"]);
    let riv = new_client();
    app.signed_in_as(&riv, "RIV", "admin", PASSWORD).await;
    assert!(
        class_names(&app, &riv).await.is_empty(),
        "another school sees nothing"
    );
    let (actor, target): (String, String) = sqlx::query_as(
        "SELECT actor_label, target_label FROM audit_events WHERE action = 'class_created'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!((actor.as_str(), target.as_str()), ("lead", "Year 2 Birch"));
}

#[tokio::test]
async fn class_names_are_unique_in_a_school_whatever_the_case() {
    let app = spawn_app().await;
    app.world().await;
    app.signed_in_as(&app.client, "OAK", "admin", PASSWORD)
        .await;
    assert_eq!(
        create(&app, &app.client, "Year 3 Hazel").await.status(),
        200
    );
    let (status, error) = app_error(create(&app, &app.client, "YEAR 3 hazel").await).await;
    assert_eq!((status, error.field()), (422, Some("name")));
    assert_eq!(
        error.to_string(),
        "There is already a class called Year 3 Hazel in this school."
    );
    // Another school may use the same name.
    let riv = new_client();
    app.signed_in_as(&riv, "RIV", "admin", PASSWORD).await;
    assert_eq!(create(&app, &riv, "Year 3 Hazel").await.status(), 200);
    // Two admins adding one name at once: one class.
    let office = new_client();
    app.signed_in_as(&office, "OAK", "office", PASSWORD).await;
    let (a, b) = tokio::join!(
        create(&app, &app.client, "Year 4 Rowan"),
        create(&app, &office, "year 4 rowan"),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 422]);
}

#[tokio::test]
async fn bad_class_names_are_explained_and_nothing_is_made() {
    let app = spawn_app().await;
    app.world().await;
    app.signed_in_as(&app.client, "OAK", "office", PASSWORD)
        .await;
    for bad in ["", "   ", "Year\n3", &"x".repeat(81)] {
        let (status, error) = app_error(create(&app, &app.client, bad).await).await;
        assert_eq!((status, error.field()), (422, Some("name")), "{bad:?}");
    }
    assert!(class_names(&app, &app.client).await.is_empty());
}

#[tokio::test]
async fn teachers_learners_and_parents_cannot_add_classes() {
    let app = spawn_app().await;
    app.world().await;
    assert_eq!(create(&app, &new_client(), "Sneaky").await.status(), 401);
    for (school, username) in [
        ("OAK", "teacher"),
        ("OAK", "amelias"),
        ("", "parent@home.example"),
    ] {
        let client = new_client();
        app.signed_in_as(&client, school, username, PASSWORD).await;
        assert_eq!(
            create(&app, &client, "Sneaky").await.status(),
            403,
            "{username}"
        );
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM classes")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

/// OAK's world with Year 3 Hazel (teacher `teacher`, learners Amelia and
/// Oliver); returns the class id.
async fn hazel(app: &TestApp, world: &World) -> String {
    let learners = [world.oak_learner.as_str(), world.oak_learner2.as_str()];
    app.class(&world.oak, "Year 3 Hazel", &[&world.oak_teacher], &learners)
        .await
}

async fn last_audit(app: &TestApp, action: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT target_label, detail FROM audit_events WHERE action = $1 ORDER BY rowid DESC LIMIT 1",
    )
    .bind(action)
    .fetch_one(&app.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_class_is_renamed_under_the_same_rules_and_audited() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    app.class(&world.oak, "Year 4 Rowan", &[], &[]).await;
    app.signed_in_as(&app.client, "OAK", "lead", PASSWORD).await;
    let rename = |name: &'static str| {
        let (app, hazel) = (&app, hazel.clone());
        async move {
            app.call_as(
                &app.client,
                "rename_class",
                &[("class_id", &hazel), ("name", name)],
            )
            .await
        }
    };
    let (status, error) = app_error(rename("YEAR 4 ROWAN").await).await;
    assert_eq!((status, error.field()), (422, Some("name")));
    assert_eq!(
        error.to_string(),
        "There is already a class called Year 4 Rowan in this school."
    );
    let response = rename(" Year 3 Hazel & Birch ").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<String>().await.unwrap(),
        "Year 3 Hazel & Birch"
    );
    assert_eq!(
        last_audit(&app, "class_renamed").await,
        ("Year 3 Hazel & Birch".into(), "was Year 3 Hazel".into())
    );
    // Only the case changes: allowed, it is the same class.
    assert_eq!(rename("year 3 hazel & birch").await.status(), 200);
}

#[tokio::test]
async fn an_archived_class_leaves_the_lists_keeps_its_learners_and_can_be_restored() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    app.signed_in_as(&app.client, "OAK", "office", PASSWORD)
        .await;
    let teacher = new_client();
    app.signed_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    let archive = |archived: &'static str| {
        let (app, hazel) = (&app, hazel.clone());
        async move {
            app.call_as(
                &app.client,
                "set_class_archived",
                &[("class_id", &hazel), ("archived", archived)],
            )
            .await
        }
    };
    assert_eq!(archive("true").await.status(), 200);
    assert!(class_names(&app, &app.client).await.is_empty());
    assert!(class_names(&app, &teacher).await.is_empty());
    let archived: Vec<ClassSummary> = app
        .call_as(&app.client, "archived_classes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(archived.len(), 1);
    assert!(archived[0].archived);
    assert_eq!(archived[0].learner_count, 2);
    // The learners keep their accounts: they sign in, and the school list
    // still has them (without the archived class).
    app.sign_in_as(&new_client(), "OAK", "amelias", PASSWORD)
        .await;
    let learners: Vec<app::classes::LearnerRow> = app
        .call_as(&app.client, "school_learners", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(learners.len(), 2);
    assert!(learners.iter().all(|l| l.classes.is_empty()));
    // A teacher cannot list archived classes, nor open theirs, nor reset
    // a learner through it, by its address.
    assert_eq!(
        app.call_as(&teacher, "archived_classes", &[])
            .await
            .status(),
        403
    );
    let class_form = [("class_id", hazel.as_str())];
    let open_class = || app.call_as(&teacher, "class_detail", &class_form);
    assert_eq!(open_class().await.status(), 403);
    let reset = [
        ("learner_id", world.oak_learner.as_str()),
        ("password", "greenfox47"),
    ];
    assert_eq!(
        app.call_as(&teacher, "reset_learner_password", &reset)
            .await
            .status(),
        403
    );
    // The staff page offers no archived class, and saving the class's
    // teacher there leaves their assignment to it for a restore.
    let directory: app::staff::StaffDirectory = app
        .call_as(&app.client, "staff_directory", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(directory.classes.iter().all(|c| c.id != hazel));
    let tess = directory
        .staff
        .iter()
        .find(|s| s.id == world.oak_teacher)
        .unwrap();
    assert!(tess.class_ids.is_empty());
    let changes = teacher_changes(&app, &world, json!({})).await;
    let saved = app
        .call_json_as(&app.client, "save_staff_member", changes)
        .await;
    assert_eq!(saved.status(), 200);
    let changes = teacher_changes(&app, &world, json!({ "class_ids": [hazel] })).await;
    let refused = app
        .call_json_as(&app.client, "save_staff_member", changes)
        .await;
    assert_eq!(refused.status(), 422, "an archived class is not offered");
    assert_eq!(archive("false").await.status(), 200);
    assert_eq!(class_names(&app, &teacher).await, ["Year 3 Hazel"]);
    assert_eq!(open_class().await.status(), 200);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"class_archived".to_string()));
    assert!(actions.contains(&"class_restored".to_string()));
}

#[tokio::test]
async fn assigning_teachers_replaces_them_with_the_schools_active_staff_only() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    app.signed_in_as(&app.client, "OAK", "lead", PASSWORD).await;
    let choices: Vec<app::classes::TeacherChoice> = app
        .call_as(&app.client, "class_teachers", &[("class_id", &hazel)])
        .await
        .json()
        .await
        .unwrap();
    let assigned: Vec<&str> = choices
        .iter()
        .filter(|c| c.assigned)
        .map(|c| c.username.as_str())
        .collect();
    assert_eq!(assigned, ["teacher"]);
    assert_eq!(choices.len(), 4, "owner, office, lead and teacher");
    let assign = |ids: Vec<&str>| {
        let (app, hazel) = (&app, hazel.clone());
        let ids: Vec<String> = ids.into_iter().map(String::from).collect();
        async move {
            app.call_json(
                "assign_class_teachers",
                json!({ "class_id": hazel, "teacher_ids": ids }),
            )
            .await
        }
    };
    // Another school's teacher, or a learner, is refused and nothing changes.
    for outsider in [&world.riv_teacher, &world.oak_learner] {
        let (status, _) = app_error(assign(vec![&world.oak_lead, outsider]).await).await;
        assert_eq!(status, 422);
    }
    assert_eq!(assign(vec![&world.oak_lead]).await.status(), 200);
    let lead = new_client();
    app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    let teacher = new_client();
    app.signed_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    assert!(class_names(&app, &teacher).await.is_empty(), "unassigned");
    let (target, detail) = last_audit(&app, "class_teachers_assigned").await;
    assert_eq!(
        (target.as_str(), detail.as_str()),
        ("Year 3 Hazel", "added lead; removed teacher")
    );
}

async fn add_learner(
    app: &TestApp,
    client: &reqwest::Client,
    class: &str,
    (first, last, username): (&str, &str, &str),
) -> reqwest::Response {
    let form = [
        ("class_id", class),
        ("first_name", first),
        ("last_name", last),
        ("username", username),
    ];
    app.call_as(client, "add_learner", &form).await
}

async fn suggestion(app: &TestApp, first: &str, last: &str) -> String {
    let response = app
        .call_as(
            &app.client,
            "suggest_username",
            &[("first_name", first), ("last_name", last)],
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_added_learner_gets_a_password_and_parent_code_and_signs_in_at_once() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    app.signed_in_as(&app.client, "OAK", "lead", PASSWORD).await;
    assert_eq!(suggestion(&app, "Ali", "Khan").await, "ali.khan");
    let response = add_learner(&app, &app.client, &hazel, ("Ali", "Khan", "ali.khan")).await;
    assert_eq!(response.status(), 200);
    let added: AddedLearner = response.json().await.unwrap();
    assert_eq!(
        (added.row.name().as_str(), added.row.username.as_str()),
        ("Ali Khan", "ali.khan")
    );
    assert_eq!(added.row.classes, ["Year 3 Hazel"]);
    assert_eq!(added.row.parent_access_code.len(), 11, "XXX-XXX-XXX");
    let learner = new_client();
    let signed_in = app
        .sign_in_as(&learner, "OAK", "ALI.KHAN", &added.password)
        .await;
    assert_eq!(signed_in.status(), 200);
    // The next Ali Khan is numbered; so is one whose name was typed oddly.
    assert_eq!(suggestion(&app, " ali ", "KHAN").await, "ali.khan2");
    let response = add_learner(&app, &app.client, &hazel, ("Ali", "Khan", "")).await;
    let second: AddedLearner = response.json().await.unwrap();
    assert_eq!(second.row.username, "ali.khan2");
    assert_eq!(
        suggestion(&app, "Seán", "Ó Súilleabháin").await,
        "sean.osuilleabhain"
    );
    let (target, detail) = last_audit(&app, "learner_created").await;
    assert_eq!(
        (target.as_str(), detail.as_str()),
        ("ali.khan2", "added to Year 3 Hazel")
    );
}

#[tokio::test]
async fn usernames_stay_unique_across_learners_and_staff_whatever_the_case() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    app.signed_in_as(&app.client, "OAK", "office", PASSWORD)
        .await;
    let cases = [
        (
            ("Tess", "Teacher", "TEACHER"),
            "The username teacher is already used by a staff account in this school.",
        ),
        (
            ("Amy", "Smith", "AmeliaS"),
            "The username amelias is already used by another learner in this school.",
        ),
        (("Amy", "Smith", "amy smith"), app::usernames::RULE),
    ];
    for (names, message) in cases {
        let (status, error) = app_error(add_learner(&app, &app.client, &hazel, names).await).await;
        assert_eq!(
            (status, error.field()),
            (422, Some("username")),
            "{names:?}"
        );
        assert_eq!(error.to_string(), message);
    }
    for (names, field) in [
        (("", "Smith", "amy.s"), "first_name"),
        (("Amy", "=HYPERLINK(\"http://evil\")", "amy.s"), "last_name"),
    ] {
        let (status, error) = app_error(add_learner(&app, &app.client, &hazel, names).await).await;
        assert_eq!((status, error.field()), (422, Some(field)));
    }
    // Every letter of every script is kept.
    let response = add_learner(&app, &app.client, &hazel, ("王", "Nguyễn", "")).await;
    let added: AddedLearner = response.json().await.unwrap();
    assert_eq!(
        (added.row.first_name.as_str(), added.row.last_name.as_str()),
        ("王", "Nguyễn")
    );
    assert_eq!(added.row.username, "wang.nguyen");
    // Another school's class is not found; nothing was added anywhere.
    let riv_class = app.class(&world.riv, "Riverside 1", &[], &[]).await;
    let response = add_learner(&app, &app.client, &riv_class, ("Amy", "Smith", "amy.s")).await;
    assert_eq!(response.status(), 404);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE role = 'learner'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 3);
}

async fn profile(app: &TestApp, learner: &str) -> LearnerProfile {
    let response = app
        .call_as(&app.client, "learner_profile", &[("learner_id", learner)])
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn editing_a_learner_changes_names_username_and_classes_and_refuses_stale_forms() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    let rowan = app.class(&world.oak, "Year 4 Rowan", &[], &[]).await;
    sqlx::query("UPDATE accounts SET first_name = 'Amelia', last_name = 'Smith' WHERE id = $1")
        .bind(&world.oak_learner)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.signed_in_as(&app.client, "OAK", "lead", PASSWORD).await;
    let loaded = profile(&app, &world.oak_learner).await;
    let member: Vec<(&str, bool)> = loaded
        .classes
        .iter()
        .map(|c| (c.name.as_str(), c.member))
        .collect();
    assert_eq!(member, [("Year 3 Hazel", true), ("Year 4 Rowan", false)]);
    let save =
        |changes: serde_json::Value| app.call_json("save_learner", json!({ "changes": changes }));
    let changes = json!({
        "id": world.oak_learner, "first_name": "Amélie", "last_name": "Brown",
        "username": "amelie.b", "class_ids": [rowan], "version": loaded.version,
    });
    assert_eq!(save(changes.clone()).await.status(), 200);
    let after = profile(&app, &world.oak_learner).await;
    assert_eq!(
        (after.first_name.as_str(), after.username.as_str()),
        ("Amélie", "amelie.b")
    );
    let member: Vec<&str> = after
        .classes
        .iter()
        .filter(|c| c.member)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(member, ["Year 4 Rowan"]);
    let (_, detail) = last_audit(&app, "learner_updated").await;
    assert_eq!(
        detail,
        "name Amelia Smith → Amélie Brown; username amelias → amelie.b; joined Year 4 Rowan; left Year 3 Hazel"
    );
    // The same form again is stale: someone (this one) changed the learner.
    let (status, _) = app_error(save(changes).await).await;
    assert_eq!(status, 409);
    // Oliver's username is not free; another school's class is refused.
    let oliver = profile(&app, &world.oak_learner2).await;
    let taken = json!({
        "id": world.oak_learner2, "first_name": "Oliver", "last_name": "J",
        "username": "AMELIE.B", "class_ids": [hazel], "version": oliver.version,
    });
    let (status, error) = app_error(save(taken).await).await;
    assert_eq!((status, error.field()), (422, Some("username")));
    let riv_class = app.class(&world.riv, "Riverside 1", &[], &[]).await;
    let foreign = json!({
        "id": world.oak_learner2, "first_name": "Oliver", "last_name": "J",
        "username": "oliverj", "class_ids": [riv_class], "version": oliver.version,
    });
    let (status, error) = app_error(save(foreign).await).await;
    assert_eq!((status, error.field()), (422, Some("classes")));
}

#[tokio::test]
async fn removing_a_learner_from_a_class_keeps_their_account() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    app.signed_in_as(&app.client, "OAK", "lead", PASSWORD).await;
    let form = [
        ("class_id", hazel.as_str()),
        ("learner_id", world.oak_learner.as_str()),
    ];
    let remove = || app.call_as(&app.client, "remove_from_class", &form);
    assert_eq!(remove().await.status(), 200);
    assert_eq!(remove().await.status(), 409, "already removed");
    let detail: app::classes::ClassDetail = app
        .call_as(&app.client, "class_detail", &[("class_id", &hazel)])
        .await
        .json()
        .await
        .unwrap();
    let left: Vec<&str> = detail
        .learners
        .iter()
        .map(|l| l.username.as_str())
        .collect();
    assert_eq!(left, ["oliverj"]);
    assert_eq!(
        app.sign_in_as(&new_client(), "OAK", "amelias", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        last_audit(&app, "learner_removed_from_class").await,
        ("amelias".into(), "from Year 3 Hazel".into())
    );
}

#[tokio::test]
async fn a_teacher_only_views_the_roster() {
    let app = spawn_app().await;
    let world = app.world().await;
    let hazel = hazel(&app, &world).await;
    let teacher = new_client();
    app.signed_in_as(&teacher, "OAK", "teacher", PASSWORD).await;
    let learner = world.oak_learner.as_str();
    let calls: [(&str, Vec<(&str, &str)>); 6] = [
        ("rename_class", vec![("class_id", &hazel), ("name", "Mine")]),
        (
            "set_class_archived",
            vec![("class_id", &hazel), ("archived", "true")],
        ),
        ("class_teachers", vec![("class_id", &hazel)]),
        (
            "suggest_username",
            vec![("first_name", "A"), ("last_name", "B")],
        ),
        ("learner_profile", vec![("learner_id", learner)]),
        (
            "remove_from_class",
            vec![("class_id", &hazel), ("learner_id", learner)],
        ),
    ];
    for (function, form) in calls {
        assert_eq!(
            app.call_as(&teacher, function, &form).await.status(),
            403,
            "{function}"
        );
    }
    let response = add_learner(&app, &teacher, &hazel, ("Ali", "Khan", "ali.khan")).await;
    assert_eq!(response.status(), 403);
    let detail: app::classes::ClassDetail = app
        .call_as(&teacher, "class_detail", &[("class_id", &hazel)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (detail.class.name.as_str(), detail.learners.len()),
        ("Year 3 Hazel", 2)
    );
}
