//! Web3MQ wire types and the acceptance rules of `PROTOCOL.md`, shared by the
//! client engine and the server.
//!
//! Everything here is pure: no I/O, no clocks except [`ObjectId::new`] and
//! [`now_nanos`]. The stateless acceptance rules of section 2 live in
//! [`validate`]; the rules that need the database (membership, thread roots,
//! reply targets) are the server's, but their error codes are defined here in
//! [`Rejection`] so that both ends speak of them the same way.

pub mod chat;
pub mod chat_render;
pub mod envelope;
pub mod events;
pub mod ids;
pub mod login;
pub mod message;
pub mod names;
pub mod rest;
pub mod room;
pub mod swap_card;
pub mod topic;
pub mod validate;

pub use envelope::Envelope;
pub use events::{RoomEvent, UserEvent};
pub use ids::{is_object_id, now_nanos, ObjectId};
pub use message::{
    Message, MsgContents, MsgType, OpenSeaItem, Reaction, MAX_REACTION_USERS, REACTIONS,
};
pub use names::{check_nick_name, resolve_member, NameError, NickError};
pub use room::{ChatRoom, Room, User};
pub use swap_card::{SwapAsset, SwapCard};
pub use topic::Topic;
pub use validate::{
    validate_message, Rejection, MAX_CLIENT_MSG_ID_LEN, MAX_NICK_NAME_CHARS, MAX_PAYLOAD_BYTES,
};
