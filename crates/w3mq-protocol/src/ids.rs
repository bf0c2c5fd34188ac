//! 24-hex-digit object ids and timestamps.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// An object id: 12 bytes shown as 24 lowercase hex digits, as the 2022 service
/// used for users, rooms and messages (4 bytes of seconds, 5 random, 3 counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId([u8; 12]);

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl ObjectId {
    /// A fresh id, unique within this process and very likely across processes.
    pub fn new() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0);
        let mut b = [0u8; 12];
        b[..4].copy_from_slice(&secs.to_be_bytes());
        let r: [u8; 5] = rand::random();
        b[4..9].copy_from_slice(&r);
        let c = COUNTER.fetch_add(1, Ordering::Relaxed);
        b[9..].copy_from_slice(&c.to_be_bytes()[1..]);
        ObjectId(b)
    }

    /// Parses 24 hex digits (either case).
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 24 {
            return None;
        }
        let mut b = [0u8; 12];
        hex::decode_to_slice(s, &mut b).ok()?;
        Some(ObjectId(b))
    }
}

impl Default for ObjectId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// True when `s` is 24 hex digits.
pub fn is_object_id(s: &str) -> bool {
    ObjectId::parse(s).is_some()
}

/// The current time in Unix nanoseconds.
pub fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Brings a client timestamp to Unix nanoseconds. Stock 2022 clients sent
/// seconds, milliseconds or nanoseconds; the magnitude tells which. Zero or a
/// negative value means "not given".
pub fn normalize_timestamp(t: i64) -> Option<i64> {
    match t {
        t if t <= 0 => None,
        t if t < 100_000_000_000 => t.checked_mul(1_000_000_000),
        t if t < 100_000_000_000_000 => t.checked_mul(1_000_000),
        t if t < 100_000_000_000_000_000 => t.checked_mul(1_000),
        t => Some(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_distinct_and_round_trip() {
        let a = ObjectId::new();
        let b = ObjectId::new();
        assert_ne!(a, b);
        let s = a.to_string();
        assert_eq!(s.len(), 24);
        assert_eq!(ObjectId::parse(&s), Some(a));
    }

    #[test]
    fn parse_rejects_bad_ids() {
        assert!(!is_object_id(""));
        assert!(!is_object_id("61f1006d604cc5be5f7a3c2"));
        assert!(!is_object_id("61f1006d604cc5be5f7a3c2dd"));
        assert!(!is_object_id("61f1006d604cc5be5f7a3c2g"));
        assert!(!is_object_id("user id"));
        assert!(is_object_id("61F1006D604CC5BE5F7A3C2D"));
    }

    #[test]
    fn timestamps_normalize_by_magnitude() {
        assert_eq!(normalize_timestamp(0), None);
        assert_eq!(normalize_timestamp(-5), None);
        assert_eq!(
            normalize_timestamp(1_653_400_377),
            Some(1_653_400_377_000_000_000)
        );
        assert_eq!(
            normalize_timestamp(1_653_400_377_500),
            Some(1_653_400_377_500_000_000)
        );
        assert_eq!(
            normalize_timestamp(1_653_400_377_500_000_000),
            Some(1_653_400_377_500_000_000)
        );
    }
}
