//! Writes `ui/src/lib/fixtures.json`: what the UI's mock backend
//! (`ui/src/lib/mock.ts`) serves, made by the engine's own view code from a
//! cache holding a sample account, so the mock never re-implements text
//! splitting, previews, titles or counts. The test fails when the checked-in
//! file is stale; `W3MQ_WRITE_FIXTURES=1 cargo test -p w3mq-core --test
//! ui_fixtures` rewrites it.
//!
//! The sample: me, alice (an ENS name and a verified Twitter), bob, carol and
//! mallory (a hostile nickname); a 1v1 with alice (a link, a `javascript:`
//! string, a reply; two unread), a group (a mention of me, hostile markup, a
//! trade card, an item thread with a reply), a collection room, and an
//! unjoined public collection room read as a channel. Times are fixed
//! (`now_ms`); the mock shifts them to its own clock.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{json, Value};
use w3mq_core::cache::Cache;
use w3mq_core::channel_view::chat_message_view;
use w3mq_core::model::Cursor;
use w3mq_core::secrets::SecretStore;
use w3mq_core::view::user_view;
use w3mq_core::{Draft, Engine, EngineConfig, EnvKind, Environment};
use w3mq_protocol::chat_render::chat_message;
use w3mq_protocol::{Message, OpenSeaItem, Room, User};

/// 2026-01-01T00:00:00Z.
const NOW_MS: i64 = 1_767_225_600_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const ME: &str = "user:me";
const PUBLIC_ROOM: &str = "64b0c0ffee00000000000a9e";

/// A keychain that has a token for everyone (the engine resumes offline).
struct AnyToken;

#[async_trait]
impl SecretStore for AnyToken {
    async fn get(&self, _key: &str) -> w3mq_core::Result<Option<String>> {
        Ok(Some("fixture-token".into()))
    }
    async fn set(&self, _key: &str, _value: &str) -> w3mq_core::Result<()> {
        Ok(())
    }
    async fn delete(&self, _key: &str) -> w3mq_core::Result<()> {
        Ok(())
    }
}

fn addr(n: u32) -> String {
    format!("0x{n:040x}")
}

fn user(id: &str, nick: &str, n: u32) -> User {
    User {
        user_id: id.into(),
        nick_name: nick.into(),
        eth_wallet_address: addr(n),
        ..Default::default()
    }
}

fn people() -> Vec<User> {
    let mut alice = user("user:alice", "alice", 2);
    alice.ens_name = "alice.eth".into();
    alice.twitter_username = "alice".into();
    vec![
        user(ME, "me", 1),
        alice,
        user("user:bob", "bob", 3),
        user("user:carol", "carol", 4),
        user("user:mallory", "<img src=x onerror=alert(1)>", 5),
        user("user:zed", "zed", 6),
    ]
}

fn find(users: &[User], id: &str) -> User {
    users
        .iter()
        .find(|u| u.user_id == id)
        .cloned()
        .unwrap_or_default()
}

fn room(users: &[User], id: &str, name: &str, members: &[&str], one_to_one: bool) -> Room {
    Room {
        room_id: id.into(),
        name: name.into(),
        members: members.iter().map(|m| find(users, m)).collect(),
        creator_id: ME.into(),
        creator: find(users, ME),
        is_1v1: one_to_one,
        created_at: (NOW_MS - 500 * DAY) * 1_000_000,
        ..Default::default()
    }
}

/// Messages of one room, with fixed ids and consecutive seqs.
struct Say {
    room: String,
    n: u32,
    out: Vec<Message>,
}

impl Say {
    fn new(room: &str, n: u32) -> Say {
        Say {
            room: room.into(),
            n,
            out: Vec::new(),
        }
    }

    fn say(&mut self, from: &str, text: &str, ago_ms: i64) -> &mut Message {
        let mut m = Message::text(from, &self.room, text);
        let seq = self.out.len() as i64 + 1;
        m.id = Some(format!("64b0{:04x}{:016x}", self.n, seq));
        m.seq = Some(seq);
        m.created_at = (NOW_MS - ago_ms) * 1_000_000;
        self.out.push(m);
        self.out.last_mut().expect("just pushed")
    }

    fn id(&self, i: usize) -> String {
        self.out[i].id.clone().unwrap_or_default()
    }
}

