//! Read state with the server: my read marker per room (kept by the server,
//! so my other devices and a reinstall know what I read), the read receipts
//! of the other members, and typing.
//!
//! A read goes into the cache at once (the counts are the cache's) and into
//! an unsent entry (`read_out:<room>`: the highest unsent `seq` and whether
//! the latest read shares a receipt), which one sender per room sends until
//! the server has it (retrying with backoff while online, and again after
//! every reconnect): a read made offline is not lost, and a scroll through a
//! hundred messages sends a few requests, not a hundred. Markers only grow on
//! both sides, so taking the larger of the two converges whatever the order.
//! `read_moved` and `receipt` events are pokes or bounded claims: a marker is
//! read back from the server; a receipt is kept for a current member only,
//! and never past the room's last cached message.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// The unsent read after one more: the larger seq, with the latest read's
/// choice of receipt (turning receipts off never shares a read made after).
fn merge_out(pending: Option<(i64, bool)>, seq: i64, receipt: bool) -> (i64, bool) {
    (pending.map_or(seq, |(s, _)| s.max(seq)), receipt)
}

/// Marks `room` read up to `seq` in the cache and queues it for the server;
/// whether the counts changed.
pub(crate) async fn mark(a: &Arc<Account>, room: &str, seq: i64, receipt: bool) -> Result<bool> {
    let changed = a.cache.mark_read(room, seq).await?;
    if seq <= 0 {
        return Ok(changed);
    }
    {
        let _one = a.reads_lock().lock().await;
        let pending = a
            .cache
            .get_meta(&out_key(room))
            .await?
            .and_then(|v| parse_out(&v));
        let (s, r) = merge_out(pending, seq, receipt);
        if pending != Some((s, r)) {
            let flag = if r { "1" } else { "0" };
            a.cache
                .set_meta(&out_key(room), &format!("{s} {flag}"))
                .await?;
        }
    }
    start_sender(a, room);
    Ok(changed)
}

/// Starts the room's sender unless one runs.
fn start_sender(a: &Arc<Account>, room: &str) {
    if !a.start_read_sender(room) {
        return;
    }
    let (a, room) = (a.clone(), room.to_owned());
    tokio::spawn(async move {
        // Offline, or a server in trouble: a few minutes of backoff, then the next
        // connect's catch-up starts a sender again.
        let mut wait = Duration::from_secs(1);
        let mut done = false;
        for _ in 0..8 {
            match push(&a, &room).await {
                Pushed::Done => {
                    done = true;
                    break;
                }
                Pushed::Again => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(60));
                }
            }
        }
        a.stop_read_sender(&room);
        // A read queued between the last push and the stop gets its sender now.
        let queued = a.cache.get_meta(&out_key(&room)).await.ok().flatten();
        if done && queued.is_some() {
            start_sender(&a, &room);
        }
    });
}

enum Pushed {
    /// Nothing (more) to send, or it cannot be sent (refused).
    Done,
    /// It failed for now: try again later.
    Again,
}

