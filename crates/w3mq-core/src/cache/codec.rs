//! How a [`Message`] is stored: a compact JSON body plus the columns the
//! queries need, and back.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use w3mq_protocol::{Message, MsgContents};

/// Marks the start of a search hit inside a snippet (a private-use character).
pub(crate) const HIT_OPEN: char = '\u{E000}';
/// Marks the end of a search hit inside a snippet.
pub(crate) const HIT_CLOSE: char = '\u{E001}';

/// The fields of [`Message`] that the stored body holds (besides `id`, `seq`,
/// `to_room_id` and `created_at`, which are columns). A test checks that this is every
/// field, so a field added to the protocol cannot be dropped silently.
#[cfg(test)]
const BODY_FIELDS: &[&str] = &[
    "client_msg_id",
    "from_uid",
    "msg_type",
    "msg_contents",
    "is_thread",
    "is_opensea_item_thread",
    "opensea_item_contract_address",
    "opensea_item_token_id",
    "opensea_item_name",
    "opensea_item_description",
    "opensea_item_image_url",
    "belong_to_thread_id",
    "reply_to_msg_id",
    "at_user_ids",
    "edited_at",
    "deleted",
    "rev",
    "reactions",
];

/// A message as its row stores it.
#[derive(Debug)]
pub(crate) struct Stored {
    /// The compact body: a JSON object.
    pub body: String,
    /// The text of a text message, left out of `body`.
    pub txt: Option<String>,
    /// Other searchable text.
    pub extra: Option<String>,
}

/// The stored body: the fields of `BODY_FIELDS` that do not hold their
/// default value (`Message` deserializes a missing field as its default), and
/// not `msg_contents` when the text column holds it.
struct Body<'a> {
    m: &'a Message,
    omit_contents: bool,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.m;
        let mut map = s.serialize_map(None)?;
        if let Some(c) = &m.client_msg_id {
            map.serialize_entry("client_msg_id", c)?;
        }
        let strings = [
            ("from_uid", &m.from_uid),
            ("msg_type", &m.msg_type),
            (
                "opensea_item_contract_address",
                &m.opensea_item_contract_address,
            ),
            ("opensea_item_token_id", &m.opensea_item_token_id),
            ("opensea_item_name", &m.opensea_item_name),
            ("opensea_item_description", &m.opensea_item_description),
            ("opensea_item_image_url", &m.opensea_item_image_url),
            ("belong_to_thread_id", &m.belong_to_thread_id),
            ("reply_to_msg_id", &m.reply_to_msg_id),
        ];
        for (k, v) in strings {
            if !v.is_empty() {
                map.serialize_entry(k, v)?;
            }
        }
        if !self.omit_contents && !m.msg_contents.is_null() {
            map.serialize_entry("msg_contents", &m.msg_contents)?;
        }
        if m.is_thread {
            map.serialize_entry("is_thread", &true)?;
        }
        if m.is_opensea_item_thread {
            map.serialize_entry("is_opensea_item_thread", &true)?;
        }
        if !m.at_user_ids.is_empty() {
            map.serialize_entry("at_user_ids", &m.at_user_ids)?;
        }
        if m.edited_at != 0 {
            map.serialize_entry("edited_at", &m.edited_at)?;
        }
        if m.deleted {
            map.serialize_entry("deleted", &true)?;
        }
        if m.rev != 0 {
            map.serialize_entry("rev", &m.rev)?;
        }
        if !m.reactions.is_empty() {
            map.serialize_entry("reactions", &m.reactions)?;
        }
        map.end()
    }
}

/// Splits a message into its stored body and its searchable text.
pub(crate) fn encode(m: &Message) -> Result<Stored, serde_json::Error> {
    // The text goes into its own column (indexed and stored once) unless it
    // holds the snippet markers, which must never appear in indexed text.
    let text = match m.msg_type.as_str() {
        "text" => m.msg_contents.as_str().filter(|t| !t.is_empty()),
        _ => None,
    };
    let txt = text.filter(|t| !has_markers(t)).map(str::to_owned);

    let mut extra = String::new();
    if let (Some(t), None) = (text, &txt) {
        push_part(&mut extra, &strip_markers(t));
    }
    if m.msg_type == "sudo_swap_card" {
        if let Some(MsgContents::SudoSwapCard(card)) = m.contents() {
            let side = |assets: &[w3mq_protocol::SwapAsset]| {
                assets
                    .iter()
                    .map(|a| match (a.name.is_empty(), a.symbol.is_empty()) {
                        (false, false) => format!("{} ({})", a.name, a.symbol),
                        (false, true) => a.name.clone(),
                        (true, _) => a.symbol.clone(),
                    })
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut s = side(&card.asset1_data);
            let wanted = side(&card.asset2_data);
            if !wanted.is_empty() {
                s.push_str(" ⇄ ");
                s.push_str(&wanted);
            }
            if !card.order_status.is_empty() {
                s.push_str(" · ");
                s.push_str(&card.order_status);
            }
            push_part(&mut extra, &strip_markers(&s));
        }
    }
    push_part(&mut extra, &strip_markers(&m.opensea_item_name));
    push_part(&mut extra, &strip_markers(&m.opensea_item_description));

    let body = serde_json::to_string(&Body {
        m,
        omit_contents: txt.is_some(),
    })?;
    Ok(Stored {
        body,
        txt,
        extra: (!extra.is_empty()).then_some(extra),
    })
}

/// Rebuilds a message from its row.
pub(crate) fn decode(
    id: String,
    seq: i64,
    room_id: String,
    created_at: i64,
    txt: Option<String>,
    body: &str,
) -> Result<Message, serde_json::Error> {
    let mut m: Message = serde_json::from_str(body)?;
    m.id = Some(id);
    m.seq = Some(seq);
    m.to_room_id = room_id;
    m.created_at = created_at;
    if let Some(t) = txt {
        m.msg_contents = Value::String(t);
    }
    Ok(m)
}

fn has_markers(s: &str) -> bool {
    s.contains([HIT_OPEN, HIT_CLOSE])
}

fn strip_markers(s: &str) -> std::borrow::Cow<'_, str> {
    if has_markers(s) {
        s.replace([HIT_OPEN, HIT_CLOSE], " ").into()
    } else {
        s.into()
    }
}

