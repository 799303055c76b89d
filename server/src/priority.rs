//! The server's runtime threads run three nice steps below the priority it was
//! started with; the password hashing threads keep it (see
//! `app::passwords::hash_threads`).
//!
//! On cores saturated by page reads, a hash someone is waiting on (a
//! child's sign-in, a teacher's class reset) then gets the CPU before one
//! more page render: pages slow down a little instead of resets running
//! past their time limit. With cores to spare nothing changes. On Linux a
//! thread's nice value is its own; elsewhere this does nothing.

/// How many nice steps the runtime's threads go down. Under Linux's
/// scheduler a busy hash thread then gets about 1.9× the CPU time of a
/// busy runtime thread (weights 1024 against 526).
pub const RUNTIME_NICE_STEPS: i32 = 3;

/// The multi-threaded runtime the `classkeys` binary runs on, its threads
/// (workers and blocking pool) [`RUNTIME_NICE_STEPS`] lower.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(lower_this_thread)
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

fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        let nice = (this_thread_nice() + RUNTIME_NICE_STEPS).min(19);
        // SAFETY: setpriority changes only the calling thread's nice value;
        // raising it needs no privilege. A refusal leaves the thread as it
        // was, which is only a missed preference.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, 0, nice);
        }
    }
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
            let worker = tokio::spawn(async { this_thread_nice() }).await.unwrap();
            let blocking = tokio::task::spawn_blocking(this_thread_nice).await.unwrap();
            (worker, blocking)
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
    fn a_hasher_created_in_block_on_hashes_at_the_starting_priority() {
        let start = this_thread_nice();
        let runtime = runtime().unwrap();
        // As `main` does: the state (and its hasher) is made inside
        // block_on, which runs on the calling thread, not a runtime one.
        let nice = runtime.block_on(async {
            let threads = app::passwords::hash_threads::HashThreads::start(1).unwrap();
            tokio::spawn(async move { threads.run(this_thread_nice).await })
                .await
                .unwrap()
        });
        assert_eq!(nice, Some(start));
    }
}
