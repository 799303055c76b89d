//! Two servers on one database behave as one (DESIGN.md §3 "Deploying"):
//! requests alternate between them as a load balancer would send them, and
//! nothing that matters lives in one server's memory.

use app::error::AppError;

use crate::helpers::{app_error, new_client, spawn_app, PASSWORD};

#[tokio::test]
async fn failed_sign_ins_on_both_servers_lock_the_account() {
    let first = spawn_app().await;
    first.world().await;
    let second = first.second_server().await;
    for attempt in 1..=9 {
        let server = if attempt % 2 == 0 { &first } else { &second };
        let (_, error) =
            app_error(server.sign_in("OAK", "amelias", "wrong-password-1").await).await;
        assert_eq!(error, AppError::BadCredentials, "attempt {attempt}");
    }
    let (status, error) =
        app_error(first.sign_in("OAK", "amelias", "wrong-password-1").await).await;
    assert_eq!(status, 423, "the tenth failure, five on each server, locks");
    assert!(matches!(error, AppError::Locked { .. }), "{error:?}");
    let (_, error) = app_error(second.sign_in("OAK", "amelias", PASSWORD).await).await;
    assert!(
        matches!(error, AppError::Locked { .. }),
        "the other server refuses the right password too: {error:?}"
    );
}

#[tokio::test]
async fn a_session_made_on_one_server_is_known_to_the_other_and_ended_by_it() {
    let first = spawn_app().await;
    first.world().await;
    let second = first.second_server().await;
    let laptop = new_client();
    let tablet = new_client();
    first
        .signed_in_as(&laptop, "OAK", "teacher", PASSWORD)
        .await;
    second
        .signed_in_as(&tablet, "OAK", "teacher", PASSWORD)
        .await;
    assert!(
        second.current_user_of(&laptop).await.is_some(),
        "the session made on the first server works on the second"
    );
    // A password change through the second server…
    let form = [
        ("current_password", PASSWORD),
        ("new_password", "a-brand-new-pass-7"),
        ("confirm_new_password", "a-brand-new-pass-7"),
    ];
    let changed = second.call_as(&tablet, "change_password", &form).await;
    assert_eq!(changed.status(), 200);
    // …ends every session of the account on both servers (DESIGN.md: this
    // one included), the one made on the first server too.
    assert!(first.current_user_of(&laptop).await.is_none());
    assert!(second.current_user_of(&laptop).await.is_none());
    assert!(first.current_user_of(&tablet).await.is_none());
    first
        .signed_in_as(&laptop, "OAK", "teacher", "a-brand-new-pass-7")
        .await;
    let (status, _) = app_error(
        first
            .sign_in_as(&new_client(), "OAK", "teacher", PASSWORD)
            .await,
    )
    .await;
    assert_eq!(
        status, 401,
        "the old password is refused by the other server"
    );
}

#[tokio::test]
async fn inactivating_on_one_server_signs_the_account_out_of_the_other() {
    let first = spawn_app().await;
    let world = first.world().await;
    let second = first.second_server().await;
    let teacher = new_client();
    first
        .signed_in_as(&teacher, "OAK", "teacher", PASSWORD)
        .await;
    let admin = new_client();
    second.signed_in_as(&admin, "OAK", "admin", PASSWORD).await;
    let inactivated = second
        .call_as(
            &admin,
            "set_account_active",
            &[("account_id", &world.oak_teacher), ("active", "false")],
        )
        .await;
    assert_eq!(inactivated.status(), 200);
    assert!(second.current_user_of(&teacher).await.is_none());
    assert!(first.current_user_of(&teacher).await.is_none());
}

