//! Method-call bookkeeping, without I/O: ids, the calls waiting for a
//! connection, the calls waiting for their reply and their deadlines.
//!
//! A call's timeout runs from when it is written to the socket; a call made
//! while disconnected waits in the queue (bounded) until the next connection
//! is authenticated.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::packets::Packet;

/// A call not yet written.
#[derive(Debug)]
pub(crate) struct Queued<W> {
    pub method: String,
    pub arguments: Vec<Value>,
    pub waiter: W,
}

/// A call written, waiting for its reply.
#[derive(Debug)]
pub(crate) struct InFlight<W> {
    pub method: String,
    pub deadline: Instant,
    pub waiter: W,
}

/// The calls of one channel. `W` is whoever waits for the reply.
#[derive(Debug)]
pub(crate) struct Calls<W> {
    next_id: u64,
    timeout: Duration,
    max_queued: usize,
    queued: VecDeque<Queued<W>>,
    in_flight: HashMap<u64, InFlight<W>>,
}

impl<W> Calls<W> {
    /// Calls that time out `timeout` after they are written; at most
    /// `max_queued` wait for a connection.
    pub fn new(timeout: Duration, max_queued: usize) -> Self {
        Calls {
            next_id: 0,
            timeout,
            max_queued,
            queued: VecDeque::new(),
            in_flight: HashMap::new(),
        }
    }

    /// Queues a call until the connection is ready; gives it back when the
    /// queue is full.
    pub fn queue(&mut self, q: Queued<W>) -> Result<(), Queued<W>> {
        if self.queued.len() >= self.max_queued {
            return Err(q);
        }
        self.queued.push_back(q);
        Ok(())
    }

    /// Records a call as written at `now` and returns its packet.
    pub fn start(&mut self, q: Queued<W>, now: Instant) -> Packet {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.in_flight.insert(
            id,
            InFlight {
                method: q.method.clone(),
                deadline: now + self.timeout,
                waiter: q.waiter,
            },
        );
        Packet::Method {
            method: q.method,
            arguments: q.arguments,
            id,
        }
    }

    /// Takes the queued calls, oldest first, to be started.
    pub fn take_queued(&mut self) -> Vec<Queued<W>> {
        self.queued.drain(..).collect()
    }

    /// The call a reply with `id` answers (once).
    pub fn settle(&mut self, id: u64) -> Option<InFlight<W>> {
        self.in_flight.remove(&id)
    }

    /// The calls whose deadline has passed at `now`.
    pub fn expired(&mut self, now: Instant) -> Vec<InFlight<W>> {
        let ids: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, c)| c.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| self.in_flight.remove(&id))
            .collect()
    }

    /// The earliest deadline of a call in flight.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.in_flight.values().map(|c| c.deadline).min()
    }

    /// Every call in flight, when the connection is lost (their replies
    /// will never come).
    pub fn lose_in_flight(&mut self) -> Vec<InFlight<W>> {
        self.in_flight.drain().map(|(_, c)| c).collect()
    }

    /// Calls in flight and queued.
    #[cfg(test)]
    pub fn len(&self) -> (usize, usize) {
        (self.in_flight.len(), self.queued.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(method: &str, w: u32) -> Queued<u32> {
        Queued {
            method: method.into(),
            arguments: vec![Value::from(w)],
            waiter: w,
        }
    }

    fn id_of(p: &Packet) -> u64 {
        match p {
            Packet::Method { id, .. } => *id,
            other => panic!("not a method: {other:?}"),
        }
    }

    #[test]
    fn ids_are_unique_and_replies_settle_once() {
        let mut c = Calls::new(Duration::from_secs(20), 10);
        let t0 = Instant::now();
        let a = c.start(q("msg", 1), t0);
        let b = c.start(q("ping", 2), t0);
        assert_ne!(id_of(&a), id_of(&b));
        assert_eq!(
            a,
            Packet::Method {
                method: "msg".into(),
                arguments: vec![Value::from(1)],
                id: id_of(&a)
            }
        );
        assert_eq!(c.settle(id_of(&b)).map(|f| f.waiter), Some(2));
        assert!(c.settle(id_of(&b)).is_none(), "a second reply is ignored");
        assert!(c.settle(999).is_none(), "an unknown id is ignored");
        assert_eq!(c.len(), (1, 0));
    }

    #[test]
    fn calls_time_out_twenty_seconds_after_they_are_written() {
        let mut c = Calls::new(Duration::from_secs(20), 10);
        let t0 = Instant::now();
        c.start(q("a", 1), t0);
        c.start(q("b", 2), t0 + Duration::from_secs(5));
        assert_eq!(c.next_deadline(), Some(t0 + Duration::from_secs(20)));
        assert!(c.expired(t0 + Duration::from_millis(19_999)).is_empty());
        let gone: Vec<u32> = c
            .expired(t0 + Duration::from_secs(20))
            .into_iter()
            .map(|f| f.waiter)
            .collect();
        assert_eq!(gone, vec![1]);
        assert_eq!(c.next_deadline(), Some(t0 + Duration::from_secs(25)));
        let gone: Vec<u32> = c
            .expired(t0 + Duration::from_secs(60))
            .into_iter()
            .map(|f| f.waiter)
            .collect();
        assert_eq!(gone, vec![2]);
        assert_eq!(c.next_deadline(), None);
    }

    #[test]
    fn queued_calls_wait_without_a_deadline_then_go_in_order() {
        let mut c = Calls::new(Duration::from_secs(20), 2);
        assert!(c.queue(q("a", 1)).is_ok());
        assert!(c.queue(q("b", 2)).is_ok());
        let refused = c.queue(q("c", 3)).expect_err("the queue is full");
        assert_eq!(refused.waiter, 3);
        assert_eq!(c.next_deadline(), None, "queued calls do not time out");
        let t1 = Instant::now() + Duration::from_secs(3600);
        let sent: Vec<Packet> = c
            .take_queued()
            .into_iter()
            .map(|x| c.start(x, t1))
            .collect();
        let methods: Vec<&str> = sent
            .iter()
            .map(|p| match p {
                Packet::Method { method, .. } => method.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(methods, vec!["a", "b"]);
        assert_eq!(c.next_deadline(), Some(t1 + Duration::from_secs(20)));
        assert_eq!(c.len(), (2, 0));
    }

    #[test]
    fn a_lost_connection_fails_every_call_in_flight() {
        let mut c = Calls::new(Duration::from_secs(20), 10);
        let t0 = Instant::now();
        c.start(q("a", 1), t0);
        c.start(q("b", 2), t0);
        assert!(c.queue(q("c", 3)).is_ok());
        let mut lost: Vec<u32> = c.lose_in_flight().into_iter().map(|f| f.waiter).collect();
        lost.sort_unstable();
        assert_eq!(lost, vec![1, 2]);
        assert_eq!(c.len(), (0, 1), "queued calls stay queued");
        assert_eq!(c.next_deadline(), None);
    }
}
