//! The threads that run argon2, apart from the async runtime's.
//!
//! The server runs its runtime's threads three nice steps lower
//! (`server/src/priority.rs`) and these at the priority it started with: on
//! cores saturated by page reads, a hash someone is waiting on (a child's
//! sign-in, a teacher's class reset) gets a larger share of the CPU than a
//! page render, and pages slow down instead of resets running out of time. Threads take the
//! priority of the thread that starts them, so the server creates its
//! hasher on its main thread, before any runtime thread serves a request.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// `count` threads taking jobs from one queue; they end when the last
/// clone of the pool is dropped.
pub struct HashThreads {
    jobs: mpsc::Sender<Job>,
}

impl HashThreads {
    pub fn start(count: usize) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..count.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || take_jobs(&queue))?;
        }
        Ok(HashThreads { jobs })
    }

    /// Runs `work` on one of the threads; `None` if it panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs.send(job).ok()?;
        result.await.ok()
    }
}

fn take_jobs(queue: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // One thread waits on the queue while the others wait for the lock.
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            // A panicking job drops its sender (its caller gets `None`);
            // the thread goes on with the next.
            Ok(job) => {
                let _ = catch_unwind(AssertUnwindSafe(job));
            }
            Err(mpsc::RecvError) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_on_the_pools_own_threads() {
        let threads = HashThreads::start(2).unwrap();
        let name = threads
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .flatten();
        assert!(name.is_some_and(|name| name.starts_with("argon2-")));
    }

    #[tokio::test]
    async fn a_panicking_job_answers_none_and_the_thread_goes_on() {
        let threads = HashThreads::start(1).unwrap();
        let panicked: Option<()> = threads.run(|| panic!("a broken hash")).await;
        assert!(panicked.is_none());
        assert_eq!(threads.run(|| 6 * 7).await, Some(42));
    }
}
