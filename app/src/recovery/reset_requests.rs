//! "Forgot password?" requests, handled after the answer has gone.
//!
//! The answer to "Send reset link" must not tell whether an address has an
//! account. Looking it up and queueing the email takes the database's write
//! lock only for a known address, so under a long write (a class reset, a
//! roster import) a known address used to answer later than an unknown one.
//! Now every request only joins this queue and answers after the same pause;
//! one task looks the addresses up and queues the links, in order.
//!
//! The queue is bounded: a flood of requests cannot pile up work (or hold
//! database connections) beyond it. A request that finds it full is logged
//! and dropped, which only a flood causes; the holder can ask again.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::state::AppState;

/// Requests waiting at most: a few seconds of work at a few milliseconds each.
const CAPACITY: usize = 256;

enum Work {
    Send {
        state: Box<AppState>,
        email: String,
        client: String,
    },
    /// Answered once everything queued before it is done.
    Flush(oneshot::Sender<()>),
}

/// The queue in front of the task, started on first use (inside the
/// server's runtime).
#[derive(Clone, Default)]
pub struct ResetRequests {
    sender: Arc<OnceLock<mpsc::Sender<Work>>>,
}

impl ResetRequests {
    /// Queues a reset link for `email` if it belongs to an account that may
    /// have one. Returns false if the queue was full (the request is dropped).
    pub fn submit(&self, state: &AppState, email: String, client: String) -> bool {
        let work = Work::Send {
            state: Box::new(state.clone()),
            email,
            client,
        };
        match self.sender().try_send(work) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("too many reset link requests at once: one was dropped");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::error!("the reset link task has stopped: a request was dropped");
                false
            }
        }
    }

    /// Returns once every request submitted so far has been handled (server
    /// shutdown, and tests that read what a request queued).
    pub async fn flush(&self) {
        let Some(sender) = self.sender.get() else {
            return;
        };
        let (done, finished) = oneshot::channel();
        if sender.send(Work::Flush(done)).await.is_ok() {
            let _ = finished.await;
        }
    }

    fn sender(&self) -> &mpsc::Sender<Work> {
        self.sender.get_or_init(|| {
            let (sender, queue) = mpsc::channel(CAPACITY);
            tokio::spawn(handle(queue));
            sender
        })
    }
}

async fn handle(mut queue: mpsc::Receiver<Work>) {
    while let Some(work) = queue.recv().await {
        match work {
            Work::Send {
                state,
                email,
                client,
            } => {
                if let Err(error) = super::ssr::send_reset_link(&state, &email, &client).await {
                    tracing::error!(%error, "could not queue a reset link");
                }
            }
            Work::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}
