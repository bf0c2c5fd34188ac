//! The REST API's routes and bodies (PROTOCOL.md section 1 and the
//! extensions in docs/protocol.md), once: the server deserializes the same
//! structs the client serializes. Every response is an
//! [`Envelope`](crate::Envelope) around the `…Resp` (or the named type).

use serde::{Deserialize, Serialize};

use crate::room::User;

/// Route paths. Paths with a parameter are built by the functions below.
pub mod path {
    /// `POST`: [`super::WalletReq`] → secret.
    pub const LOGIN_RANDOM_SECRET: &str = "/login_random_secret";
    /// `POST`: [`super::LoginReq`] → [`super::LoginResp`].
    pub const LOGIN: &str = "/login";
    /// `GET` → [`super::RefreshResp`].
    pub const REFRESH: &str = "/refresh";
    /// `POST` (extension) → null.
    pub const LOGOUT: &str = "/logout";
    /// `POST`: [`super::RegisterReq`] → `User`.
    pub const REGISTER: &str = "/register";
    /// `POST`: [`super::InfoReq`] → `User`.
    pub const INFO: &str = "/info";
    /// `POST`: [`super::SearchReq`] → `[User]`.
    pub const SEARCH: &str = "/search";
    /// `POST` (extension): [`super::ProfileReq`] → `User`.
    pub const PROFILE: &str = "/profile";
    /// `POST`: [`super::CreateRoomReq`] → room id.
    pub const ROOMS: &str = "/rooms";
    /// `GET` → `[room id]`.
    pub const MY_ROOMS: &str = "/my_rooms";
    /// `POST`: [`super::PageReq`] → `[ChatRoom]`.
    pub const MY_CHATS: &str = "/my_chats";
    /// `POST`: [`super::MessagesReq`] → `[Message]`.
    pub const MESSAGES: &str = "/messages";
    /// `POST` (extension): [`super::ExistingReq`] → `[id]`.
    pub const MESSAGES_EXISTING: &str = "/messages/existing";
    /// `POST`: edit my message (extension).
    pub const MESSAGES_EDIT: &str = "/messages/edit";
    /// `POST`: delete a message for everyone (extension).
    pub const MESSAGES_DELETE: &str = "/messages/delete";
    /// `POST`: a room's changed messages (extension).
    pub const MESSAGES_CHANGES: &str = "/messages/changes";
    /// `POST`: add or remove a reaction (extension).
    pub const REACTIONS: &str = "/reactions";
    /// `POST`: move my read marker in a room (extension).
    pub const READ: &str = "/read";
    /// `POST`: my read markers in rooms (extension).
    pub const READ_MARKERS: &str = "/read/markers";
    /// `POST`: how far the other members of a room have read (extension).
    pub const READ_RECEIPTS: &str = "/read/receipts";
    /// `POST`: I am typing in a room (extension).
    pub const TYPING: &str = "/typing";
    /// `POST`: [`super::ThreadReq`] → `Message`.
    pub const THREADS: &str = "/threads";
    /// `POST`: [`super::ContactReq`] → null.
    pub const CONTACTS: &str = "/contacts";
    /// `GET` → `"ok"`.
    pub const HEALTHZ: &str = "/healthz";

    /// `GET /rooms/<id>` → `Room`.
    pub fn room(room_id: &str) -> String {
        format!("/rooms/{room_id}")
    }
    /// `POST /rooms/<id>/members`: [`super::AddMembersReq`] → `Room`.
    pub fn room_members(room_id: &str) -> String {
        format!("/rooms/{room_id}/members")
    }
    /// `POST /rooms/<id>/leave` (extension) → null.
    pub fn room_leave(room_id: &str) -> String {
        format!("/rooms/{room_id}/leave")
    }
    /// `GET /messages/<id>` → `Message`.
    pub fn message(msg_id: &str) -> String {
        format!("/messages/{msg_id}")
    }
    /// `GET /api/v1/chats/<channel>` (no envelope) → chat info.
    pub fn chats(channel_id: &str) -> String {
        format!("/api/v1/chats/{channel_id}")
    }
}

