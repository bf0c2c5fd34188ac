//! The moderator's methods (the room's creator, role `Owner`):
//! `deleteMessage`, `purge`, `clearMessages` and `timeout`.
//!
//! Deletions are made in the store, told to the channel's sockets
//! (`DeleteMessage`, `PurgeMessage`, `ClearMessages`) and to MQTT clients on
//! `notification/<room_id>` (`messages_deleted`, `room_cleared`).

use std::time::Duration;

use serde_json::{json, Value};
use w3mq_protocol::{is_object_id, Room, RoomEvent, User};

use super::packet::{Args, Fail};
use super::render::{self, UserRef};
use super::session::Session;
use super::Hub;
use crate::bus::send_room_event;
use crate::store::Deletion;

/// The longest timeout.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// `deleteMessage [id]`: deletes one message of the room.
pub async fn delete_message(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, me) = s.moderator()?;
    a.at_most(1)?;
    let id = a.str(0)?;
    if !is_object_id(id) {
        return Err(Fail::BadRequest);
    }
    let which = Deletion::Ids(vec![id.to_ascii_lowercase()]);
    let ids = hub.store.delete_messages(&channel.room_id, which).await?;
    let Some(id) = ids.first() else {
        return Err(Fail::BadRequest);
    };
    channel.emit("DeleteMessage", &json!({ "id": id, "moderator": me }));
    deleted(hub, &channel.room_id, ids).await;
    Ok(Value::Null)
}

/// `purge [username]`: deletes every message of one member.
pub async fn purge(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, me) = s.moderator()?;
    a.at_most(1)?;
    let room = hub.room(&channel.room_id).await?;
    let target = member(&room, a.str(0)?)?;
    let which = Deletion::Sender(target.user_id.clone());
    let ids = hub.store.delete_messages(&room.room_id, which).await?;
    channel.emit(
        "PurgeMessage",
        &json!({ "user_id": target.user_id, "moderator": me }),
    );
    deleted(hub, &room.room_id, ids).await;
    Ok(Value::Null)
}

/// `clearMessages []`: deletes every message of the room.
pub async fn clear_messages(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, me) = s.moderator()?;
    a.at_most(0)?;
    hub.store
        .delete_messages(&channel.room_id, Deletion::All)
        .await?;
    channel.emit("ClearMessages", &json!({ "clearer": me }));
    let ev = RoomEvent::RoomCleared {
        room_id: channel.room_id.clone(),
    };
    send_room_event(hub.bus.as_ref(), &channel.room_id, &ev).await;
    Ok(Value::Null)
}

/// `timeout [username, duration]`: the member cannot `msg` or `whisper`
/// until the duration has passed. The duration is seconds, as a number or
/// as text with a unit (`30s`, `5m`, `2h`, `1d`); 0 lifts a timeout. The
/// moderator cannot be timed out.
pub async fn timeout(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, _me) = s.moderator()?;
    a.at_most(2)?;
    let room = hub.room(&channel.room_id).await?;
    let target = member(&room, a.str(0)?)?;
    let d = a.0.get(1).and_then(duration).ok_or(Fail::BadRequest)?;
    if target.user_id == room.creator_id {
        return Err(Fail::Access);
    }
    channel.time_out(&target.user_id, d);
    channel.emit(
        "UserTimeout",
        &json!({ "user": UserRef::of(&room, target), "duration": d.as_millis() as u64 }),
    );
    Ok(Value::Null)
}

fn member<'r>(room: &'r Room, name: &str) -> Result<&'r User, Fail> {
    render::find_member(room, name).ok_or(Fail::BadRequest)
}

/// Tells MQTT clients which messages are gone.
async fn deleted(hub: &Hub, room_id: &str, ids: Vec<String>) {
    if ids.is_empty() {
        return;
    }
    let ev = RoomEvent::MessagesDeleted {
        room_id: room_id.into(),
        ids,
    };
    send_room_event(hub.bus.as_ref(), room_id, &ev).await;
}

/// A timeout's length: seconds, or text with a unit `s`, `m`, `h` or `d`.
fn duration(v: &Value) -> Option<Duration> {
    let secs = match v {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => {
            let s = s.trim();
            let (num, unit) = match s.char_indices().last()? {
                (i, c) if c.is_ascii_alphabetic() => (&s[..i], c),
                _ => (s, 's'),
            };
            let n: u64 = num.trim().parse().ok()?;
            let scale = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                _ => return None,
            };
            n.checked_mul(scale)?
        }
        _ => return None,
    };
    let d = Duration::from_secs(secs);
    (d <= MAX_TIMEOUT).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(&json!(30)), Some(Duration::from_secs(30)));
        assert_eq!(duration(&json!("30")), Some(Duration::from_secs(30)));
        assert_eq!(duration(&json!("5m")), Some(Duration::from_secs(300)));
        assert_eq!(duration(&json!("2h")), Some(Duration::from_secs(7200)));
        assert_eq!(duration(&json!("0")), Some(Duration::ZERO));
        assert_eq!(duration(&json!("8d")), None, "over the maximum");
        assert_eq!(duration(&json!("5x")), None);
        assert_eq!(duration(&json!(-1)), None);
        assert_eq!(duration(&json!("")), None);
        assert_eq!(duration(&json!(null)), None);
    }
}
