//! What the HTTP benchmarks share: percentiles of sorted timings, in ms.

use std::time::Duration;

/// The `p` percentile (0 to 1) of `sorted` timings.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
