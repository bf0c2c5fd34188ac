//! The Mixer-style chat channels of PROTOCOL.md section 3 over real sockets
//! against a real `w3mq-server` process: `GET /api/v1/chats`, both chat
//! listeners, the packets of seed 002, the same messages as MQTT, moderation,
//! polls and the error codes.

use serde_json::{json, Value};
use w3mq_testkit::{text_message, Account, Api, ChannelSocket, Mqtt, Result, World};

const BIN: &str = env!("CARGO_BIN_EXE_w3mq-server");

async fn world(args: &[&str]) -> Result<World> {
    World::start(BIN, args).await
}

/// A collection room created (so moderated) by `owner`.
async fn collection(owner: &Account, slug: &str) -> Result<String> {
    let r = owner
        .api
        .post(
            "/rooms",
            json!({"is_opensea_coll": true, "opensea_coll_slug": slug}),
        )
        .await?;
    Ok(r.data()?.as_str().ok_or("room id")?.to_owned())
}

/// `GET /api/v1/chats/<channel>`: status and the bare body.
async fn chats(api: &Api, channel: &str) -> Result<(u16, Value)> {
    let r = api.get(&format!("/api/v1/chats/{channel}")).await?;
    Ok((r.status, r.body))
}

/// A socket on endpoint `i`, signed in as `who` with a fresh authkey.
async fn signed_in(w: &World, who: &Account, room: &str, i: usize) -> Result<ChannelSocket> {
    let (status, info) = chats(&who.api, room).await?;
    assert_eq!(status, 200, "{info}");
    let key = info["authkey"].as_str().ok_or("no authkey")?;
    let url = info["endpoints"][i].as_str().ok_or("no such endpoint")?;
    assert_eq!(url, w.server.chat[i]);
    let (mut s, _) = ChannelSocket::connect(url).await?;
    let d = s.ok("auth", json!([room, who.user_id, key])).await?;
    assert_eq!(d["authenticated"], true, "{d}");
    Ok(s)
}

/// An anonymous socket on endpoint `i`, joined to `room`.
async fn anonymous(w: &World, room: &str, i: usize) -> Result<ChannelSocket> {
    let (mut s, _) = ChannelSocket::connect(&w.server.chat[i]).await?;
    let d = s.ok("auth", json!([room])).await?;
    assert_eq!(d, json!({"authenticated": false, "roles": []}));
    Ok(s)
}