async fn seed(cache: &Cache) -> Vec<Message> {
    let users = people();
    cache.upsert_users(&users).await.expect("users");
    let mut rooms = vec![
        room(&users, "room:alice", "", &[ME, "user:alice"], true),
        room(
            &users,
            "room:group",
            "Degen friends",
            &[ME, "user:alice", "user:bob", "user:carol", "user:mallory"],
            false,
        ),
    ];
    let mut coll = room(&users, "room:coll", "Doodles", &[ME, "user:alice"], false);
    coll.is_opensea_coll = true;
    coll.opensea_coll_name = "Doodles".into();
    coll.opensea_coll_slug = "doodles-official".into();
    coll.creator_id = "user:alice".into();
    coll.creator = find(&users, "user:alice");
    rooms.push(coll);
    for r in &rooms {
        cache.upsert_room(r).await.expect("room");
    }

    let mut dm = Say::new("room:alice", 1);
    dm.say(
        "user:alice",
        "hey! did you see the new collection?",
        2 * DAY,
    );
    dm.say(ME, "Not yet, link?", 2 * DAY - MIN);
    dm.say(
        "user:alice",
        "https://opensea.io/collection/doodles-official and javascript:alert(1)",
        2 * DAY - 90_000,
    );
    let first = dm.id(0);
    dm.say("user:alice", "looks nice", HOUR).reply_to_msg_id = first;

    let mut g = Say::new("room:group", 2);
    g.say("user:bob", "gm everyone", 2 * HOUR);
    g.say("user:carol", "gm @me, want to trade?", 2 * HOUR - 100_000)
        .at_user_ids = vec![ME.into()];
    g.say(
        "user:mallory",
        "<img src=x onerror=alert(1)> <script>alert(2)</script>",
        2 * HOUR - 200_000,
    );
    let card = g.say("user:carol", "", 2 * HOUR - 300_000);
    card.msg_type = "sudo_swap_card".into();
    card.msg_contents = json!({
        "orderStatus": "open",
        "expiryDate": "2026-01-04T00:00:00.000Z",
        "creatorAddress": addr(4),
        "recipientAddress": addr(1),
        "jumpUrl": "https://sudoswap.xyz/#/swap/123",
        "asset1Data": [{"address": addr(99), "type": "ERC721", "id": "42", "amount": "1", "imgURL": "", "name": "Doodle #42", "symbol": "DOODLE"}],
        "asset2Data": [{"address": addr(0), "type": "ETH", "amount": "1.5", "imgURL": "", "name": "Ether", "symbol": "ETH"}],
    });
    g.say("user:alice", "What do you think of this one?", 50 * MIN)
        .set_item(OpenSeaItem {
            contract_address: addr(99),
            token_id: "7".into(),
            name: "Doodle #7".into(),
            description: "A doodle".into(),
            image_url: String::new(),
        });
    let root = g.id(4);
    g.say("user:bob", "floor is rising", 48 * MIN)
        .belong_to_thread_id = root;

    let mut c = Say::new("room:coll", 3);
    c.say("user:alice", "welcome to the doodles room", 400 * DAY);

    for s in [&dm, &g, &c] {
        cache.ingest(&s.out).await.expect("ingest");
    }
    cache.mark_read("room:alice", 2).await.expect("read");
    cache.mark_read("room:group", 1).await.expect("read");
    cache.mark_read("room:coll", 1).await.expect("read");

    // The public channel's history (not a room of mine).
    let mut p = Say::new(PUBLIC_ROOM, 4);
    p.say(
        "user:alice",
        "welcome, apes: https://opensea.io/collection/mock-apes",
        10 * MIN,
    );
    p.say("user:zed", "<b>not bold</b> javascript:alert(1)", 5 * MIN);
    p.out
}

/// What a later `receive` in the mock turns into, in this order.
const RECEIVED: [(&str, &str, &str); 2] = [
    ("room:coll", "user:alice", "fresh news"),
    ("room:alice", "user:alice", "another one"),
];

/// Search queries the fixture answers.
const QUERIES: [&str; 6] = ["floor", "trade", "gm", "doodle", "nice", "message"];

