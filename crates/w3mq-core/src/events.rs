//! The one typed event stream the shell listens to.

use serde::{Deserialize, Serialize};
use w3mq_protocol::Message;

use crate::model::{RoomSummary, SendStatus};
use crate::policy::NotifyReason;

/// The MQTT session's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// Dialling `endpoint`.
    Connecting {
        /// The MQTT URL.
        endpoint: String,
    },
    /// Connected and subscribed.
    Online {
        /// The MQTT URL.
        endpoint: String,
        /// Rooms whose history is still being fetched after the connect
        /// (none once every room is in).
        #[serde(default)]
        catching_up: Option<crate::CatchUp>,
    },
    /// Not connected; the next attempt is in `retry_in_ms`.
    Offline {
        /// Why.
        reason: String,
        /// Milliseconds until the next attempt.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        retry_in_ms: u64,
    },
    /// No account is signed in.
    SignedOut,
}

/// Something the shell should show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Messages were added to the cache or updated there; one event per
    /// batch, however many messages arrived.
    Messages {
        /// The new or updated messages, ascending by room and seq.
        messages: Vec<Message>,
    },
    /// A room's info, latest message, counts or setting changed.
    RoomUpdated {
        /// The room as the room list shows it.
        summary: Box<RoomSummary>,
    },
    /// The room left the room list.
    RoomRemoved {
        /// The room.
        room_id: String,
    },
    /// Messages were deleted by a moderator.
    MessagesDeleted {
        /// The room.
        room_id: String,
        /// The deleted messages.
        ids: Vec<String>,
    },
    /// A moderator cleared the room.
    RoomCleared {
        /// The room.
        room_id: String,
    },
    /// The session's state changed.
    Connection {
        /// The new state.
        state: ConnectionState,
    },
    /// A message of mine changed state.
    SendStatus {
        /// Its idempotency key.
        client_msg_id: String,
        /// Its room.
        room_id: String,
        /// Pending, sent or failed.
        status: SendStatus,
        /// The server's id, once sent.
        id: Option<String>,
        /// The server's seq, once sent.
        seq: Option<i64>,
        /// Why it failed.
        error: Option<String>,
    },
    /// An outbox entry was discarded.
    OutboxDiscarded {
        /// Its idempotency key.
        client_msg_id: String,
        /// Its room.
        room_id: String,
    },
    /// Raise a desktop notification.
    Notify {
        /// The room.
        room_id: String,
        /// The message.
        message: Box<Message>,
        /// Why.
        reason: NotifyReason,
    },
    /// Who types in a room changed.
    Typing {
        /// The room.
        room_id: String,
        /// The typists now (user ids, me never among them).
        user_ids: Vec<String>,
    },
    /// The read receipts of a room changed.
    Receipts {
        /// The room.
        room_id: String,
    },
    /// Something happened on a public channel opened with
    /// [`crate::Engine::open_channel`] or [`crate::Engine::open_public_channel`].
    Channel {
        /// The channel's room id (or the slug it was opened with, until a
        /// message names the room).
        room_id: String,
        /// What happened.
        event: Box<crate::channel::ChannelEvent>,
    },
}
