//! The authkeys of `GET /api/v1/chats/<channel>`: single use, five minutes,
//! bound to one user and one channel. They live in memory.

use std::time::{Duration, Instant};

use dashmap::DashMap;

/// How long an authkey lives.
pub const AUTHKEY_TTL: Duration = Duration::from_secs(5 * 60);

/// Issued authkeys.
#[derive(Default)]
pub struct AuthKeys {
    keys: DashMap<String, Issued>,
}

struct Issued {
    user_id: String,
    room_id: String,
    at: Instant,
}

impl AuthKeys {
    /// A fresh key (32 hex digits) for `user_id` in `room_id`.
    pub fn issue(&self, user_id: &str, room_id: &str) -> String {
        let now = Instant::now();
        self.keys
            .retain(|_, i| now.duration_since(i.at) < AUTHKEY_TTL);
        let key = hex::encode(rand::random::<[u8; 16]>());
        self.keys.insert(
            key.clone(),
            Issued {
                user_id: user_id.into(),
                room_id: room_id.into(),
                at: now,
            },
        );
        key
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
        let a = k.issue("u1", "r1");
        assert_eq!(a.len(), 32);
        assert!(k.redeem(&a, "U1", "r1"));
        assert!(!k.redeem(&a, "u1", "r1"), "used once");
        let b = k.issue("u1", "r1");
        assert!(!k.redeem(&b, "u2", "r1"), "another user");
        assert!(!k.redeem(&b, "u1", "r1"), "used up by the failed attempt");
        let c = k.issue("u1", "r1");
        assert!(!k.redeem(&c, "u1", "r2"), "another channel");
    }
}
