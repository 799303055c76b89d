//! Slows down a network after many failed sign-ins; never shuts it out.
//! A whole class shares one address, and so may an attacker. Once a
//! network (an IPv4 address, an IPv6 /64) has failed more than
//! [`FREE_FAILURES`] times in the window, its attempts are paced *before*
//! any password is checked: each takes the next free slot, spaced by an
//! interval that grows with the failures. A slot is a point in time, so a
//! request abandoned while it waits does not give its slot back: dropping
//! connections buys nothing. Whoever would wait longer than [`MAX_WAIT`] is
//! asked to try again in a moment instead, without any hashing; a right
//! password from the network waits at most that long (DESIGN.md §3).

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::client_addr::network_of;

/// Failures a network may make within the window before it is paced: a
/// class of 30 children mistyping now and then never notices.
pub const FREE_FAILURES: u32 = 30;
pub const WINDOW_SECS: i64 = 15 * 60;
/// The first interval between a paced network's attempts, doubled every
/// [`FAILURES_PER_DOUBLING`] further failures, up to [`MAX_INTERVAL`]: a
/// guesser then gets one password check every two seconds.
const FIRST_INTERVAL_MS: u64 = 250;
const FAILURES_PER_DOUBLING: u32 = 10;
pub const MAX_INTERVAL: Duration = Duration::from_secs(2);
/// The longest an attempt waits for its slot ("a few seconds at most").
pub const MAX_WAIT: Duration = Duration::from_secs(3);
/// Attempts one network may have in flight at once (a class signing in
/// together fits; a storm beyond it is answered at once, without hashing).
pub const MAX_IN_FLIGHT: u32 = 64;
/// Networks tracked at once; the least recently seen is forgotten first.
const MAX_TRACKED: usize = 50_000;

/// Admits an attempt from `client` (a sign-in, a badge): it waits for
/// its network's slot, or, after the longest wait, is told to come back.
/// That answer takes its time too, so a storm cannot spin on refusals.
pub async fn admit_paced(
    state: &crate::state::AppState,
    client: IpAddr,
    now: i64,
) -> Result<Admitted, crate::error::AppError> {
    match state
        .network_limiter
        .admit(client, now, state.pauses.now_ms())
    {
        Ok(admitted) => {
            state.pauses.pause(admitted.wait).await;
            Ok(admitted)
        }
        Err(retry_after_secs) => {
            state.pauses.pause(MAX_WAIT).await;
            Err(crate::error::AppError::SlowDown { retry_after_secs })
        }
    }
}

/// Milliseconds between a paced network's attempts after `failures`.
pub fn pace_interval(failures: u32) -> Duration {
    let Some(over) = failures.checked_sub(FREE_FAILURES) else {
        return Duration::ZERO;
    };
    let doublings = (over / FAILURES_PER_DOUBLING).min(16);
    Duration::from_millis(FIRST_INTERVAL_MS << doublings).min(MAX_INTERVAL)
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started_at: i64,
    failures: u32,
    /// When the next paced attempt may start, in `now_ms` time.
    next_slot_ms: u64,
    in_flight: u32,
}

impl Window {
    fn new(now: i64) -> Self {
        Window {
            started_at: now,
            failures: 0,
            next_slot_ms: 0,
            in_flight: 0,
        }
    }
}

/// Per-network counts in a fixed-size LRU map: every operation is O(1)
/// under the lock, and a flood of new networks forgets the quietest.
pub struct NetworkLimiter {
    windows: Mutex<lru::LruCache<IpAddr, Window>>,
}

impl Default for NetworkLimiter {
    fn default() -> Self {
        Self::with_capacity(MAX_TRACKED)
    }
}

impl std::fmt::Debug for NetworkLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkLimiter").finish_non_exhaustive()
    }
}

/// A sign-in attempt let in: counts as in flight until dropped.
pub struct Admitted {
    limiter: Arc<NetworkLimiter>,
    network: IpAddr,
    /// How long to wait for the slot before checking the password.
    pub wait: Duration,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut windows = self.limiter.lock();
        if let Some(window) = windows.peek_mut(&self.network) {
            window.in_flight = window.in_flight.saturating_sub(1);
        }
    }
}

