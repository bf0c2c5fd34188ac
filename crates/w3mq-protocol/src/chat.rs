//! The public channels' chat-socket packets (PROTOCOL.md section 3, seed
//! 002): `method`, `reply` and `event`, the error codes of a reply, and the
//! `ChatMessage` they carry. The server writes them ([`reply_text`],
//! [`event_text`], [`ChatMessage`]) and the client reads them
//! ([`Packet::parse`]) from this one module.
//!
//! Parsing is lenient where the seed and the server may differ: ids are
//! taken as strings or numbers (Mixer used numbers, this server uses object
//! ids), unknown message parts keep their text, unknown events keep their data.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// One packet on the socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Packet {
    /// A call from the client.
    Method {
        /// The method name (`auth`, `msg`, …).
        method: String,
        /// Its arguments, positional.
        #[serde(default)]
        arguments: Vec<Value>,
        /// The call id; the reply names it.
        id: u64,
    },
    /// The server's answer to a method.
    Reply {
        /// `null`, or what went wrong.
        #[serde(default)]
        error: Option<Value>,
        /// The id of the method.
        id: u64,
        /// The result.
        #[serde(default)]
        data: Value,
    },
    /// Something that happened in the channel.
    Event {
        /// The event name (`ChatMessage`, `WelcomeEvent`, …).
        event: String,
        /// Its data.
        #[serde(default)]
        data: Value,
    },
}

impl Packet {
    /// Parses one text frame.
    pub fn parse(text: &str) -> Result<Packet, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The `error` codes of a reply.
pub mod codes {
    /// The user and the authkey do not match (or the key is unknown, used, expired).
    pub const UNOTFOUND: &str = "UNOTFOUND";
    /// The packet is not JSON.
    pub const UNOTJSON: &str = "UNOTJSON";
    /// Not allowed (anonymous, not a moderator, timed out).
    pub const UACCESS: &str = "UACCESS";
    /// A bad request (unknown method, wrong arguments, unknown target).
    pub const BAD_REQUEST: &str = "4004";
    /// Rate limited.
    pub const RATE_LIMITED: &str = "4005";
    /// Extension: the server failed; the call may be retried.
    pub const INTERNAL: &str = "5000";
}

#[derive(Serialize)]
struct ReplyOut<'a> {
    r#type: &'static str,
    error: Option<&'a str>,
    id: &'a Value,
    data: &'a Value,
}

/// A reply packet, as text: `error` a code of [`codes`] (then `data` is
/// null), `id` the method's, echoed as it came (`null` when none was read).
pub fn reply_text(id: &Value, outcome: Result<&Value, &str>) -> String {
    let (error, data) = match outcome {
        Ok(d) => (None, d),
        Err(code) => (Some(code), &Value::Null),
    };
    serde_json::to_string(&ReplyOut {
        r#type: "reply",
        error,
        id,
        data,
    })
    .unwrap_or_default()
}

#[derive(Serialize)]
struct EventOut<'a, T: Serialize> {
    r#type: &'static str,
    event: &'a str,
    data: &'a T,
}

/// An event packet, as text.
pub fn event_text<T: Serialize>(name: &str, data: &T) -> String {
    serde_json::to_string(&EventOut {
        r#type: "event",
        event: name,
        data,
    })
    .unwrap_or_default()
}

/// A string, or a number written as a string (`null` is empty).
pub fn flex_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a string or a number, got {other}"
            )))
        }
    })
}

pub fn flex_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = flex_string(d)?;
    Ok((!s.is_empty()).then_some(s))
}

/// A chat message, as `msg`, `whisper` and `history` return it and the
/// `ChatMessage` event carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatMessage {
    /// The channel (the room id here; a number in Mixer's examples).
    #[serde(default, deserialize_with = "flex_string")]
    pub channel: String,
    /// The message id.
    #[serde(deserialize_with = "flex_string")]
    pub id: String,
    /// The sender's display name.
    #[serde(default, deserialize_with = "flex_string")]
    pub user_name: String,
    /// The sender's user id.
    #[serde(default, deserialize_with = "flex_string")]
    pub user_id: String,
    /// The sender's roles (`Owner`, `User`, …).
    #[serde(default)]
    pub user_roles: Vec<String>,
    /// The sender's level.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub user_level: i64,
    /// The parts and their meta data.
    pub message: MessageBody,
    /// For a whisper: who it is for.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "flex_opt_string"
    )]
    pub target: Option<String>,
    /// The room's seq of this message (extension), when the server sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub seq: Option<i64>,
    /// Unix nanoseconds (extension), when the server sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub created_at: Option<i64>,
}

