//! School settings (`/settings`): full admin or owner only; password rules
//! apply at once; hiding learner passwords destroys every stored copy.

use app::error::AppError;
use app::settings::SettingsPageData;
use app::staff::StaffDirectory;
use serde_json::json;

use crate::helpers::{app_error, new_client, spawn_app, teacher_changes, TestApp, PASSWORD};

/// The form as "Save" sends it, made from the settings as first loaded.
fn settings(min: u32, visible: bool, sms: bool) -> serde_json::Value {
    settings_from(1, min, visible, sms)
}

fn settings_from(version: i64, min: u32, visible: bool, sms: bool) -> serde_json::Value {
    json!({ "settings": {
        "min_password_length": min, "require_digit": true, "block_common_passwords": true,
        "learner_passwords_visible": visible, "learners_change_after_reset": false,
        "sms_enabled": sms,
    }, "version": version })
}

async fn save(app: &TestApp, body: serde_json::Value) -> reqwest::Response {
    app.call_json("save_school_settings", body).await
}

#[tokio::test]
async fn only_full_admins_and_the_owner_change_settings() {
    let app = spawn_app().await;
    app.world().await;
    for username in ["lead", "teacher", "amelias"] {
        let client = new_client();
        app.signed_in_as(&client, "OAK", username, PASSWORD).await;
        let load = app.call_as(&client, "school_settings_page", &[]).await;
        assert_eq!(load.status(), 403, "{username}");
        let save = app
            .call_json_as(&client, "save_school_settings", settings(20, false, true))
            .await;
        assert_eq!(save.status(), 403, "{username}");
    }
    let (min,): (i64,) =
        sqlx::query_as("SELECT min_password_length FROM schools WHERE code = 'OAK'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(min, 8, "nothing changed");
}

#[tokio::test]
async fn password_rules_are_saved_checked_and_apply_at_once() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "admin", PASSWORD).await;
    let (status, error) = app_error(save(&app, settings(7, true, false)).await).await;
    assert_eq!((status, error.field()), (422, Some("min_password_length")));

    let saved: SettingsPageData = save(&app, settings(16, true, true))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved.form.min_password_length, 16);
    assert!(saved.form.sms_enabled);
    let loaded: SettingsPageData = app
        .call("school_settings_page", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(loaded, saved);
    let directory: StaffDirectory = app.call("staff_directory", &[]).await.json().await.unwrap();
    assert!(directory.sms.enabled, "the staff page offers SMS now");

    let short = teacher_changes(
        &app,
        &world,
        json!({ "display_name": "T", "new_password": "copper-lantern8" }),
    )
    .await;
    let (_, error) = app_error(app.call_json("save_staff_member", short).await).await;
    assert!(error.to_string().contains("16"), "{error}");
    let (detail,): (String,) =
        sqlx::query_as("SELECT detail FROM audit_events WHERE action = 'settings_changed'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(detail, "minimum password length 8 → 16; SMS on");
}

#[tokio::test]
async fn hiding_learner_passwords_destroys_every_stored_copy() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.class(&world.oak, "Year 3 Hazel", &[], &[&world.oak_learner])
        .await;
    app.sign_in("OAK", "office", PASSWORD).await;
    app.reset_learner_as(&app.client, &world.oak_learner, "greenfox47")
        .await;
    let copies = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM learner_password_reveals")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        n
    };
    assert_eq!(copies().await, 1);

    assert_eq!(save(&app, settings(8, false, false)).await.status(), 200);
    assert_eq!(copies().await, 0);
    let reveal = app
        .call(
            "reveal_learner_password",
            &[("learner_id", &world.oak_learner)],
        )
        .await;
    assert!(matches!(app_error(reveal).await.1, AppError::Conflict(_)));
    let (detail,): (String,) =
        sqlx::query_as("SELECT detail FROM audit_events WHERE action = 'settings_changed'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        detail,
        "staff can see learner passwords off; 1 stored learner passwords destroyed"
    );

    // Resets from now on keep no copy either.
    app.reset_learner_as(&app.client, &world.oak_learner, "bluecat28")
        .await;
    assert_eq!(copies().await, 0);
}

