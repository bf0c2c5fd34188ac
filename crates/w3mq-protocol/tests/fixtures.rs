//! Every file of `shared/fixtures/` against the wire types and the stateless
//! acceptance rules, then hostile variants of each message fixture, each with
//! the exact [`Rejection`] it must get (or the exact normalization it must
//! undergo when it is accepted).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Map, Value};
use w3mq_protocol::validate::check_swap_card;
use w3mq_protocol::{
    now_nanos, validate_message, Message, MsgContents, Rejection, Room, SwapCard,
    MAX_CLIENT_MSG_ID_LEN, MAX_PAYLOAD_BYTES,
};

/// `shared/fixtures/`, beside the repository.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");

/// Seed 000's message fields, in the seed's (and [`Message`]'s) order.
const SEED_FIELDS: [&str; 15] = [
    "from_uid",
    "to_room_id",
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
    "created_at",
    "at_user_ids",
];

/// A user id that is nobody in the fixtures.
const OTHER_USER: &str = "61f1006d604cc5be5f7a3c2e";
const OTHER_USER_2: &str = "61f1006d604cc5be5f7a3c2f";
const SOME_MSG: &str = "62a1b2c3d4e5f60718293a4b";

/// Asserts that `$res` is `Err` matching `$pat` whose `code()` is `$code`.
macro_rules! assert_rejected {
    ($res:expr, $pat:pat, $code:literal, $($ctx:tt)+) => {{
        let ctx = format!($($ctx)+);
        match $res {
            Ok(m) => panic!("{ctx}: accepted, expected {}: {m:?}", stringify!($pat)),
            Err(r) => {
                assert!(
                    matches!(r, $pat),
                    "{ctx}: got {r:?}, expected {}",
                    stringify!($pat)
                );
                assert_eq!(r.code(), $code, "{ctx}: code of {r:?}");
                assert!(
                    Rejection::ALL_CODES.contains(&r.code()),
                    "{ctx}: {} is not in ALL_CODES",
                    r.code()
                );
                assert!(!r.to_string().is_empty(), "{ctx}: empty reason");
            }
        }
    }};
}

// ---------------------------------------------------------------- helpers

/// Every file of the fixture directory, sorted by name. Panics when the
/// directory is missing or empty, or holds a subdirectory (whose files no
/// check would see).
fn fixture_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(FIXTURES);
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("fixture directory {} unreadable: {e}", dir.display()));
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.expect("directory entry");
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !path.is_dir(),
            "{name}: subdirectories of the fixtures are not checked"
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        files.push((name, bytes));
    }
    assert!(
        !files.is_empty(),
        "fixture directory {} is empty",
        dir.display()
    );
    files.sort();
    files
}

fn is_message_fixture(name: &str) -> bool {
    name.starts_with("message_") && name.ends_with(".json")
}

/// The `message_*.json` fixtures, parsed as JSON objects.
fn message_fixtures() -> Vec<(String, Value)> {
    let out: Vec<(String, Value)> = fixture_files()
        .into_iter()
        .filter(|(name, _)| is_message_fixture(name))
        .map(|(name, bytes)| {
            let v: Value =
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
            assert!(v.is_object(), "{name}: not a JSON object");
            (name, v)
        })
        .collect();
    assert!(!out.is_empty(), "no message_*.json fixture");
    out
}

fn publisher(v: &Value) -> String {
    v["from_uid"]
        .as_str()
        .expect("fixture has a from_uid string")
        .to_owned()
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("serializable")
}

/// `v` changed by `f`.
fn with(v: &Value, f: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let mut v = v.clone();
    f(v.as_object_mut().expect("object"));
    v
}

/// `v` with its swap card (an object in `msg_contents`) changed by `f`.
fn with_card(v: &Value, f: impl FnOnce(&mut Map<String, Value>)) -> Value {
    with(v, |m| {
        f(m.get_mut("msg_contents")
            .and_then(Value::as_object_mut)
            .expect("msg_contents is an object"))
    })
}

/// `v` with the first asset of `asset1Data` changed by `f`.
fn with_asset(v: &Value, f: impl FnOnce(&mut Map<String, Value>)) -> Value {
    with_card(v, |c| {
        f(c.get_mut("asset1Data")
            .and_then(|a| a.get_mut(0))
            .and_then(Value::as_object_mut)
            .expect("asset1Data[0] is an object"))
    })
}

/// Validates `v` as published by its own `from_uid`.
fn check(v: &Value) -> Result<Message, Rejection> {
    validate_message(&bytes(v), &publisher(v))
}

fn accept(name: &str, what: &str, v: &Value) -> Message {
    check(v).unwrap_or_else(|r| panic!("{name}: {what}: rejected: {r} ({})", r.code()))
}

/// The fixtures whose `msg_type` is `kind`; at least one must exist.
fn of_type(kind: &str) -> Vec<(String, Value)> {
    let out: Vec<_> = message_fixtures()
        .into_iter()
        .filter(|(_, v)| v["msg_type"] == kind)
        .collect();
    assert!(!out.is_empty(), "no message fixture of type {kind}");
    out
}

/// A serialized message parsed back, to show a value survives the wire.
fn reparse(m: &Message) -> Message {
    serde_json::from_slice(&serde_json::to_vec(m).unwrap()).unwrap()
}

// ---------------------------------------------------------------- the fixtures as they are