/// `{message: [parts], meta}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageBody {
    /// The parts, in order.
    #[serde(default)]
    pub message: Vec<MessagePart>,
    /// Meta data (`whisper`, `me`, …).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub meta: serde_json::Map<String, Value>,
}

/// A piece of a chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "lowercase", from = "RawPart")]
pub enum MessagePart {
    /// Plain text.
    Text {
        /// The text as sent.
        data: String,
        /// The text to show.
        text: String,
    },
    /// A link.
    Link {
        /// Where it points.
        url: String,
        /// The text to show.
        text: String,
    },
    /// A mention of a user.
    Tag {
        /// The user's name.
        username: String,
        /// The user's id.
        id: String,
        /// The text to show (`@name`).
        text: String,
    },
    /// A part of a kind this client does not know; its text is kept.
    Other {
        /// Its `type`.
        kind: String,
        /// The text to show.
        text: String,
    },
}

impl MessagePart {
    /// The text to show.
    pub fn text(&self) -> &str {
        match self {
            MessagePart::Text { text, .. }
            | MessagePart::Link { text, .. }
            | MessagePart::Tag { text, .. }
            | MessagePart::Other { text, .. } => text,
        }
    }
}

/// Every field any part may have, for lenient parsing.
#[derive(Deserialize)]
struct RawPart {
    #[serde(rename = "type", default, deserialize_with = "flex_string")]
    kind: String,
    #[serde(default, deserialize_with = "flex_string")]
    data: String,
    #[serde(default, deserialize_with = "flex_string")]
    text: String,
    #[serde(default, deserialize_with = "flex_string")]
    url: String,
    #[serde(default, deserialize_with = "flex_string")]
    username: String,
    #[serde(default, deserialize_with = "flex_string")]
    id: String,
}

impl From<RawPart> for MessagePart {
    fn from(p: RawPart) -> Self {
        // The text to show falls back on what the part carries.
        let text = |fallback: &str| {
            if p.text.is_empty() {
                fallback.to_owned()
            } else {
                p.text.clone()
            }
        };
        match p.kind.as_str() {
            "text" => MessagePart::Text {
                text: text(&p.data),
                data: p.data.clone(),
            },
            "link" => MessagePart::Link {
                text: text(&p.url),
                url: p.url.clone(),
            },
            "tag" => MessagePart::Tag {
                text: text(&format!("@{}", p.username)),
                username: p.username.clone(),
                id: p.id.clone(),
            },
            _ => MessagePart::Other {
                text: text(&p.data),
                kind: p.kind.clone(),
            },
        }
    }
}

impl ChatMessage {
    /// The text to show: the parts' texts, joined.
    pub fn text(&self) -> String {
        self.message.message.iter().map(MessagePart::text).collect()
    }

    /// Whether this is a whisper (a private message to one user).
    pub fn is_whisper(&self) -> bool {
        self.target.is_some() || self.message.meta.get("whisper") == Some(&Value::Bool(true))
    }

    /// The message as the cache and MQTT clients see it: id, seq (when the
    /// server gave one), sender, room and text. `room_id` is the channel's.
    pub fn to_message(&self, room_id: &str) -> crate::Message {
        crate::Message {
            id: Some(self.id.to_ascii_lowercase()),
            seq: self.seq,
            from_uid: self.user_id.to_ascii_lowercase(),
            to_room_id: room_id.to_owned(),
            msg_type: crate::MsgType::Text.as_str().into(),
            msg_contents: Value::String(self.text()),
            created_at: self.created_at.unwrap_or_else(crate::now_nanos),
            ..Default::default()
        }
    }

