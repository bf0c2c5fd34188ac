//! Login secrets (`POST /login_random_secret`): single use, five minutes,
//! bounded in memory.
//!
//! Secrets are kept by their own value, so a wallet may have several live at
//! once: a stranger asking for one never replaces the owner's pending one,
//! and a failed login leaves the secret it named alive (only a successful
//! login uses it up). The whole table is capped: when it is full of live
//! secrets new ones are refused (the caller answers 503) instead of evicting
//! anyone's pending secret; the route limits how many one client address may
//! ask for, so filling it takes many addresses.

use std::time::{Duration, Instant};

use dashmap::DashMap;
use subtle::ConstantTimeEq;

/// How long a login secret lives.
pub const SECRET_TTL: Duration = Duration::from_secs(5 * 60);
/// Live secrets in all.
pub const MAX_SECRETS: usize = 100_000;

/// The table is full of live secrets.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

struct Issued {
    /// Lowercase wallet address.
    wallet: String,
    at: Instant,
}

/// Live login secrets.
pub struct Secrets {
    by_secret: DashMap<String, Issued>,
    cap: usize,
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets::with_cap(MAX_SECRETS)
    }
}

impl Secrets {
    /// A table holding at most `cap` live secrets.
    pub fn with_cap(cap: usize) -> Self {
        Secrets {
            by_secret: DashMap::new(),
            cap,
        }
    }

    /// A fresh secret (32 hex digits) for `wallet`.
    pub fn issue(&self, wallet: &str) -> Result<String, Full> {
        let now = Instant::now();
        if self.by_secret.len() >= self.cap {
            self.sweep_at(now);
            if self.by_secret.len() >= self.cap {
                return Err(Full);
            }
        }
        let s = hex::encode(rand::random::<[u8; 16]>());
        self.by_secret.insert(
            s.clone(),
            Issued {
                wallet: wallet.to_ascii_lowercase(),
                at: now,
            },
        );
        Ok(s)
    }

    fn matches(&self, wallet: &str, secret: &str, i: &Issued, key: &str) -> bool {
        i.at.elapsed() < SECRET_TTL
            && i.wallet.eq_ignore_ascii_case(wallet)
            && bool::from(key.as_bytes().ct_eq(secret.as_bytes()))
    }

    /// Whether `secret` is a live secret of `wallet`. It stays live.
    pub fn is_live(&self, wallet: &str, secret: &str) -> bool {
        self.by_secret
            .get(secret)
            .is_some_and(|e| self.matches(wallet, secret, e.value(), e.key()))
    }

    /// Uses `secret` up; false if it was not live for `wallet` (a concurrent
    /// login took it, or it is someone else's, which then stays live).
    pub fn consume(&self, wallet: &str, secret: &str) -> bool {
        self.by_secret
            .remove_if(secret, |k, i| self.matches(wallet, secret, i, k))
            .is_some()
    }

    /// How many secrets are held (live or not yet swept).
    pub fn len(&self) -> usize {
        self.by_secret.len()
    }

    /// True when no secret is held.
    pub fn is_empty(&self) -> bool {
        self.by_secret.is_empty()
    }

    /// Drops expired secrets.
    pub fn sweep(&self) {
        self.sweep_at(Instant::now());
    }

    fn sweep_at(&self, now: Instant) {
        self.by_secret
            .retain(|_, i| now.duration_since(i.at) < SECRET_TTL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = "0x00000000000000000000000000000000000000aa";
    const OTHER: &str = "0x00000000000000000000000000000000000000bb";

    #[test]
    fn a_strangers_request_or_failure_keeps_the_owners_secret() {
        let t = Secrets::default();
        let mine = t.issue(W).unwrap();
        let theirs = t.issue(&W.to_uppercase().replace("0X", "0x")).unwrap();
        assert!(t.is_live(W, &mine), "a second request did not replace it");
        assert!(t.is_live(W, &theirs));
        assert!(!t.is_live(W, "00"), "a wrong guess");
        assert!(!t.consume(OTHER, &mine), "presented for another wallet");
        assert!(t.is_live(W, &mine), "failures burn nothing");
        assert!(t.consume(W, &mine));
        assert!(!t.consume(W, &mine), "single use");
        assert!(t.is_live(W, &theirs));
    }

    #[test]
    fn full_of_live_secrets_refuses_and_evicts_nobody() {
        let t = Secrets::with_cap(3);
        let first = t.issue(W).unwrap();
        t.issue(W).unwrap();
        t.issue(OTHER).unwrap();
        assert_eq!(t.issue(OTHER), Err(Full));
        assert!(t.is_live(W, &first));
        assert_eq!(t.len(), 3);
        t.sweep_at(Instant::now() + SECRET_TTL);
        assert!(t.is_empty());
        assert!(t.issue(OTHER).is_ok());
    }
}