fn texts(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["msg_contents"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn stored(a: &Account, room: &str) -> Result<Value> {
    let r = a
        .api
        .post(
            "/messages",
            json!({"room_id": room, "page": 1, "size": 100}),
        )
        .await?;
    Ok(r.data()?.clone())
}

/// The next event of type `kind` on `notification/<room>` (others are skipped).
async fn room_event(mq: &mut Mqtt, room: &str, kind: &str) -> Result<Value> {
    loop {
        let ev = mq.recv_on(&format!("notification/{room}")).await?;
        if ev["type"] == kind {
            return Ok(ev);
        }
    }
}

/// The text of a ChatMessage's parts.
fn plain(cm: &Value) -> String {
    cm["message"]["message"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["text"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn chats_endpoint_advertises_both_listeners_and_issues_authkeys() -> Result<()> {
    let w = world(&[]).await?;
    assert!(w.server.chat.len() >= 2, "ready line: {:?}", w.server.chat);
    assert!(w.server.chat[0].starts_with(&w.server.http.replace("http://", "ws://")));
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = collection(&owner, "cool-cats").await?;

    let (status, anon) = chats(&w.api, &room).await?;
    assert_eq!(status, 200);
    assert_eq!(anon.get("authkey"), None, "no authkey without a token");
    assert_eq!(anon["permissions"], json!(["connect"]));
    assert_eq!(anon["endpoints"], json!(w.server.chat));
    assert_eq!(anon.get("code"), None, "answered without the envelope");

    let (_, bad_token) = chats(&w.api.with_token("not-a-token"), &room).await?;
    assert_eq!(bad_token["permissions"], json!(["connect"]));
    assert_eq!(bad_token.get("authkey"), None);

    let (_, b) = chats(&bob.api, &room).await?;
    let key = b["authkey"].as_str().ok_or("authkey")?;
    assert!(key.len() == 32 && key.bytes().all(|c| c.is_ascii_hexdigit()));
    let perms = b["permissions"].as_array().ok_or("permissions")?;
    assert!(perms.contains(&json!("chat")) && perms.contains(&json!("connect")));
    assert!(!perms.contains(&json!("remove_message")));
    let (_, o) = chats(&owner.api, "cool-cats").await?;
    assert!(o["permissions"]
        .as_array()
        .ok_or("permissions")?
        .contains(&json!("remove_message")));
    assert_ne!(o["authkey"], b["authkey"]);

    let group = owner.create_room(&[&bob]).await?;
    assert_eq!(chats(&owner.api, &group).await?.0, 404, "not a collection");
    assert_eq!(chats(&owner.api, "61f1007e604cc5be5f7a3c99").await?.0, 404);
    assert_eq!(chats(&owner.api, "no-such-slug").await?.0, 404);
    Ok(())
}

#[tokio::test]
async fn chat_advertise_overrides_the_endpoints() -> Result<()> {
    let w = world(&[
        "--chat-advertise",
        "wss://chat1.example.com/chat",
        "--chat-advertise",
        "wss://chat2.example.com/chat",
    ])
    .await?;
    let owner = w.api.new_account().await?;
    let room = collection(&owner, "apes").await?;
    let (_, info) = chats(&w.api, &room).await?;
    assert_eq!(
        info["endpoints"],
        json!([
            "wss://chat1.example.com/chat",
            "wss://chat2.example.com/chat"
        ])
    );
    // The real listeners still serve the socket.
    for url in &w.server.chat {
        let (_, welcome) = ChannelSocket::connect(url).await?;
        assert_eq!(welcome["event"], "WelcomeEvent");
    }
    Ok(())
}

#[tokio::test]
async fn welcome_first_then_anonymous_sockets_read_but_cannot_write() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let room = collection(&owner, "punks").await?;
    for url in &w.server.chat {
        let (s, welcome) = ChannelSocket::connect(url).await?;
        assert_eq!(welcome["type"], "event");
        assert_eq!(welcome["event"], "WelcomeEvent");
        assert!(welcome["data"]["server"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        s.close().await;
    }
    let mut anon = anonymous(&w, &room, 1).await?;
    assert_eq!(anon.err("msg", json!(["hello"])).await?, "UACCESS");
    assert_eq!(anon.err("whisper", json!(["x", "hello"])).await?, "UACCESS");
    assert_eq!(anon.err("vote:choose", json!([0])).await?, "UACCESS");

    let mut o = signed_in(&w, &owner, &room, 0).await?;
    let sent = o.ok("msg", json!(["gm, readers"])).await?;
    let got = anon.event("ChatMessage").await?;
    assert_eq!(got["id"], sent["id"]);
    assert_eq!(plain(&got), "gm, readers");
    let hist = anon.ok("history", json!([10])).await?;
    assert_eq!(hist.as_array().map(Vec::len), Some(1));
    assert!(stored(&owner, &room)
        .await?
        .as_array()
        .is_some_and(|a| a.len() == 1));
    Ok(())
}

#[tokio::test]
async fn auth_with_an_authkey_is_single_use_and_bound_to_its_user() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = collection(&owner, "doodles").await?;
    let mut o = signed_in(&w, &owner, &room, 0).await?;

    let (_, info) = chats(&bob.api, &room).await?;
    let key = info["authkey"].as_str().ok_or("authkey")?.to_owned();
    let (mut s, _) = ChannelSocket::connect(&w.server.chat[1]).await?;
    // Someone else presenting bob's key: refused, and the key is used up.
    let e = s.err("auth", json!([room, carol.user_id, key])).await?;
    assert_eq!(e, "UNOTFOUND");
    let e = s.err("auth", json!([room, bob.user_id, key])).await?;
    assert_eq!(e, "UNOTFOUND", "a key is single use");
    let e = s
        .err("auth", json!([room, bob.user_id, "0".repeat(32)]))
        .await?;
    assert_eq!(e, "UNOTFOUND");
    assert_eq!(s.err("auth", json!([room, bob.user_id])).await?, "4004");
    assert_eq!(s.err("auth", json!(["no-such-room"])).await?, "4004");

    let (_, info) = chats(&bob.api, "doodles").await?;
    let key = info["authkey"].as_str().ok_or("authkey")?;
    let d = s.ok("auth", json!([room, bob.user_id, key])).await?;
    assert_eq!(d, json!({"authenticated": true, "roles": ["User"]}));
    let join = o.event("UserJoin").await?;
    assert_eq!(join["id"], bob.user_id.as_str());
    assert_eq!(join["originatingChannel"], room.as_str());
    // Bob was not a member: signing in to the channel joined him.
    let mine = bob.api.get("/my_rooms").await?;
    assert!(mine
        .data()?
        .as_array()
        .is_some_and(|a| a.contains(&json!(room))));

    let (_, info) = chats(&owner.api, &room).await?;
    let (mut s2, _) = ChannelSocket::connect(&w.server.chat[0]).await?;
    let key = info["authkey"].as_str().ok_or("authkey")?;
    let d = s2.ok("auth", json!([room, owner.user_id, key])).await?;
    assert_eq!(d, json!({"authenticated": true, "roles": ["Owner"]}));

    s.close().await;
    let left = o.event("UserLeave").await?;
    assert_eq!(left["id"], bob.user_id.as_str());
    Ok(())
}

#[tokio::test]
async fn a_socket_message_is_stored_with_id_and_seq_and_reaches_mqtt() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = collection(&owner, "azuki").await?;
    let mut mq = owner.mqtt(&w.server.mqtt_ws).await?;
    assert!(mq.subscribe(&format!("chat/{room}")).await?);
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    let mut b = signed_in(&w, &bob, &room, 1).await?;

    let reply = b.call("msg", json!(["Hello world!"])).await?;
    assert_eq!(reply["type"], "reply");
    assert_eq!(reply["error"], Value::Null);
    let d = &reply["data"];
    assert!(d["id"].as_str().is_some_and(w3mq_protocol::is_object_id));
    assert_eq!(d["seq"], 1);
    assert_eq!(d["channel"], room.as_str());
    assert_eq!(d["user_id"], bob.user_id.as_str());
    assert_eq!(d["user_name"], bob.wallet.address.as_str());
    assert_eq!(d["user_roles"], json!(["User"]));
    assert_eq!(
        d["message"],
        json!({"message": [{"type": "text", "data": "Hello world!", "text": "Hello world!"}], "meta": {}})
    );

    let on_mqtt = mq.recv_on(&format!("chat/{room}")).await?;
    assert_eq!(on_mqtt["id"], d["id"]);
    assert_eq!(on_mqtt["seq"], 1);
    assert_eq!(on_mqtt["from_uid"], bob.user_id.as_str());
    assert_eq!(on_mqtt["msg_contents"], "Hello world!");
    let ev = o.event("ChatMessage").await?;
    assert_eq!(ev, *d, "the event carries the reply's data");
    assert_eq!(b.event("ChatMessage").await?["id"], d["id"]);
    assert_eq!(texts(&stored(&owner, &room).await?), ["Hello world!"]);
    Ok(())
}

#[tokio::test]
async fn an_mqtt_message_reaches_the_socket_as_a_chat_message() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = collection(&owner, "moonbirds").await?;
    bob.api
        .post("/profile", json!({"nick_name": "bobby"}))
        .await?
        .data()?;
    let mut s = anonymous(&w, &room, 1).await?;
    let mut mq = owner.mqtt(&w.server.mqtt_ws).await?;
    assert!(mq.subscribe(&format!("chat/{room}")).await?);
    let mut b = signed_in(&w, &bob, &room, 0).await?;
    let text = "hey @bobby see https://example.com/x and ftp://nope";
    mq.publish(
        &format!("msg/{}", owner.user_id),
        text_message(&owner.user_id, &room, text, Some("m-1")).to_string(),
    )
    .await?;
    let ack = mq.recv_on(&format!("chat/{room}")).await?;
    let got = s.event("ChatMessage").await?;
    assert_eq!(got["id"], ack["id"]);
    assert_eq!(got["seq"], ack["seq"]);
    assert_eq!(got["user_id"], owner.user_id.as_str());
    assert_eq!(got["user_roles"], json!(["Owner"]));
    assert_eq!(
        got["message"]["message"],
        json!([
            {"type": "text", "data": "hey ", "text": "hey "},
            {"type": "tag", "username": "bobby", "id": bob.user_id, "text": "@bobby"},
            {"type": "text", "data": " see ", "text": " see "},
            {"type": "link", "url": "https://example.com/x", "text": "https://example.com/x"},
            {"type": "text", "data": " and ftp://nope", "text": " and ftp://nope"},
        ])
    );
    assert_eq!(b.event("ChatMessage").await?["id"], ack["id"]);

    // And a socket's mention becomes the stored message's at_user_ids.
    let sent = b.ok("msg", json!(["thanks @bobby and @nobody"])).await?;
    let on_mqtt = mq.recv_on(&format!("chat/{room}")).await?;
    assert_eq!(on_mqtt["id"], sent["id"]);
    assert_eq!(on_mqtt["at_user_ids"], json!([bob.user_id]));
    Ok(())
}

#[tokio::test]
async fn history_returns_the_latest_messages_oldest_first() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let room = collection(&owner, "meebits").await?;
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    for i in 1..=5 {
        o.ok("msg", json!([format!("m{i}")])).await?;
    }
    let mut s = anonymous(&w, &room, 1).await?;
    let h = s.ok("history", json!([3])).await?;
    let got: Vec<String> = h.as_array().ok_or("array")?.iter().map(plain).collect();
    assert_eq!(got, ["m3", "m4", "m5"]);
    let seqs: Vec<i64> = h
        .as_array()
        .ok_or("array")?
        .iter()
        .filter_map(|m| m["seq"].as_i64())
        .collect();
    assert_eq!(seqs, [3, 4, 5]);
    assert_eq!(
        s.ok("history", json!([100]))
            .await?
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    assert_eq!(s.ok("history", json!([0])).await?, json!([]));
    assert_eq!(s.err("history", json!([101])).await?, "4004");
    assert_eq!(s.err("history", json!(["3"])).await?, "4004");
    Ok(())
}

#[tokio::test]
async fn bad_packets_get_the_seeds_error_codes() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let room = collection(&owner, "clonex").await?;
    let (mut s, _) = ChannelSocket::connect(&w.server.chat[0]).await?;
    // Before auth: reading methods need a channel.
    assert_eq!(s.err("history", json!([5])).await?, "UACCESS");
    s.send_text("{this is not json").await?;
    let r = s.read().await?;
    assert_eq!(
        r,
        json!({"type": "reply", "error": "UNOTJSON", "id": null, "data": null})
    );
    s.send_text(r#"{"type":"method","method":"msg","arguments":"x","id":41}"#)
        .await?;
    assert_eq!(s.reply(&json!(41)).await?["error"], "4004");
    assert_eq!(s.err("fly", json!([])).await?, "4004");
    let pong = s.call("ping", json!([])).await?;
    assert_eq!(pong["error"], Value::Null);
    let mut o = signed_in(&w, &owner, &room, 1).await?;
    assert_eq!(o.err("msg", json!([5])).await?, "4004");
    assert_eq!(o.err("msg", json!(["  "])).await?, "4004");
    assert_eq!(o.err("msg", json!(["a", "b"])).await?, "4004");
    assert_eq!(o.err("deleteMessage", json!(["nope"])).await?, "4004");
    assert_eq!(
        o.err("deleteMessage", json!(["61f1007e604cc5be5f7a3c99"]))
            .await?,
        "4004"
    );
    assert_eq!(
        o.err("whisper", json!(["nobody-here", "hi"])).await?,
        "4004"
    );
    Ok(())
}

#[tokio::test]
async fn the_owner_moderates_and_mqtt_clients_see_it() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = collection(&owner, "goblins").await?;
    collection(&carol, "goblins").await?; // carol joins over REST
    let notif = format!("notification/{room}");
    let mut mq = carol.mqtt(&w.server.mqtt_ws).await?;
    assert!(mq.subscribe(&notif).await?);
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    let mut b = signed_in(&w, &bob, &room, 1).await?;

    let b1 = b.ok("msg", json!(["one"])).await?;
    let b2 = b.ok("msg", json!(["two"])).await?;
    o.ok("msg", json!(["owner's"])).await?;

    // A user is not a moderator.
    let bob_name = bob.wallet.address.clone();
    assert_eq!(b.err("deleteMessage", json!([b1["id"]])).await?, "UACCESS");
    assert_eq!(b.err("purge", json!([owner.user_id])).await?, "UACCESS");
    assert_eq!(b.err("clearMessages", json!([])).await?, "UACCESS");
    assert_eq!(
        b.err("timeout", json!([owner.user_id, 60])).await?,
        "UACCESS"
    );
    assert_eq!(texts(&stored(&owner, &room).await?).len(), 3);

    o.ok("deleteMessage", json!([b1["id"]])).await?;
    let d = b.event("DeleteMessage").await?;
    assert_eq!(d["id"], b1["id"]);
    assert_eq!(d["moderator"]["user_id"], owner.user_id.as_str());
    let ev = room_event(&mut mq, &room, "messages_deleted").await?;
    assert_eq!(
        ev,
        json!({"type": "messages_deleted", "room_id": room, "ids": [b1["id"]]})
    );
    assert_eq!(texts(&stored(&owner, &room).await?), ["two", "owner's"]);

    // Timeout: bob cannot chat until it is lifted.
    o.ok("timeout", json!([bob_name, "5m"])).await?;
    let t = b.event("UserTimeout").await?;
    assert_eq!(t["user"]["user_id"], bob.user_id.as_str());
    assert_eq!(t["duration"], 300_000);
    assert_eq!(b.err("msg", json!(["let me speak"])).await?, "UACCESS");
    assert_eq!(
        b.err("whisper", json!([owner.user_id, "pls"])).await?,
        "UACCESS"
    );
    assert_eq!(
        o.err("timeout", json!([owner.user_id, 60])).await?,
        "UACCESS"
    );
    o.ok("timeout", json!([bob.user_id, 0])).await?;
    let b3 = b.ok("msg", json!(["three"])).await?;

    o.ok("purge", json!([bob_name])).await?;
    let p = b.event("PurgeMessage").await?;
    assert_eq!(p["user_id"], bob.user_id.as_str());
    let ev = room_event(&mut mq, &room, "messages_deleted").await?;
    let mut ids: Vec<Value> = ev["ids"].as_array().cloned().unwrap_or_default();
    ids.sort_by_key(|v| v.to_string());
    let mut want = vec![b2["id"].clone(), b3["id"].clone()];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(ids, want);
    assert_eq!(texts(&stored(&owner, &room).await?), ["owner's"]);

    o.ok("clearMessages", json!([])).await?;
    let c = b.event("ClearMessages").await?;
    assert_eq!(c["clearer"]["user_id"], owner.user_id.as_str());
    assert_eq!(
        room_event(&mut mq, &room, "room_cleared").await?,
        json!({"type": "room_cleared", "room_id": room})
    );
    assert_eq!(stored(&owner, &room).await?, json!([]));
    // seq goes on after the gap.
    assert_eq!(b.ok("msg", json!(["after"])).await?["seq"], 5);
    Ok(())
}

#[tokio::test]
async fn whispers_reach_only_their_target() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = collection(&owner, "whisperers").await?;
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    let mut b = signed_in(&w, &bob, &room, 1).await?;
    let mut c = signed_in(&w, &carol, &room, 0).await?;
    let sent = o.ok("whisper", json!([bob.user_id, "psst"])).await?;
    assert_eq!(sent["target"], bob.wallet.address.as_str());
    assert_eq!(sent["message"]["meta"]["whisper"], true);
    let got = b.event("ChatMessage").await?;
    assert_eq!(got["id"], sent["id"]);
    assert_eq!(plain(&got), "psst");
    // Carol's next ChatMessage is the public one that followed.
    let public = o.ok("msg", json!(["hello all"])).await?;
    assert_eq!(c.event("ChatMessage").await?["id"], public["id"]);
    assert_eq!(
        texts(&stored(&owner, &room).await?),
        ["hello all"],
        "whispers are not stored"
    );
    Ok(())
}

#[tokio::test]
async fn opted_out_events_are_not_sent() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = collection(&owner, "quiet").await?;
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    o.ok("optOutEvents", json!(["UserJoin", "UserLeave"]))
        .await?;
    let mut b = signed_in(&w, &bob, &room, 1).await?;
    let sent = b.ok("msg", json!(["hi"])).await?;
    // The very next packet the owner gets is the message: no UserJoin before it.
    let p = o.read().await?;
    assert_eq!(p["event"], "ChatMessage", "{p}");
    assert_eq!(p["data"]["id"], sent["id"]);
    assert_eq!(o.err("optOutEvents", json!([1])).await?, "4004");
    Ok(())
}

