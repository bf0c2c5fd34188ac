//! Percentiles of latency samples (nearest rank on the sorted samples).

use std::time::Duration;

use serde::Serialize;

/// Summary of a set of latency samples, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Number of samples.
    pub samples: usize,
    /// Mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest sample.
    pub max_ms: f64,
}

/// The `q`-quantile (0 < q <= 1) of sorted samples by nearest rank.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summarises `samples` (sorted in place).
pub fn summarize(samples: &mut [Duration]) -> Summary {
    samples.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let n = samples.len();
    let mean = if n == 0 {
        0.0
    } else {
        samples.iter().map(|d| d.as_secs_f64()).sum::<f64>() / n as f64 * 1e3
    };
    Summary {
        samples: n,
        mean_ms: mean,
        p50_ms: ms(quantile(samples, 0.50)),
        p90_ms: ms(quantile(samples, 0.90)),
        p99_ms: ms(quantile(samples, 0.99)),
        p999_ms: ms(quantile(samples, 0.999)),
        max_ms: ms(samples.last().copied().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let s = summarize(&mut v);
        assert_eq!(s.samples, 100);
        assert_eq!(s.p50_ms, 50.0);
        assert_eq!(s.p99_ms, 99.0);
        assert_eq!(s.max_ms, 100.0);
        assert!((s.mean_ms - 50.5).abs() < 1e-9);
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
        assert_eq!(quantile(&v[..1], 0.999), Duration::from_millis(1));
    }
}