    /// A chat message made from a stored message (text only), for what is
    /// fetched over REST.
    pub fn from_message(m: &crate::Message) -> ChatMessage {
        let text = match &m.msg_contents {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        ChatMessage {
            channel: m.to_room_id.clone(),
            id: m.id.clone().unwrap_or_default(),
            user_name: m.from_uid.clone(),
            user_id: m.from_uid.clone(),
            user_roles: Vec::new(),
            user_level: 0,
            message: MessageBody {
                message: vec![MessagePart::Text {
                    data: text.clone(),
                    text,
                }],
                meta: Default::default(),
            },
            target: None,
            seq: m.seq,
            created_at: Some(m.created_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // The exchange of seed 002, verbatim.
    const AUTH: &str = r#"{"type":"method","method":"auth","arguments":[1,1,"fc3f865c156f32cac0755cde007654a8"],"id":0}"#;
    const AUTH_REPLY: &str =
        r#"{"type":"reply","error":null,"id":0,"data":{"authenticated":true,"roles":["Owner"]}}"#;
    const MSG: &str = r#"{"type":"method","method":"msg","arguments":["Hello world :)"],"id":2}"#;
    const MSG_REPLY: &str = r#"{"type":"reply","error":null,"id":2,"data":{"channel":1,"id":"6351f9e0-3bf2-11e6-a3b3-bdc62094c158","user_name":"connor","user_id":1,"user_roles":["Owner"],"message":{"message":[{"type":"text","data":"Hello world ","text":"Hello world!"}],"meta":{}}}}"#;
    const MSG_EVENT: &str = r#"{"type":"event","event":"ChatMessage","data":{"channel":1,"id":"6351f9e0-3bf2-11e6-a3b3-bdc62094c158","user_name":"connor","user_id":1,"user_roles":["Owner"],"message":{"message":[{"type":"text","data":"Hello world ","text":"Hello world!"}],"meta":{}}}}"#;

    #[test]
    fn seed_methods_parse_and_serialize_back() {
        let p = Packet::parse(AUTH).expect("auth parses");
        assert_eq!(
            p,
            Packet::Method {
                method: "auth".into(),
                arguments: vec![
                    json!(1),
                    json!(1),
                    json!("fc3f865c156f32cac0755cde007654a8")
                ],
                id: 0,
            }
        );
        let back: Value = serde_json::to_value(&p).expect("serializes");
        assert_eq!(back, serde_json::from_str::<Value>(AUTH).expect("json"));
        let p = Packet::parse(MSG).expect("msg parses");
        assert!(
            matches!(p, Packet::Method { ref method, id: 2, ref arguments } if method == "msg" && arguments == &[json!("Hello world :)")])
        );
    }

    #[test]
    fn seed_replies_and_events_parse() {
        let Packet::Reply { error, id, data } = Packet::parse(AUTH_REPLY).expect("reply") else {
            panic!("not a reply")
        };
        assert_eq!((error, id), (None, 0));
        assert_eq!(data["authenticated"], json!(true));
        assert_eq!(data["roles"], json!(["Owner"]));

        let Packet::Reply { data, id: 2, .. } = Packet::parse(MSG_REPLY).expect("reply") else {
            panic!("not reply 2")
        };
        let m: ChatMessage = serde_json::from_value(data).expect("chat message");
        assert_eq!(m.channel, "1");
        assert_eq!(m.user_id, "1");
        assert_eq!(m.user_name, "connor");
        assert_eq!(m.id, "6351f9e0-3bf2-11e6-a3b3-bdc62094c158");
        assert_eq!(m.user_roles, vec!["Owner".to_owned()]);
        assert_eq!(
            m.message.message,
            vec![MessagePart::Text {
                data: "Hello world ".into(),
                text: "Hello world!".into()
            }]
        );
        assert_eq!(m.text(), "Hello world!");
        assert_eq!((m.seq, m.target.as_deref()), (None, None));

        let Packet::Event { event, data } = Packet::parse(MSG_EVENT).expect("event") else {
            panic!("not an event")
        };
        assert_eq!(event, "ChatMessage");
        let e: ChatMessage = serde_json::from_value(data).expect("chat message");
        assert_eq!(e, m);
    }

    #[test]
    fn the_server_writes_what_the_client_reads() {
        let r = reply_text(&json!(7), Ok(&json!({"a": 1})));
        assert_eq!(
            Packet::parse(&r).unwrap(),
            Packet::Reply {
                error: None,
                id: 7,
                data: json!({"a": 1})
            }
        );
        let r = reply_text(&json!(8), Err(codes::UACCESS));
        assert_eq!(
            Packet::parse(&r).unwrap(),
            Packet::Reply {
                error: Some(json!("UACCESS")),
                id: 8,
                data: Value::Null
            }
        );
        let r = reply_text(&Value::Null, Err(codes::UNOTJSON));
        assert_eq!(
            r,
            r#"{"type":"reply","error":"UNOTJSON","id":null,"data":null}"#
        );
        let e = event_text("WelcomeEvent", &json!({"server": "x"}));
        assert_eq!(
            Packet::parse(&e).unwrap(),
            Packet::Event {
                event: "WelcomeEvent".into(),
                data: json!({"server": "x"})
            }
        );
    }

    #[test]
    fn parts_link_tag_and_unknown_keep_their_text() {
        let body: MessageBody = serde_json::from_value(json!({"message": [
            {"type": "text", "data": "see ", "text": "see "},
            {"type": "link", "url": "https://x.test/a", "text": "https://x.test/a"},
            {"type": "tag", "username": "ann", "id": 7, "text": "@ann"},
            {"type": "emoticon", "text": ":)"},
            {"type": "text", "data": "raw"}
        ], "meta": {"whisper": true}}))
        .expect("parts parse");
        assert_eq!(
            body.message[1],
            MessagePart::Link {
                url: "https://x.test/a".into(),
                text: "https://x.test/a".into()
            }
        );
        assert_eq!(
            body.message[2],
            MessagePart::Tag {
                username: "ann".into(),
                id: "7".into(),
                text: "@ann".into()
            }
        );
        assert_eq!(
            body.message[3],
            MessagePart::Other {
                kind: "emoticon".into(),
                text: ":)".into()
            }
        );
        assert_eq!(body.message[4].text(), "raw");
        // Serialized tagged, as the seed writes parts.
        let v = serde_json::to_value(&body.message[2]).expect("serializes");
        assert_eq!(
            v,
            json!({"type": "tag", "username": "ann", "id": "7", "text": "@ann"})
        );
    }

    #[test]
    fn malformed_packets_are_errors_not_panics() {
        for bad in [
            "",
            "null",
            "[]",
            r#"{"type":"reply"}"#,
            r#"{"type":"method","method":"x","id":-1}"#,
            r#"{"type":"bogus","id":1}"#,
            r#"{"type":"reply","id":"x","error":null}"#,
        ] {
            assert!(Packet::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn converts_to_a_stored_message_and_back() {
        let v = json!({"channel": "AA", "id": "64B0C0FFEE0000000000000A", "user_name": "ann", "user_id": "64B0C0FFEE0000000000000B",
            "message": {"message": [{"type":"text","data":"hi ","text":"hi "},{"type":"tag","username":"bob","id":"x","text":"@bob"}], "meta": {}},
            "seq": 4, "created_at": 1_700_000_000_000_000_000i64});
        let c: ChatMessage = serde_json::from_value(v).expect("parses");
        let m = c.to_message("64b0c0ffee000000000000aa");
        assert_eq!(m.id.as_deref(), Some("64b0c0ffee0000000000000a"));
        assert_eq!(m.seq, Some(4));
        assert_eq!(m.from_uid, "64b0c0ffee0000000000000b");
        assert_eq!(m.to_room_id, "64b0c0ffee000000000000aa");
        assert_eq!(m.msg_type, "text");
        assert_eq!(m.msg_contents, json!("hi @bob"));
        assert_eq!(m.created_at, 1_700_000_000_000_000_000);
        let back = ChatMessage::from_message(&m);
        assert_eq!(
            (back.id.as_str(), back.seq, back.text()),
            ("64b0c0ffee0000000000000a", Some(4), "hi @bob".into())
        );
    }
}
