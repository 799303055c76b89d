//! Shares the argon2 workers fairly between client networks. Each network
//! (and each bulk job, such as a whole-class reset) has its own queue; free
//! workers serve the queues round-robin, and one network holds at most
//! [`FairQueue::per_network`] workers at once. A storm of wrong sign-ins
//! from one address therefore waits behind itself, while a classroom's
//! sign-ins from another network go straight to the next free worker.
//!
//! Bulk jobs take their turns together: a bulk job's turn goes to the bulk
//! job nearest to done (fewest hashes still waiting; the older on a tie).
//! Shared out evenly, ten whole-class resets at once would each take ten
//! times as long and all finish late together; nearest-first, the first
//! finishes in one reset's time, the next one after it, and a teacher's
//! class of 28 does not wait behind a 2,000-learner import.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// Whose work a hash is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashQueue {
    /// A request from this network (see `client_addr::network_of`).
    Network(IpAddr),
    /// One bulk job: its hashes may use every worker, taking turns with
    /// everyone else's.
    Bulk(u64),
    /// Work of signed-in staff and the command line.
    Server,
}

impl HashQueue {
    /// The queue of a request from `client`: its network's.
    pub fn of_client(client: IpAddr) -> Self {
        HashQueue::Network(crate::auth::ssr::client_addr::network_of(client))
    }

    /// The same for an address kept as text; the server's queue for text
    /// that is no address.
    pub fn of_client_text(client: &str) -> Self {
        client.parse().map_or(HashQueue::Server, Self::of_client)
    }
}

#[derive(Default)]
struct Waiting {
    senders: VecDeque<oneshot::Sender<Permit>>,
    in_flight: usize,
    /// Whether the queue has a place in `turns` (no scan to find out).
    has_turn: bool,
}

struct State {
    free: usize,
    queues: HashMap<HashQueue, Waiting>,
    /// Queues with waiters, in the order they get their next turn.
    turns: VecDeque<HashQueue>,
}

#[derive(Clone)]
pub struct FairQueue {
    state: Arc<Mutex<State>>,
    workers: usize,
    per_network: usize,
}

/// One worker, held while hashing; dropping it hands the worker on.
pub struct Permit {
    queue: HashQueue,
    owner: Option<FairQueue>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(owner) = self.owner.take() {
            owner.release(self.queue);
        }
    }
}

impl FairQueue {
    /// `workers` hashes at a time; a network gets at most half of them
    /// (at least one).
    pub fn new(workers: usize) -> Self {
        let workers = workers.max(1);
        FairQueue {
            state: Arc::new(Mutex::new(State {
                free: workers,
                queues: HashMap::new(),
                turns: VecDeque::new(),
            })),
            workers,
            per_network: (workers / 2).max(1),
        }
    }