/// Sends `room`'s unsent read until the entry is what the server has.
async fn push(a: &Account, room: &str) -> Pushed {
    loop {
        let Ok(Some(v)) = a.cache.get_meta(&out_key(room)).await else {
            return Pushed::Done;
        };
        let Some((seq, receipt)) = parse_out(&v) else {
            let _ = a.cache.delete_meta(&out_key(room)).await;
            return Pushed::Done;
        };
        match a.rest.read(room, seq, receipt).await {
            Ok(m) => {
                {
                    // Sent, unless a newer read came meanwhile: then round again.
                    let _one = a.reads_lock().lock().await;
                    let now = a.cache.get_meta(&out_key(room)).await.ok().flatten();
                    if now.as_deref() == Some(&v) {
                        let _ = a.cache.delete_meta(&out_key(room)).await;
                    }
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
                return Pushed::Done;
            }
            Err(e) => {
                tracing::debug!(room, error = %e, "read not sent yet");
                return Pushed::Again;
            }
        }
    }
}

/// Takes the server's marker of mine (the larger wins).
async fn take_marker(a: &Account, room: &str, seq: i64) {
    if let Ok(true) = a.cache.mark_read(room, seq).await {
        a.emit_rooms(&HashSet::from([room.to_owned()])).await;
    }
}

/// After a (re)connect, once the rooms' messages are in: sends what was read
/// offline, then takes the server's markers (read on another device or
/// before a reinstall), a thousand rooms per request.
pub(crate) async fn catch_up_rooms(a: &Arc<Account>, rooms: &[String]) {
    for room in rooms {
        if a.cache
            .get_meta(&out_key(room))
            .await
            .ok()
            .flatten()
            .is_some()
        {
            start_sender(a, room);
        }
    }
    for chunk in rooms.chunks(w3mq_protocol::rest::MAX_MARKER_ROOMS) {
        match a.rest.read_markers(chunk).await {
            Ok(found) => {
                for m in found.into_iter().filter(|m| chunk.contains(&m.room_id)) {
                    take_marker(a, &m.room_id, m.seq).await;
                }
            }
            Err(e) => tracing::info!(error = %e, "read markers not caught up"),
        }
    }
}

/// `read_moved` on my notification topic: a poke, the marker is read back
/// (not when the cache has it already: my own read's echo).
pub(crate) async fn on_moved(a: &Account, room: &str, seq: i64) {
    if a.cache.read_seq(room).await.is_ok_and(|have| have >= seq) {
        return;
    }
    match a.rest.read_markers(&[room.to_owned()]).await {
        Ok(found) => {
            if let Some(m) = found.into_iter().find(|m| m.room_id == room) {
                take_marker(a, room, m.seq).await;
            }
        }
        Err(e) => tracing::info!(room, error = %e, "read marker not fetched"),
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

/// `receipt` on a room's topic: kept for a current member other than me,
/// only forward, never past the room's last cached message.
pub(crate) async fn on_receipt(a: &Account, room: &str, user: &str, seq: i64) {
    if user == a.me || !a.cache.is_member(room, user).await.unwrap_or(false) {
        return;
    }
    let seq = seq.min(a.cache.max_seq(room).await.unwrap_or(0));
    let _one = a.reads_lock().lock().await;
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
    let max = a.cache.max_seq(room).await?;
    let mut r = BTreeMap::new();
    for m in found.into_iter().take(10_000) {
        if m.room_id == room && m.user_id != a.me && m.seq > 0 {
            r.insert(m.user_id, m.seq.min(max));
        }
    }
    let _one = a.reads_lock().lock().await;
    if r != receipts(a, room).await {
        store_receipts(a, room, &r).await;
        a.emit(Event::Receipts {
            room_id: room.to_owned(),
        });
    }
    Ok(())
}

/// `typing` on a room's topic: a current member other than me types. One
/// timer per room ends what is not told again.
pub(crate) async fn on_typing(a: &Arc<Account>, room: &str, user: &str) {
    if user == a.me || !a.cache.is_member(room, user).await.unwrap_or(false) {
        return;
    }
    let (changed, arm) = a.typists(|t| {
        let c = t.note(room, user, Instant::now());
        (c, t.arm(room))
    });
    if let Some(user_ids) = changed {
        a.emit(Event::Typing {
            room_id: room.to_owned(),
            user_ids,
        });
    }
    if !arm {
        return;
    }
    let (a, room) = (a.clone(), room.to_owned());
    tokio::spawn(async move {
        while let Some(at) = a.typists(|t| t.next_or_disarm(&room)) {
            tokio::time::sleep_until((at + Duration::from_millis(20)).into()).await;
            if let Some(user_ids) = a.typists(|t| t.expire(&room, Instant::now())) {
                a.emit(Event::Typing {
                    room_id: room.clone(),
                    user_ids,
                });
            }
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

    #[test]
    fn an_unsent_read_keeps_the_larger_seq_and_the_latest_choice_of_receipt() {
        assert_eq!(merge_out(None, 5, true), (5, true));
        assert_eq!(merge_out(Some((9, true)), 5, false), (9, false));
        assert_eq!(merge_out(Some((3, false)), 5, true), (5, true));
    }
}
