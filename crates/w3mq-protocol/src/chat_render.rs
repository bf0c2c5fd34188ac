//! A stored [`Message`] as the `ChatMessage` data of seed 002: the text cut
//! into `text`, `link` (http(s) URLs only) and `tag` (an `@mention` of a
//! member) parts, with the sender's name and roles in the room.

use crate::chat::{ChatMessage, MessageBody, MessagePart};
use crate::validate::is_http_url;
use crate::{Message, Room, User};
use serde::Serialize;
use serde_json::{Map, Value};

/// The name a user goes by in a channel: the nick name, else the wallet.
pub fn display_name(u: &User) -> String {
    if u.nick_name.is_empty() {
        u.eth_wallet_address.clone()
    } else {
        u.nick_name.clone()
    }
}

/// The roles of `user_id` in `room`: its creator is the moderator.
pub fn roles(room: &Room, user_id: &str) -> Vec<&'static str> {
    if room.creator_id == user_id {
        vec!["Owner"]
    } else {
        vec!["User"]
    }
}

/// The member `name` names: by user id, then wallet address, then nick
/// name (without regard to case); an ambiguous nick names nobody
/// ([`crate::resolve_member`]).
pub fn find_member<'r>(room: &'r Room, name: &str) -> Option<&'r User> {
    crate::resolve_member(&room.members, name).ok()
}

/// A user as moderation events name them.
#[derive(Debug, Clone, Serialize)]
pub struct UserRef {
    /// Display name.
    pub user_name: String,
    /// User id.
    pub user_id: String,
    /// Roles in the channel.
    pub user_roles: Vec<&'static str>,
}

impl UserRef {
    /// `u` in `room`.
    pub fn of(room: &Room, u: &User) -> UserRef {
        UserRef {
            user_name: display_name(u),
            user_id: u.user_id.clone(),
            user_roles: roles(room, &u.user_id),
        }
    }
}

/// Cuts `text` into parts. Whitespace stays inside text parts.
pub fn parts(room: &Room, text: &str) -> Vec<MessagePart> {
    let mut out = Vec::new();
    let mut plain = String::new();
    for piece in pieces(text) {
        if piece.starts_with(char::is_whitespace) {
            plain.push_str(piece);
        } else if is_http_url(piece) {
            flush(&mut out, &mut plain);
            out.push(MessagePart::Link {
                url: piece.into(),
                text: piece.into(),
            });
        } else if let Some((user, written, rest)) = mention(room, piece) {
            flush(&mut out, &mut plain);
            out.push(MessagePart::Tag {
                username: display_name(user),
                id: user.user_id.clone(),
                text: written.into(),
            });
            plain.push_str(rest);
        } else {
            plain.push_str(piece);
        }
    }
    flush(&mut out, &mut plain);
    out
}

