//! The server's runtime threads run three nice steps below the priority it was
//! started with; the password hashing threads keep it (see
//! `app::passwords::hash_threads`).
//!
//! On cores saturated by page reads, a hash someone is waiting on (a
//! child's sign-in, a teacher's class reset) then gets a larger share of
//! the CPU than a page render (a share, not strict priority): pages slow
//! down instead of resets running past their time limit. With cores to
//! spare nothing changes. On Linux a thread's nice value is its own;
//! elsewhere this does nothing.

/// How many nice steps the runtime's threads go down. Under Linux's
/// scheduler a busy hash thread then gets about 1.9× the CPU time of a
/// busy runtime thread (weights 1024 against 526).
pub const RUNTIME_NICE_STEPS: i32 = 3;

/// The multi-threaded runtime the `classkeys` binary runs on, its threads
/// (workers and blocking pool) [`RUNTIME_NICE_STEPS`] below the thread that
/// builds it. A new thread inherits the nice value of the thread that starts
/// it (a blocking thread is started by a worker), so each thread is brought
/// to that one value rather than lowered by a further three steps.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let lowered = (this_thread_nice() + RUNTIME_NICE_STEPS).min(19);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(move || lower_this_thread_to(lowered))
        .build()
}

/// The calling thread's nice value (0 where there is none to read).
pub fn this_thread_nice() -> i32 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getpriority reads the calling thread's nice value (on
        // Linux, PRIO_PROCESS with who = 0 is this thread); no memory is
        // passed. -1 is also a valid value, so errors cannot be told apart
        // from it, which is fine for a reading.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// Sets the calling thread's nice value to `nice` if it is below it (an
/// unprivileged thread can only go down in priority, never back up).
fn lower_this_thread_to(nice: i32) {
    #[cfg(target_os = "linux")]
    if this_thread_nice() < nice {
        // SAFETY: setpriority changes only the calling thread's nice value
        // and is passed no memory; raising the value needs no privilege. A
        // refusal leaves the thread as it was, which is only a missed
        // preference.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, 0, nice);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_runtimes_threads_run_lower_than_the_thread_that_built_it() {
        let start = this_thread_nice();
        let runtime = runtime().unwrap();
        let (worker, blocking) = runtime.block_on(async {
            // Asked for by a worker, as a request does: the blocking thread
            // is started by a lowered thread and must not go lower still.
            tokio::spawn(async {
                let blocking = tokio::task::spawn_blocking(this_thread_nice);
                (this_thread_nice(), blocking.await.unwrap())
            })
            .await
            .unwrap()
        });
        let lowered = (start + RUNTIME_NICE_STEPS).min(19);
        assert_eq!((worker, blocking), (lowered, lowered));
        assert_eq!(
            this_thread_nice(),
            start,
            "the building thread keeps its priority"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn hash_threads_started_in_block_on_run_at_the_starting_priority() {
        let start = this_thread_nice();
        let runtime = runtime().unwrap();
        // As `main` does: the state (and its hasher, which starts these
        // threads) is made inside block_on, which runs on the calling
        // thread, not a runtime one.
        let (hashing, worker) = runtime.block_on(async {
            let threads = app::passwords::hash_threads::HashThreads::start(1).unwrap();
            tokio::spawn(async move { (threads.run(this_thread_nice).await, this_thread_nice()) })
                .await
                .unwrap()
        });
        assert_eq!(hashing, Some(start));
        if start < 19 {
            assert!(
                worker > start,
                "the request that asked runs lower than its hash"
            );
        }
    }
}