fn check_message_fixture(name: &str, raw: &[u8]) {
    let original: Value =
        serde_json::from_slice(raw).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
    for f in SEED_FIELDS {
        assert!(original.get(f).is_some(), "{name}: lacks seed field {f}");
    }
    let parsed: Message =
        serde_json::from_slice(raw).unwrap_or_else(|e| panic!("{name}: not a Message: {e}"));
    assert_eq!(
        serde_json::to_value(&parsed).unwrap(),
        original,
        "{name}: a field was lost or changed by the serde round trip"
    );

    let accepted = validate_message(raw, &publisher(&original))
        .unwrap_or_else(|r| panic!("{name}: rejected: {r} ({})", r.code()));
    assert_eq!(
        accepted, parsed,
        "{name}: validation changed a message that needed no normalization"
    );
    assert_eq!(reparse(&accepted), accepted, "{name}: accepted round trip");

    match accepted.contents() {
        Some(MsgContents::Text(t)) => {
            assert_eq!(original["msg_type"], "text", "{name}");
            assert_eq!(original["msg_contents"], Value::String(t), "{name}");
        }
        Some(MsgContents::SudoSwapCard(card)) => {
            assert_eq!(original["msg_type"], "sudo_swap_card", "{name}");
            assert_eq!(
                serde_json::to_value(&*card).unwrap(),
                original["msg_contents"],
                "{name}: swap card round trip"
            );
        }
        None => panic!("{name}: contents do not fit msg_type"),
    }
}

fn check_swap_card_fixture(name: &str, raw: &[u8]) {
    let original: Value = serde_json::from_slice(raw).unwrap();
    let card: SwapCard =
        serde_json::from_slice(raw).unwrap_or_else(|e| panic!("{name}: not a SwapCard: {e}"));
    check_swap_card(&card).unwrap_or_else(|r| panic!("{name}: rejected: {r}"));
    assert_eq!(
        serde_json::to_value(&card).unwrap(),
        original,
        "{name}: a field was lost or changed by the serde round trip"
    );
    assert!(!card.asset1_data.is_empty() && !card.asset2_data.is_empty());
}

/// A user as the server sends it, without the `avatar_url` extension (which
/// seed 001 does not have), must be exactly the seed's object.
fn seed_user(name: &str, what: &str, u: &w3mq_protocol::User) -> Value {
    let mut v = serde_json::to_value(u).unwrap();
    let avatar = v
        .as_object_mut()
        .unwrap()
        .remove("avatar_url")
        .unwrap_or_else(|| panic!("{name}: {what}: no avatar_url"));
    assert_eq!(avatar, "", "{name}: {what}: avatar_url invented");
    v
}

fn check_room_fixture(name: &str, raw: &[u8]) {
    let original: Value = serde_json::from_slice(raw).unwrap();
    let room: Room =
        serde_json::from_slice(raw).unwrap_or_else(|e| panic!("{name}: not a Room: {e}"));

    let file_members = original["members"].as_array().expect("members array");
    assert!(!file_members.is_empty(), "{name}: no members to compare");
    assert_eq!(room.members.len(), file_members.len(), "{name}: members");
    for (i, (m, f)) in room.members.iter().zip(file_members).enumerate() {
        assert_eq!(&seed_user(name, "member", m), f, "{name}: member {i}");
    }
    assert_eq!(
        seed_user(name, "creator", &room.creator),
        original["creator"],
        "{name}: creator"
    );

    // Every other field of the file too; `last_msg_time` is the one addition.
    let mut out = serde_json::to_value(&room).unwrap();
    let o = out.as_object_mut().unwrap();
    assert_eq!(o.remove("last_msg_time"), Some(json!(0)), "{name}");
    o.insert("creator".into(), original["creator"].clone());
    o.insert("members".into(), original["members"].clone());
    assert_eq!(out, original, "{name}: room fields");
}

#[test]
fn every_fixture_file_is_checked() {
    let files = fixture_files();
    let mut seen = BTreeSet::new();
    for (name, raw) in &files {
        if is_message_fixture(name) {
            check_message_fixture(name, raw);
        } else {
            match name.as_str() {
                "sudo_swap_card.json" => check_swap_card_fixture(name, raw),
                "room_info.json" => check_room_fixture(name, raw),
                other => panic!("no check for fixture {other}: add one to tests/fixtures.rs"),
            }
        }
        seen.insert(name.as_str());
    }
    for required in ["sudo_swap_card.json", "room_info.json"] {
        assert!(seen.contains(required), "fixture {required} is missing");
    }
    assert!(seen.iter().any(|n| is_message_fixture(n)));
}

#[test]
fn rejection_codes_are_complete_and_distinct() {
    let all = [
        Rejection::PayloadTooLarge(1),
        Rejection::MalformedJson(String::new()),
        Rejection::FromMismatch,
        Rejection::InvalidRoomId,
        Rejection::UnknownMsgType(String::new()),
        Rejection::InvalidContents(String::new()),
        Rejection::InvalidAddress("a"),
        Rejection::InvalidUrl("u"),
        Rejection::InvalidTokenId,
        Rejection::InvalidReference("r"),
        Rejection::InvalidClientMsgId,
        Rejection::NotMember,
        Rejection::ThreadNotFound,
        Rejection::ReplyNotFound,
        Rejection::RateLimited,
        Rejection::TimedOut,
    ];
    let codes: BTreeSet<&str> = all.iter().map(Rejection::code).collect();
    assert_eq!(codes.len(), all.len(), "two variants share a code");
    let listed: BTreeSet<&str> = Rejection::ALL_CODES.iter().copied().collect();
    assert_eq!(
        listed.len(),
        Rejection::ALL_CODES.len(),
        "ALL_CODES repeats"
    );
    assert_eq!(codes, listed);
}