    fn cap(&self, queue: HashQueue) -> usize {
        match queue {
            HashQueue::Network(_) => self.per_network,
            HashQueue::Bulk(_) | HashQueue::Server => self.workers,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a worker in `queue`'s turn.
    pub async fn acquire(&self, queue: HashQueue) -> Permit {
        let receiver = {
            let mut guard = self.lock();
            let state = &mut *guard;
            let cap = self.cap(queue);
            let waiting = state.queues.entry(queue).or_default();
            if waiting.senders.is_empty() && waiting.in_flight < cap && state.free > 0 {
                waiting.in_flight += 1;
                state.free -= 1;
                return self.permit(queue);
            }
            let (sender, receiver) = oneshot::channel();
            waiting.senders.push_back(sender);
            if !waiting.has_turn {
                waiting.has_turn = true;
                state.turns.push_back(queue);
            }
            receiver
        };
        match receiver.await {
            Ok(permit) => permit,
            // The queue was dropped with the sender: nothing can be waited for.
            Err(_) => self.permit_unaccounted(queue),
        }
    }

    /// Workers free right now.
    pub fn idle_workers(&self) -> usize {
        self.lock().free
    }

    fn permit(&self, queue: HashQueue) -> Permit {
        Permit {
            queue,
            owner: Some(self.clone()),
        }
    }

    fn permit_unaccounted(&self, queue: HashQueue) -> Permit {
        Permit { queue, owner: None }
    }

    fn release(&self, queue: HashQueue) {
        let mut guard = self.lock();
        let state = &mut *guard;
        state.free += 1;
        if let Some(waiting) = state.queues.get_mut(&queue) {
            waiting.in_flight = waiting.in_flight.saturating_sub(1);
        }
        self.dispatch(state);
        forget_if_idle(state, queue);
    }

    /// Hands free workers to waiting queues, one each in turn.
    fn dispatch(&self, state: &mut State) {
        // Queues at their cap keep their place for the next round; at most
        // `workers` of them can be at their cap, so this loop is short.
        let mut capped = Vec::new();
        while state.free > 0 {
            let Some(turn) = state.turns.pop_front() else {
                break;
            };
            let queue = match turn {
                HashQueue::Bulk(_) => nearest_done_bulk_job(state).unwrap_or(turn),
                _ => turn,
            };
            let cap = self.cap(queue);
            let Some(waiting) = state.queues.get_mut(&queue) else {
                continue;
            };
            if waiting.in_flight >= cap {
                capped.push(turn);
                continue;
            }
            let Some(sender) = waiting.senders.pop_front() else {
                waiting.has_turn = false;
                continue;
            };
            waiting.in_flight += 1;
            state.free -= 1;
            if let Err(mut unwanted) = sender.send(self.permit(queue)) {
                // Its request was dropped (the client went away): take the
                // worker back without re-entering this lock.
                unwanted.owner = None;
                state.free += 1;
                if let Some(waiting) = state.queues.get_mut(&queue) {
                    waiting.in_flight -= 1;
                }
            }
            // The turn stays in the round while its queue has waiters (a
            // bulk job's turn may have served another job).
            let more = state
                .queues
                .get(&turn)
                .is_some_and(|waiting| !waiting.senders.is_empty());
            if more {
                state.turns.push_back(turn);
            } else {
                if let Some(waiting) = state.queues.get_mut(&turn) {
                    waiting.has_turn = false;
                }
                forget_if_idle(state, turn);
            }
            forget_if_idle(state, queue);
        }
        for queue in capped.into_iter().rev() {
            state.turns.push_front(queue);
        }
    }
}

/// The waiting bulk job with the fewest hashes left to start (the older,
/// by its number, on a tie).
fn nearest_done_bulk_job(state: &State) -> Option<HashQueue> {
    state
        .queues
        .iter()
        .filter_map(|(queue, waiting)| match queue {
            HashQueue::Bulk(job) if !waiting.senders.is_empty() => {
                Some((waiting.senders.len(), *job, *queue))
            }
            _ => None,
        })
        .min_by_key(|&(left, job, _)| (left, job))
        .map(|(_, _, queue)| queue)
}

fn forget_if_idle(state: &mut State, queue: HashQueue) {
    if state
        .queues
        .get(&queue)
        .is_some_and(|w| w.senders.is_empty() && w.in_flight == 0)
    {
        state.queues.remove(&queue);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(last: u8) -> HashQueue {
        HashQueue::Network(IpAddr::from([192, 0, 2, last]))
    }

    #[tokio::test]
    async fn defect_2_a_storm_from_one_network_cannot_hold_every_worker() {
        let queue = FairQueue::new(2);
        let storm = network(1);
        let first = queue.acquire(storm).await;
        // The storm's second hash waits although a worker is free...
        let mut second = Box::pin(queue.acquire(storm));
        assert!(futures_poll_once(&mut second).await.is_none());
        // ...so a classroom's sign-in from another network gets it at once.
        let classroom = queue.acquire(network(2)).await;
        drop(classroom);
        drop(first);
        second.await;
    }

    #[tokio::test]
    async fn defect_2_waiting_networks_are_served_in_turn_not_first_come() {
        let storm = network(1);
        // Ten storm requests queue first, then one from the classroom.
        let order =
            served_order(storm, (0..10).map(|i| (i, storm)).chain([(99, network(2))])).await;
        let classroom_turn = order.iter().position(|&i| i == 99).unwrap();
        assert!(
            classroom_turn <= 1,
            "the classroom waits for at most one storm hash: {order:?}"
        );
    }

    #[tokio::test]
    async fn a_dropped_waiter_hands_its_turn_on() {
        let queue = FairQueue::new(1);
        let held = queue.acquire(network(1)).await;
        let mut gone = Box::pin(queue.acquire(network(2)));
        assert!(futures_poll_once(&mut gone).await.is_none());
        drop(gone);
        let mut next = Box::pin(queue.acquire(network(3)));
        assert!(futures_poll_once(&mut next).await.is_none());
        drop(held);
        next.await;
        assert_eq!(queue.lock().free, 1, "every worker came back");
    }

    #[tokio::test]
    async fn bulk_jobs_use_every_worker() {
        let queue = FairQueue::new(2);
        let a = queue.acquire(HashQueue::Bulk(1)).await;
        let b = queue.acquire(HashQueue::Bulk(1)).await;
        assert_eq!(queue.lock().free, 0);
        drop((a, b));
        assert_eq!(queue.lock().free, 2);
        assert!(queue.lock().queues.is_empty(), "idle queues are forgotten");
    }

    /// Holds the one worker of a fresh queue for `held_by`, queues
    /// `waiters` (label, queue) in order behind it, lets it go, and returns
    /// the labels in the order they were served.
    async fn served_order<T: Copy + Send + 'static>(
        held_by: HashQueue,
        waiters: impl IntoIterator<Item = (T, HashQueue)>,
    ) -> Vec<T> {
        let queue = FairQueue::new(1);
        let held = queue.acquire(held_by).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (label, who) in waiters {
            let queue = queue.clone();
            let order = order.clone();
            tasks.push(tokio::spawn(async move {
                let _permit = queue.acquire(who).await;
                order.lock().unwrap().push(label);
            }));
            tokio::task::yield_now().await;
        }
        drop(held);
        for task in tasks {
            task.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        order
    }

    /// [`served_order`] of bulk jobs (label, job, hashes), queued in order.
    async fn bulk_order(jobs: &[(&'static str, u64, usize)]) -> Vec<&'static str> {
        let waiters = jobs.iter().flat_map(|&(label, job, hashes)| {
            std::iter::repeat_n((label, HashQueue::Bulk(job)), hashes)
        });
        served_order(network(1), waiters).await
    }

    #[tokio::test]
    async fn bulk_jobs_finish_one_after_another_not_all_late_together() {
        // Two class resets: the first finishes before the second starts,
        // instead of both taking turns and finishing at the end.
        assert_eq!(
            bulk_order(&[("a", 1, 3), ("b", 2, 3)]).await,
            ["a", "a", "a", "b", "b", "b"]
        );
    }

    #[tokio::test]
    async fn a_small_bulk_job_does_not_wait_behind_a_big_one() {
        // A class of two queued after an import of six goes first.
        assert_eq!(
            bulk_order(&[("import", 1, 6), ("class", 2, 2)]).await,
            ["class", "class", "import", "import", "import", "import", "import", "import"]
        );
    }

    #[tokio::test]
    async fn bulk_jobs_still_take_turns_with_sign_ins() {
        let waiters = (0..4)
            .map(|_| ("reset", HashQueue::Bulk(1)))
            .chain([("sign-in", network(2))]);
        let order = served_order(network(1), waiters).await;
        assert_eq!(
            order.iter().position(|&l| l == "sign-in"),
            Some(1),
            "{order:?}"
        );
    }

    /// Polls a future once: `Some` when it is ready.
    async fn futures_poll_once<F: std::future::Future + Unpin>(
        future: &mut F,
    ) -> Option<F::Output> {
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut *future).poll(cx) {
                std::task::Poll::Ready(value) => Some(value),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }
}
