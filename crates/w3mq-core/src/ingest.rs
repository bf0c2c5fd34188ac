//! Ingest: what the network brings into the cache. Frames from the sync
//! task are parsed and checked (every acceptance rule, the server's `id` and
//! `seq`, the room of the topic), taken in by batches (one cache
//! transaction and one event per batch), gaps in `seq` back-filled from REST,
//! and the server's events applied (destructive ones confirmed first,
//! [`crate::confirm`]). What is malformed or foreign is dropped and counted.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;
use w3mq_protocol::{is_object_id, validate_message, Message, Room, RoomEvent, Topic, UserEvent};

use crate::account::{until_stopped, Account};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::model::SendStatus;
use crate::policy::decide;

/// Largest frame taken from the network.
pub(crate) const MAX_FRAME: usize = 256 * 1024;
/// Messages fetched per catch-up request.
const CATCH_UP_PAGE: i64 = 100;
/// Most frames taken into one cache transaction.
const MAX_BATCH: usize = 2000;

/// The rooms where live messages jumped past what was cached: `before` holds
/// each room's highest cached seq before the batch. Their gaps need a
/// back-fill.
pub(crate) fn gaps(before: &BTreeMap<String, i64>, msgs: &[Message]) -> Vec<String> {
    let mut out = Vec::new();
    for (room, had) in before {
        let lowest = msgs
            .iter()
            .filter(|m| m.to_room_id == *room)
            .filter_map(|m| m.seq)
            .min()
            .unwrap_or(0);
        if lowest > had + 1 {
            tracing::info!(room = %room, had, got = lowest, "seq gap: back-filling");
            out.push(room.clone());
        }
    }
    out
}

pub(crate) async fn fetch_room(a: &Account, room_id: &str) -> Result<Room> {
    let room = a.rest.room(room_id).await?;
    if room.room_id != room_id {
        return Err(CoreError::Protocol("room info for another room".into()));
    }
    a.store_room(&room).await?;
    Ok(room)
}

/// Takes in a room I was added to or created: info, subscription, history.
pub(crate) async fn adopt_room(a: &Arc<Account>, room_id: &str) -> Result<Room> {
    let room = fetch_room(a, room_id).await?;
    // Caught up once the SUBACK is back; offline, at once.
    if !a.sync.subscribe_rooms(&[room_id.to_owned()]).await {
        backfill(a, room_id).await;
    }
    a.emit_rooms(&HashSet::from([room_id.to_owned()])).await;
    Ok(room)
}

/// Forgets a room I left or was removed from (its history stays searchable).
pub(crate) async fn drop_room(a: &Account, room_id: &str) {
    a.forget_room(room_id);
    if let Err(e) = a.cache.remove_room(room_id).await {
        tracing::warn!(error = %e, "remove room failed");
    }
    a.sync.unsubscribe_room(room_id);
    a.emit(Event::RoomRemoved {
        room_id: room_id.to_owned(),
    });
}

/// Fetches everything after the room's contiguous cached seq.
pub(crate) async fn backfill(a: &Account, room_id: &str) {
    if !a.begin_backfill(room_id) {
        return;
    }
    loop {
        let after = match a.cache.synced_seq(room_id).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "synced_seq failed");
                break;
            }
        };
        let page = match a.rest.messages_after(room_id, after, CATCH_UP_PAGE).await {
            Ok(p) => p,
            Err(e) => {
                tracing::info!(room = room_id, error = %e, "catch-up failed");
                break;
            }
        };
        let full = page.len() as i64 >= CATCH_UP_PAGE;
        let valid: Vec<Message> = page
            .into_iter()
            .filter(|m| m.to_room_id == room_id && well_formed(m))
            .collect();
        absorb(a, valid, false).await;
        let now = a.cache.synced_seq(room_id).await.unwrap_or(after);
        if !full || now <= after {
            break;
        }
    }
    a.end_backfill(room_id);
}

