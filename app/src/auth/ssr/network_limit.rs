//! Slows down a network after many failed sign-ins; never blocks it.
//! A whole class shares one address, and so may an attacker: failures from
//! a network make its *failed* answers wait longer and longer, so guessing
//! costs the guesser time, while a right password from the same network
//! still signs in at once (DESIGN.md §3 "Sign in").

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Duration;

use super::client_addr::network_of;

/// Failures a network may make within the window before answers slow down:
/// a class of 30 children mistyping now and then never notices.
pub const FREE_FAILURES: u32 = 30;
pub const WINDOW_SECS: i64 = 15 * 60;
/// The first delay, doubled every [`FAILURES_PER_DOUBLING`] further failures...
const FIRST_DELAY_MS: u64 = 250;
const FAILURES_PER_DOUBLING: u32 = 10;
/// ...up to this (a guesser with one connection makes at most 6 a minute).
pub const MAX_DELAY: Duration = Duration::from_secs(10);
/// Networks tracked at once; the least recently failing is forgotten first.
const MAX_TRACKED: usize = 50_000;

/// How long a failed answer waits after `failures` failures in the window.
pub fn failed_answer_delay(failures: u32) -> Duration {
    let Some(over) = failures.checked_sub(FREE_FAILURES + 1) else {
        return Duration::ZERO;
    };
    let doublings = (over / FAILURES_PER_DOUBLING).min(16);
    Duration::from_millis(FIRST_DELAY_MS << doublings).min(MAX_DELAY)
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started_at: i64,
    failures: u32,
}

/// Failure counts per network in a fixed-size LRU map: every operation is
/// O(1) under the lock, and a flood of new networks forgets the quietest.
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

impl NetworkLimiter {
    fn with_capacity(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        NetworkLimiter {
            windows: Mutex::new(lru::LruCache::new(capacity)),
        }
    }

    /// Failures of `addr`'s network within the current window.
    pub fn failures(&self, addr: IpAddr, now: i64) -> u32 {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows
            .get(&network_of(addr))
            .filter(|window| now < window.started_at + WINDOW_SECS)
            .map_or(0, |window| window.failures)
    }

    /// Counts a failed sign-in from `addr` (a wrong password or an unknown
    /// name alike) and returns how long its answer should wait.
    pub fn record_failure(&self, addr: IpAddr, now: i64) -> Duration {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = windows.get_or_insert_mut(network_of(addr), || Window {
            started_at: now,
            failures: 0,
        });
        if now >= window.started_at + WINDOW_SECS {
            *window = Window {
                started_at: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
        failed_answer_delay(window.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSROOM: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 2, 3));

    #[test]
    fn a_class_worth_of_typos_costs_no_time() {
        let limiter = NetworkLimiter::default();
        for _ in 0..FREE_FAILURES {
            assert_eq!(limiter.record_failure(CLASSROOM, 1_000), Duration::ZERO);
        }
    }

    #[test]
    fn defect_1_failures_grow_the_delay_up_to_a_ceiling_and_never_block() {
        assert_eq!(failed_answer_delay(FREE_FAILURES), Duration::ZERO);
        assert_eq!(
            failed_answer_delay(FREE_FAILURES + 1),
            Duration::from_millis(250)
        );
        assert_eq!(
            failed_answer_delay(FREE_FAILURES + 11),
            Duration::from_millis(500)
        );
        let mut previous = Duration::ZERO;
        for failures in 0..100_000 {
            let delay = failed_answer_delay(failures);
            assert!(delay >= previous && delay <= MAX_DELAY, "{failures}");
            previous = delay;
        }
        assert_eq!(failed_answer_delay(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn the_window_ends_and_other_networks_are_untouched() {
        let limiter = NetworkLimiter::default();
        for _ in 0..100 {
            limiter.record_failure(CLASSROOM, 1_000);
        }
        assert_eq!(limiter.failures(CLASSROOM, 1_000), 100);
        assert_eq!(limiter.failures(CLASSROOM, 1_000 + WINDOW_SECS), 0);
        assert_eq!(limiter.failures("192.0.2.1".parse().unwrap(), 1_000), 0);
        assert_eq!(
            limiter.record_failure(CLASSROOM, 1_000 + WINDOW_SECS),
            Duration::ZERO,
            "a new window starts free"
        );
    }

    #[test]
    fn defect_3_ipv6_addresses_in_one_slash_64_share_a_window() {
        let limiter = NetworkLimiter::default();
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
