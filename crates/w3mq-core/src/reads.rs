//! Read state with the server: my read marker per room (kept by the server,
//! so my other devices and a reinstall know what I read), the read receipts
//! of the other members, and typing.
//!
//! A read goes into the cache at once (the counts are the cache's) and into
//! an outbox entry (`read_out:<room>`, the highest unsent `seq` and whether
//! it is a receipt), sent now and again after every reconnect until the
//! server has it: a read made offline is not lost. Markers only grow on
//! both sides, so taking the larger of the two converges whatever the order.
//! `read_moved` and `receipt` events are pokes or bounded claims: a marker is
//! read back from the server; a receipt is kept for a current member only.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use crate::account::Account;
use crate::error::{CoreError, Result};
use crate::events::Event;

fn out_key(room: &str) -> String {
    format!("read_out:{room}")
}

fn receipts_key(room: &str) -> String {
    format!("receipts:{room}")
}

/// An unsent read: "seq receipt".
fn parse_out(v: &str) -> Option<(i64, bool)> {
    let (s, r) = v.split_once(' ')?;
    Some((s.parse().ok()?, r == "1"))
}

/// Marks `room` read up to `seq` in the cache and queues it for the server;
/// whether the counts changed.
pub(crate) async fn mark(a: &Arc<Account>, room: &str, seq: i64, receipt: bool) -> Result<bool> {
    let changed = a.cache.mark_read(room, seq).await?;
    let pending = a
        .cache
        .get_meta(&out_key(room))
        .await?
        .and_then(|v| parse_out(&v));
    let known = a.cache.read_seq(room).await?;
    let seq = seq.min(known.max(seq));
    if pending.is_none_or(|(s, r)| s < seq || (receipt && !r)) {
        let seq = pending.map_or(seq, |(s, _)| s.max(seq));
        let flag = if receipt { "1" } else { "0" };
        a.cache
            .set_meta(&out_key(room), &format!("{seq} {flag}"))
            .await?;
        let (a, room) = (a.clone(), room.to_owned());
        tokio::spawn(async move { push(&a, &room).await });
    }
    Ok(changed)
}

/// Sends `room`'s unsent read, if any; it stays queued when that fails.
pub(crate) async fn push(a: &Account, room: &str) {
    let Ok(Some(v)) = a.cache.get_meta(&out_key(room)).await else {
        return;
    };
    let Some((seq, receipt)) = parse_out(&v) else {
        let _ = a.cache.delete_meta(&out_key(room)).await;
        return;
    };
    match a.rest.read(room, seq, receipt).await {
        Ok(m) => {
            // Sent, unless a newer read came meanwhile (it has its own push).
            if a.cache
                .get_meta(&out_key(room))
                .await
                .ok()
                .flatten()
                .as_deref()
                == Some(&v)
            {
                let _ = a.cache.delete_meta(&out_key(room)).await;
            }
            take_marker(a, room, m.seq).await;
        }
        // Not a member any more, or a room that is gone: nothing to resend.
        Err(
            e @ CoreError::Api {
                status: 400 | 403 | 404,
                ..
            },
        ) => {
            tracing::info!(room, error = %e, "read refused");
            let _ = a.cache.delete_meta(&out_key(room)).await;
        }
        Err(e) => tracing::debug!(room, error = %e, "read not sent yet"),
    }
}

/// Takes the server's marker of mine (the larger wins).
async fn take_marker(a: &Account, room: &str, seq: i64) {
    if let Ok(true) = a.cache.mark_read(room, seq).await {
        a.emit_rooms(&HashSet::from([room.to_owned()])).await;
    }
}

/// After a (re)connect: sends what was read offline, then takes the
/// server's marker (read on another device meanwhile).
pub(crate) async fn catch_up(a: &Account, room: &str) -> Result<()> {
    push(a, room).await;
    let found = a.rest.read_markers(&[room.to_owned()]).await?;
    if let Some(m) = found.into_iter().find(|m| m.room_id == room) {
        take_marker(a, room, m.seq).await;
    }
    Ok(())
}