fn well_formed(m: &Message) -> bool {
    m.id.as_deref().is_some_and(is_object_id)
        && m.seq.is_some_and(|s| s >= 1)
        && is_object_id(&m.from_uid)
}

/// Parses a message frame from `chat/<room>`: every acceptance rule of the
/// protocol, plus the server's `id` and `seq`, and the room of the topic.
fn parse_chat(room: &str, payload: &[u8]) -> Option<Message> {
    if payload.len() > MAX_FRAME {
        return None;
    }
    let raw: Message = serde_json::from_slice(payload).ok()?;
    if raw.to_room_id != room || !well_formed(&raw) {
        return None;
    }
    let mut m = validate_message(payload, &raw.from_uid).ok()?;
    m.id = raw.id;
    m.seq = raw.seq;
    m.created_at = raw.created_at;
    Some(m)
}

/// Stores messages, settles the outbox, emits one event per batch, and
/// (for live messages) decides notifications. Returns the rooms where live
/// messages jumped past what was cached: their gaps need a back-fill.
pub(crate) async fn absorb(a: &Account, msgs: Vec<Message>, live: bool) -> Vec<String> {
    if msgs.is_empty() {
        return Vec::new();
    }
    // What the user was looking at when these arrived.
    let focus = a.focus();
    let mut before: BTreeMap<String, i64> = BTreeMap::new();
    for m in &msgs {
        if !before.contains_key(&m.to_room_id) {
            before.insert(
                m.to_room_id.clone(),
                a.cache.max_seq(&m.to_room_id).await.unwrap_or(0),
            );
        }
    }
    let new = match a.cache.ingest(&msgs).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "cache ingest failed");
            return Vec::new();
        }
    };
    if !new.is_empty() {
        a.emit(Event::Messages {
            messages: new.clone(),
        });
    }
    // Settle the outbox only now that the message is in the cache, so "sent"
    // never shows before the message does.
    for m in msgs.iter().filter(|m| m.from_uid == a.me) {
        let Some(cid) = &m.client_msg_id else {
            continue;
        };
        match a.cache.outbox_ack(cid).await {
            Ok(true) => {
                a.emit(Event::SendStatus {
                    client_msg_id: cid.clone(),
                    room_id: m.to_room_id.clone(),
                    status: SendStatus::Sent,
                    id: m.id.clone(),
                    seq: m.seq,
                    error: None,
                });
                // My latest message is another one now: who has seen it starts again.
                a.emit(Event::Receipts {
                    room_id: m.to_room_id.clone(),
                });
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "outbox ack failed"),
        }
    }

    let touched: HashSet<String> = new.iter().map(|m| m.to_room_id.clone()).collect();
    a.emit_rooms(&touched).await;
    // Catch-up does not notify what was sent while we were away; it does
    // notify what was sent while we were online but not yet subscribed (the
    // first messages of a room we were just added to).
    let online_since = a.online_since();
    let new: Vec<Message> = if live {
        new
    } else {
        new.into_iter()
            .filter(|m| online_since > 0 && m.created_at >= online_since)
            .collect()
    };
    // A jump past what we had: the gap is fetched by the caller.
    let gaps = if live {
        gaps(&before, &msgs)
    } else {
        Vec::new()
    };
    let list = if new.iter().any(|m| m.from_uid != a.me) {
        a.cache.room_list().await.unwrap_or_default()
    } else {
        Vec::new()
    };
    for m in new {
        let Some(s) = list.iter().find(|s| s.room.room_id == m.to_room_id) else {
            continue;
        };
        if let Some(reason) = decide(&a.me, &m, s.room.is_1v1, s.notify, &focus) {
            a.emit(Event::Notify {
                room_id: m.to_room_id.clone(),
                message: Box::new(m),
                reason,
            });
        }
    }
    gaps
}