#[tokio::test]
async fn over_the_message_rate_a_socket_gets_4005() -> Result<()> {
    let w = world(&["--rate-per-sec", "0.001", "--rate-burst", "2"]).await?;
    let owner = w.api.new_account().await?;
    let room = collection(&owner, "fast").await?;
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    o.ok("msg", json!(["1"])).await?;
    o.ok("msg", json!(["2"])).await?;
    assert_eq!(o.err("msg", json!(["3"])).await?, "4005");
    assert_eq!(o.err("whisper", json!([owner.user_id, "4"])).await?, "4005");
    assert_eq!(texts(&stored(&owner, &room).await?), ["1", "2"]);
    Ok(())
}

#[tokio::test]
async fn over_the_call_rate_a_socket_gets_4005() -> Result<()> {
    let w = world(&["--rest-rate-per-sec", "0.001", "--rest-rate-burst", "5"]).await?;
    let (mut s, _) = ChannelSocket::connect(&w.server.chat[1]).await?;
    for _ in 0..5 {
        s.ok("ping", json!([])).await?;
    }
    assert_eq!(s.err("ping", json!([])).await?, "4005");
    // Another socket has its own budget.
    let (mut s2, _) = ChannelSocket::connect(&w.server.chat[0]).await?;
    s2.ok("ping", json!([])).await?;
    Ok(())
}