/// `read_moved` on my notification topic: a poke, the marker is read back.
pub(crate) async fn on_moved(a: &Account, room: &str) {
    if let Err(e) = catch_up(a, room).await {
        tracing::info!(room, error = %e, "read marker not fetched");
    }
}

/// The shared markers of `room`'s other members, as cached: user → seq.
pub(crate) async fn receipts(a: &Account, room: &str) -> BTreeMap<String, i64> {
    a.cache
        .get_meta(&receipts_key(room))
        .await
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default()
}

async fn store_receipts(a: &Account, room: &str, r: &BTreeMap<String, i64>) {
    if let Ok(v) = serde_json::to_string(r) {
        let _ = a.cache.set_meta(&receipts_key(room), &v).await;
    }
}

/// `receipt` on a room's topic: kept for a current member other than me, only
/// forward.
pub(crate) async fn on_receipt(a: &Account, room: &str, user: &str, seq: i64) {
    if user == a.me || !member(a, room, user).await {
        return;
    }
    let mut r = receipts(a, room).await;
    let e = r.entry(user.to_owned()).or_insert(0);
    if *e >= seq {
        return;
    }
    *e = seq;
    store_receipts(a, room, &r).await;
    a.emit(Event::Receipts {
        room_id: room.to_owned(),
    });
}

/// Reads a room's receipts from the server (the room was opened); tells the
/// shell when they differ from the cached ones.
pub(crate) async fn refresh_receipts(a: &Account, room: &str) -> Result<()> {
    let found = a.rest.read_receipts(room).await?;
    let mut r = BTreeMap::new();
    for m in found.into_iter().take(10_000) {
        if m.room_id == room && m.user_id != a.me && m.seq > 0 {
            r.insert(m.user_id, m.seq);
        }
    }
    if r != receipts(a, room).await {
        store_receipts(a, room, &r).await;
        a.emit(Event::Receipts {
            room_id: room.to_owned(),
        });
    }
    Ok(())
}

async fn member(a: &Account, room: &str, user: &str) -> bool {
    matches!(a.cache.room(room).await, Ok(Some(r)) if r.members.iter().any(|m| m.user_id == user))
}

/// `typing` on a room's topic: a current member other than me types.
pub(crate) async fn on_typing(a: &Arc<Account>, room: &str, user: &str) {
    if user == a.me || !member(a, room, user).await {
        return;
    }
    let changed = a.typists(|t| t.note(room, user, Instant::now()));
    if let Some(user_ids) = changed {
        a.emit(Event::Typing {
            room_id: room.to_owned(),
            user_ids,
        });
    }
    // Its end, unless told again meanwhile (then that event's own timer ends it).
    let (a, room) = (a.clone(), room.to_owned());
    tokio::spawn(async move {
        tokio::time::sleep(crate::typing::TTL + std::time::Duration::from_millis(50)).await;
        if let Some(user_ids) = a.typists(|t| t.expire(&room, Instant::now())) {
            a.emit(Event::Typing {
                room_id: room,
                user_ids,
            });
        }
    });
}

/// Messages arrived: their senders stopped typing.
pub(crate) fn spoke(a: &Account, msgs: &[w3mq_protocol::Message]) {
    for m in msgs {
        if let Some(user_ids) = a.typists(|t| t.spoke(&m.to_room_id, &m.from_uid)) {
            a.emit(Event::Typing {
                room_id: m.to_room_id.clone(),
                user_ids,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsent_read_parses_or_is_dropped() {
        assert_eq!(parse_out("12 1"), Some((12, true)));
        assert_eq!(parse_out("3 0"), Some((3, false)));
        assert_eq!(parse_out("x 1"), None);
        assert_eq!(parse_out(""), None);
    }
}