#[tokio::test]
async fn defect_8_two_admins_saving_at_once_never_silently_undo_each_other() {
    let app = spawn_app().await;
    app.world().await;
    let owner = new_client();
    let office = new_client();
    assert_eq!(
        app.sign_in_as(&owner, "OAK", "admin", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.sign_in_as(&office, "OAK", "office", PASSWORD)
            .await
            .status(),
        200
    );
    // Both loaded version 1. The owner hides learner passwords while the
    // office admin, from the same old form, only changes the length.
    let (hide, lengthen) = tokio::join!(
        app.call_json_as(&owner, "save_school_settings", settings(8, false, false)),
        app.call_json_as(&office, "save_school_settings", settings(12, true, false)),
    );
    let mut statuses = [hide.status().as_u16(), lengthen.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "exactly one save wins");
    let loser = if hide.status() == 409 { hide } else { lengthen };
    assert_eq!(
        app_error(loser).await.1.to_string(),
        "Someone else changed this a moment ago. Reload to see their change."
    );
    let (visible, min, version): (bool, i64, i64) = sqlx::query_as(
        "SELECT learner_passwords_visible, min_password_length, row_version FROM schools WHERE code = 'OAK'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert!(
        (visible, min) == (false, 8) || (visible, min) == (true, 12),
        "the winner's form, whole: {visible} {min}"
    );
    assert_eq!(version, 2);
    let (changes,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = 'settings_changed'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(changes, 1, "the refused save recorded nothing");

    // Reloaded, the other admin saves on top of the change.
    let again = app
        .call_json_as(
            &office,
            "save_school_settings",
            settings_from(2, 12, visible, false),
        )
        .await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn hiding_learner_passwords_while_a_reset_runs_leaves_no_copy() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.class(&world.oak, "Year 3 Hazel", &[], &[&world.oak_learner])
        .await;
    let office = new_client();
    app.signed_in_as(&office, "OAK", "office", PASSWORD).await;
    app.signed_in_as(&app.client, "OAK", "admin", PASSWORD)
        .await;
    let form = [
        ("learner_id", world.oak_learner.as_str()),
        ("password", "greenfox47"),
    ];
    let (reset, hide) = tokio::join!(
        app.call_as(&office, "reset_learner_password", &form),
        save(&app, settings(8, false, false)),
    );
    assert_eq!(
        (reset.status().as_u16(), hide.status().as_u16()),
        (200, 200)
    );
    let (copies,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM learner_password_reveals")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(copies, 0, "whichever finished first, no copy is kept");
}

/// 2026-06-30 23:30 UTC: 00:30 on 1 July in London (BST).
const LATE_JUNE_NIGHT: i64 = 1_782_862_200;

fn with_zone(version: i64, zone: &str) -> serde_json::Value {
    let mut body = settings_from(version, 8, true, false);
    body["settings"]["time_zone"] = json!(zone);
    body
}

#[tokio::test]
async fn the_time_zone_is_chosen_from_the_list_and_the_audit_log_reads_it() {
    use app::audit::AuditPage;

    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "admin", PASSWORD).await;
    let loaded: SettingsPageData = app
        .call("school_settings_page", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        loaded.form.time_zone.as_deref(),
        Some("UTC"),
        "until chosen"
    );
    assert_eq!(loaded.time_zones[0], "UTC");
    assert!(loaded.time_zones.iter().any(|z| z == "Europe/London"));

    for refused in ["Europe/Atlantis", "GB", "", "Europe/London'; --"] {
        let (status, error) = app_error(save(&app, with_zone(1, refused)).await).await;
        assert_eq!(
            (status, error.field()),
            (422, Some("time_zone")),
            "{refused}"
        );
    }
    let saved: SettingsPageData = save(&app, with_zone(1, "Europe/London"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved.form.time_zone.as_deref(), Some("Europe/London"));
    // A save without the field (an older form) leaves the zone alone.
    let kept: SettingsPageData = save(&app, settings_from(saved.version, 8, true, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept.form.time_zone.as_deref(), Some("Europe/London"));
    let (riverside,): (String,) = sqlx::query_as("SELECT time_zone FROM schools WHERE id = $1")
        .bind(&world.riv)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(riverside, "UTC", "another school keeps its own");
    // Last sign-ins read in the school's zone too (GMT or BST by season).
    let directory: StaffDirectory = app.call("staff_directory", &[]).await.json().await.unwrap();
    let admin = directory
        .staff
        .iter()
        .find(|m| m.username == "admin")
        .unwrap();
    let full = &admin.last_sign_in.as_ref().unwrap().full;
    assert!(full.ends_with(" GMT") || full.ends_with(" BST"), "{full}");

    // An event late on 30 June (UTC) is on 1 July at the school.
    let event = app::audit::ssr::AuditEvent {
        school_id: Some(world.oak.clone()),
        actor_label: "office".into(),
        target_label: "night owl".into(),
        ..Default::default()
    };
    app::audit::ssr::record(
        &app.state.db,
        app::audit::AuditAction::PasswordReset,
        event,
        LATE_JUNE_NIGHT,
    )
    .await
    .unwrap();
    let day = |from: &str, to: &str| {
        json!({ "query": {
            "action": "password_reset", "actor": "", "from": from, "to": to, "page": 1
        } })
    };
    let first_of_july: AuditPage = app
        .call_json("audit_log", day("2026-07-01", "2026-07-01"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first_of_july.total, 1);
    assert_eq!(first_of_july.rows[0].time, "1 Jul 2026, 00:30 BST");
    let last_of_june: AuditPage = app
        .call_json("audit_log", day("2026-06-30", "2026-06-30"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(last_of_june.total, 0, "not on 30 June at the school");

    let changes: AuditPage = app
        .call_json(
            "audit_log",
            json!({ "query": {
                "action": "settings_changed", "actor": "", "from": "", "to": "", "page": 1
            } }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        changes.total, 1,
        "the save without the field changed nothing"
    );
    assert_eq!(changes.rows[0].detail, "time zone UTC → Europe/London");
}
