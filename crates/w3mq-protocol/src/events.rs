//! Events on `notification/<user_id>` and `notification/<room_id>` (extensions).

use serde::{Deserialize, Serialize};

/// An event for one user, on `notification/<user_id>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserEvent {
    /// A publish of this user was rejected.
    Error {
        /// Machine-readable reason, one of [`crate::Rejection::code`].
        code: String,
        /// Human-readable reason.
        reason: String,
        /// The rejected message's `client_msg_id`, when it had one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// The user was added to a room: subscribe to it.
    RoomAdded {
        /// The room.
        room_id: String,
    },
    /// The user left or was removed from a room.
    RoomRemoved {
        /// The room.
        room_id: String,
    },
    /// The user's read marker in a room moved (from another device, or
    /// from this one): read [`crate::rest::path::READ_MARKERS`] for it.
    ReadMoved {
        /// The room.
        room_id: String,
        /// The marker now.
        seq: i64,
    },
}

/// An event of a room, on `notification/<room_id>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomEvent {
    /// A message became a thread root.
    ThreadCreated {
        /// The room.
        room_id: String,
        /// The thread root.
        msg_id: String,
    },
    /// A moderator deleted or purged messages.
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
    /// Members joined or left.
    MembersChanged {
        /// The room.
        room_id: String,
    },
    /// A message was edited, deleted or reacted to: its state now (its
    /// `rev` is the room's change counter; a client that sees a gap catches
    /// up with `POST /messages/changes`).
    MessageChanged {
        /// The room.
        room_id: String,
        /// The message as it is now.
        message: Box<crate::Message>,
    },
    /// A member who shares read receipts read up to `seq`.
    Receipt {
        /// The room.
        room_id: String,
        /// The reader.
        user_id: String,
        /// The `seq` of the last message read.
        seq: i64,
    },
    /// A member is typing (for [`crate::rest::TYPING_TTL_MS`] unless told
    /// again, or until their next message).
    Typing {
        /// The room.
        room_id: String,
        /// Who types.
        user_id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_the_documented_shape() {
        let e = UserEvent::Error {
            code: "not_member".into(),
            reason: "x".into(),
            client_msg_id: None,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "error");
        assert!(v.get("client_msg_id").is_none());
        let e: RoomEvent =
            serde_json::from_str(r#"{"type":"messages_deleted","room_id":"r","ids":["a"]}"#)
                .unwrap();
        assert_eq!(
            e,
            RoomEvent::MessagesDeleted {
                room_id: "r".into(),
                ids: vec!["a".into()]
            }
        );
        assert!(serde_json::from_str::<UserEvent>(r#"{"type":"nope"}"#).is_err());
    }
}
