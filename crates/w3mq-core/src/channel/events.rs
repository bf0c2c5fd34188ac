//! What a channel tells its listeners: the events of seed 002, parsed from
//! `event` packets, and the connection's state.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::packets::{flex_string, ChatMessage};

/// The user named in an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelUser {
    /// User id.
    #[serde(default, alias = "id", deserialize_with = "flex_string")]
    pub user_id: String,
    /// Display name.
    #[serde(default, alias = "username", deserialize_with = "flex_string")]
    pub user_name: String,
    /// Roles.
    #[serde(default, alias = "roles")]
    pub user_roles: Vec<String>,
}

/// A poll (`PollStart`, `PollEnd`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Poll {
    /// The question.
    #[serde(default, alias = "question")]
    pub q: String,
    /// The answers, in order.
    #[serde(default)]
    pub answers: Vec<String>,
    /// Votes per answer index.
    #[serde(default, alias = "responsesByIndex")]
    #[cfg_attr(feature = "ts", ts(type = "Array<number>"))]
    pub responses_by_index: Vec<u64>,
    /// How many have voted.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub voters: u64,
    /// Milliseconds the poll runs.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration: u64,
    /// When it ends (Unix milliseconds).
    #[serde(default, alias = "endsAt")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub ends_at: u64,
    /// Who started it.
    #[serde(default)]
    pub author: Option<ChannelUser>,
}

/// What the channel tells, parsed from an `event` packet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ChannelEvent {
    /// A chat message: live, or filled in after a reconnect (`missed`).
    Message {
        /// The message.
        message: ChatMessage,
        /// It was sent while this client was disconnected.
        missed: bool,
    },
    /// Someone joined the channel.
    UserJoin {
        /// Who.
        user: ChannelUser,
    },
    /// Someone left the channel.
    UserLeave {
        /// Who.
        user: ChannelUser,
    },
    /// A moderator deleted a message.
    MessageDeleted {
        /// The message.
        id: String,
    },
    /// A moderator deleted every message of a user.
    UserPurged {
        /// The user.
        user_id: String,
        /// The messages deleted, when the server names them.
        ids: Vec<String>,
    },
    /// A moderator cleared the channel.
    MessagesCleared,
    /// A poll started.
    PollStarted {
        /// The poll.
        poll: Poll,
    },
    /// A poll ended (with its results).
    PollEnded {
        /// The poll.
        poll: Poll,
    },
    /// A user may not chat for a while.
    UserTimeout {
        /// Who.
        user: ChannelUser,
        /// For how long (milliseconds).
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        duration_ms: u64,
    },
    /// The connection's state changed.
    State {
        /// The new state.
        state: ChannelState,
    },
    /// An event this client does not know.
    Other {
        /// Its name.
        name: String,
        /// Its data.
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        data: Value,
    },
}

/// The connection's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChannelState {
    /// Fetching the chat info or dialling `endpoint` (empty until chosen).
    Connecting {
        /// The WebSocket URL.
        endpoint: String,
    },
    /// Connected and authenticated.
    Online {
        /// The WebSocket URL.
        endpoint: String,
        /// My roles in the channel (empty when anonymous).
        roles: Vec<String>,
        /// What I may do (`connect` only when anonymous).
        permissions: Vec<String>,
    },
    /// Not connected; the next attempt is in `retry_in_ms`.
    Offline {
        /// Why.
        reason: String,
        /// Milliseconds until the next attempt.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        retry_in_ms: u64,
    },
    /// Closed for good.
    Closed,
}

#[derive(Deserialize)]
struct DeleteData {
    #[serde(default, deserialize_with = "flex_string")]
    id: String,
}

#[derive(Deserialize)]
struct PurgeData {
    #[serde(default, deserialize_with = "flex_string")]
    user_id: String,
    #[serde(default)]
    ids: Vec<String>,
}

#[derive(Deserialize)]
struct TimeoutData {
    #[serde(default)]
    user: ChannelUser,
    #[serde(default)]
    duration: Value,
}

/// A duration as milliseconds: a number, or a string like `90`, `30s`,
/// `5m`, `1h`, `2d` (seconds when it has no unit).
pub fn duration_ms(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => {
            let s = s.trim();
            let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
            let n: u64 = num.parse().unwrap_or(0);
            let factor = match unit {
                "" | "s" => 1_000,
                "ms" => 1,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => 0,
            };
            n.saturating_mul(factor)
        }
        _ => 0,
    }
}

