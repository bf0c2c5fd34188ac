//! Reconnect delays: exponential with full jitter.

use std::time::Duration;

/// Exponential backoff with jitter, reset after a connection that lasted.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// Delays growing from `base` up to `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max,
            attempt: 0,
        }
    }

    /// The next delay: a random duration in [cap/2, cap] where cap doubles
    /// with each attempt up to `max`.
    pub fn next_delay(&mut self) -> Duration {
        let cap = self.cap(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        let half = cap / 2;
        let jitter = rand::random::<f64>();
        half + half.mul_f64(jitter)
    }

    fn cap(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(20));
        self.base.saturating_mul(factor).min(self.max)
    }

    /// Back to the first delay.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Attempts since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_within_bounds_with_jitter_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        let mut caps = Vec::new();
        for i in 0..10 {
            let d = b.next_delay();
            let cap = Duration::from_millis(100)
                .saturating_mul(2u32.pow(i))
                .min(Duration::from_secs(5));
            assert!(
                d >= cap / 2 && d <= cap,
                "{d:?} not in [{:?}, {cap:?}]",
                cap / 2
            );
            caps.push(cap);
        }
        assert_eq!(caps.last(), Some(&Duration::from_secs(5)));
        let samples: Vec<Duration> = (0..20)
            .map(|_| {
                let mut c = b.clone();
                c.next_delay()
            })
            .collect();
        assert!(
            samples.iter().any(|d| *d != samples[0]),
            "jitter varies delays"
        );
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }
}