async fn generate() -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = Environment {
        kind: EnvKind::Local,
        http: "http://127.0.0.1:9".into(),
        mqtt: vec!["ws://127.0.0.1:9/mqtt".into()],
    };
    let me = user(ME, "me", 1);
    let address = addr(1);
    let accounts = json!({
        "current": address,
        "accounts": [{ "user_id": ME, "address": address, "env": env, "profile": null }],
    });
    std::fs::write(dir.path().join("accounts.json"), accounts.to_string()).expect("accounts");
    let cache_dir = dir.path().join("accounts").join(&address);
    std::fs::create_dir_all(&cache_dir).expect("dir");
    let cache_path = cache_dir.join("cache.sqlite3");
    let cache = Cache::open(&cache_path, ME).await.expect("cache");
    cache
        .set_meta("profile", &serde_json::to_string(&me).expect("json"))
        .await
        .expect("profile");
    let public = seed(&cache).await;

    let engine = Engine::new(EngineConfig {
        data_dir: dir.path().to_path_buf(),
        secrets: Arc::new(AnyToken),
        device: "fixtures".into(),
    });
    engine.resume().await.expect("resume").expect("an account");

    let rooms = engine.room_views().await.expect("rooms");
    let mut messages = serde_json::Map::new();
    for r in &rooms {
        let page = engine
            .message_views(&r.room_id, Cursor::Latest, 200)
            .await
            .expect("messages");
        messages.insert(r.room_id.clone(), json!(page));
    }
    let mut search = serde_json::Map::new();
    for q in QUERIES {
        search.insert(
            q.into(),
            json!(engine.search_views(q, 50).await.expect("search")),
        );
    }
    let mut received = Vec::new();
    for (i, (room_id, from, text)) in RECEIVED.iter().enumerate() {
        let seq = cache.max_seq(room_id).await.expect("max seq") + 1;
        let mut m = Message::text(from, room_id, text);
        m.id = Some(format!("64b0ffff{:016x}", i + 1));
        m.seq = Some(seq);
        m.created_at = NOW_MS * 1_000_000;
        cache.ingest(&[m.clone()]).await.expect("ingest");
        let view = engine
            .message_views(room_id, Cursor::After(seq - 1), 1)
            .await
            .expect("view");
        received.push(json!({
            "room_id": room_id, "from_uid": from, "text": text,
            "message": view.first(),
            "room": engine.room_view(room_id).await.expect("room"),
        }));
    }
    // The public channel's room, as it shows once joined, and its messages as the server's
    // chat socket renders them.
    let users = people();
    let mut apes = room(
        &users,
        PUBLIC_ROOM,
        "Mock Apes",
        &["user:alice", "user:zed"],
        false,
    );
    apes.is_opensea_coll = true;
    apes.opensea_coll_name = "Mock Apes".into();
    apes.opensea_coll_slug = "mock-apes".into();
    apes.creator_id = "user:alice".into();
    apes.creator = find(&users, "user:alice");
    let channel: Vec<_> = public
        .iter()
        .map(|m| chat_message_view(&chat_message(&apes, m), ME))
        .collect();
    cache.upsert_room(&apes).await.expect("room");
    let public_view = engine.room_view(PUBLIC_ROOM).await.expect("public room");
    // The shape of my new message (the mock fills in its text and room), sent into a room with
    // a server-shaped id (the sample's readable ids are not ones a message may go to).
    let outgoing = "64b0000000000000000000ff";
    cache
        .upsert_room(&room(&users, outgoing, "", &[ME, "user:alice"], true))
        .await
        .expect("room");
    let mut pending = engine
        .send_view(Draft {
            room_id: outgoing.into(),
            text: Some("sample".into()),
            swap_card: None,
            reply_to: None,
            thread_id: None,
            mentions: Vec::new(),
            item: None,
        })
        .await
        .expect("send");
    pending.key = "cm-sample".into();
    pending.client_msg_id = Some("cm-sample".into());
    pending.created_ms = NOW_MS as f64;
    pending.room_id = "room:alice".into();
    let users: Vec<_> = users.iter().map(user_view).collect();
    engine.shutdown().await;
    cache.close().await;
    json!({
        "now_ms": NOW_MS,
        "me": user_view(&me),
        "me_unnamed": user_view(&user(ME, "", 1)),
        "users": users,
        "rooms": rooms,
        "messages": messages,
        "search": search,
        "received": received,
        "public_room": public_view,
        "channel": channel,
        "pending": pending,
    })
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/fixtures.json")
}

#[tokio::test]
async fn ui_fixtures_are_fresh() {
    let mut text = serde_json::to_string_pretty(&generate().await).expect("json");
    text.push('\n');
    if std::env::var_os("W3MQ_WRITE_FIXTURES").is_some() {
        std::fs::write(path(), &text).expect("write fixtures");
        return;
    }
    let have = std::fs::read_to_string(path()).unwrap_or_default();
    assert!(
        have == text,
        "ui/src/lib/fixtures.json is stale: run `W3MQ_WRITE_FIXTURES=1 cargo test -p w3mq-core --test ui_fixtures`"
    );
}
