//! The chat message of seed 000, with the server's `id` and `seq`.

use serde::{Deserialize, Deserializer, Serialize};

use crate::swap_card::SwapCard;

/// The message types the protocol knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgType {
    /// `msg_contents` is plain text.
    Text,
    /// `msg_contents` is a [`SwapCard`].
    SudoSwapCard,
}

impl MsgType {
    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<MsgType> {
        match s {
            "text" => Some(MsgType::Text),
            "sudo_swap_card" => Some(MsgType::SudoSwapCard),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MsgType::Text => "text",
            MsgType::SudoSwapCard => "sudo_swap_card",
        }
    }
}

/// A message as it travels on `msg/<u>` and `chat/<room_id>`.
///
/// Missing fields take their defaults, as stock 2022 clients omit some; the
/// room may be given as `to` (the 2022 JS SDK) instead of `to_room_id`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Message {
    /// Added by the server: the message's object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Added by the server: 1, 2, 3, … per room (extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// Chosen by the client to make resends idempotent (extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
    /// The sender's user id.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub from_uid: String,
    /// The room.
    #[serde(default, alias = "to", deserialize_with = "null_as_empty")]
    pub to_room_id: String,
    /// `text` or `sudo_swap_card`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub msg_type: String,
    /// Text, or a swap card (as an object or a JSON string).
    #[serde(default)]
    pub msg_contents: serde_json::Value,
    /// This message is a thread root.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_thread: bool,
    /// This message is an OpenSea item thread root.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_opensea_item_thread: bool,
    #[allow(missing_docs)]
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opensea_item_contract_address: String,
    #[allow(missing_docs)]
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opensea_item_token_id: String,
    #[allow(missing_docs)]
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opensea_item_name: String,
    #[allow(missing_docs)]
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opensea_item_description: String,
    #[allow(missing_docs)]
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opensea_item_image_url: String,
    /// The thread root this message belongs to, or empty.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub belong_to_thread_id: String,
    /// The message this one replies to, or empty.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub reply_to_msg_id: String,
    /// Unix nanoseconds (the server normalizes seconds and milliseconds).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub created_at: i64,
    /// Users mentioned.
    #[serde(default, deserialize_with = "strings_only")]
    pub at_user_ids: Vec<String>,
    /// Extension, set by the server: when the author last edited the text
    /// (Unix ns; 0: never). Left out of the JSON when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub edited_at: i64,
    /// Extension, set by the server: deleted for everyone (no contents, no
    /// mentions, no reactions are left). Left out when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
    /// Extension, set by the server: the room's change counter when this
    /// message last changed (an edit, a deletion, a reaction; 0: never).
    /// A room's changes are caught up by it (`POST /messages/changes`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rev: i64,
    /// Extension, set by the server: reactions, one entry per emoji in the
    /// order they were first given. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
}

/// One emoji's reactions to a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// One of [`REACTIONS`].
    pub emoji: String,
    /// How many users gave it.
    pub count: u32,
    /// Who, in the order they gave it: the first [`MAX_REACTION_USERS`].
    pub user_ids: Vec<String>,
}

/// The emoji a reaction may be (a bounded set: each user gives each at most
/// once per message).
pub const REACTIONS: &[&str] = &[
    "👍", "👎", "❤️", "😂", "😮", "😢", "🙏", "🎉", "🔥", "👀", "✅", "🚀",
];

/// How many users a [`Reaction`] lists (its `count` counts them all).
pub const MAX_REACTION_USERS: usize = 50;

fn is_zero(v: &i64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

/// The OpenSea item an item thread is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpenSeaItem {
    /// `0x` + 40 hex digits.
    pub contract_address: String,
    /// Decimal digits.
    pub token_id: String,
    /// Item name.
    pub name: String,
    /// Item description.
    pub description: String,
    /// http(s) image URL (may be empty).
    pub image_url: String,
}

/// The typed contents of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum MsgContents {
    /// Plain text.
    Text(String),
    /// A trade card.
    SudoSwapCard(Box<SwapCard>),
}

impl Message {
    /// The message's contents as their type says, or `None` when they do not
    /// fit (see [`crate::validate_message`] for the reason).
    pub fn contents(&self) -> Option<MsgContents> {
        match MsgType::parse(&self.msg_type)? {
            MsgType::Text => self
                .msg_contents
                .as_str()
                .map(|s| MsgContents::Text(s.to_owned())),
            MsgType::SudoSwapCard => {
                let card: SwapCard = match &self.msg_contents {
                    serde_json::Value::String(s) => serde_json::from_str(s).ok()?,
                    v @ serde_json::Value::Object(_) => serde_json::from_value(v.clone()).ok()?,
                    _ => return None,
                };
                Some(MsgContents::SudoSwapCard(Box::new(card)))
            }
        }
    }

    /// Makes this message the root of an item thread about `item`.
    pub fn set_item(&mut self, item: OpenSeaItem) {
        self.is_thread = true;
        self.is_opensea_item_thread = true;
        self.opensea_item_contract_address = item.contract_address;
        self.opensea_item_token_id = item.token_id;
        self.opensea_item_name = item.name;
        self.opensea_item_description = item.description;
        self.opensea_item_image_url = item.image_url;
    }

    /// A plain text message from `from_uid` to `room_id`.
    pub fn text(from_uid: &str, room_id: &str, text: &str) -> Message {
        Message {
            from_uid: from_uid.into(),
            to_room_id: room_id.into(),
            msg_type: MsgType::Text.as_str().into(),
            msg_contents: serde_json::Value::String(text.into()),
            created_at: crate::ids::now_nanos(),
            ..Default::default()
        }
    }
}

/// A string field that a loose client sent as `null` (Python's `None`) is empty.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A list of ids: `null` is empty, entries that are not strings are dropped.
fn strings_only<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    Ok(v.into_iter()
        .filter_map(|x| match x {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// Accepts `true`/`false`, 0/1 and "true"/"false", as loose 2022 clients sent.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::Null => Ok(false),
        serde_json::Value::Number(n) => Ok(n.as_i64().unwrap_or(0) != 0),
        serde_json::Value::String(s) => match s.as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" | "" => Ok(false),
            _ => Err(D::Error::custom("expected a boolean")),
        },
        _ => Err(D::Error::custom("expected a boolean")),
    }
}

/// Accepts an integer or a float (Python's `time.time()`), as Unix time in any unit.
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(0),
        serde_json::Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(float_nanos))
            .ok_or_else(|| D::Error::custom("expected a timestamp")),
        _ => Err(D::Error::custom("expected a timestamp")),
    }
}

/// A float timestamp in nanoseconds, its unit told by its magnitude as in
/// [`crate::ids::normalize_timestamp`], keeping the fraction (`1653400377.25`
/// seconds is `1653400377250000000`, not `…377000000000`).
fn float_nanos(f: f64) -> i64 {
    let scale = if f < 1e11 {
        1e9
    } else if f < 1e14 {
        1e6
    } else if f < 1e17 {
        1e3
    } else {
        1.0
    };
    // `as` saturates; zero and negatives stay "not given".
    (f * scale) as i64
}
