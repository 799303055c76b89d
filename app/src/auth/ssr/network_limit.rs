//! Slows down one network address only after many failed sign-ins across
//! many accounts. A whole class shares one address, so a few children's
//! typos must never lock the class out; a password-spraying run from one
//! address must be stopped.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Mutex;

/// Failures from one address within the window before it must wait.
pub const MAX_FAILURES_PER_WINDOW: u32 = 100;
/// ...and the number of different accounts they must have been spread over.
pub const MIN_DISTINCT_ACCOUNTS: usize = 10;
pub const WINDOW_SECS: i64 = 15 * 60;
/// Addresses tracked at once; the oldest windows are dropped beyond it.
const MAX_TRACKED: usize = 50_000;

#[derive(Debug)]
struct Window {
    started_at: i64,
    failures: u32,
    accounts: HashSet<String>,
}

#[derive(Debug, Default)]
pub struct NetworkLimiter {
    windows: Mutex<HashMap<IpAddr, Window>>,
}

/// IPv6 clients get a /64 each, so one host cannot rotate addresses.
fn bucket(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
    }
}

impl NetworkLimiter {
    /// Seconds the address must still wait, or `None` when it may try.
    pub fn retry_after(&self, addr: IpAddr, now: i64) -> Option<u64> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = windows.get(&bucket(addr))?;
        let ends_at = window.started_at + WINDOW_SECS;
        let blocked = window.failures >= MAX_FAILURES_PER_WINDOW
            && window.accounts.len() >= MIN_DISTINCT_ACCOUNTS
            && now < ends_at;
        blocked.then(|| (ends_at - now) as u64)
    }

    /// Counts a failed sign-in from `addr` for the account name tried.
    pub fn record_failure(&self, addr: IpAddr, account: &str, now: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= MAX_TRACKED {
            windows.retain(|_, w| now < w.started_at + WINDOW_SECS);
        }
        // Still full under a live attack: make room by dropping the oldest.
        if windows.len() >= MAX_TRACKED {
            if let Some(oldest) = windows
                .iter()
                .min_by_key(|(_, w)| w.started_at)
                .map(|(ip, _)| *ip)
            {
                windows.remove(&oldest);
            }
        }
        let window = windows.entry(bucket(addr)).or_insert_with(|| Window {
            started_at: now,
            failures: 0,
            accounts: HashSet::new(),
        });
        if now >= window.started_at + WINDOW_SECS {
            *window = Window {
                started_at: now,
                failures: 0,
                accounts: HashSet::new(),
            };
        }
        window.failures += 1;
        if window.accounts.len() < MIN_DISTINCT_ACCOUNTS {
            // A bounded prefix is enough to tell accounts apart.
            window
                .accounts
                .insert(account.chars().take(80).collect::<String>().to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSROOM: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 2, 3));

    #[test]
    fn many_failures_on_few_accounts_never_block_the_address() {
        let limiter = NetworkLimiter::default();
        for attempt in 0..500 {
            limiter.record_failure(CLASSROOM, &format!("child{}", attempt % 5), 1_000);
        }
        assert_eq!(limiter.retry_after(CLASSROOM, 1_000), None);
    }

    #[test]
    fn spraying_many_accounts_blocks_the_address_until_the_window_ends() {
        let limiter = NetworkLimiter::default();
        for attempt in 0..MAX_FAILURES_PER_WINDOW {
            limiter.record_failure(CLASSROOM, &format!("user{attempt}"), 1_000);
        }
        assert_eq!(
            limiter.retry_after(CLASSROOM, 1_000),
            Some(WINDOW_SECS as u64)
        );
        assert_eq!(limiter.retry_after(CLASSROOM, 1_000 + WINDOW_SECS), None);
        let elsewhere: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(limiter.retry_after(elsewhere, 1_000), None);
    }

    #[test]
    fn ipv6_addresses_in_one_slash_64_share_a_window() {
        let limiter = NetworkLimiter::default();
        for attempt in 0..MAX_FAILURES_PER_WINDOW {
            let addr: IpAddr = format!("2001:db8::{:x}", attempt + 1).parse().unwrap();
            limiter.record_failure(addr, &format!("user{attempt}"), 0);
        }
        assert!(limiter
            .retry_after("2001:db8::ffff".parse().unwrap(), 0)
            .is_some());
    }
}