/// The members `text` mentions, in order, without repeats.
pub fn mentioned(room: &Room, text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for p in parts(room, text) {
        if let MessagePart::Tag { id, .. } = p {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// `@name` followed by punctuation: the member, `@name`, and the rest.
fn mention<'r, 'p>(room: &'r Room, piece: &'p str) -> Option<(&'r User, &'p str, &'p str)> {
    let name = piece.strip_prefix('@')?;
    let core = name.trim_end_matches(|c: char| ",.!?:;)'\"".contains(c));
    let user = find_member(room, core)?;
    let split = 1 + core.len();
    Some((user, &piece[..split], &piece[split..]))
}

fn flush(out: &mut Vec<MessagePart>, plain: &mut String) {
    if !plain.is_empty() {
        let t = std::mem::take(plain);
        out.push(MessagePart::Text {
            data: t.clone(),
            text: t,
        });
    }
}

/// Splits into alternating runs of whitespace and of everything else.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_ws = None;
    for (i, c) in text.char_indices() {
        let ws = c.is_whitespace();
        if in_ws.is_some_and(|w| w != ws) {
            out.push(&text[start..i]);
            start = i;
        }
        in_ws = Some(ws);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// A stored message of `room` as ChatMessage data.
pub fn chat_message(room: &Room, m: &Message) -> ChatMessage {
    let sender = room.members.iter().find(|u| u.user_id == m.from_uid);
    let mut meta = Map::new();
    let message = match m.msg_contents.as_str() {
        Some(text) if m.msg_type == "text" => parts(room, text),
        _ => {
            meta.insert("msg_type".into(), Value::String(m.msg_type.clone()));
            meta.insert("msg_contents".into(), m.msg_contents.clone());
            let t = format!("[{}]", m.msg_type);
            vec![MessagePart::Text {
                data: t.clone(),
                text: t,
            }]
        }
    };
    for (k, v) in [
        ("reply_to_msg_id", &m.reply_to_msg_id),
        ("belong_to_thread_id", &m.belong_to_thread_id),
    ] {
        if !v.is_empty() {
            meta.insert(k.into(), Value::String(v.clone()));
        }
    }
    ChatMessage {
        channel: room.room_id.clone(),
        id: m.id.clone().unwrap_or_default(),
        user_name: sender.map_or_else(|| m.from_uid.clone(), display_name),
        user_id: m.from_uid.clone(),
        user_roles: roles(room, &m.from_uid)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        user_level: 0,
        message: MessageBody { message, meta },
        target: None,
        seq: m.seq,
        created_at: Some(m.created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> Room {
        Room {
            room_id: "61f1007e604cc5be5f7a3c30".into(),
            creator_id: "61f1006d604cc5be5f7a3c2d".into(),
            members: vec![
                User {
                    user_id: "61f1006d604cc5be5f7a3c2d".into(),
                    nick_name: "Connor".into(),
                    eth_wallet_address: "0x00000000000000000000000000000000000000aa".into(),
                    ..Default::default()
                },
                User {
                    user_id: "61f1006d604cc5be5f7a3c2e".into(),
                    eth_wallet_address: "0x00000000000000000000000000000000000000bb".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    fn text(s: &str) -> MessagePart {
        MessagePart::Text {
            data: s.into(),
            text: s.into(),
        }
    }

    #[test]
    fn text_links_and_tags() {
        let r = room();
        let p = parts(
            &r,
            "hi @connor, see https://example.com/x  or javascript:alert(1) @nobody",
        );
        assert_eq!(
            p,
            vec![
                text("hi "),
                MessagePart::Tag {
                    username: "Connor".into(),
                    id: "61f1006d604cc5be5f7a3c2d".into(),
                    text: "@connor".into()
                },
                text(", see "),
                MessagePart::Link {
                    url: "https://example.com/x".into(),
                    text: "https://example.com/x".into()
                },
                text("  or javascript:alert(1) @nobody"),
            ]
        );
        assert_eq!(
            mentioned(
                &r,
                "@0x00000000000000000000000000000000000000BB @Connor @connor"
            ),
            ["61f1006d604cc5be5f7a3c2e", "61f1006d604cc5be5f7a3c2d"]
        );
    }

    #[test]
    fn a_chat_message_has_the_seeds_fields() {
        let r = room();
        let mut m = Message::text("61f1006d604cc5be5f7a3c2d", &r.room_id, "Hello world!");
        m.id = Some("61f1007e604cc5be5f7a3c99".into());
        m.seq = Some(4);
        let v = serde_json::to_value(chat_message(&r, &m)).unwrap();
        assert_eq!(v["channel"], r.room_id.as_str());
        assert_eq!(v["id"], "61f1007e604cc5be5f7a3c99");
        assert_eq!(v["user_name"], "Connor");
        assert_eq!(v["user_roles"], serde_json::json!(["Owner"]));
        assert_eq!(
            v["message"],
            serde_json::json!({"message": [{"type": "text", "data": "Hello world!", "text": "Hello world!"}], "meta": {}})
        );
        assert!(v.get("target").is_none());
        assert_eq!(v["seq"], 4);
    }
}
