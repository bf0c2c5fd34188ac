//! How far the catch-up after a connect is: rooms whose history is being
//! fetched against rooms done, shown as "Online · catching up 12 of 50
//! rooms" until every room is in. A pure counter; the sync task owns it and
//! emits [`crate::events::ConnectionState::Online`] with it.

use serde::{Deserialize, Serialize};

/// Rooms caught up of rooms to catch up since the last CONNACK.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CatchUp {
    /// Rooms whose history is in.
    pub done: u32,
    /// Rooms to catch up.
    pub total: u32,
}

impl CatchUp {
    /// `n` more rooms to catch up (their SUBACK came back).
    pub fn add(&mut self, n: usize) {
        self.total = self
            .total
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// One room is in; whether the change is worth showing (the last room,
    /// or a step of about a twentieth: 1,000 rooms give ~20 updates, not
    /// 1,000).
    pub fn finish_one(&mut self) -> bool {
        self.done = self.done.saturating_add(1).min(self.total);
        let step = (self.total / 20).max(1);
        self.done == self.total || self.done.is_multiple_of(step)
    }

    /// What the banner shows: `None` once every room is in.
    pub fn pending(&self) -> Option<CatchUp> {
        (self.done < self.total).then_some(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rooms_and_says_when_done() {
        let mut c = CatchUp::default();
        assert_eq!(c.pending(), None);
        c.add(3);
        assert_eq!(c.pending(), Some(CatchUp { done: 0, total: 3 }));
        assert!(c.finish_one());
        assert!(c.finish_one());
        // More rooms while catching up (a second SUBACK).
        c.add(2);
        assert_eq!(c.pending(), Some(CatchUp { done: 2, total: 5 }));
        for _ in 0..3 {
            c.finish_one();
        }
        assert_eq!(c.pending(), None);
        // A stray finish never passes the total.
        c.finish_one();
        assert_eq!(c, CatchUp { done: 5, total: 5 });
    }

    #[test]
    fn many_rooms_update_in_steps() {
        let mut c = CatchUp::default();
        c.add(1000);
        let shown = (0..1000).filter(|_| c.finish_one()).count();
        assert_eq!(shown, 20);
        assert_eq!(c.pending(), None);
    }
}
