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

/// "23 Nov 2026, 10:44 UTC".
pub fn display_time(unix: i64) -> Option<String> {
    let at = time::OffsetDateTime::from_unix_timestamp(unix).ok()?;
    let month = at.month().to_string();
    Some(format!(
        "{} {} {}, {:02}:{:02} UTC",
        at.day(),
        &month[..3],
        at.year(),
        at.hour(),
        at.minute()
    ))
}

/// `unix` for a table cell, against `now`: "Today 15:52", "Yesterday
/// 09:10", "23 Nov 10:44" this year, "23 Nov 2025" before (all UTC), with
/// [`display_time`] in full beside it.
pub fn shown_time(unix: i64, now: i64) -> Option<crate::shown_time::ShownTime> {
    let at = time::OffsetDateTime::from_unix_timestamp(unix).ok()?;
    let today = time::OffsetDateTime::from_unix_timestamp(now).ok()?.date();
    let clock = format!("{:02}:{:02}", at.hour(), at.minute());
    let month = at.month().to_string();
    let short = if at.date() == today {
        format!("Today {clock}")
    } else if today.previous_day() == Some(at.date()) {
        format!("Yesterday {clock}")
    } else if at.year() == today.year() {
        format!("{} {} {clock}", at.day(), &month[..3])
    } else {
        format!("{} {} {}", at.day(), &month[..3], at.year())
    };
    Some(crate::shown_time::ShownTime {
        short,
        full: display_time(unix)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_times_are_short_relative_to_today_and_full_beside() {
        // 2026-11-23 10:44 UTC.
        let at = 1_795_430_640;
        let shown = |now: i64| shown_time(at, now).map(|t| t.short);
        assert_eq!(shown(at + 3_600).as_deref(), Some("Today 10:44"));
        assert_eq!(shown(at + 86_400).as_deref(), Some("Yesterday 10:44"));
        assert_eq!(shown(at + 3 * 86_400).as_deref(), Some("23 Nov 10:44"));
        assert_eq!(shown(at + 400 * 86_400).as_deref(), Some("23 Nov 2026"));
        assert_eq!(
            shown_time(at, at).map(|t| t.full).as_deref(),
            Some("23 Nov 2026, 10:44 UTC")
        );
    }

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let clock = Clock::default();
        clock.freeze();
        let start = clock.now();
        let copy = clock.clone();
        copy.advance(90);
        assert_eq!(clock.now(), start + 90);
    }

    #[test]
    fn times_read_as_day_month_year_utc() {
        assert_eq!(
            display_time(1_795_430_640).as_deref(),
            Some("23 Nov 2026, 10:44 UTC")
        );
    }
}