/// `POST /login_random_secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletReq {
    /// `0x` + 40 hex digits, any case.
    pub wallet_address: String,
}

/// `POST /login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginReq {
    /// The signing wallet.
    pub wallet_address: String,
    /// The secret of `/login_random_secret`.
    pub login_random_secret: String,
    /// `personal_sign` of `message`, or of the secret (the 2022 form).
    pub signature: String,
    /// The SIWE text; absent in the 2022 form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What `POST /login` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginResp {
    /// The JWT.
    pub access_token: String,
    /// The signed-in user.
    pub user_info: User,
}

/// What `GET /refresh` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshResp {
    /// The new token (the one sent dies).
    pub access_token: String,
}

/// `POST /register`: a platform name for a wallet, with proof of it (a token
/// of its user, or these login fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterReq {
    /// The wallet.
    pub wallet_address: String,
    /// One of [`crate::room::PLATFORMS`].
    pub platform: String,
    /// The name on that platform.
    pub user_name: String,
    /// Proof without a token: a live secret…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_random_secret: Option<String>,
    /// …and its signature…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// …of this SIWE text (or of the secret itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `POST /info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoReq {
    /// A platform.
    pub platform: String,
    /// The name on it.
    pub user_name: String,
}

/// `POST /search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchReq {
    /// 1 to 128 characters.
    pub keyword: String,
}

/// `POST /profile` (extension): what to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileReq {
    /// A new nick name (empty clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// A new avatar URL (http(s); empty clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// `POST /rooms`: with users, or a collection room by slug.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRoomReq {
    /// The other members (one: a 1v1 room).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_id: Vec<String>,
    /// A collection room.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_opensea_coll: bool,
    /// Its slug.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opensea_coll_slug: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opensea_coll_name: String,
    /// Its cover image URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opensea_coll_cover: String,
}

/// `POST /rooms/<id>/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddMembersReq {
    /// Who to add (only yourself joins a collection room).
    pub target_user_ids: Vec<String>,
}

fn one() -> i64 {
    1
}
fn twenty() -> i64 {
    20
}

/// A page: `POST /my_chats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageReq {
    /// 1-based.
    #[serde(default = "one")]
    pub page: i64,
    /// 1 to 100.
    #[serde(default = "twenty")]
    pub size: i64,
}

/// `POST /messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagesReq {
    /// The room.
    pub room_id: String,
    /// 1-based.
    #[serde(default = "one")]
    pub page: i64,
    /// 1 to 100.
    #[serde(default = "twenty")]
    pub size: i64,
    /// Messages after this `created_at` (any unit), ascending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_time_stamp: Option<i64>,
    /// Messages after this `seq`, ascending (extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_seq: Option<i64>,
    /// Also the placeholders of deleted messages (extension; a 2022 client
    /// leaves it out and never sees them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_deleted: bool,
}

/// The most ids `POST /messages/existing` takes at once.
pub const MAX_EXISTING_IDS: usize = 1000;

/// `POST /messages/existing` (extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingReq {
    /// The room.
    pub room_id: String,
    /// At most [`MAX_EXISTING_IDS`] message ids.
    pub ids: Vec<String>,
}

/// `POST /threads`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadReq {
    /// The message that becomes the root.
    pub msg_id: String,
    /// Attach an OpenSea item (author or room owner only, never over one).
    #[serde(default)]
    pub is_opensea_item_thread: bool,
    /// The item's contract.
    #[serde(default)]
    pub opensea_item_contract_address: String,
    /// The item's token id.
    #[serde(default)]
    pub opensea_item_token_id: String,
    /// The item's name.
    #[serde(default)]
    pub opensea_item_name: String,
    /// The item's description.
    #[serde(default)]
    pub opensea_item_description: String,
    /// The item's image URL.
    #[serde(default)]
    pub opensea_item_image_url: String,
}

