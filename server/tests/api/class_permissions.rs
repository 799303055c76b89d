//! Every class and learner server function × every kind of caller
//! (DESIGN.md §1): allowed, forbidden, or — for another school — not found.

use crate::helpers::{new_client, spawn_app, TestApp, World, PASSWORD};

const OK: u16 = 200;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;

/// The callers, in the order of the expectation arrays below.
const CALLERS: [(&str, &str); 8] = [
    ("OAK", "admin"),            // owner
    ("OAK", "office"),           // full admin
    ("OAK", "lead"),             // lead teacher
    ("OAK", "teacher"),          // teacher of Year 3 Hazel
    ("OAK", "teacher2"),         // teacher of another class
    ("OAK", "noahp"),            // a learner of another class
    ("", "parent@home.example"), // parent
    ("RIV", "admin"),            // another school's owner
];

struct Setup {
    app: TestApp,
    world: World,
    hazel: String,
    clients: Vec<reqwest::Client>,
}

async fn setup() -> Setup {
    let app = spawn_app().await;
    let world = app.world().await;
    let teacher2 = app
        .account(
            &world.oak,
            "staff",
            "teacher2",
            Some("teacher2@oakwood.example"),
            (false, false),
        )
        .await;
    let hazel = app
        .class(
            &world.oak,
            "Year 3 Hazel",
            &[&world.oak_teacher],
            &[&world.oak_learner, &world.oak_learner2],
        )
        .await;
    let noah = app
        .account(&world.oak, "learner", "noahp", None, (false, false))
        .await;
    app.class(&world.oak, "Year 4 Rowan", &[&teacher2], &[&noah])
        .await;
    let mut clients = Vec::new();
    for (school, username) in CALLERS {
        let client = new_client();
        assert_eq!(
            app.sign_in_as(&client, school, username, PASSWORD)
                .await
                .status(),
            200,
            "{username}"
        );
        clients.push(client);
    }
    // A viewable password for learner 2, set by the office.
    let office = &clients[1];
    let response = app
        .call_as(
            office,
            "reset_learner_password",
            &[
                ("learner_id", &world.oak_learner2),
                ("password", "sunnyowl07"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    Setup {
        app,
        world,
        hazel,
        clients,
    }
}

async fn expect(setup: &Setup, name: &str, form: &[(&str, &str)], expected: [u16; 8]) {
    let mut got = [0u16; 8];
    for (index, client) in setup.clients.iter().enumerate() {
        got[index] = setup
            .app
            .call_as(client, name, form)
            .await
            .status()
            .as_u16();
    }
    assert_eq!(
        got, expected,
        "{name} for owner, admin, lead, teacher, other teacher, learner, parent, other school"
    );
}

const CLASS_RULE: [u16; 8] = [OK, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND];

#[tokio::test]
async fn class_functions_follow_the_permission_table() {
    let s = setup().await;
    let hazel = s.hazel.as_str();
    expect(&s, "class_detail", &[("class_id", hazel)], CLASS_RULE).await;
    expect(
        &s,
        "reveal_access_codes",
        &[("class_id", hazel)],
        CLASS_RULE,
    )
    .await;
    expect(
        &s,
        "record_access_codes_download",
        &[("class_id", hazel)],
        CLASS_RULE,
    )
    .await;
    expect(
        &s,
        "reset_class_passwords",
        &[("class_id", hazel), ("mode", "NewPasswordEach")],
        CLASS_RULE,
    )
    .await;
    expect(
        &s,
        "list_classes",
        &[],
        [OK, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN, OK],
    )
    .await;
}

#[tokio::test]
async fn learner_functions_follow_the_permission_table() {
    let s = setup().await;
    let learner = s.world.oak_learner2.as_str();
    expect(
        &s,
        "reveal_learner_password",
        &[("learner_id", learner)],
        CLASS_RULE,
    )
    .await;
    expect(
        &s,
        "suggest_learner_password",
        &[("learner_id", learner)],
        CLASS_RULE,
    )
    .await;
    expect(&s, "unlock_learner", &[("learner_id", learner)], CLASS_RULE).await;
    expect(
        &s,
        "reset_learner_password",
        &[("learner_id", learner), ("password", "tinyfrog55")],
        CLASS_RULE,
    )
    .await;
}

#[tokio::test]
async fn school_wide_functions_are_for_lead_teachers_and_admins() {
    let s = setup().await;
    let school_rule = [OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK];
    expect(&s, "school_learners", &[], school_rule).await;
    expect(&s, "reveal_access_codes", &[], school_rule).await;
    expect(&s, "record_access_codes_download", &[], school_rule).await;
}

#[tokio::test]
async fn another_school_sees_nothing_of_this_one() {
    let s = setup().await;
    let riv = &s.clients[7];
    let classes: Vec<app::classes::ClassSummary> = s
        .app
        .call_as(riv, "list_classes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(classes.is_empty(), "{classes:?}");
    let learners: Vec<app::classes::LearnerRow> = s
        .app
        .call_as(riv, "school_learners", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(learners.is_empty(), "{learners:?}");
    let codes: app::classes::AccessCodes = s
        .app
        .call_as(riv, "reveal_access_codes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(codes.rows.is_empty());
    assert_eq!(codes.file_name, "RIV-all-classes-access-codes.csv");
}

#[tokio::test]
async fn a_teacher_lists_only_assigned_classes_and_others_list_all() {
    let s = setup().await;
    let names = |classes: Vec<app::classes::ClassSummary>| {
        classes.into_iter().map(|c| c.name).collect::<Vec<_>>()
    };
    let teacher: Vec<app::classes::ClassSummary> = s
        .app
        .call_as(&s.clients[3], "list_classes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(teacher), ["Year 3 Hazel"]);
    let lead: Vec<app::classes::ClassSummary> = s
        .app
        .call_as(&s.clients[2], "list_classes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(lead), ["Year 3 Hazel", "Year 4 Rowan"]);
}
