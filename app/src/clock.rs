//! The clock every time-dependent rule reads, so tests can move time on
//! instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Wall-clock time in Unix seconds, plus an offset that only tests change.
/// A test may also freeze it, so that seconds passing while it runs never
/// change what it asserts.
#[derive(Debug, Clone)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    /// `NOT_FROZEN`, or the wall time the clock stands still at.
    frozen_at: Arc<AtomicI64>,
}

const NOT_FROZEN: i64 = i64::MIN;

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_secs: Arc::default(),
            frozen_at: Arc::new(AtomicI64::new(NOT_FROZEN)),
        }
    }
}

impl Clock {
    pub fn now(&self) -> i64 {
        let frozen = self.frozen_at.load(Ordering::Relaxed);
        let wall = if frozen == NOT_FROZEN {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default()
        } else {
            frozen
        };
        wall + self.offset_secs.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }

    /// Stops this clock (and every clone) at the current time; only
    /// [`Clock::advance`] moves it after that.
    pub fn freeze(&self) {
        let now = self.now() - self.offset_secs.load(Ordering::Relaxed);
        self.frozen_at.store(now, Ordering::Relaxed);
    }
}

/// Waits the server imposes on purpose (slowing down failed sign-ins).
/// Tests switch them to be recorded instead of waited, so a test never
/// sleeps and can still check what would have been waited.
#[derive(Debug, Clone)]
pub struct Pauses {
    origin: std::time::Instant,
    recording: Arc<std::sync::atomic::AtomicBool>,
    recorded_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for Pauses {
    fn default() -> Self {
        Pauses {
            origin: std::time::Instant::now(),
            recording: Arc::default(),
            recorded_ms: Arc::default(),
        }
    }
}

impl Pauses {
    /// Milliseconds on a monotonic clock that recorded pauses move on too,
    /// as if they had been waited.
    pub fn now_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64 + self.recorded_ms.load(Ordering::Relaxed)
    }

    pub async fn pause(&self, duration: std::time::Duration) {
        if duration.is_zero() {
            return;
        }
        if self.recording.load(Ordering::Relaxed) {
            self.recorded_ms
                .fetch_add(duration.as_millis() as u64, Ordering::Relaxed);
        } else {
            tokio::time::sleep(duration).await;
        }
    }

    /// From now on, pauses are added up instead of waited (tests only).
    pub fn record_instead(&self) {
        self.recording.store(true, Ordering::Relaxed);
    }

    /// The pauses recorded so far.
    pub fn recorded(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.recorded_ms.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let clock = Clock::default();
        clock.freeze();
        let start = clock.now();
        let copy = clock.clone();
        copy.advance(90);
        assert_eq!(clock.now(), start + 90);
    }
}
