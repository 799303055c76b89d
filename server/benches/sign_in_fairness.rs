//! Sign-in fairness under a storm (issue #9, defect 2): the p95 of a real
//! teacher's sign-in from 127.0.0.1 while another address keeps 50 sign-ins
//! in flight non-stop (wrong ones from 127.0.0.2, then right ones from
//! 127.0.0.3), against the idle p95.
//! Run it with `bash bench/sign-in-fairness.sh`, which starts the release
//! binary and passes its URL in `CLASSKEYS_BENCH_URL`.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::{ms, percentile};

const ROUNDS: usize = 60;
const STORM: usize = 50;

fn client_from(addr: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(addr))
        .cookie_store(true)
        .build()
        .expect("an HTTP client")
}

async fn sign_in(client: &reqwest::Client, url: &str, username: &str, password: &str) -> u16 {
    client
        .post(format!("{url}/api/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("school_code", "OAK"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// The teacher signs in `ROUNDS` times, one after another, each time on a
/// fresh device; returns the times sorted.
async fn teacher_sign_ins(url: &str) -> Vec<Duration> {
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let client = client_from([127, 0, 0, 1]);
        let started = Instant::now();
        let status = sign_in(&client, url, "teacher", "oakwood-teacher-1").await;
        times.push(started.elapsed());
        assert_eq!(status, 200, "the teacher signs in");
    }
    times.sort();
    times
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("CLASSKEYS_BENCH_URL") else {
        eprintln!("sign_in_fairness: run `bash bench/sign-in-fairness.sh` (it starts the server)");
        return;
    };
    // Warm up: the dummy hash and the connection pools.
    teacher_sign_ins(&url).await;
    let idle = teacher_sign_ins(&url).await;

    // 1. Wrong sign-ins for invented names from 127.0.0.2: the network is
    //    soon paced, and its hashes queue behind each other.
    let wrong = storm(&url, [127, 0, 0, 2], |n, attempt| {
        (format!("nobody{n}x{attempt}"), "wrong-password-1")
    })
    .await;
    // 2. Right sign-ins of one account from a fresh address, 127.0.0.3 (a
    //    class arriving at once behind one NAT): nothing paces them, so only
    //    the fair queue keeps the teacher's hash from waiting behind fifty.
    let right = storm(&url, [127, 0, 0, 3], |_, _| {
        ("lead".to_string(), "oakwood-lead-1")
    })
    .await;

    let idle_p95 = percentile(&idle, 0.95);
    println!(
        "teacher sign-in, idle: p50 {:.1} ms, p95 {:.1} ms ({ROUNDS} sign-ins)",
        ms(percentile(&idle, 0.5)),
        ms(idle_p95)
    );
    for (label, result) in [
        ("wrong sign-ins from 127.0.0.2", wrong),
        ("right sign-ins from 127.0.0.3", right),
    ] {
        let p95 = percentile(&result.teacher, 0.95);
        println!(
            "teacher sign-in, {STORM} {label} in flight: p50 {:.1} ms, p95 {:.1} ms; \
             the storm got {} answers in {:.1} s ({:.1}/s); ratio p95 / idle p95 {:.2} (goal <= 3)",
            ms(percentile(&result.teacher, 0.5)),
            ms(p95),
            result.answers,
            result.secs,
            result.answers as f64 / result.secs,
            ms(p95) / ms(idle_p95)
        );
    }
}

struct StormResult {
    teacher: Vec<Duration>,
    answers: u64,
    secs: f64,
}

/// Keeps `STORM` sign-ins in flight from `from` (the `n`th worker's
/// `attempt`th try signs in as `who(n, attempt)`) while the teacher signs in.
async fn storm(
    url: &str,
    from: [u8; 4],
    who: impl Fn(usize, u64) -> (String, &'static str) + Send + Sync + Copy + 'static,
) -> StormResult {
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..STORM)
        .map(|n| {
            let (url, stop, answered) = (url.to_string(), stop.clone(), answered.clone());
            tokio::spawn(async move {
                let mut attempt = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let client = client_from(from);
                    let (username, password) = who(n, attempt);
                    sign_in(&client, &url, &username, password).await;
                    answered.fetch_add(1, Ordering::Relaxed);
                    attempt += 1;
                }
            })
        })
        .collect();
    let started = Instant::now();
    let teacher = teacher_sign_ins(url).await;
    let secs = started.elapsed().as_secs_f64();
    let answers = answered.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.abort();
    }
    StormResult {
        teacher,
        answers,
        secs,
    }
}