// ---------------------------------------------------------------- size

#[test]
fn payload_limit_is_64_kib_inclusive() {
    assert_eq!(MAX_PAYLOAD_BYTES, 65_536);
    for (name, v) in message_fixtures() {
        let p = publisher(&v);

        // Padding inside a free text field: exactly 64 KiB is a valid message.
        let empty = with(&v, |m| {
            m.insert("opensea_item_description".into(), json!(""));
        });
        let pad = MAX_PAYLOAD_BYTES - bytes(&empty).len();
        let exact = with(&v, |m| {
            m.insert("opensea_item_description".into(), json!("a".repeat(pad)));
        });
        assert_eq!(bytes(&exact).len(), MAX_PAYLOAD_BYTES);
        let m = accept(&name, "exactly 64 KiB", &exact);
        assert_eq!(m.opensea_item_description.len(), pad, "{name}");

        let over = with(&v, |m| {
            m.insert(
                "opensea_item_description".into(),
                json!("a".repeat(pad + 1)),
            );
        });
        assert_rejected!(
            check(&over),
            Rejection::PayloadTooLarge(65_537),
            "payload_too_large",
            "{name}: 64 KiB + 1 in a field"
        );

        // Padding with JSON whitespace after the object.
        let mut ws = bytes(&v);
        ws.resize(MAX_PAYLOAD_BYTES, b' ');
        let m = validate_message(&ws, &p)
            .unwrap_or_else(|r| panic!("{name}: whitespace-padded 64 KiB rejected: {r}"));
        assert_eq!(m.to_room_id, v["to_room_id"], "{name}");
        ws.push(b' ');
        assert_rejected!(
            validate_message(&ws, &p),
            Rejection::PayloadTooLarge(65_537),
            "payload_too_large",
            "{name}: whitespace-padded 64 KiB + 1"
        );
    }
    // The size is checked before anything is parsed.
    assert_rejected!(
        validate_message(&vec![b'x'; 10 << 20], OTHER_USER),
        Rejection::PayloadTooLarge(10_485_760),
        "payload_too_large",
        "10 MiB of garbage"
    );
}

// ---------------------------------------------------------------- shape

#[test]
fn malformed_json_is_rejected() {
    for (name, v) in message_fixtures() {
        let p = publisher(&v);
        let raw = bytes(&v);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("truncated", raw[..raw.len() - 1].to_vec()),
            ("trailing garbage", [&raw[..], b"x"].concat()),
            ("two objects", [&raw[..], &raw[..]].concat()),
            ("empty payload", Vec::new()),
            ("whitespace only", b"  \n ".to_vec()),
            ("single quotes", b"{'from_uid': 'x'}".to_vec()),
            (
                "invalid UTF-8 in a string",
                [
                    &b"{\"msg_type\":\"text\",\"msg_contents\":\""[..],
                    b"\xff\xfe\"}",
                ]
                .concat(),
            ),
            ("NaN", b"{\"created_at\": NaN}".to_vec()),
            (
                "nesting deeper than the parser allows",
                format!(
                    "{{\"msg_contents\":{}{}}}",
                    "[".repeat(20_000),
                    "]".repeat(20_000)
                )
                .into_bytes(),
            ),
        ];
        for (what, payload) in cases {
            assert_rejected!(
                validate_message(&payload, &p),
                Rejection::MalformedJson(_),
                "malformed_json",
                "{name}: {what}"
            );
        }

        // Fields of the wrong JSON type.
        for (field, bad) in [
            ("msg_type", json!(1)),
            ("to_room_id", json!(5)),
            ("from_uid", json!([p.clone()])),
            ("at_user_ids", json!(OTHER_USER)),
            ("created_at", json!("1653400377")),
            ("is_thread", json!("yes")),
            ("client_msg_id", json!(12)),
        ] {
            let bad_v = with(&v, |m| {
                m.insert(field.into(), bad.clone());
            });
            assert_rejected!(
                validate_message(&bytes(&bad_v), &p),
                Rejection::MalformedJson(_),
                "malformed_json",
                "{name}: {field} = {bad}"
            );
        }
    }
}

#[test]
fn a_reason_quoting_hostile_input_is_cut_safely() {
    // serde_json quotes the offending string in its error; the reason is cut
    // to 200 bytes, which must not split a multi-byte character (that panics).
    for (name, v) in message_fixtures() {
        for ch in ["€", "ж", "👩‍👩‍👧", "\u{202E}"] {
            for n in 60..70 {
                let bad = with(&v, |m| {
                    m.insert("at_user_ids".into(), json!(ch.repeat(n)));
                });
                let r = check(&bad);
                assert_rejected!(
                    r.clone(),
                    Rejection::MalformedJson(_),
                    "malformed_json",
                    "{name}: at_user_ids = {ch} x {n}"
                );
                let Err(Rejection::MalformedJson(reason)) = r else {
                    unreachable!()
                };
                assert!(
                    reason.len() <= 200,
                    "{name}: reason of {} bytes",
                    reason.len()
                );
            }
        }
    }
}

