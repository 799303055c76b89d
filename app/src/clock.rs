//! The clock every time-dependent rule reads, so tests can move time on
//! instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Wall-clock time in Unix seconds, plus an offset that only tests change.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> i64 {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        wall + self.offset_secs.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_day_month_year_utc() {
        assert_eq!(
            display_time(1_795_430_640).as_deref(),
            Some("23 Nov 2026, 10:44 UTC")
        );
    }
}
