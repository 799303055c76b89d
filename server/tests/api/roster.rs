//! The roster (DESIGN.md §3 "Roster: classes and learners", issue #10):
//! adding classes.

use app::classes::ClassSummary;

use crate::helpers::{app_error, new_client, spawn_app, TestApp, PASSWORD};

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