impl ChannelEvent {
    /// The event an `event` packet carries. `None` for the welcome (the
    /// connector consumes it). A known event whose data does not parse
    /// becomes [`ChannelEvent::Other`].
    pub fn from_packet(name: &str, data: Value) -> Option<ChannelEvent> {
        fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
            T::deserialize(v).ok()
        }
        let ev = match name {
            "WelcomeEvent" => return None,
            "ChatMessage" => parse(&data).map(|message| ChannelEvent::Message {
                message,
                missed: false,
            }),
            "UserJoin" => parse(&data).map(|user| ChannelEvent::UserJoin { user }),
            "UserLeave" => parse(&data).map(|user| ChannelEvent::UserLeave { user }),
            "DeleteMessage" => parse::<DeleteData>(&data)
                .filter(|d| !d.id.is_empty())
                .map(|d| ChannelEvent::MessageDeleted { id: d.id }),
            "PurgeMessage" => parse::<PurgeData>(&data).map(|d| ChannelEvent::UserPurged {
                user_id: d.user_id,
                ids: d.ids,
            }),
            "ClearMessages" => Some(ChannelEvent::MessagesCleared),
            "PollStart" => parse(&data).map(|poll| ChannelEvent::PollStarted { poll }),
            "PollEnd" => parse(&data).map(|poll| ChannelEvent::PollEnded { poll }),
            "UserTimeout" => parse::<TimeoutData>(&data).map(|d| ChannelEvent::UserTimeout {
                user: d.user,
                duration_ms: duration_ms(&d.duration),
            }),
            _ => None,
        };
        Some(ev.unwrap_or(ChannelEvent::Other {
            name: name.to_owned(),
            data,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_map_and_unknown_ones_are_kept() {
        assert_eq!(
            ChannelEvent::from_packet("DeleteMessage", json!({"id": "abc", "moderator": {}})),
            Some(ChannelEvent::MessageDeleted { id: "abc".into() })
        );
        assert_eq!(
            ChannelEvent::from_packet("PurgeMessage", json!({"user_id": "u1", "ids": ["a", "b"]})),
            Some(ChannelEvent::UserPurged {
                user_id: "u1".into(),
                ids: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(
            ChannelEvent::from_packet("ClearMessages", json!({"clearer": {}})),
            Some(ChannelEvent::MessagesCleared)
        );
        assert_eq!(
            ChannelEvent::from_packet(
                "UserTimeout",
                json!({"user": {"user_id": "u", "user_name": "n"}, "duration": "5m"})
            ),
            Some(ChannelEvent::UserTimeout {
                user: ChannelUser {
                    user_id: "u".into(),
                    user_name: "n".into(),
                    user_roles: vec![]
                },
                duration_ms: 300_000
            })
        );
        let Some(ChannelEvent::PollStarted { poll }) = ChannelEvent::from_packet(
            "PollStart",
            json!({"q": "Q?", "answers": ["a", "b"], "responsesByIndex": [0, 1], "voters": 1, "duration": 5000, "endsAt": 9}),
        ) else {
            panic!("poll")
        };
        assert_eq!(
            (
                poll.q.as_str(),
                poll.answers.len(),
                poll.responses_by_index,
                poll.voters
            ),
            ("Q?", 2, vec![0, 1], 1)
        );
        assert_eq!(ChannelEvent::from_packet("WelcomeEvent", json!({})), None);
        assert_eq!(
            ChannelEvent::from_packet("SkillAttribution", json!({"x": 1})),
            Some(ChannelEvent::Other {
                name: "SkillAttribution".into(),
                data: json!({"x": 1})
            })
        );
        // A known event with broken data is kept as Other, not dropped.
        assert!(matches!(
            ChannelEvent::from_packet("ChatMessage", json!({"id": []})),
            Some(ChannelEvent::Other { .. })
        ));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms(&json!(1500)), 1500);
        assert_eq!(duration_ms(&json!("30")), 30_000);
        assert_eq!(duration_ms(&json!("30s")), 30_000);
        assert_eq!(duration_ms(&json!("2h")), 7_200_000);
        assert_eq!(duration_ms(&json!("x")), 0);
        assert_eq!(duration_ms(&json!(null)), 0);
    }
}
