//! `User` and `Room` as seed 001 shows them.

use serde::{Deserialize, Serialize};

use crate::message::Message;

/// A user, with the profile fields of seed 001 (all strings may be empty).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct User {
    /// Object id.
    pub user_id: String,
    /// Display name.
    pub nick_name: String,
    /// Wallet address, lowercase `0x…`.
    pub eth_wallet_address: String,
    /// ENS name, if known.
    pub ens_name: String,
    /// Verification bits per platform, as a string of `0`/`1`.
    pub status: String,
    /// Unix nanoseconds.
    pub created_at: i64,
    /// Extension: an http(s) avatar URL.
    pub avatar_url: String,
    #[allow(missing_docs)]
    pub opensea_username: String,
    #[allow(missing_docs)]
    pub opensea_avatar: String,
    #[allow(missing_docs)]
    pub instagram_username: String,
    #[allow(missing_docs)]
    pub instagram_avatar: String,
    #[allow(missing_docs)]
    pub twitter_username: String,
    #[allow(missing_docs)]
    pub twitter_avatar: String,
    #[allow(missing_docs)]
    pub facebook_username: String,
    #[allow(missing_docs)]
    pub facebook_avatar: String,
    #[allow(missing_docs)]
    pub discord_username: String,
    #[allow(missing_docs)]
    pub discord_avatar: String,
}

/// The platforms `POST /register` and `POST /info` know, in the order of the
/// bits of [`User::status`].
pub const PLATFORMS: [&str; 5] = ["opensea", "instagram", "twitter", "facebook", "discord"];

/// A room, as `GET /rooms/<room_id>` returns it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Room {
    /// Object id.
    pub room_id: String,
    /// Name (may be empty).
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// Members with their profiles.
    pub members: Vec<User>,
    /// The creator's id.
    pub creator_id: String,
    /// The creator's profile.
    pub creator: User,
    /// A public OpenSea collection room.
    pub is_opensea_coll: bool,
    /// Collection name.
    pub opensea_coll_name: String,
    /// Collection cover image URL.
    pub opensea_coll_cover: String,
    /// Collection slug (unique per collection room).
    pub opensea_coll_slug: String,
    /// A private room of two.
    pub is_1v1: bool,
    /// Unix nanoseconds.
    pub created_at: i64,
    /// Unix nanoseconds of the latest message (or of creation).
    pub last_msg_time: i64,
}

/// An entry of `POST /my_chats`: the room and its latest message.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ChatRoom {
    /// The room.
    #[serde(flatten)]
    pub room: Room,
    /// Its latest message, if any.
    #[serde(default)]
    pub latest_msg: Option<Message>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_missing_fields_are_tolerated() {
        let r: Room = serde_json::from_str(r#"{"room_id":"x","future_field":1}"#).unwrap();
        assert_eq!(r.room_id, "x");
        assert!(r.members.is_empty());
    }
}
