//! The authkeys of `GET /api/v1/chats/<channel>`: single use, five minutes,
//! bound to one user and one channel. They live in memory, at most
//! [`MAX_AUTHKEYS`] at once: when that many are live, a new one is refused
//! rather than evicting someone's.

use std::time::{Duration, Instant};

use dashmap::DashMap;

/// How long an authkey lives.
pub const AUTHKEY_TTL: Duration = Duration::from_secs(5 * 60);
/// Live authkeys in all.
pub const MAX_AUTHKEYS: usize = 100_000;
/// Live authkeys of one user; asking for more drops that user's oldest.
pub const PER_USER: usize = 16;

/// Issued authkeys.
#[derive(Default)]
pub struct AuthKeys {
    keys: DashMap<String, Issued>,
    /// Each user's keys, oldest first (some may be used or expired).
    by_user: DashMap<String, std::collections::VecDeque<String>>,
}

struct Issued {
    user_id: String,
    room_id: String,
    at: Instant,
}

impl AuthKeys {
    /// A fresh key (32 hex digits) for `user_id` in `room_id`; `None` when
    /// the table is full of live keys.
    pub fn issue(&self, user_id: &str, room_id: &str) -> Option<String> {
        let now = Instant::now();
        if self.keys.len() >= MAX_AUTHKEYS {
            self.sweep();
            if self.keys.len() >= MAX_AUTHKEYS {
                return None;
            }
        }
        let key = hex::encode(rand::random::<[u8; 16]>());
        {
            let mut mine = self.by_user.entry(user_id.to_owned()).or_default();
            mine.retain(|k| self.keys.contains_key(k));
            while mine.len() >= PER_USER {
                if let Some(oldest) = mine.pop_front() {
                    self.keys.remove(&oldest);
                }
            }
            mine.push_back(key.clone());
        }
        self.keys.insert(
            key.clone(),
            Issued {
                user_id: user_id.into(),
                room_id: room_id.into(),
                at: now,
            },
        );
        Some(key)
    }

    /// Drops expired keys.
    pub fn sweep(&self) {
        let now = Instant::now();
        self.keys
            .retain(|_, i| now.duration_since(i.at) < AUTHKEY_TTL);
        self.by_user.retain(|_, ks| {
            ks.retain(|k| self.keys.contains_key(k));
            !ks.is_empty()
        });
    }

    /// Uses `key` up; true if it was live and issued to `user_id` for
    /// `room_id`. A key presented with the wrong user is used up too.
    pub fn redeem(&self, key: &str, user_id: &str, room_id: &str) -> bool {
        match self.keys.remove(key) {
            Some((_, i)) => {
                i.at.elapsed() < AUTHKEY_TTL
                    && i.user_id.eq_ignore_ascii_case(user_id)
                    && i.room_id == room_id
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_use_and_bound() {
        let k = AuthKeys::default();
        let a = k.issue("u1", "r1").unwrap();
        assert_eq!(a.len(), 32);
        assert!(k.redeem(&a, "U1", "r1"));
        assert!(!k.redeem(&a, "u1", "r1"), "used once");
        let b = k.issue("u1", "r1").unwrap();
        assert!(!k.redeem(&b, "u2", "r1"), "another user");
        assert!(!k.redeem(&b, "u1", "r1"), "used up by the failed attempt");
        let c = k.issue("u1", "r1").unwrap();
        assert!(!k.redeem(&c, "u1", "r2"), "another channel");
        // One user's many keys push out only that user's oldest.
        let theirs = k.issue("u2", "r1").unwrap();
        let first = k.issue("u1", "r1").unwrap();
        for _ in 0..PER_USER {
            k.issue("u1", "r1").unwrap();
        }
        assert!(!k.redeem(&first, "u1", "r1"));
        assert!(k.redeem(&theirs, "u2", "r1"));
    }
}