/// Absorbs live messages and back-fills any gap in the background, so the
/// session keeps taking frames meanwhile.
async fn absorb_live(a: &Arc<Account>, msgs: Vec<Message>) {
    crate::reads::spoke(a, &msgs);
    for room in absorb(a, msgs, true).await {
        let a = a.clone();
        tokio::spawn(async move { backfill(&a, &room).await });
    }
}

/// Takes frames off the session in batches: one cache transaction and one
/// event per batch, however fast they come.
pub(crate) async fn ingest_worker(a: Arc<Account>, mut rx: mpsc::Receiver<(String, Bytes)>) {
    let mut stop = a.stop_signal();
    loop {
        let first = tokio::select! {
            f = rx.recv() => match f { Some(f) => f, None => break },
            _ = until_stopped(&mut stop) => break,
        };
        let mut frames = vec![first];
        while frames.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(f) => frames.push(f),
                Err(_) => break,
            }
        }
        let mut chat = Vec::new();
        for (topic, payload) in frames {
            match Topic::parse(&topic) {
                Some(Topic::Chat(room)) if a.has_room(&room) => match parse_chat(&room, &payload) {
                    Some(m) => chat.push(m),
                    None => drop_frame(&a, &topic, "malformed or foreign message"),
                },
                Some(Topic::Notification(id)) if id == a.me => {
                    absorb_live(&a, std::mem::take(&mut chat)).await;
                    match serde_json::from_slice::<UserEvent>(&payload) {
                        Ok(ev) => on_user_event(&a, ev).await,
                        Err(_) => drop_frame(&a, &topic, "unknown user event"),
                    }
                }
                Some(Topic::Notification(room)) if a.has_room(&room) => {
                    absorb_live(&a, std::mem::take(&mut chat)).await;
                    match serde_json::from_slice::<RoomEvent>(&payload) {
                        Ok(ev) => on_room_event(&a, &room, ev).await,
                        Err(_) => drop_frame(&a, &topic, "unknown room event"),
                    }
                }
                _ => drop_frame(&a, &topic, "unexpected topic"),
            }
        }
        absorb_live(&a, chat).await;
    }
}

fn drop_frame(a: &Account, topic: &str, why: &str) {
    a.count_dropped(topic, why);
}

async fn on_user_event(a: &Arc<Account>, ev: UserEvent) {
    match ev {
        UserEvent::Error {
            code,
            reason,
            client_msg_id,
        } => {
            tracing::info!(%code, %reason, "server rejected a message");
            let Some(cid) = client_msg_id else { return };
            let Ok(Some(entry)) = a.cache.outbox_get(&cid).await else {
                return;
            };
            // A rate limit is temporary: stay pending, the next connect resends.
            if code == "rate_limited" {
                return;
            }
            if let Ok(true) = a.cache.outbox_fail(&cid, &reason).await {
                a.emit(Event::SendStatus {
                    client_msg_id: cid,
                    room_id: entry.room_id,
                    status: SendStatus::Failed,
                    id: None,
                    seq: None,
                    error: Some(reason),
                });
            }
        }
        UserEvent::RoomAdded { room_id } if is_object_id(&room_id) => {
            if let Err(e) = adopt_room(a, &room_id).await {
                tracing::warn!(room = %room_id, error = %e, "adopting room failed");
            }
        }
        UserEvent::RoomRemoved { room_id } => {
            if crate::confirm::room_is_gone(&a.rest, &room_id, &a.me).await {
                drop_room(a, &room_id).await
            } else {
                drop_frame(
                    a,
                    "notification",
                    "room_removed the server does not confirm",
                );
            }
        }
        UserEvent::RoomAdded { .. } => drop_frame(a, "notification", "bad room id"),
        UserEvent::ReadMoved { room_id, seq } if a.has_room(&room_id) => {
            let a = a.clone();
            tokio::spawn(async move { crate::reads::on_moved(&a, &room_id, seq).await });
        }
        UserEvent::ReadMoved { .. } => drop_frame(a, "notification", "read in another room"),
    }
}