#[tokio::test]
async fn polls_start_take_votes_and_end_with_the_counts() -> Result<()> {
    let w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = collection(&owner, "voters").await?;
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    let mut b = signed_in(&w, &bob, &room, 1).await?;
    let mut c = signed_in(&w, &carol, &room, 0).await?;

    let args = json!(["Best chain?", ["eth", "sol", "btc"], 2]);
    assert_eq!(b.err("vote:start", args.clone()).await?, "UACCESS");
    assert_eq!(
        b.err("vote:choose", json!([0])).await?,
        "4004",
        "no poll yet"
    );
    assert_eq!(
        o.err("vote:start", json!(["q?", ["only one"], 2])).await?,
        "4004"
    );
    o.ok("vote:start", args.clone()).await?;
    assert_eq!(o.err("vote:start", args).await?, "4004", "one at a time");
    let start = b.event("PollStart").await?;
    assert_eq!(start["q"], "Best chain?");
    assert_eq!(start["answers"], json!(["eth", "sol", "btc"]));
    assert_eq!(start["author"]["user_id"], owner.user_id.as_str());
    assert_eq!(start["duration"], 2000);

    assert_eq!(b.ok("vote:choose", json!([1])).await?, true);
    assert_eq!(c.ok("vote:choose", json!([0])).await?, true);
    assert_eq!(c.ok("vote:choose", json!([1])).await?, true, "may change");
    assert_eq!(b.err("vote:choose", json!([3])).await?, "4004");

    let end = o.event("PollEnd").await?;
    assert_eq!(end["voters"], 2);
    assert_eq!(end["responses"], json!({"eth": 0, "sol": 2, "btc": 0}));
    assert_eq!(end["responsesByIndex"], json!([0, 2, 0]));
    assert_eq!(b.event("PollEnd").await?["voters"], 2);
    assert_eq!(b.err("vote:choose", json!([0])).await?, "4004", "poll over");
    Ok(())
}

#[tokio::test]
async fn sigterm_closes_the_chat_sockets_and_exits_0() -> Result<()> {
    let mut w = world(&[]).await?;
    let owner = w.api.new_account().await?;
    let room = collection(&owner, "bye").await?;
    let mut o = signed_in(&w, &owner, &room, 0).await?;
    let mut a = anonymous(&w, &room, 1).await?;
    o.ok("msg", json!(["last words"])).await?;
    assert_eq!(w.server.stop().await?, 0);
    for s in [&mut o, &mut a] {
        // Whatever was still on its way, the socket then ends.
        loop {
            match s.read().await {
                Ok(p) => assert_eq!(p["type"], "event", "{p}"),
                Err(e) => {
                    assert!(!e.to_string().contains("in time"), "{e}");
                    break;
                }
            }
        }
    }
    Ok(())
}