#[test]
fn json_that_is_not_an_object_is_rejected() {
    for (name, v) in message_fixtures() {
        let p = publisher(&v);
        // The same message as an array in field order: serde would take it
        // positionally if nothing stopped it.
        let mut positional = vec![Value::Null, Value::Null, Value::Null];
        positional.extend(SEED_FIELDS.iter().map(|f| v[*f].clone()));
        let cases = [
            ("array holding the message", json!([v.clone()])),
            ("array of the fields in order", Value::Array(positional)),
            ("empty array", json!([])),
            ("number", json!(42)),
            ("float", json!(1.5)),
            ("string", json!("gm")),
            ("string holding the message", Value::String(v.to_string())),
            ("null", Value::Null),
            ("boolean", json!(true)),
        ];
        for (what, payload) in cases {
            assert_rejected!(
                validate_message(&bytes(&payload), &p),
                Rejection::MalformedJson(_),
                "malformed_json",
                "{name}: {what}"
            );
        }
    }
    // An empty object is an object: it fails on its missing room instead.
    assert_rejected!(
        validate_message(b"{}", OTHER_USER),
        Rejection::InvalidRoomId,
        "invalid_room_id",
        "empty object"
    );
}

#[test]
fn unknown_msg_type_is_rejected() {
    for (name, v) in message_fixtures() {
        for t in ["image", "", "TEXT", "Text", "sudo_swap_card ", "text\0"] {
            let bad = with(&v, |m| {
                m.insert("msg_type".into(), json!(t));
            });
            assert_eq!(
                check(&bad),
                Err(Rejection::UnknownMsgType(t.into())),
                "{name}: {t:?}"
            );
            assert_eq!(check(&bad).unwrap_err().code(), "unknown_msg_type");
        }
        let missing = with(&v, |m| {
            m.remove("msg_type");
        });
        assert_rejected!(
            check(&missing),
            Rejection::UnknownMsgType(_),
            "unknown_msg_type",
            "{name}: no msg_type"
        );
        // A long type is quoted cut to 64 bytes, on a character boundary.
        for n in 20..26 {
            let long = "€".repeat(n);
            let bad = with(&v, |m| {
                m.insert("msg_type".into(), json!(long));
            });
            match check(&bad) {
                Err(Rejection::UnknownMsgType(t)) => {
                    if long.len() <= 64 {
                        assert_eq!(t, long, "{name}: short type cut");
                    } else {
                        assert!(long.starts_with(&t), "{name}: {t:?}");
                        assert!((62..=64).contains(&t.len()), "{name}: cut to {}", t.len());
                    }
                }
                other => panic!("{name}: {n} x €: {other:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------- contents

#[test]
fn text_contents_must_be_a_non_empty_string() {
    for (name, v) in of_type("text") {
        for (what, bad) in [
            ("empty text", json!("")),
            ("a number", json!(42)),
            ("a float", json!(4.2)),
            ("a boolean", json!(true)),
            ("null", Value::Null),
            ("an object", json!({"text": "gm"})),
            ("an array", json!(["gm"])),
        ] {
            let bad_v = with(&v, |m| {
                m.insert("msg_contents".into(), bad);
            });
            assert_rejected!(
                check(&bad_v),
                Rejection::InvalidContents(_),
                "invalid_contents",
                "{name}: text as {what}"
            );
        }
        let missing = with(&v, |m| {
            m.remove("msg_contents");
        });
        assert_rejected!(
            check(&missing),
            Rejection::InvalidContents(_),
            "invalid_contents",
            "{name}: no msg_contents"
        );
        // One space is text.
        let m = accept(
            &name,
            "a space",
            &with(&v, |m| {
                m.insert("msg_contents".into(), json!(" "));
            }),
        );
        assert_eq!(m.msg_contents, " ");
    }
}

#[test]
fn swap_card_fields_are_checked() {
    for (name, v) in of_type("sudo_swap_card") {
        let bad_hex = "0x0f4dc815bccd5da44e6ba06140c710813078510g";
        for (what, bad) in [
            (
                "creatorAddress too short",
                with_card(&v, |c| {
                    c.insert("creatorAddress".into(), json!("0x0f4dc815bc"));
                }),
            ),
            (
                "creatorAddress not hex",
                with_card(&v, |c| {
                    c.insert("creatorAddress".into(), json!(bad_hex));
                }),
            ),
            (
                "creatorAddress without 0x",
                with_card(&v, |c| {
                    c.insert(
                        "creatorAddress".into(),
                        json!("000f4dc815bccd5da44e6ba06140c710813078510d"),
                    );
                }),
            ),
            (
                "creatorAddress empty",
                with_card(&v, |c| {
                    c.insert("creatorAddress".into(), json!(""));
                }),
            ),
        ] {
            assert_rejected!(
                check(&bad),
                Rejection::InvalidAddress("creatorAddress"),
                "invalid_address",
                "{name}: {what}"
            );
        }
        let bad = with_card(&v, |c| {
            c.insert("recipientAddress".into(), json!("vitalik.eth"));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidAddress("recipientAddress"),
            "invalid_address",
            "{name}: recipientAddress an ENS name"
        );
        let bad = with_asset(&v, |a| {
            a.insert("address".into(), json!(bad_hex));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidAddress("asset address"),
            "invalid_address",
            "{name}: asset1Data[0].address"
        );
        let bad = with_card(&v, |c| {
            let a = c["asset2Data"][0].as_object_mut().unwrap();
            a.insert("address".into(), json!("0x"));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidAddress("asset address"),
            "invalid_address",
            "{name}: asset2Data[0].address"
        );

        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "//evil.example/x",
            "",
        ] {
            let bad = with_card(&v, |c| {
                c.insert("jumpUrl".into(), json!(url));
            });
            assert_rejected!(
                check(&bad),
                Rejection::InvalidUrl("jumpUrl"),
                "invalid_url",
                "{name}: jumpUrl {url}"
            );
        }
        for url in [
            "data:image/png;base64,iVBORw0KGgo=",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            let bad = with_asset(&v, |a| {
                a.insert("imgURL".into(), json!(url));
            });
            assert_rejected!(
                check(&bad),
                Rejection::InvalidUrl("imgURL"),
                "invalid_url",
                "{name}: imgURL {url}"
            );
        }
    }
}

#[test]
fn swap_card_shape_is_checked() {
    for (name, v) in of_type("sudo_swap_card") {
        for field in [
            "orderStatus",
            "expiryDate",
            "creatorAddress",
            "jumpUrl",
            "asset1Data",
            "asset2Data",
        ] {
            let bad = with_card(&v, |c| {
                assert!(c.remove(field).is_some(), "{name}: card has no {field}");
            });
            assert_rejected!(
                check(&bad),
                Rejection::InvalidContents(_),
                "invalid_contents",
                "{name}: card without {field}"
            );
        }
        for field in ["address", "type", "amount", "imgURL", "name", "symbol"] {
            let bad = with_asset(&v, |a| {
                assert!(a.remove(field).is_some(), "{name}: asset has no {field}");
            });
            assert_rejected!(
                check(&bad),
                Rejection::InvalidContents(_),
                "invalid_contents",
                "{name}: asset without {field}"
            );
        }
        // The optional ones.
        let m = accept(
            &name,
            "no recipientAddress",
            &with_card(&v, |c| {
                c.remove("recipientAddress");
            }),
        );
        let Some(MsgContents::SudoSwapCard(card)) = m.contents() else {
            panic!("{name}: contents lost");
        };
        assert_eq!(card.recipient_address, "");

        let card_obj = v["msg_contents"].clone();
        let expected: SwapCard = serde_json::from_value(card_obj.clone()).unwrap();

        // A JSON string holding the card object is accepted.
        let as_string = with(&v, |m| {
            m.insert("msg_contents".into(), Value::String(card_obj.to_string()));
        });
        let m = accept(&name, "card as a JSON string", &as_string);
        assert_eq!(
            m.contents(),
            Some(MsgContents::SudoSwapCard(Box::new(expected.clone()))),
            "{name}"
        );
        // ... and the string is checked like the object.
        let bad_in_string = with(&v, |m| {
            let mut c = card_obj.clone();
            c["jumpUrl"] = json!("javascript:alert(1)");
            m.insert("msg_contents".into(), Value::String(c.to_string()));
        });
        assert_rejected!(
            check(&bad_in_string),
            Rejection::InvalidUrl("jumpUrl"),
            "invalid_url",
            "{name}: bad jumpUrl inside a string card"
        );

        for (what, bad) in [
            ("a string holding garbage", json!("{not json")),
            ("a string holding an array", json!("[1,2]")),
            ("a string holding a string", json!("\"x\"")),
            ("plain text", json!("gm")),
            ("an empty string", json!("")),
            ("an empty object", json!({})),
            ("an array", json!([card_obj.clone()])),
            ("a number", json!(7)),
            ("null", Value::Null),
        ] {
            let bad_v = with(&v, |m| {
                m.insert("msg_contents".into(), bad);
            });
            assert_rejected!(
                check(&bad_v),
                Rejection::InvalidContents(_),
                "invalid_contents",
                "{name}: card as {what}"
            );
        }
    }
}

#[test]
fn sudo_swap_card_fixture_rejects_bad_fields_directly() {
    let raw = std::fs::read(format!("{FIXTURES}/sudo_swap_card.json")).expect("fixture");
    let card: SwapCard = serde_json::from_slice(&raw).unwrap();
    check_swap_card(&card).unwrap();

    let mut c = card.clone();
    c.creator_address = "0xabc".into();
    assert_eq!(
        check_swap_card(&c),
        Err(Rejection::InvalidAddress("creatorAddress"))
    );
    let mut c = card.clone();
    c.jump_url = "javascript:alert(1)".into();
    assert_eq!(check_swap_card(&c), Err(Rejection::InvalidUrl("jumpUrl")));
    let mut c = card.clone();
    c.asset2_data[0].img_url = "data:image/png;base64,AAAA".into();
    assert_eq!(check_swap_card(&c), Err(Rejection::InvalidUrl("imgURL")));
    let mut c = card;
    c.asset2_data[0].address = "0x9df8aa7c681f33e442a0d57b838555da863504f".into();
    assert_eq!(
        check_swap_card(&c),
        Err(Rejection::InvalidAddress("asset address"))
    );
}

// ---------------------------------------------------------------- OpenSea items

#[test]
fn opensea_item_fields_are_checked() {
    let items: Vec<_> = message_fixtures()
        .into_iter()
        .filter(|(_, v)| v["is_opensea_item_thread"] == true)
        .collect();
    assert!(!items.is_empty(), "no OpenSea item thread fixture");
    for (name, v) in items {
        for addr in [
            "",
            "0x9df8aa7c681f33e442a0d57b838555da863504f",
            "0x9df8aa7c681f33e442a0d57b838555da863504fz",
            "9df8aa7c681f33e442a0d57b838555da863504f3",
            "pixelated-llama",
        ] {
            let bad = with(&v, |m| {
                m.insert("opensea_item_contract_address".into(), json!(addr));
            });
            assert_rejected!(
                check(&bad),
                Rejection::InvalidAddress("opensea_item_contract_address"),
                "invalid_address",
                "{name}: contract address {addr:?}"
            );
        }
        for token in ["", "0x43e", "12a", "-1", "1.5", "1e3", " 1086", "١٠٨٦"] {
            let bad = with(&v, |m| {
                m.insert("opensea_item_token_id".into(), json!(token));
            });
            assert_rejected!(
                check(&bad),
                Rejection::InvalidTokenId,
                "invalid_token_id",
                "{name}: token id {token:?}"
            );
        }
        // A uint256 has at most 78 digits.
        let max = "1".repeat(78);
        let m = accept(
            &name,
            "78-digit token id",
            &with(&v, |m| {
                m.insert("opensea_item_token_id".into(), json!(max));
            }),
        );
        assert_eq!(m.opensea_item_token_id, max);
        let bad = with(&v, |m| {
            m.insert("opensea_item_token_id".into(), json!("1".repeat(79)));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidTokenId,
            "invalid_token_id",
            "{name}: 79-digit token id"
        );
    }

    // Every message: a non-empty item image URL must be http(s), and item
    // fields that are given at all must be well formed.
    for (name, v) in message_fixtures() {
        for url in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
        ] {
            let bad = with(&v, |m| {
                m.insert("opensea_item_image_url".into(), json!(url));
            });
            assert_rejected!(
                check(&bad),
                Rejection::InvalidUrl("opensea_item_image_url"),
                "invalid_url",
                "{name}: image url {url}"
            );
        }
        let bad = with(&v, |m| {
            m.insert("opensea_item_contract_address".into(), json!("0xnope"));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidAddress("opensea_item_contract_address"),
            "invalid_address",
            "{name}: contract address without the thread flag"
        );
        let bad = with(&v, |m| {
            m.insert("opensea_item_token_id".into(), json!("abc"));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidTokenId,
            "invalid_token_id",
            "{name}: token id without the thread flag"
        );
        // The thread flag demands both.
        let bad = with(&v, |m| {
            m.insert("is_opensea_item_thread".into(), json!(true));
            m.insert("opensea_item_contract_address".into(), json!(""));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidAddress("opensea_item_contract_address"),
            "invalid_address",
            "{name}: item thread without contract address"
        );
    }
}

// ---------------------------------------------------------------- sender, room, references

#[test]
fn from_uid_must_be_the_publisher_or_empty() {
    for (name, v) in message_fixtures() {
        let p = publisher(&v);
        assert_ne!(p, OTHER_USER);
        let other = with(&v, |m| {
            m.insert("from_uid".into(), json!(OTHER_USER));
        });
        assert_eq!(
            validate_message(&bytes(&other), &p).map(|_| ()),
            Err(Rejection::FromMismatch),
            "{name}"
        );
        // Published on someone else's topic.
        assert_rejected!(
            validate_message(&bytes(&v), OTHER_USER),
            Rejection::FromMismatch,
            "from_mismatch",
            "{name}: on msg/{OTHER_USER}"
        );
        for (what, m) in [
            (
                "empty",
                with(&v, |m| {
                    m.insert("from_uid".into(), json!(""));
                }),
            ),
            (
                "absent",
                with(&v, |m| {
                    m.remove("from_uid");
                }),
            ),
        ] {
            let accepted = validate_message(&bytes(&m), &p.to_ascii_uppercase())
                .unwrap_or_else(|r| panic!("{name}: from_uid {what}: {r}"));
            assert_eq!(
                accepted.from_uid, p,
                "{name}: from_uid {what} not filled in"
            );
        }
        let upper = with(&v, |m| {
            m.insert("from_uid".into(), json!(p.to_ascii_uppercase()));
        });
        assert_eq!(accept(&name, "upper-case from_uid", &upper).from_uid, p);
    }
}

#[test]
fn the_room_may_be_given_as_to() {
    for (name, v) in message_fixtures() {
        let room = v["to_room_id"].clone();
        let old = with(&v, |m| {
            m.remove("to_room_id");
            m.insert("to".into(), room.clone());
        });
        let m = accept(&name, "2022 `to` key", &old);
        assert_eq!(m.to_room_id, room, "{name}");
        let out = serde_json::to_value(&m).unwrap();
        assert_eq!(out["to_room_id"], room, "{name}: stored under to_room_id");
        assert!(out.get("to").is_none(), "{name}: `to` written back");
        // `to` is checked like `to_room_id`.
        let bad = with(&v, |m| {
            m.remove("to_room_id");
            m.insert("to".into(), json!("room id"));
        });
        assert_rejected!(
            check(&bad),
            Rejection::InvalidRoomId,
            "invalid_room_id",
            "{name}: bad `to`"
        );
    }
}

#[test]
fn to_room_id_must_be_an_object_id() {
    for (name, v) in message_fixtures() {
        let room = v["to_room_id"].as_str().unwrap().to_owned();
        for bad in [
            "room id".to_owned(),
            String::new(),
            room[..23].to_owned(),
            format!("{room}0"),
            format!("{}g", &room[..23]),
            format!("{room}/x"),
            format!("../{room}"),
            "+".into(),
            "#".into(),
        ] {
            let bad_v = with(&v, |m| {
                m.insert("to_room_id".into(), json!(bad));
            });
            assert_rejected!(
                check(&bad_v),
                Rejection::InvalidRoomId,
                "invalid_room_id",
                "{name}: to_room_id {bad:?}"
            );
        }
        let missing = with(&v, |m| {
            m.remove("to_room_id");
        });
        assert_rejected!(
            check(&missing),
            Rejection::InvalidRoomId,
            "invalid_room_id",
            "{name}: no to_room_id"
        );
        let upper = with(&v, |m| {
            m.insert("to_room_id".into(), json!(room.to_ascii_uppercase()));
        });
        assert_eq!(accept(&name, "upper-case room", &upper).to_room_id, room);
    }
}

#[test]
fn references_must_be_object_ids() {
    for (name, v) in message_fixtures() {
        for field in ["belong_to_thread_id", "reply_to_msg_id"] {
            for bad in ["thread", "msg-1", &SOME_MSG[..23], "0x1234", " "] {
                let bad_v = with(&v, |m| {
                    m.insert(field.into(), json!(bad));
                });
                match check(&bad_v) {
                    Err(r) => {
                        assert_eq!(r, Rejection::InvalidReference(field), "{name}: {bad:?}");
                        assert_eq!(r.code(), "invalid_reference");
                    }
                    Ok(_) => panic!("{name}: {field} = {bad:?} accepted"),
                }
            }
            let ok = with(&v, |m| {
                m.insert(field.into(), json!(SOME_MSG.to_ascii_uppercase()));
            });
            let m = accept(&name, field, &ok);
            let got = if field == "reply_to_msg_id" {
                m.reply_to_msg_id
            } else {
                m.belong_to_thread_id
            };
            assert_eq!(got, SOME_MSG, "{name}: {field} lowercased");
        }
    }
}

// ---------------------------------------------------------------- client fields

#[test]
fn client_msg_id_is_1_to_64_characters() {
    assert_eq!(MAX_CLIENT_MSG_ID_LEN, 64);
    for (name, v) in message_fixtures() {
        for ok in ["a".repeat(64), "€".repeat(64), "x".into(), "c-1".into()] {
            let m = accept(
                &name,
                "client_msg_id",
                &with(&v, |m| {
                    m.insert("client_msg_id".into(), json!(ok));
                }),
            );
            assert_eq!(m.client_msg_id.as_deref(), Some(ok.as_str()), "{name}");
            assert_eq!(reparse(&m).client_msg_id, m.client_msg_id);
        }
        for bad in ["a".repeat(65), "€".repeat(65), String::new()] {
            let bad_v = with(&v, |m| {
                m.insert("client_msg_id".into(), json!(bad));
            });
            assert_rejected!(
                check(&bad_v),
                Rejection::InvalidClientMsgId,
                "invalid_client_msg_id",
                "{name}: client_msg_id of {} chars",
                bad.chars().count()
            );
        }
        // Absent and null mean none.
        assert_eq!(accept(&name, "fixture", &v).client_msg_id, None);
        let null = with(&v, |m| {
            m.insert("client_msg_id".into(), Value::Null);
        });
        assert_eq!(
            accept(&name, "null client_msg_id", &null).client_msg_id,
            None
        );
    }
}

#[test]
fn at_user_ids_are_reduced_to_distinct_object_ids() {
    for (name, v) in message_fixtures() {
        let at = json!([
            OTHER_USER,
            OTHER_USER.to_ascii_uppercase(),
            "garbage",
            "",
            "@vitalik",
            "user id",
            &OTHER_USER[..23],
            format!("{OTHER_USER}0"),
            "<script>alert(1)</script>",
            OTHER_USER_2,
            OTHER_USER,
            OTHER_USER_2.to_ascii_uppercase(),
        ]);
        let m = accept(
            &name,
            "at_user_ids",
            &with(&v, |m| {
                m.insert("at_user_ids".into(), at);
            }),
        );
        assert_eq!(m.at_user_ids, vec![OTHER_USER, OTHER_USER_2], "{name}");

        let only_garbage = with(&v, |m| {
            m.insert("at_user_ids".into(), json!(["x", "y", ""]));
        });
        assert!(accept(&name, "garbage at", &only_garbage)
            .at_user_ids
            .is_empty());
        let absent = with(&v, |m| {
            m.remove("at_user_ids");
        });
        assert!(accept(&name, "no at", &absent).at_user_ids.is_empty());
    }
}

#[test]
fn created_at_is_normalized_to_nanoseconds() {
    for (name, v) in message_fixtures() {
        let at = |t: Value| {
            accept(
                &name,
                &format!("created_at {t}"),
                &with(&v, |m| {
                    m.insert("created_at".into(), t.clone());
                }),
            )
            .created_at
        };
        assert_eq!(
            at(json!(1_653_400_377)),
            1_653_400_377_000_000_000,
            "{name}: s"
        );
        assert_eq!(
            at(json!(1_653_400_377_500_i64)),
            1_653_400_377_500_000_000,
            "{name}: ms"
        );
        assert_eq!(
            at(json!(1_653_400_377_500_123_i64)),
            1_653_400_377_500_123_000,
            "{name}: µs"
        );
        assert_eq!(
            at(json!(1_653_400_377_500_123_456_i64)),
            1_653_400_377_500_123_456,
            "{name}: ns"
        );
        // Floats (Python's time.time()) keep their fraction, to within the
        // precision of an f64.
        for (t, want) in [
            (json!(1_653_400_377.25), 1_653_400_377_250_000_000_i64),
            (json!(1_653_400_377.123_456), 1_653_400_377_123_456_000),
            (json!(1_653_400_377_500.5), 1_653_400_377_500_500_000),
            (json!(1.653_400_377e9), 1_653_400_377_000_000_000),
        ] {
            let got = at(t.clone());
            assert!(
                (got - want).abs() < 1_000,
                "{name}: float {t}: got {got}, want {want}"
            );
        }
        // Zero, negative, null or absent: the server's time.
        for t in [json!(0), json!(-5), json!(-1.5), json!(0.0), Value::Null] {
            let before = now_nanos();
            let got = at(t.clone());
            let after = now_nanos();
            assert!(
                before <= got && got <= after,
                "{name}: created_at {t}: {got} not in [{before}, {after}]"
            );
        }
        let before = now_nanos();
        let got = accept(
            &name,
            "no created_at",
            &with(&v, |m| {
                m.remove("created_at");
            }),
        )
        .created_at;
        assert!(before <= got && got <= now_nanos(), "{name}: absent");
    }
}

#[test]
fn client_supplied_id_and_seq_are_cleared() {
    for (name, v) in message_fixtures() {
        for (id, seq) in [(json!(SOME_MSG), json!(7)), (json!("x"), json!(-1))] {
            let forged = with(&v, |m| {
                m.insert("id".into(), id.clone());
                m.insert("seq".into(), seq.clone());
            });
            // The forged fields really reach the parser, so clearing them is tested.
            let parsed: Message = serde_json::from_value(forged.clone()).unwrap();
            assert!(parsed.id.is_some() && parsed.seq.is_some(), "{name}");
            let m = accept(&name, "id and seq given", &forged);
            assert_eq!(m.id, None, "{name}: id kept");
            assert_eq!(m.seq, None, "{name}: seq kept");
            let out = serde_json::to_value(&m).unwrap();
            assert!(out.get("id").is_none() && out.get("seq").is_none());
        }
    }
}

#[test]
fn booleans_are_lenient_as_2022_clients_sent_them() {
    for (name, v) in message_fixtures() {
        let flag = v["is_thread"].as_bool().unwrap();
        for (t, want) in [
            (json!(1), true),
            (json!(0), false),
            (json!("true"), true),
            (json!("false"), false),
            (Value::Null, false),
        ] {
            let m = accept(
                &name,
                "is_thread",
                &with(&v, |m| {
                    m.insert("is_thread".into(), t.clone());
                }),
            );
            assert_eq!(m.is_thread, want, "{name}: is_thread {t} (fixture {flag})");
        }
    }
}

// ---------------------------------------------------------------- hostile text

fn hostile_strings() -> Vec<String> {
    vec![
        "<script>alert(1)</script>".into(),
        "<img src=x onerror=alert(1)>".into(),
        "\u{202E}gnp.exe".into(),
        "nul\0byte".into(),
        "\0".into(),
        "ж".repeat(10_000),
        "' OR 1=1; --".into(),
        "{{7*7}}${7*7}".into(),
        "\u{FEFF}\u{200B}zero width".into(),
        "👩‍👩‍👧 \r\n\t".into(),
        "\\u0000 \"quoted\"".into(),
    ]
}

#[test]
fn hostile_text_is_stored_unchanged() {
    for (name, v) in of_type("text") {
        for s in hostile_strings() {
            let m = accept(
                &name,
                "hostile text",
                &with(&v, |m| {
                    m.insert("msg_contents".into(), json!(s));
                }),
            );
            assert_eq!(m.msg_contents, Value::String(s.clone()), "{name}");
            assert_eq!(m.contents(), Some(MsgContents::Text(s.clone())));
            assert_eq!(reparse(&m).msg_contents, Value::String(s), "{name}");
        }
    }
}

#[test]
fn hostile_item_names_are_stored_unchanged() {
    for (name, v) in message_fixtures() {
        for s in hostile_strings() {
            for field in ["opensea_item_name", "opensea_item_description"] {
                let m = accept(
                    &name,
                    field,
                    &with(&v, |m| {
                        m.insert(field.into(), json!(s));
                    }),
                );
                let back = reparse(&m);
                let (got, again) = if field == "opensea_item_name" {
                    (&m.opensea_item_name, &back.opensea_item_name)
                } else {
                    (&m.opensea_item_description, &back.opensea_item_description)
                };
                assert_eq!(got, &s, "{name}: {field}");
                assert_eq!(again, &s, "{name}: {field} after the wire");
            }
        }
    }
}

#[test]
fn null_string_fields_and_non_string_mentions_are_tolerated() {
    let raw = r#"{"from_uid": null, "to_room_id": "61f1007e604cc5be5f7a3c30", "msg_type": "text",
        "msg_contents": "hi", "reply_to_msg_id": null, "belong_to_thread_id": null,
        "opensea_item_name": null, "at_user_ids": [1, "61f1006d604cc5be5f7a3c2e", null]}"#;
    let m = w3mq_protocol::validate_message(raw.as_bytes(), "61f1006d604cc5be5f7a3c2d")
        .expect("nulls are empty");
    assert_eq!(m.from_uid, "61f1006d604cc5be5f7a3c2d");
    assert_eq!(m.reply_to_msg_id, "");
    assert_eq!(m.at_user_ids, vec!["61f1006d604cc5be5f7a3c2e".to_string()]);
    let raw = r#"{"to_room_id": "61f1007e604cc5be5f7a3c30", "msg_type": "text", "msg_contents": "hi", "at_user_ids": null}"#;
    let m = w3mq_protocol::validate_message(raw.as_bytes(), "61f1006d604cc5be5f7a3c2d")
        .expect("null list");
    assert!(m.at_user_ids.is_empty());
}
