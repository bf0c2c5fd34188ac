//! Who is typing where: a pure tracker (`Typists`) fed by `typing` events,
//! each lasting [`TYPING_TTL_MS`] unless told again, and ended early by the
//! typist's next message; and the throttle of my own `POST /typing`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use w3mq_protocol::rest::{TYPING_EVERY_MS, TYPING_TTL_MS};

/// How long one `typing` event lasts.
pub const TTL: Duration = Duration::from_millis(TYPING_TTL_MS);

/// The most typists tracked per room (a huge public channel names a few).
const MAX_PER_ROOM: usize = 20;

/// Typists per room, each until a deadline; and the rooms whose timer runs
/// (one timer per room, however many events come).
#[derive(Debug, Default)]
pub struct Typists {
    rooms: HashMap<String, Vec<(String, Instant)>>,
    armed: std::collections::HashSet<String>,
}

impl Typists {
    /// Whether `room` needs a timer started now (none runs for it); the
    /// timer then asks [`Typists::next_or_disarm`] until it says stop.
    pub fn arm(&mut self, room: &str) -> bool {
        self.rooms.contains_key(room) && self.armed.insert(room.to_owned())
    }

    /// The room's earliest deadline, or `None` (and its timer stops) when
    /// nobody types there any more.
    pub fn next_or_disarm(&mut self, room: &str) -> Option<Instant> {
        let next = self
            .rooms
            .get(room)
            .and_then(|l| l.iter().map(|(_, t)| *t).min());
        if next.is_none() {
            self.armed.remove(room);
        }
        next
    }

    /// `user` types in `room` at `now`; the room's typists when that
    /// changed who types (not for a typist told again).
    pub fn note(&mut self, room: &str, user: &str, now: Instant) -> Option<Vec<String>> {
        let list = self.rooms.entry(room.to_owned()).or_default();
        let expired = prune(list, now);
        let until = now + TTL;
        if let Some(e) = list.iter_mut().find(|(u, _)| u == user) {
            e.1 = until;
            return expired.then(|| names(list));
        }
        if list.len() >= MAX_PER_ROOM {
            return expired.then(|| names(list));
        }
        list.push((user.to_owned(), until));
        Some(names(list))
    }

    /// `user` sent a message in `room`: they stopped typing.
    pub fn spoke(&mut self, room: &str, user: &str) -> Option<Vec<String>> {
        let list = self.rooms.get_mut(room)?;
        let before = list.len();
        list.retain(|(u, _)| u != user);
        let out = (list.len() != before).then(|| names(list));
        if list.is_empty() {
            self.rooms.remove(room);
        }
        out
    }

    /// Drops the typists of `room` whose time is up; the typists when some went.
    pub fn expire(&mut self, room: &str, now: Instant) -> Option<Vec<String>> {
        let list = self.rooms.get_mut(room)?;
        let out = prune(list, now).then(|| names(list));
        if list.is_empty() {
            self.rooms.remove(room);
        }
        out
    }

    /// Who types in `room` now.
    pub fn of(&self, room: &str, now: Instant) -> Vec<String> {
        self.rooms
            .get(room)
            .map(|l| {
                l.iter()
                    .filter(|(_, t)| *t > now)
                    .map(|(u, _)| u.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn prune(list: &mut Vec<(String, Instant)>, now: Instant) -> bool {
    let before = list.len();
    list.retain(|(_, t)| *t > now);
    list.len() != before
}

fn names(list: &[(String, Instant)]) -> Vec<String> {
    list.iter().map(|(u, _)| u.clone()).collect()
}

/// My own typing: at most one `POST /typing` per room per interval.
#[derive(Debug, Default)]
pub struct Throttle {
    last: HashMap<String, Instant>,
}

impl Throttle {
    /// Whether to tell the server that I type in `room` at `now`.
    pub fn allow(&mut self, room: &str, now: Instant) -> bool {
        let every = Duration::from_millis(TYPING_EVERY_MS);
        if self.last.len() > 1000 {
            self.last.retain(|_, t| now.duration_since(*t) < every);
        }
        match self.last.get(room) {
            Some(t) if now.duration_since(*t) < every => false,
            _ => {
                self.last.insert(room.to_owned(), now);
                true
            }
        }
    }

    /// I sent a message in `room`: the next keystroke may tell again.
    pub fn sent(&mut self, room: &str) {
        self.last.remove(room);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typist_lasts_until_the_deadline_or_their_message() {
        let t0 = Instant::now();
        let mut t = Typists::default();
        assert_eq!(t.note("r", "a", t0), Some(vec!["a".to_string()]));
        // Told again: no change to tell, the deadline moves.
        assert_eq!(t.note("r", "a", t0 + TTL / 2), None);
        assert_eq!(t.expire("r", t0 + TTL), None, "the deadline moved");
        assert_eq!(
            t.note("r", "b", t0 + TTL / 2),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(t.spoke("r", "b"), Some(vec!["a".to_string()]));
        assert_eq!(t.spoke("r", "b"), None);
        assert_eq!(t.of("r", t0 + TTL), vec!["a".to_string()]);
        assert_eq!(t.expire("r", t0 + TTL + TTL / 2), Some(vec![]));
        assert!(t.of("r", t0).is_empty());
        assert_eq!(t.expire("r", t0 + TTL * 3), None);
    }

    #[test]
    fn one_timer_runs_per_room_until_nobody_types() {
        let t0 = Instant::now();
        let mut t = Typists::default();
        assert!(!t.arm("r"), "nobody types yet");
        t.note("r", "a", t0);
        assert!(t.arm("r"));
        t.note("r", "b", t0 + TTL / 2);
        assert!(!t.arm("r"), "a timer runs already");
        assert_eq!(t.next_or_disarm("r"), Some(t0 + TTL));
        t.expire("r", t0 + TTL);
        assert_eq!(t.next_or_disarm("r"), Some(t0 + TTL / 2 + TTL));
        t.expire("r", t0 + TTL * 2);
        assert_eq!(t.next_or_disarm("r"), None);
        t.note("r", "a", t0 + TTL * 3);
        assert!(t.arm("r"), "a new timer after the last one stopped");
    }

    #[test]
    fn a_room_tracks_a_bounded_number_of_typists() {
        let t0 = Instant::now();
        let mut t = Typists::default();
        for i in 0..50 {
            t.note("r", &format!("u{i}"), t0);
        }
        assert_eq!(t.of("r", t0).len(), MAX_PER_ROOM);
    }

    #[test]
    fn my_typing_is_told_once_per_interval_and_again_after_a_message() {
        let t0 = Instant::now();
        let every = Duration::from_millis(TYPING_EVERY_MS);
        let mut th = Throttle::default();
        assert!(th.allow("r", t0));
        assert!(!th.allow("r", t0 + every / 2));
        assert!(th.allow("s", t0), "another room is its own");
        assert!(th.allow("r", t0 + every));
        th.sent("r");
        assert!(th.allow("r", t0 + every + every / 10));
    }
}
