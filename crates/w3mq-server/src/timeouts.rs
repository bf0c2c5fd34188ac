//! Who a moderator timed out of which room, and until when.
//!
//! One registry for the whole node, shared by the channel sockets (which set
//! timeouts and refuse `msg` / `whisper`) and the router (which refuses the
//! same user's publishes on MQTT), so that a timeout holds on every path into
//! the room.

use std::time::{Duration, Instant};

use dashmap::DashMap;

/// Live timeouts by `(room_id, user_id)`.
#[derive(Default)]
pub struct Timeouts {
    until: DashMap<(String, String), Instant>,
}

impl Timeouts {
    /// Times `user_id` out of `room_id` for `d`; a zero duration lifts it.
    pub fn set(&self, room_id: &str, user_id: &str, d: Duration) {
        let key = (room_id.to_owned(), user_id.to_owned());
        if d.is_zero() {
            self.until.remove(&key);
        } else {
            self.until.insert(key, Instant::now() + d);
        }
    }

    /// Whether `user_id` is timed out of `room_id` now. An ended timeout is
    /// forgotten.
    pub fn is_timed_out(&self, room_id: &str, user_id: &str) -> bool {
        self.is_timed_out_at(room_id, user_id, Instant::now())
    }

    fn is_timed_out_at(&self, room_id: &str, user_id: &str, now: Instant) -> bool {
        if self.until.is_empty() {
            return false;
        }
        let key = (room_id.to_owned(), user_id.to_owned());
        let live = match self.until.get(&key) {
            Some(t) => *t > now,
            None => return false,
        };
        if !live {
            self.until.remove_if(&key, |_, t| *t <= now);
        }
        live
    }

    /// Drops ended timeouts.
    pub fn sweep(&self) {
        self.sweep_at(Instant::now());
    }

    fn sweep_at(&self, now: Instant) {
        self.until.retain(|_, t| *t > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_room_and_user_and_lifted_by_zero() {
        let t = Timeouts::default();
        t.set("r1", "u1", Duration::from_secs(60));
        assert!(t.is_timed_out("r1", "u1"));
        assert!(!t.is_timed_out("r2", "u1"), "another room");
        assert!(!t.is_timed_out("r1", "u2"), "another user");
        t.set("r1", "u1", Duration::ZERO);
        assert!(!t.is_timed_out("r1", "u1"));
        t.set("r1", "u1", Duration::from_secs(1));
        t.set("r1", "u2", Duration::from_secs(1));
        let later = Instant::now() + Duration::from_secs(2);
        assert!(!t.is_timed_out_at("r1", "u1", later), "ended");
        assert_eq!(t.until.len(), 1, "an ended timeout is forgotten");
        t.sweep_at(later);
        assert!(t.until.is_empty());
    }
}
