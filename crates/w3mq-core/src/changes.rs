//! A room's changed messages (edits, deletions for everyone, reactions),
//! kept in step with the server by the room's change counter (`rev`), the
//! way messages are kept in step by `seq`.
//!
//! A `message_changed` event is only a poke: what changed is read from the
//! server (`POST /messages/changes` after the counter this cache has), so a
//! forged or stale event changes nothing the server does not say, and a
//! client away for a week converges the same way, in order.

use std::collections::HashSet;

use w3mq_protocol::Message;

use crate::account::Account;
use crate::error::Result;
use crate::events::Event;

fn well_formed(m: &Message) -> bool {
    m.id.as_deref().is_some_and(w3mq_protocol::is_object_id)
        && m.seq.is_some_and(|s| s >= 1)
        && w3mq_protocol::is_object_id(&m.from_uid)
}

fn cursor_key(room: &str) -> String {
    format!("rev:{room}")
}

/// The last change of `room` this cache has.
pub(crate) async fn cursor(a: &Account, room: &str) -> i64 {
    a.cache
        .get_meta(&cursor_key(room))
        .await
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Reads `room`'s changes after the cursor from the server and applies them,
/// until the server's latest counter (`up_to`, when known, saves a round trip
/// when the cache has it already).
pub(crate) async fn catch_up(a: &Account, room: &str, up_to: Option<i64>) -> Result<()> {
    // One catch-up of a room at a time: a burst of pokes queues here, and each after the
    // first finds its change in already.
    let lock = a.room_lock(room);
    let _one = lock.lock().await;
    let mut at = cursor(a, room).await;
    if up_to.is_some_and(|r| r <= at) {
        return Ok(());
    }
    // Bounded: a page of 100 per round, at most 1,000 rounds.
    for _ in 0..1000 {
        let page = a.rest.changes(room, at).await?;
        if page.rev < at {
            // The server's counter went back (its database was restored): start over.
            tracing::warn!(
                room,
                at,
                rev = page.rev,
                "the room's change counter went back"
            );
            a.cache.set_meta(&cursor_key(room), "0").await?;
            at = 0;
            continue;
        }
        let msgs: Vec<Message> = page
            .messages
            .into_iter()
            .take(100)
            .filter(|m| m.to_room_id == room && m.rev > at && m.rev <= page.rev && well_formed(m))
            .collect();
        let last = msgs.iter().map(|m| m.rev).max();
        apply(a, room, msgs).await;
        match last {
            Some(r) if r < page.rev => at = r,
            _ => {
                at = at.max(page.rev);
                a.cache.set_meta(&cursor_key(room), &at.to_string()).await?;
                return Ok(());
            }
        }
        a.cache.set_meta(&cursor_key(room), &at.to_string()).await?;
    }
    Ok(())
}

/// Takes one message as the server answered a change of mine (the cursor
/// moves when the room's changes are caught up, by the poke that follows).
pub(crate) async fn take(a: &Account, m: Message) {
    let room = m.to_room_id.clone();
    if m.id.as_deref().is_some_and(w3mq_protocol::is_object_id) {
        apply(a, &room, vec![m]).await;
    }
}

/// Takes the server's changed messages into the cache (a cached message
/// takes a change only when it is newer, by `rev`) and tells the shell.
async fn apply(a: &Account, room: &str, msgs: Vec<Message>) {
    if msgs.is_empty() {
        return;
    }
    let mut changed = Vec::with_capacity(msgs.len());
    let mut mentioned = Vec::new();
    for m in msgs {
        let Some(id) = m.id.clone() else { continue };
        let old = a.cache.message(&id).await.ok().flatten();
        // Not newer, or a message of another room under this id: left alone.
        if old
            .as_ref()
            .is_some_and(|o| o.rev >= m.rev || o.to_room_id != room)
        {
            continue;
        }
        // An edit that adds a mention of me notifies, once (the next change of the
        // message is newer still, and only a mention it adds notifies again).
        let names_me = |m: &Message| m.at_user_ids.contains(&a.me);
        if let Some(o) = &old {
            if names_me(&m) && !names_me(o) && !m.deleted {
                mentioned.push(m.clone());
            }
        }
        changed.push(m);
    }
    if changed.is_empty() {
        return;
    }
    if let Err(e) = a.cache.ingest(&changed).await {
        tracing::warn!(error = %e, "changed messages not cached");
        return;
    }
    a.emit(Event::Messages { messages: changed });
    a.emit_rooms(&HashSet::from([room.to_owned()])).await;
    if mentioned.is_empty() {
        return;
    }
    let Ok(list) = a.cache.room_list().await else {
        return;
    };
    let Some(s) = list.iter().find(|s| s.room.room_id == room) else {
        return;
    };
    let focus = a.focus();
    for m in mentioned {
        let reason = crate::policy::decide(&a.me, &m, s.room.is_1v1, s.notify, &focus);
        if reason == Some(crate::policy::NotifyReason::Mention) {
            a.emit(Event::Notify {
                room_id: room.to_owned(),
                message: Box::new(m),
                reason: crate::policy::NotifyReason::Mention,
            });
        }
    }
}