fn push_part(out: &mut String, part: &str) {
    let part = part.trim();
    if part.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(part);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn roundtrip(m: &Message) -> Message {
        let s = encode(m).unwrap();
        let mut back = decode(
            m.id.clone().unwrap_or_default(),
            m.seq.unwrap_or_default(),
            m.to_room_id.clone(),
            m.created_at,
            s.txt,
            &s.body,
        )
        .unwrap();
        if m.id.is_none() {
            back.id = None;
        }
        if m.seq.is_none() {
            back.seq = None;
        }
        back
    }

    #[test]
    fn text_messages_roundtrip_with_the_text_out_of_the_body() {
        let mut m = Message::text("u1", "r1", "hello there");
        m.id = Some("a".repeat(24));
        m.seq = Some(7);
        m.at_user_ids = vec!["u2".into()];
        let s = encode(&m).unwrap();
        assert_eq!(s.txt.as_deref(), Some("hello there"));
        assert!(s.extra.is_none());
        let body = s.body.clone();
        assert!(!body.contains("hello"), "{body}");
        assert!(!body.contains("opensea"), "{body}");
        assert_eq!(roundtrip(&m), m);
    }

    #[test]
    fn odd_messages_roundtrip() {
        let mut m = Message::text("u1", "r1", "");
        m.seq = Some(1);
        assert_eq!(roundtrip(&m), m);
        m.msg_contents = Value::Null;
        assert_eq!(roundtrip(&m), m);
        m.msg_contents = json!({"x": 1});
        assert_eq!(roundtrip(&m), m);
        m.msg_contents = Value::String(format!("a{HIT_OPEN}b{HIT_CLOSE}"));
        let s = encode(&m).unwrap();
        assert!(s.txt.is_none());
        assert_eq!(s.extra.as_deref(), Some("a b"));
        assert_eq!(roundtrip(&m), m);
        m.msg_type = "future".into();
        m.is_thread = true;
        m.created_at = 0;
        assert_eq!(roundtrip(&m), m);
    }

    #[test]
    fn the_body_knows_every_field_of_message() {
        let m = Message {
            id: Some("i".into()),
            seq: Some(1),
            client_msg_id: Some("c".into()),
            // (The extensions are left out of the JSON at their defaults.)
            edited_at: 1,
            deleted: true,
            rev: 1,
            reactions: vec![Default::default()],
            ..Default::default()
        };
        let Value::Object(map) = serde_json::to_value(&m).unwrap() else {
            panic!("an object")
        };
        let mut fields: Vec<&str> = map.keys().map(String::as_str).collect();
        fields.retain(|k| !["id", "seq", "to_room_id", "created_at"].contains(k));
        fields.sort_unstable();
        let mut known = BODY_FIELDS.to_vec();
        known.sort_unstable();
        assert_eq!(
            fields, known,
            "a field was added to Message: store it in codec::Body"
        );
    }

    #[test]
    fn every_field_roundtrips() {
        let m = Message {
            id: Some("i".into()),
            seq: Some(3),
            client_msg_id: Some(String::new()),
            from_uid: "f".into(),
            to_room_id: "r".into(),
            msg_type: "text".into(),
            msg_contents: json!("t"),
            is_thread: true,
            is_opensea_item_thread: true,
            opensea_item_contract_address: "a".into(),
            opensea_item_token_id: "b".into(),
            opensea_item_name: "c".into(),
            opensea_item_description: "d".into(),
            opensea_item_image_url: "e".into(),
            belong_to_thread_id: "g".into(),
            reply_to_msg_id: "h".into(),
            created_at: -1,
            at_user_ids: vec!["x".into(), "y".into()],
            edited_at: 7,
            deleted: true,
            rev: 9,
            reactions: vec![w3mq_protocol::Reaction {
                emoji: "👍".into(),
                count: 2,
                user_ids: vec!["x".into()],
            }],
        };
        assert_eq!(roundtrip(&m), m);
    }

    #[test]
    fn swap_cards_and_items_are_searchable() {
        let card = json!({
            "orderStatus": "OPEN", "expiryDate": "", "creatorAddress": "0x0", "jumpUrl": "https://x",
            "asset1Data": [{"address": "0x1", "type": "2", "amount": "1", "imgURL": "https://i", "name": "Bored Ape", "symbol": "BAYC"}],
            "asset2Data": [{"address": "0x2", "type": "1", "amount": "3", "imgURL": "https://i", "name": "Wrapped Ether", "symbol": "WETH"}]
        });
        let m = Message {
            msg_type: "sudo_swap_card".into(),
            msg_contents: Value::String(card.to_string()),
            opensea_item_name: "Azuki #1".into(),
            ..Default::default()
        };
        let s = encode(&m).unwrap();
        assert!(s.txt.is_none());
        assert_eq!(
            s.extra.as_deref(),
            Some("Bored Ape (BAYC) ⇄ Wrapped Ether (WETH) · OPEN\nAzuki #1")
        );
        assert_eq!(roundtrip(&m), m);
    }
}