#[tokio::test]
async fn two_servers_polling_the_outbox_send_each_email_once() {
    let first = spawn_app().await;
    let world = first.world().await;
    let second = first.second_server().await;
    let now = first.state.clock.now();
    for n in 0..60 {
        sqlx::query(
            "INSERT INTO outgoing_messages (id, school_id, channel, recipient, subject, body_text, \
             next_attempt_at, created_at) VALUES ($1, $2, 'email', $3, 'Hello', 'Hello', $4, $4)",
        )
        .bind(app::db::new_id())
        .bind(&world.oak)
        .bind(format!("parent{n}@example.org"))
        .bind(now)
        .execute(&first.state.db)
        .await
        .unwrap();
    }
    // Each server polls until it finds nothing due, as its worker does,
    // writing into its own folder.
    let folder_a = first.data.path().join("outbox-a");
    let folder_b = second.data.path().join("outbox-b");
    let mailer_a = app::mail::transport::Mailer::files(folder_a.clone()).unwrap();
    let mailer_b = app::mail::transport::Mailer::files(folder_b.clone()).unwrap();
    let (a, b) = tokio::join!(
        crate::helpers::deliver_with(&first, &mailer_a),
        crate::helpers::deliver_with(&second, &mailer_b)
    );
    assert_eq!(
        a + b,
        60,
        "every email sent once: {a} by one server, {b} by the other"
    );
    let files = |folder: &std::path::Path| std::fs::read_dir(folder).unwrap().count();
    assert_eq!(
        files(&folder_a) + files(&folder_b),
        60,
        "no email written twice"
    );
    let (pending,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outgoing_messages WHERE status <> 'sent'")
            .fetch_one(&first.state.db)
            .await
            .unwrap();
    assert_eq!(pending, 0);
}

#[tokio::test]
async fn an_import_run_by_one_server_is_followed_on_the_other_and_told_once() {
    use base64::Engine;
    let first = spawn_app().await;
    let world = first.world().await;
    first
        .class(&world.oak, "Year 3 Hazel", &[&world.oak_teacher], &[])
        .await;
    let second = first.second_server().await;
    let admin = new_client();
    first.signed_in_as(&admin, "OAK", "admin", PASSWORD).await;
    let file = "class,first_name,last_name,username\n\
        Year 3 Hazel,Ann,Lee,ann.lee\n\
        Year 3 Hazel,Bo,Ng,bo.ng\n";
    let body = serde_json::json!({
        "file": base64::engine::general_purpose::STANDARD.encode(file), "inactivate_missing": false,
    });
    let started = first.call_json_as(&admin, "start_import", body).await;
    assert_eq!(started.status(), 200);
    let job: String = started.json().await.unwrap();
    // The first server stores the outcome sealed: no password or name in clear.
    let sealed = loop {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT outcome_sealed FROM import_jobs WHERE id = $1")
                .bind(&job)
                .fetch_optional(&first.state.db)
                .await
                .unwrap();
        if let Some((Some(sealed),)) = row {
            break sealed;
        }
        tokio::task::yield_now().await;
    };
    assert!(!sealed.contains("ann.lee") && !sealed.contains("Year 3"));
    // The second server answers the progress calls and hands the outcome out…
    let summary = crate::helpers::follow_import(&second, &admin, &job)
        .await
        .unwrap();
    assert_eq!(summary.created, 2);
    assert_eq!(summary.new_accounts.len(), 2);
    // …once: neither server knows the job any more.
    for server in [&first, &second] {
        let again = server
            .call_as(&admin, "import_progress", &[("job_id", &job)])
            .await;
        assert_eq!(again.status(), 404);
    }
}

#[tokio::test]
async fn an_import_whose_server_died_is_reported_and_frees_the_school() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.sign_in("OAK", "admin", PASSWORD).await;
    let now = app.state.clock.now();
    // A job left behind by a server that stopped 2 minutes ago.
    sqlx::query(
        "INSERT INTO import_jobs (id, school_id, user_id, total, stage, created_at, updated_at) \
         VALUES ('dead-job', $1, $2, 300, 'Making passwords', $3, $3)",
    )
    .bind(&world.oak)
    .bind(&world.oak_owner)
    .bind(now - 120)
    .execute(&app.state.db)
    .await
    .unwrap();
    // It does not block the school's next import…
    app.class(&world.oak, "Year 3 Hazel", &[&world.oak_teacher], &[])
        .await;
    let next = crate::helpers::apply_import(
        &app,
        &app.client,
        b"class,first_name,last_name,username\nYear 3 Hazel,Ann,Lee,ann.lee\n",
        false,
    )
    .await;
    assert_eq!(next.unwrap().created, 1);
    // …and asking about it says what happened.
    let outcome = crate::helpers::follow_import(&app, &app.client, "dead-job").await;
    let said = outcome.unwrap_err();
    assert!(said.contains("stopped before it could report"), "{said}");
}

#[tokio::test]
async fn an_import_task_that_ends_without_finishing_leaves_a_job_that_goes_stale() {
    let app = spawn_app().await;
    app.world().await;
    app.sign_in("OAK", "admin", PASSWORD).await;
    let user = app.current_user().await.unwrap();
    let (job_id, job) = app::roster::jobs::start(&app.state, &user, 5)
        .await
        .unwrap();
    // The import's task ends without `finish` (as when it panics): the
    // progress writer must stop, or it would keep the job looking alive.
    drop(job);
    app.state.clock.advance(app::roster::jobs::STALE_SECS + 1);
    // Polls until the job is reported stopped; a writer that kept going
    // would move it on for ever (the timeout only turns that into a failure).
    let said = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        crate::helpers::follow_import(&app, &app.client, &job_id),
    )
    .await
    .expect("the job went stale")
    .unwrap_err();
    assert!(said.contains("stopped before it could report"), "{said}");
}

/// Pages keep loading while another server starts in the same process, as
/// the tests' apps do side by side: starting one must not switch off
/// resource loading for those already answering (leptos-rs/leptos#4773).
/// Before the route list was made once per process, a sign-in page
/// rendered meanwhile now and then waited for the request timeout (408).
#[tokio::test]
async fn pages_load_while_another_server_starts() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let app = spawn_app().await;
    let starting = Arc::new(AtomicBool::new(true));
    let starter = tokio::task::spawn_blocking({
        let starting = Arc::clone(&starting);
        move || {
            let mut started = 0u32;
            // What each router's start asks for. Bounded: before the fix
            // each generation left its suppressed resources' tasks behind.
            while starting.load(Ordering::Relaxed) && started < 2_000 {
                assert!(!server::router::app_routes().is_empty());
                started += 1;
            }
            started
        }
    });
    for load in 1..=40 {
        let response = app
            .client
            .get(format!("{}/login", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "load {load}");
    }
    starting.store(false, Ordering::Relaxed);
    assert!(
        starter.await.unwrap() > 0,
        "route lists were asked for meanwhile"
    );
}
