//! Roster import at school scale (issue #10): a 3,000-learner, 150-class
//! file against the release server.
//! 1. "Preview": the server's time (median of 3; loopback, so the wall time
//!    of the request is the server's time plus well under a millisecond).
//! 2. "Apply import" of the same file (3,000 new learners): the total time
//!    against the ideal of 3,000 argon2 hashes spread over every core.
//! 3. Another school's teacher signing in during the apply: p95 against idle.
//!
//! Run it with `bash bench/roster-import.sh`, which starts the release
//! binary and passes its URL in `CLASSKEYS_BENCH_URL`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;

#[path = "support/mod.rs"]
mod support;
use support::{ms, percentile};

const LEARNERS: usize = 3_000;
const CLASSES: usize = 150;
const ROUNDS: usize = 40;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("an HTTP client")
}

async fn sign_in(
    client: &reqwest::Client,
    url: &str,
    school: &str,
    username: &str,
    password: &str,
) {
    let status = client
        .post(format!("{url}/api/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("school_code", school),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(status, 200, "{username} signs in");
}

fn roster_file() -> String {
    let mut file = String::from("class,first_name,last_name,username,external_id\n");
    for n in 0..LEARNERS {
        let class = n % CLASSES;
        file.push_str(&format!(
            "Bench class {class:03},Learner,Number {n},bench{n:04},B{n:04}\n"
        ));
    }
    base64::engine::general_purpose::STANDARD.encode(file)
}

async fn post_json(
    client: &reqwest::Client,
    url: &str,
    function: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    client
        .post(format!("{url}/api/{function}"))
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .expect("an answer")
}

/// Another school's teacher signs in one after another until `stop`.
async fn teacher_sign_ins(url: &str, stop: Option<Arc<AtomicBool>>) -> Vec<Duration> {
    let mut times = Vec::new();
    loop {
        let started = Instant::now();
        sign_in(&client(), url, "RIV", "teacher", "riverside-teacher-1").await;
        times.push(started.elapsed());
        match &stop {
            None if times.len() >= ROUNDS => break,
            Some(stop) if stop.load(Ordering::Relaxed) => break,
            _ => {}
        }
    }
    times.sort();
    times
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("CLASSKEYS_BENCH_URL") else {
        eprintln!("roster_import: run `bash bench/roster-import.sh` (it starts the server)");
        return;
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // One argon2 hash with the server's parameters, on one core.
    let started = Instant::now();
    for _ in 0..10 {
        app::passwords::hashing::hash_blocking("violet-canyon-93").expect("a hash");
    }
    let one_hash = started.elapsed() / 10;
    let ideal = one_hash * LEARNERS as u32 / cores as u32;

    let admin = client();
    sign_in(&admin, &url, "OAK", "admin", "oakwood-owner-1").await;
    let file = roster_file();
    let body = serde_json::json!({ "file": file, "inactivate_missing": false });

    let mut previews = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let response = post_json(&admin, &url, "preview_import", body.clone()).await;
        previews.push(started.elapsed());
        assert_eq!(response.status(), 200, "the preview works");
        let preview: app::roster::ImportPreview = response.json().await.expect("a preview");
        assert_eq!(preview.new_learners, LEARNERS);
    }
    previews.sort();

    teacher_sign_ins(&url, None).await; // warm up
    let idle = teacher_sign_ins(&url, None).await;

    let stop = Arc::new(AtomicBool::new(false));
    let during = tokio::spawn({
        let (url, stop) = (url.clone(), stop.clone());
        async move { teacher_sign_ins(&url, Some(stop)).await }
    });
    let started = Instant::now();
    let response = post_json(&admin, &url, "start_import", body).await;
    assert_eq!(response.status(), 200, "the import starts");
    let job: String = response.json().await.expect("a job id");
    let summary = loop {
        let progress: app::roster::ImportProgress = admin
            .post(format!("{url}/api/import_progress"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("job_id", job.as_str())])
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("progress");
        if let Some(outcome) = progress.outcome {
            break outcome.expect("the import succeeds");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let apply = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let during = during.await.expect("the teacher's sign-ins");
    assert_eq!(summary.created, LEARNERS);

    println!(
        "preview of {LEARNERS} learners in {CLASSES} classes: median {:.0} ms (min {:.0}, max {:.0}; goal <= 1000 ms)",
        ms(previews[1]),
        ms(previews[0]),
        ms(previews[2])
    );
    println!(
        "apply of {LEARNERS} new learners: {:.1} s; ideal {LEARNERS} x {:.1} ms / {cores} cores = {:.1} s; ratio {:.2} (goal <= 1.3)",
        apply.as_secs_f64(),
        ms(one_hash),
        ideal.as_secs_f64(),
        apply.as_secs_f64() / ideal.as_secs_f64()
    );
    println!(
        "another school's teacher signing in: idle p95 {:.1} ms ({ROUNDS}); during the apply p95 {:.1} ms ({} sign-ins); ratio {:.2} (goal <= 3)",
        ms(percentile(&idle, 0.95)),
        ms(percentile(&during, 0.95)),
        during.len(),
        ms(percentile(&during, 0.95)) / ms(percentile(&idle, 0.95))
    );
}