pub(crate) async fn on_room_event(a: &Arc<Account>, room: &str, ev: RoomEvent) {
    match ev {
        RoomEvent::MessageChanged { message, .. } => {
            // A poke: the change itself is read from the server, in order (see `changes`).
            let (a, room, rev) = (a.clone(), room.to_owned(), message.rev);
            tokio::spawn(async move {
                if let Err(e) = crate::changes::catch_up(&a, &room, Some(rev)).await {
                    tracing::info!(room, error = %e, "changes not caught up");
                }
            });
        }
        RoomEvent::ThreadCreated { msg_id, .. } => match a.rest.message(&msg_id).await {
            Ok(m) if m.to_room_id == room && well_formed(&m) => {
                absorb(a, vec![m.clone()], false).await;
                // The root was cached before: tell the shell it changed.
                a.emit(Event::Messages { messages: vec![m] });
            }
            Ok(_) => drop_frame(a, "notification", "thread root of another room"),
            Err(e) => tracing::info!(error = %e, "thread root fetch failed"),
        },
        RoomEvent::MessagesDeleted { ids, .. } => {
            let cached = a.cache.cached_ids(room, &ids).await.unwrap_or_default();
            let gone = crate::confirm::deleted_on_server(&a.rest, room, &cached).await;
            if gone.len() < cached.len() {
                drop_frame(
                    a,
                    "notification",
                    "deletion the server does not confirm in full",
                );
            }
            if !gone.is_empty() && a.cache.delete_messages(room, &gone).await.is_ok() {
                a.emit(Event::MessagesDeleted {
                    room_id: room.to_owned(),
                    ids: gone,
                });
                a.emit_rooms(&HashSet::from([room.to_owned()])).await;
            }
        }
        RoomEvent::RoomCleared { .. } => {
            let cached = a.cache.message_ids(room).await.unwrap_or_default();
            let gone = crate::confirm::deleted_on_server(&a.rest, room, &cached).await;
            if gone.is_empty() || a.cache.delete_messages(room, &gone).await.is_err() {
                if !cached.is_empty() {
                    drop_frame(
                        a,
                        "notification",
                        "room_cleared the server does not confirm",
                    );
                }
                return;
            }
            if gone.len() == cached.len() {
                a.emit(Event::RoomCleared {
                    room_id: room.to_owned(),
                });
            } else {
                drop_frame(
                    a,
                    "notification",
                    "room_cleared the server confirms in part",
                );
                a.emit(Event::MessagesDeleted {
                    room_id: room.to_owned(),
                    ids: gone,
                });
            }
            a.emit_rooms(&HashSet::from([room.to_owned()])).await;
        }
        RoomEvent::Receipt { user_id, seq, .. } => {
            crate::reads::on_receipt(a, room, &user_id, seq).await
        }
        RoomEvent::Typing { user_id, .. } => crate::reads::on_typing(a, room, &user_id).await,
        RoomEvent::MembersChanged { .. } => {
            let _ = fetch_room(a, room).await;
            a.emit_rooms(&HashSet::from([room.to_owned()])).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(room: &str, seq: i64) -> Message {
        let mut m = Message::text("61f1006d604cc5be5f7a3c2d", room, "x");
        m.seq = Some(seq);
        m
    }

    #[test]
    fn a_gap_is_a_jump_past_the_highest_cached_seq() {
        let before = BTreeMap::from([
            ("a".to_string(), 3),
            ("b".to_string(), 0),
            ("c".to_string(), 5),
        ]);
        let msgs = [m("a", 4), m("a", 5), m("b", 3), m("c", 9), m("c", 6)];
        assert_eq!(gaps(&before, &msgs), vec!["b".to_string()]);
        assert!(
            gaps(&before, &[m("a", 4)]).is_empty(),
            "the next seq is no gap"
        );
        assert!(
            gaps(&before, &[m("a", 2)]).is_empty(),
            "an old one is no gap"
        );
        assert!(gaps(&BTreeMap::new(), &msgs).is_empty());
    }
}