/// The query of `GET /threads/<room>/<page>/<size>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadQuery {
    /// One thread's messages instead of the roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub belong_to_thread_id: Option<String>,
}

/// `POST /contacts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactReq {
    /// The contact.
    pub user_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_take_the_2022_shapes_and_round_trip() {
        let r: LoginReq = serde_json::from_str(
            r#"{"wallet_address":"0xab","login_random_secret":"s","signature":"0x1"}"#,
        )
        .unwrap();
        assert_eq!(r.message, None);
        let back: LoginReq = serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let m: MessagesReq = serde_json::from_str(r#"{"room_id":"x"}"#).unwrap();
        assert_eq!((m.page, m.size, m.after_seq), (1, 20, None));
        let c: CreateRoomReq = serde_json::from_str(r#"{"user_id":["a"]}"#).unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"user_id":["a"]}"#);
        assert!(serde_json::from_str::<WalletReq>("{}").is_err());
    }
}

/// `POST /messages/edit` (extension): the author replaces a text message's
/// text (and its mentions). Answers the message as it is now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EditReq {
    /// The message.
    pub msg_id: String,
    /// The new text (non-empty).
    pub text: String,
    /// Users mentioned in the new text (members only are kept).
    #[serde(default)]
    pub at_user_ids: Vec<String>,
}

/// `POST /messages/delete` (extension): the author, or the room's owner,
/// deletes a message for everyone. Answers the placeholder left.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeleteReq {
    /// The message.
    pub msg_id: String,
}

/// `POST /reactions` (extension): a member adds (`on`) or removes a
/// reaction. Answers the message as it is now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReactReq {
    /// The message.
    pub msg_id: String,
    /// One of [`crate::REACTIONS`].
    pub emoji: String,
    /// Add (true) or remove (false).
    pub on: bool,
}

/// `POST /messages/changes` (extension): the messages of a room changed
/// after `after_rev`, ascending by `rev`, at most `size`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangesReq {
    /// The room.
    pub room_id: String,
    /// The last change the client has (0: from the start).
    #[serde(default)]
    pub after_rev: i64,
    /// 1 to 100.
    #[serde(default = "twenty")]
    pub size: i64,
}

/// The answer to [`ChangesReq`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangesResp {
    /// The changed messages, as they are now, ascending by `rev`.
    pub messages: Vec<crate::Message>,
    /// The room's latest change counter.
    pub rev: i64,
}

/// `POST /read` (extension): moves my read marker in a room forward (a
/// marker never goes back; one past the room's last `seq` is cut to it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadReq {
    /// The room.
    pub room_id: String,
    /// The `seq` of the last message read.
    pub seq: i64,
    /// Also tell the other members (a read receipt); without it the marker
    /// is mine alone (my other devices learn it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub receipt: bool,
}

/// How far one user has read one room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadMarker {
    /// The room.
    pub room_id: String,
    /// The reader.
    pub user_id: String,
    /// The `seq` of the last message read (0: nothing).
    pub seq: i64,
}

/// The most rooms one `POST /read/markers` asks about.
pub const MAX_MARKER_ROOMS: usize = 1000;

/// `POST /read/markers` (extension): my markers in these rooms (rooms I am
/// not a member of, and rooms without a marker, are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkersReq {
    /// At most [`MAX_MARKER_ROOMS`] room ids.
    pub room_ids: Vec<String>,
}

/// `POST /read/receipts` and `POST /typing` (extensions): one room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomReq {
    /// The room.
    pub room_id: String,
}

/// How long a typing indicator lasts unless it is told again (ms).
pub const TYPING_TTL_MS: u64 = 6_000;
/// A client tells that it is typing at most this often per room (ms); the
/// server drops what comes faster.
pub const TYPING_EVERY_MS: u64 = 3_000;
