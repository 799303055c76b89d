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
//! and dropped, which only a flood causes; the holder can ask again. One
//! network (an IPv4 address, an IPv6 /64) may hold only a share of it, so
//! a flood from one address drops its own requests, not everyone's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::auth::ssr::client_addr::network_of;
use crate::state::AppState;

/// Requests waiting at most: a few seconds of work at a few milliseconds each.
const CAPACITY: usize = 256;
/// Requests one network may have waiting at once: a school's office asking
/// for a few links together fits.
const PER_NETWORK: usize = 16;

enum Work {
    Send {
        state: Box<AppState>,
        email: String,
        client: String,
        /// Held while the request waits or is handled.
        _share: Share,
    },
    /// Answered once everything queued before it is done.
    Flush(oneshot::Sender<()>),
}

/// The queue in front of the task, started on first use (inside the
/// server's runtime).
#[derive(Clone, Default)]
pub struct ResetRequests {
    sender: Arc<OnceLock<mpsc::Sender<Work>>>,
    shares: Shares,
}

impl ResetRequests {
    /// Queues a reset link for `email` if it belongs to an account that may
    /// have one. Returns false if the queue, or `client`'s network's share
    /// of it, was full (the request is dropped).
    pub fn submit(&self, state: &AppState, email: String, client: IpAddr) -> bool {
        let Some(share) = self.shares.take(client) else {
            // Not a warning each: that would be a log line per request of a flood.
            tracing::debug!(%client, "too many reset link requests from one network: one was dropped");
            return false;
        };
        let work = Work::Send {
            state: Box::new(state.clone()),
            email,
            client: client.to_string(),
            _share: share,
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
                ..
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

/// How many requests each network has waiting.
#[derive(Clone, Default)]
struct Shares {
    waiting: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One waiting request's place in its network's share, given back when
/// the request is handled or dropped.
struct Share {
    shares: Shares,
    network: IpAddr,
}

impl Shares {
    fn take(&self, client: IpAddr) -> Option<Share> {
        let network = network_of(client);
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let count = waiting.entry(network).or_default();
        if *count >= PER_NETWORK {
            return None;
        }
        *count += 1;
        Some(Share {
            shares: self.clone(),
            network,
        })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let mut waiting = self
            .shares
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(count) = waiting.get_mut(&self.network) {
            *count -= 1;
            if *count == 0 {
                waiting.remove(&self.network);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_network_holds_only_its_share_of_the_queue_until_its_requests_are_handled() {
        let shares = Shares::default();
        let office: IpAddr = "203.0.113.9".parse().unwrap();
        let mut held: Vec<Share> = (0..PER_NETWORK)
            .map(|_| shares.take(office).unwrap())
            .collect();
        assert!(shares.take(office).is_none());
        // Another network still queues; so does one address of a /64 until
        // the site's share is full.
        assert!(shares.take("198.51.100.1".parse().unwrap()).is_some());
        let site = |host: u16| IpAddr::from([0x2001, 0xdb8, 1, 2, 0, 0, 0, host]);
        let site_shares: Vec<Share> = (0..PER_NETWORK as u16)
            .map(|host| shares.take(site(host)).unwrap())
            .collect();
        assert!(shares.take(site(999)).is_none());
        drop(site_shares);
        // A handled request gives its place back.
        held.pop();
        assert!(shares.take(office).is_some());
        drop(held);
        assert!(shares.waiting.lock().unwrap().is_empty());
    }
}
