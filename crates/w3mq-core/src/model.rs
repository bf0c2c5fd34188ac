//! The engine's own view types: what the cache returns and the shell shows.

use serde::{Deserialize, Serialize};
use w3mq_protocol::{Message, Room};

/// Per-room notification setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NotifyMode {
    /// Every message by someone else (the default for 1v1 rooms' behaviour).
    #[default]
    All,
    /// Only messages that mention me.
    Mentions,
    /// Nothing.
    Mute,
}

impl NotifyMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyMode::All => "all",
            NotifyMode::Mentions => "mentions",
            NotifyMode::Mute => "mute",
        }
    }
    /// Parses the stored name (unknown: `All`).
    pub fn parse(s: &str) -> NotifyMode {
        match s {
            "mentions" => NotifyMode::Mentions,
            "mute" => NotifyMode::Mute,
            _ => NotifyMode::All,
        }
    }
}

/// A room as the room list shows it. Counts are computed by the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomSummary {
    /// The room, with its members.
    pub room: Room,
    /// Its latest cached message.
    pub latest: Option<Message>,
    /// Messages by others after my read marker.
    pub unread: i64,
    /// Of those, the ones that mention me.
    pub mentions: i64,
    /// Notification setting.
    pub notify: NotifyMode,
    /// Unix nanoseconds of the latest activity (latest message, else creation).
    pub last_activity: i64,
}

/// Where a page of messages starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "seq", rename_all = "snake_case")]
pub enum Cursor {
    /// The newest messages.
    Latest,
    /// Messages with a smaller `seq`.
    Before(#[cfg_attr(feature = "ts", ts(type = "number"))] i64),
    /// Messages with a greater `seq`.
    After(#[cfg_attr(feature = "ts", ts(type = "number"))] i64),
}

/// The state of a message I sent that has no ACK yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SendStatus {
    /// In the outbox, (re)sent until its ACK arrives.
    Pending,
    /// Acknowledged: stored by the server with `id` and `seq`.
    Sent,
    /// Rejected by the server; retry or discard.
    Failed,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The idempotency key, also the outbox's primary key.
    pub client_msg_id: String,
    /// The room.
    pub room_id: String,
    /// The message as it will be published (with `client_msg_id`).
    pub message: Message,
    /// `Pending` or `Failed`.
    pub status: SendStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// Unix nanoseconds when it was queued.
    pub created_at: i64,
    /// Times it was published.
    pub attempts: i64,
}

/// What a search is limited to (every field optional: none searches all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct SearchFilter {
    /// Only this room.
    pub room_id: Option<String>,
    /// Only messages of this sender (a user id).
    pub from_uid: Option<String>,
    /// Only messages sent at or after this time (Unix ms).
    pub after_ms: Option<f64>,
    /// Only messages sent before this time (Unix ms).
    pub before_ms: Option<f64>,
}

impl SearchFilter {
    /// Nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self == &SearchFilter::default()
    }
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The message.
    pub message: Message,
    /// Text around the match, split into plain-text parts; `hit` parts are
    /// the matched terms (the UI highlights them as text, never as HTML).
    pub snippet: Vec<SnippetPart>,
}

/// A piece of a search snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SnippetPart {
    /// Plain text.
    pub text: String,
    /// It matched the query.
    pub hit: bool,
}