impl NetworkLimiter {
    fn with_capacity(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        NetworkLimiter {
            windows: Mutex::new(lru::LruCache::new(capacity)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<IpAddr, Window>> {
        self.windows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lets an attempt from `addr` in (after `wait`), or says in how many
    /// seconds to try again. `now` is the clock's second, `now_ms` a
    /// millisecond clock for the slots.
    pub fn admit(self: &Arc<Self>, addr: IpAddr, now: i64, now_ms: u64) -> Result<Admitted, u64> {
        let network = network_of(addr);
        let mut windows = self.lock();
        let window = windows.get_or_insert_mut(network, || Window::new(now));
        if now >= window.started_at + WINDOW_SECS {
            *window = Window {
                in_flight: window.in_flight,
                ..Window::new(now)
            };
        }
        if window.in_flight >= MAX_IN_FLIGHT {
            return Err(1);
        }
        let interval = pace_interval(window.failures);
        let wait = if interval.is_zero() {
            Duration::ZERO
        } else {
            let slot = window.next_slot_ms.max(now_ms);
            let wait = Duration::from_millis(slot - now_ms);
            if wait > MAX_WAIT {
                return Err(wait.as_secs().max(1));
            }
            window.next_slot_ms = slot + interval.as_millis() as u64;
            wait
        };
        window.in_flight += 1;
        Ok(Admitted {
            limiter: self.clone(),
            network,
            wait,
        })
    }

    /// Failures of `addr`'s network within the current window.
    pub fn failures(&self, addr: IpAddr, now: i64) -> u32 {
        self.lock()
            .peek(&network_of(addr))
            .filter(|window| now < window.started_at + WINDOW_SECS)
            .map_or(0, |window| window.failures)
    }

    /// Counts a failed sign-in from `addr`: a wrong password or an unknown
    /// name alike.
    pub fn record_failure(&self, addr: IpAddr, now: i64) {
        let mut windows = self.lock();
        let window = windows.get_or_insert_mut(network_of(addr), || Window::new(now));
        if now >= window.started_at + WINDOW_SECS {
            *window = Window {
                in_flight: window.in_flight,
                ..Window::new(now)
            };
        }
        window.failures = window.failures.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSROOM: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 2, 3));

    fn limiter() -> Arc<NetworkLimiter> {
        Arc::new(NetworkLimiter::default())
    }

    fn fail(limiter: &NetworkLimiter, times: u32) {
        for _ in 0..times {
            limiter.record_failure(CLASSROOM, 1_000);
        }
    }

    #[test]
    fn a_class_worth_of_typos_costs_no_time() {
        let limiter = limiter();
        fail(&limiter, FREE_FAILURES - 1);
        for _ in 0..10 {
            assert_eq!(
                limiter.admit(CLASSROOM, 1_000, 0).unwrap().wait,
                Duration::ZERO
            );
        }
    }

    #[test]
    fn defect_1_the_pace_grows_with_failures_up_to_a_ceiling() {
        assert_eq!(pace_interval(FREE_FAILURES - 1), Duration::ZERO);
        assert_eq!(pace_interval(FREE_FAILURES), Duration::from_millis(250));
        assert_eq!(
            pace_interval(FREE_FAILURES + 10),
            Duration::from_millis(500)
        );
        let mut previous = Duration::ZERO;
        for failures in 0..100_000 {
            let interval = pace_interval(failures);
            assert!(
                interval >= previous && interval <= MAX_INTERVAL,
                "{failures}"
            );
            previous = interval;
        }
        assert_eq!(pace_interval(u32::MAX), MAX_INTERVAL);
    }

    #[test]
    fn defect_1_a_paced_network_waits_its_turn_and_is_never_shut_out() {
        let limiter = limiter();
        fail(&limiter, 1_000);
        // Attempts sent at once take slots two seconds apart...
        let first = limiter.admit(CLASSROOM, 1_000, 10_000).unwrap();
        let second = limiter.admit(CLASSROOM, 1_000, 10_000).unwrap();
        assert_eq!((first.wait, second.wait), (Duration::ZERO, MAX_INTERVAL));
        // ...and one that would wait past the limit is told to come back.
        assert!(limiter.admit(CLASSROOM, 1_000, 10_000).is_err());
        // Dropping them (the client went away) gives no slot back.
        drop((first, second));
        let later = limiter.admit(CLASSROOM, 1_000, 11_500).unwrap();
        assert_eq!(later.wait, Duration::from_millis(2_500), "the third slot");
        // Whoever waits for the slot gets in: a right password is never
        // stopped for good, only made to wait a few seconds at most.
        drop(later);
        let after_waiting = limiter.admit(CLASSROOM, 1_000, 16_000).unwrap();
        assert_eq!(after_waiting.wait, Duration::ZERO);
    }

    #[test]
    fn a_storm_beyond_the_in_flight_limit_is_answered_without_work() {
        let limiter = limiter();
        let held: Vec<_> = (0..MAX_IN_FLIGHT)
            .map(|_| limiter.admit(CLASSROOM, 1_000, 0).unwrap())
            .collect();
        assert!(limiter.admit(CLASSROOM, 1_000, 0).is_err());
        assert!(limiter
            .admit("192.0.2.9".parse().unwrap(), 1_000, 0)
            .is_ok());
        drop(held);
        assert!(limiter.admit(CLASSROOM, 1_000, 0).is_ok());
    }

    #[test]
    fn the_window_ends_and_other_networks_are_untouched() {
        let limiter = limiter();
        fail(&limiter, 100);
        assert_eq!(limiter.failures(CLASSROOM, 1_000), 100);
        assert_eq!(limiter.failures(CLASSROOM, 1_000 + WINDOW_SECS), 0);
        assert_eq!(limiter.failures("192.0.2.1".parse().unwrap(), 1_000), 0);
        let fresh = limiter.admit(CLASSROOM, 1_000 + WINDOW_SECS, 0).unwrap();
        assert_eq!(fresh.wait, Duration::ZERO, "a new window starts free");
    }

    #[test]
    fn defect_3_ipv6_addresses_in_one_slash_64_share_a_window() {
        let limiter = limiter();
        for attempt in 0..50u32 {
            let addr: IpAddr = format!("2001:db8::{:x}", attempt + 1).parse().unwrap();
            limiter.record_failure(addr, 0);
        }
        assert_eq!(limiter.failures("2001:db8::ffff".parse().unwrap(), 0), 50);
    }

    #[test]
    fn a_full_map_forgets_the_quietest_network() {
        let limiter = NetworkLimiter::with_capacity(2);
        let busy: IpAddr = "192.0.2.1".parse().unwrap();
        limiter.record_failure(busy, 0);
        limiter.record_failure("192.0.2.2".parse().unwrap(), 0);
        limiter.record_failure(busy, 0);
        limiter.record_failure("192.0.2.3".parse().unwrap(), 0);
        assert_eq!(limiter.failures(busy, 0), 2);
        assert_eq!(limiter.failures("192.0.2.2".parse().unwrap(), 0), 0);
    }
}
