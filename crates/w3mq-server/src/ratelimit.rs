//! Per-key token buckets: the per-user message rate and the REST request rate.

use std::time::Instant;

use dashmap::DashMap;

/// A token bucket refilled at `rate` tokens a second up to `burst`.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn full(burst: f64, now: Instant) -> Self {
        Bucket {
            tokens: burst,
            last: now,
        }
    }

    /// Takes one token if there is one.
    pub fn take(&mut self, rate: f64, burst: f64, now: Instant) -> bool {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + dt * rate).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Buckets by key (a user id, or a client address).
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: DashMap<String, Bucket>,
}

impl RateLimiter {
    /// `rate` per second with bursts of `burst`. A rate of 0 disables the limit.
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            rate,
            burst: burst.max(1.0),
            buckets: DashMap::new(),
        }
    }

    /// True if `key` may act now.
    pub fn allow(&self, key: &str) -> bool {
        self.allow_at(key, Instant::now())
    }

    /// [`RateLimiter::allow`] at a given instant.
    pub fn allow_at(&self, key: &str, now: Instant) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        if let Some(mut b) = self.buckets.get_mut(key) {
            return b.take(self.rate, self.burst, now);
        }
        let mut b = Bucket::full(self.burst, now);
        let ok = b.take(self.rate, self.burst, now);
        self.buckets.insert(key.to_owned(), b);
        ok
    }

    /// True if `key` has a token now; takes none.
    pub fn would_allow(&self, key: &str) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        let now = Instant::now();
        match self.buckets.get(key) {
            Some(b) => {
                let dt = now.saturating_duration_since(b.last).as_secs_f64();
                (b.tokens + dt * self.rate).min(self.burst) >= 1.0
            }
            None => true,
        }
    }

    /// Drops buckets that have refilled completely (they hold no state).
    pub fn sweep(&self) {
        let now = Instant::now();
        let full_after = self.burst / self.rate.max(f64::MIN_POSITIVE);
        self.buckets
            .retain(|_, b| now.saturating_duration_since(b.last).as_secs_f64() < full_after);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let l = RateLimiter::new(20.0, 50.0);
        let t0 = Instant::now();
        let allowed = (0..60).filter(|_| l.allow_at("u", t0)).count();
        assert_eq!(allowed, 50);
        assert!(!l.allow_at("u", t0 + Duration::from_millis(10)));
        // 20 per second: after 100 ms two tokens are back.
        let t1 = t0 + Duration::from_millis(110);
        assert!(l.allow_at("u", t1));
        assert!(l.allow_at("u", t1));
        assert!(!l.allow_at("u", t1));
        // Other keys are independent.
        assert!(l.allow_at("v", t1));
    }

    #[test]
    fn zero_rate_disables() {
        let l = RateLimiter::new(0.0, 1.0);
        assert!((0..1000).all(|_| l.allow("u")));
    }
}
