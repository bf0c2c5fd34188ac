//! The engine against a real `w3mq-server` over loopback, with real SQLite
//! files: chat both ways, offline sends, restarts, gaps, offline search,
//! notification decisions, hostile frames.

mod common;

use std::collections::HashSet;

use common::{client, has_text, local, online, server, text, until, Mosquitto};
use serde_json::json;
use w3mq_core::model::{Cursor, NotifyMode, SendStatus};
use w3mq_core::policy::NotifyReason;
use w3mq_core::{Draft, Event, Key};
use w3mq_testkit::Api;

fn is_sent(e: &Event, cid: &str) -> bool {
    matches!(e, Event::SendStatus { client_msg_id, status: SendStatus::Sent, .. } if client_msg_id == cid)
}

#[tokio::test]
async fn two_accounts_chat_both_ways_with_counts() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let (mut a, mut b, room) = common::two_in_a_room(&env).await;
    assert!(room.is_1v1);

    let sent = a
        .engine
        .send(text(&room.room_id, "gm from a"))
        .await
        .expect("queued");
    assert_eq!(sent.status, SendStatus::Pending);
    until(&mut a.events, |e| is_sent(e, &sent.client_msg_id)).await;
    until(&mut b.events, |e| has_text(e, "gm from a")).await;

    let reply = b
        .engine
        .send(text(&room.room_id, "gm from b"))
        .await
        .expect("queued");
    until(&mut b.events, |e| is_sent(e, &reply.client_msg_id)).await;
    until(&mut a.events, |e| has_text(e, "gm from b")).await;

    // Both caches hold both, in order, with the server's seqs.
    for c in [&a, &b] {
        let page = c
            .engine
            .page(&room.room_id, Cursor::Latest, 50)
            .await
            .expect("page");
        let got: Vec<(Option<i64>, String)> = page
            .iter()
            .map(|m| (m.seq, m.msg_contents.as_str().unwrap_or("").to_owned()))
            .collect();
        assert_eq!(
            got,
            vec![(Some(1), "gm from a".into()), (Some(2), "gm from b".into())]
        );
        assert!(c
            .engine
            .outbox(&room.room_id)
            .await
            .expect("outbox")
            .is_empty());
    }
    // B's unread count is owned by the engine: 1, then 0 after reading.
    let list = b.engine.room_list().await.expect("rooms");
    let r = list
        .iter()
        .find(|r| r.room.room_id == room.room_id)
        .expect("room listed");
    assert_eq!(r.unread, 1);
    assert_eq!(
        r.latest.as_ref().and_then(|m| m.msg_contents.as_str()),
        Some("gm from b")
    );
    b.engine
        .mark_read(&room.room_id, 2, true)
        .await
        .expect("read");
    let list = b.engine.room_list().await.expect("rooms");
    assert_eq!(
        list.iter()
            .find(|r| r.room.room_id == room.room_id)
            .map(|r| r.unread),
        Some(0)
    );
    a.engine.shutdown().await;
    b.engine.shutdown().await;
}

#[tokio::test]
async fn sends_made_while_the_server_is_down_arrive_exactly_once() {
    let mut s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut a = client("a");
    let b = client("b");
    a.engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("a signs in");
    let b_info = b
        .engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("b signs in");
    online(&mut a.events).await;
    let room = a
        .engine
        .create_room(std::slice::from_ref(&b_info.user_id))
        .await
        .expect("room");

    assert_eq!(s.stop().await.expect("stops"), 0);
    until(&mut a.events, |e| {
        matches!(
            e,
            Event::Connection {
                state: w3mq_core::ConnectionState::Offline { .. }
            }
        )
    })
    .await;
    let mut cids = Vec::new();
    for i in 0..5 {
        let e = a
            .engine
            .send(text(&room.room_id, &format!("offline {i}")))
            .await
            .expect("queued offline");
        cids.push(e.client_msg_id);
    }
    assert_eq!(
        a.engine.outbox(&room.room_id).await.expect("outbox").len(),
        5
    );

    s.restart_after_stop().await.expect("server back");
    let mut pending: HashSet<String> = cids.iter().cloned().collect();
    while !pending.is_empty() {
        if let Event::SendStatus {
            client_msg_id,
            status: SendStatus::Sent,
            ..
        } = until(&mut a.events, |e| {
            matches!(
                e,
                Event::SendStatus {
                    status: SendStatus::Sent,
                    ..
                }
            )
        })
        .await
        {
            pending.remove(&client_msg_id);
        }
    }
    // The server holds each exactly once, in the order they were queued.
    let api = Api::new(&s.http).with_token(&b_token(&b).await);
    let r = api
        .post("/messages", json!({"room_id": room.room_id, "size": 100}))
        .await
        .expect("history");
    let texts: Vec<String> = r
        .data()
        .expect("ok")
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["msg_contents"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        texts,
        (0..5).map(|i| format!("offline {i}")).collect::<Vec<_>>()
    );
    assert!(a
        .engine
        .outbox(&room.room_id)
        .await
        .expect("outbox")
        .is_empty());
    a.engine.shutdown().await;
    b.engine.shutdown().await;
}

/// B's token, read from its (file-backed) keychain.
async fn b_token(b: &common::Client) -> String {
    let raw = std::fs::read(b.dir.path().join("secrets.json")).expect("secrets file");
    let m: std::collections::BTreeMap<String, String> = serde_json::from_slice(&raw).expect("json");
    m.into_iter()
        .find(|(k, _)| k.starts_with("token:"))
        .map(|(_, v)| v)
        .expect("a token")
}

#[tokio::test]
async fn a_server_restart_is_caught_up_without_holes_or_duplicates() {
    let mut s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut a = client("a");
    let mut b = client("b");
    a.engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("a");
    let b_info = b
        .engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("b");
    online(&mut a.events).await;
    online(&mut b.events).await;
    let room = a
        .engine
        .create_room(std::slice::from_ref(&b_info.user_id))
        .await
        .expect("room");
    until(
        &mut b.events,
        |e| matches!(e, Event::RoomUpdated { summary } if summary.room.room_id == room.room_id),
    )
    .await;
    for i in 0..3 {
        let e = a
            .engine
            .send(text(&room.room_id, &format!("before {i}")))
            .await
            .expect("sent");
        until(&mut a.events, |ev| is_sent(ev, &e.client_msg_id)).await;
    }
    // B goes away; the server restarts; A writes more meanwhile.
    b.engine.shutdown().await;
    s.restart().await.expect("restart");
    online(&mut a.events).await;
    for i in 0..3 {
        let e = a
            .engine
            .send(text(&room.room_id, &format!("after {i}")))
            .await
            .expect("sent");
        until(&mut a.events, |ev| is_sent(ev, &e.client_msg_id)).await;
    }
    // B comes back (a new engine over the same data dir: an app restart).
    let b2 = common::engine_in(b.dir.path(), "b");
    let mut ev2 = b2.events();
    b2.resume().await.expect("resume").expect("signed in");
    until(&mut ev2, |e| has_text(e, "after 2")).await;
    let page = b2
        .page(&room.room_id, Cursor::Latest, 100)
        .await
        .expect("page");
    let seqs: Vec<i64> = page.iter().filter_map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>(), "no holes, no duplicates");
    b2.shutdown().await;
    a.engine.shutdown().await;
}

#[tokio::test]
async fn search_finds_old_messages_offline_with_the_server_stopped() {
    let mut s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut a = client("a");
    let b = client("b");
    a.engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("a");
    let b_info = b
        .engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("b");
    online(&mut a.events).await;
    let room = a
        .engine
        .create_room(std::slice::from_ref(&b_info.user_id))
        .await
        .expect("room");
    for t in [
        "the llama is pixelated",
        "gm everyone",
        "floor price of llamas",
    ] {
        let e = a.engine.send(text(&room.room_id, t)).await.expect("sent");
        until(&mut a.events, |ev| is_sent(ev, &e.client_msg_id)).await;
    }
    a.engine.shutdown().await;
    b.engine.shutdown().await;
    assert_eq!(s.stop().await.expect("stopped"), 0);

    // The app starts again with no server at all.
    let a2 = common::engine_in(a.dir.path(), "a");
    a2.resume()
        .await
        .expect("resume offline")
        .expect("signed in");
    let rooms = a2.room_list().await.expect("rooms");
    assert_eq!(rooms.len(), 1);
    let hits = a2.search("llama", 10).await.expect("search");
    let texts: Vec<&str> = hits
        .iter()
        .filter_map(|h| h.message.msg_contents.as_str())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts.contains(&"the llama is pixelated") && texts.contains(&"floor price of llamas"));
    assert!(hits.iter().all(|h| h.snippet.iter().any(|p| p.hit)));
    let hits = a2.search("gm", 10).await.expect("search");
    assert_eq!(hits.len(), 1);
    a2.shutdown().await;
}

#[tokio::test]
async fn notifications_follow_the_policy() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut a = client("a");
    let mut b = client("b");
    let c = client("c");
    let a_info = a
        .engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("a");
    let b_info = b
        .engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("b");
    let c_info = c
        .engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("c");
    online(&mut a.events).await;
    online(&mut b.events).await;
    let group = a
        .engine
        .create_room(&[b_info.user_id.clone(), c_info.user_id.clone()])
        .await
        .expect("group");
    let direct = a
        .engine
        .create_room(std::slice::from_ref(&b_info.user_id))
        .await
        .expect("1v1");
    for r in [&group.room_id, &direct.room_id] {
        until(
            &mut b.events,
            |e| matches!(e, Event::RoomUpdated { summary } if summary.room.room_id == *r),
        )
        .await;
    }
    let notified = |e: &Event, t: &str| matches!(e, Event::Notify { message, .. } if message.msg_contents == t);

    // Group, no mention: no notification (a later marker proves it was processed).
    a.engine
        .send(text(&group.room_id, "group chatter"))
        .await
        .expect("sent");
    let mention = Draft {
        mentions: vec![b_info.user_id.clone()],
        ..text(&group.room_id, "hey @b")
    };
    a.engine.send(mention).await.expect("sent");
    let e = until(&mut b.events, |e| matches!(e, Event::Notify { .. })).await;
    assert!(
        notified(&e, "hey @b"),
        "the first notification is the mention, not the chatter: {e:?}"
    );
    if let Event::Notify { reason, .. } = e {
        assert_eq!(reason, NotifyReason::Mention);
    }
    // 1v1: every message.
    a.engine
        .send(text(&direct.room_id, "psst"))
        .await
        .expect("sent");
    let e = until(&mut b.events, |e| matches!(e, Event::Notify { .. })).await;
    assert!(
        matches!(&e, Event::Notify { reason: NotifyReason::Direct, message, .. } if message.msg_contents == "psst")
    );
    // Looking at the room with the window focused: nothing; muted: nothing.
    b.engine
        .set_focus(Some(direct.room_id.clone()), true)
        .await
        .expect("focus");
    a.engine
        .send(text(&direct.room_id, "seen live"))
        .await
        .expect("sent");
    until(&mut b.events, |e| has_text(e, "seen live")).await;
    b.engine.set_focus(None, true).await.expect("focus");
    b.engine
        .set_notify_mode(&group.room_id, NotifyMode::Mute)
        .await
        .expect("mute");
    let muted = Draft {
        mentions: vec![b_info.user_id.clone()],
        ..text(&group.room_id, "muted @b")
    };
    a.engine.send(muted).await.expect("sent");
    a.engine
        .send(text(&direct.room_id, "marker"))
        .await
        .expect("sent");
    let e = until(&mut b.events, |e| matches!(e, Event::Notify { .. })).await;
    assert!(notified(&e, "marker"), "nothing notified between: {e:?}");
    // My own messages never notify me.
    let _ = a_info;
    a.engine.shutdown().await;
    b.engine.shutdown().await;
    c.engine.shutdown().await;
}

#[tokio::test]
async fn a_live_seq_gap_is_back_filled_and_hostile_frames_change_nothing() {
    // REST from w3mq-server, MQTT from a Mosquitto without ACLs, so a raw
    // client can put anything on the engine's topics.
    let s = server().await;
    let broker = Mosquitto::start().await;
    let mut b = client("b");
    let api = Api::new(&s.http);
    let a = api.new_account().await.expect("a signs in");
    let env = local(&s.http, &broker.ws);
    let b_info = b
        .engine
        .sign_in(env, Key::generate())
        .await
        .expect("b signs in");
    online(&mut b.events).await;
    let room = b
        .engine
        .create_room(std::slice::from_ref(&a.user_id))
        .await
        .expect("room");

    // A stores three messages on the real server (seq 1..3).
    let mut am = a.mqtt(&s.mqtt_ws).await.expect("a connects");
    let topic = format!("chat/{}", room.room_id);
    assert!(am.subscribe(&topic).await.expect("sub"));
    let mut stored = Vec::new();
    for i in 1..=3 {
        am.publish(
            &format!("msg/{}", a.user_id),
            w3mq_testkit::text_message(&a.user_id, &room.room_id, &format!("m{i}"), None)
                .to_string(),
        )
        .await
        .expect("pub");
        stored.push(am.recv_on(&topic).await.expect("ack"));
    }
    let raw = broker.raw().await;
    // B's subscription is live once seq 1, republished raw, reaches its cache
    // (resends are duplicates and change nothing).
    let probe = serde_json::to_vec(&stored[0]).expect("json");
    let mut seen = false;
    for _ in 0..100 {
        raw.publish(&topic, probe.clone())
            .await
            .expect("raw publish");
        let wait = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            until(&mut b.events, |e| has_text(e, "m1")),
        );
        if wait.await.is_ok() {
            seen = true;
            break;
        }
    }
    assert!(seen, "the engine never saw the broker's frames");
    let dropped_before = b.engine.dropped_frames().await.expect("stats");

    // Hostile frames on every topic the engine listens to.
    let me = &b_info.user_id;
    let other_room = "61f1007e604cc5be5f7a3c30";
    let mut foreign = stored[0].clone();
    foreign["to_room_id"] = json!(other_room);
    let mut no_id = stored[0].clone();
    no_id.as_object_mut().expect("obj").remove("id");
    let mut bad_type = stored[0].clone();
    bad_type["msg_type"] = json!("video");
    let mut evil_url = stored[0].clone();
    evil_url["is_opensea_item_thread"] = json!(true);
    evil_url["opensea_item_contract_address"] = json!("0x9df8aa7c681f33e442a0d57b838555da863504f3");
    evil_url["opensea_item_token_id"] = json!("1");
    evil_url["opensea_item_image_url"] = json!("javascript:alert(1)");
    let hostile: Vec<(String, Vec<u8>)> = vec![
        (topic.clone(), b"{not json".to_vec()),
        (topic.clone(), b"[]".to_vec()),
        (topic.clone(), serde_json::to_vec(&foreign).expect("json")),
        (topic.clone(), serde_json::to_vec(&no_id).expect("json")),
        (topic.clone(), serde_json::to_vec(&bad_type).expect("json")),
        (topic.clone(), serde_json::to_vec(&evil_url).expect("json")),
        (topic.clone(), vec![b'x'; 200 * 1024]),
        (
            format!("notification/{me}"),
            br#"{"type":"room_added","room_id":"../../etc"}"#.to_vec(),
        ),
        (
            format!("notification/{me}"),
            br#"{"type":"surprise"}"#.to_vec(),
        ),
        (
            format!("notification/{}", room.room_id),
            br#"{"type":"thread_created"}"#.to_vec(),
        ),
    ];
    let n_hostile = hostile.len() as u64;
    for (t, p) in hostile {
        raw.publish(&t, p).await.expect("raw publish");
    }
    // Then seq 3, live: seq 2 is missing.
    raw.publish(&topic, serde_json::to_vec(&stored[2]).expect("json"))
        .await
        .expect("raw publish");
    until(&mut b.events, |e| has_text(e, "m3")).await;
    // The gap is back-filled from the server.
    let mut seqs = Vec::new();
    for _ in 0..100 {
        seqs = b
            .engine
            .page(&room.room_id, Cursor::Latest, 50)
            .await
            .expect("page")
            .iter()
            .filter_map(|m| m.seq)
            .collect();
        if seqs == [1, 2, 3] {
            break;
        }
        until(&mut b.events, |e| matches!(e, Event::Messages { .. })).await;
    }
    assert_eq!(seqs, vec![1, 2, 3]);
    // Every hostile frame was dropped and counted; nothing else reached the cache.
    let dropped = b.engine.dropped_frames().await.expect("stats") - dropped_before;
    assert_eq!(
        dropped, n_hostile,
        "every hostile frame dropped and counted"
    );
    assert_eq!(b.engine.room_list().await.expect("rooms").len(), 1);
    assert!(b
        .engine
        .search("m1", 10)
        .await
        .expect("search")
        .iter()
        .all(|h| h.message.to_room_id == room.room_id));
    b.engine.shutdown().await;
}

#[tokio::test]
async fn forged_removals_and_deletions_change_nothing_the_server_does_not_confirm() {
    // REST from w3mq-server, MQTT from a Mosquitto without ACLs: a raw
    // client forges the events that would drop a room or delete messages.
    let s = server().await;
    let broker = Mosquitto::start().await;
    let mut b = client("b");
    let api = Api::new(&s.http);
    let a = api.new_account().await.expect("a signs in");
    let env = local(&s.http, &broker.ws);
    let b_info = b
        .engine
        .sign_in(env, Key::generate())
        .await
        .expect("b signs in");
    online(&mut b.events).await;
    let room = b
        .engine
        .create_room(std::slice::from_ref(&a.user_id))
        .await
        .expect("room");
    let mut am = a.mqtt(&s.mqtt_ws).await.expect("a connects");
    let topic = format!("chat/{}", room.room_id);
    assert!(am.subscribe(&topic).await.expect("sub"));
    let mut stored = Vec::new();
    for i in 1..=4 {
        am.publish(
            &format!("msg/{}", a.user_id),
            w3mq_testkit::text_message(&a.user_id, &room.room_id, &format!("m{i}"), None)
                .to_string(),
        )
        .await
        .expect("pub");
        stored.push(am.recv_on(&topic).await.expect("ack"));
    }
    let raw = broker.raw().await;
    // The engine reads the broker once m1 and m2, republished raw, are cached.
    let mut seen = false;
    for _ in 0..100 {
        for m in &stored[..2] {
            raw.publish(&topic, serde_json::to_vec(m).expect("json"))
                .await
                .expect("raw publish");
        }
        let wait = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            until(&mut b.events, |e| has_text(e, "m2")),
        );
        if wait.await.is_ok() {
            seen = true;
            break;
        }
    }
    assert!(seen, "the engine never saw the broker's frames");
    let dropped_before = b.engine.dropped_frames().await.expect("stats");

    let me = &b_info.user_id;
    let ids: Vec<&str> = stored.iter().filter_map(|m| m["id"].as_str()).collect();
    let forged = [
        (
            format!("notification/{me}"),
            json!({"type": "room_removed", "room_id": room.room_id}),
        ),
        (
            format!("notification/{}", room.room_id),
            json!({"type": "messages_deleted", "room_id": room.room_id, "ids": &ids[..2]}),
        ),
        (
            format!("notification/{}", room.room_id),
            json!({"type": "room_cleared", "room_id": room.room_id}),
        ),
    ];
    for (t, p) in &forged {
        raw.publish(t, serde_json::to_vec(p).expect("json"))
            .await
            .expect("raw publish");
    }
    // Frames are handled in order: once m3 is here, so were the forgeries.
    raw.publish(&topic, serde_json::to_vec(&stored[2]).expect("json"))
        .await
        .expect("raw publish");
    until(&mut b.events, |e| has_text(e, "m3")).await;
    assert_eq!(
        b.engine.dropped_frames().await.expect("stats") - dropped_before,
        forged.len() as u64,
        "each unconfirmed event is dropped and counted"
    );
    assert_eq!(
        b.engine.room_list().await.expect("rooms").len(),
        1,
        "the room stays"
    );
    let texts: Vec<String> = b
        .engine
        .page(&room.room_id, Cursor::Latest, 50)
        .await
        .expect("page")
        .iter()
        .filter_map(|m| m.msg_contents.as_str().map(str::to_owned))
        .collect();
    assert!(
        ["m1", "m2", "m3"]
            .iter()
            .all(|t| texts.iter().any(|x| x == t)),
        "a forged deletion deleted: {texts:?}"
    );
    b.engine.shutdown().await;
}

#[tokio::test]
async fn a_burst_arrives_in_batched_events_not_one_per_message() {
    let s = server().await;
    let mut b = client("b");
    let b_info = b
        .engine
        .sign_in(local(&s.http, &s.mqtt_ws), Key::generate())
        .await
        .expect("b");
    online(&mut b.events).await;
    let a = Api::new(&s.http).new_account().await.expect("a");
    let room = b
        .engine
        .create_room(std::slice::from_ref(&a.user_id))
        .await
        .expect("room");
    let _ = b_info;
    let am = a.mqtt(&s.mqtt_ws).await.expect("a connects");
    const N: usize = 3000;
    for i in 0..N {
        am.publish(
            &format!("msg/{}", a.user_id),
            w3mq_testkit::text_message(&a.user_id, &room.room_id, &format!("burst {i}"), None)
                .to_string(),
        )
        .await
        .expect("publish");
    }
    let (mut events, mut messages) = (0usize, 0usize);
    while messages < N {
        if let Event::Messages { messages: m } =
            until(&mut b.events, |e| matches!(e, Event::Messages { .. })).await
        {
            events += 1;
            messages += m.len();
        }
    }
    assert_eq!(messages, N, "every message once");
    assert!(events * 2 < N, "{events} events for {N} messages");
    let page = b
        .engine
        .page(&room.room_id, w3mq_core::model::Cursor::Latest, 1)
        .await
        .expect("page");
    assert_eq!(page[0].seq, Some(N as i64));
    b.engine.shutdown().await;
}

#[tokio::test]
async fn a_rejected_send_fails_with_the_reason_and_can_be_retried_or_discarded() {
    let s = server().await;
    let mut b = client("b");
    b.engine
        .sign_in(local(&s.http, &s.mqtt_ws), Key::generate())
        .await
        .expect("b");
    online(&mut b.events).await;
    let a = Api::new(&s.http).new_account().await.expect("a");
    let room = b
        .engine
        .create_room(std::slice::from_ref(&a.user_id))
        .await
        .expect("room");
    b.engine.leave_room(&room.room_id).await.expect("left");
    let e = b
        .engine
        .send(text(&room.room_id, "too late"))
        .await
        .expect("queued");
    let failed = |ev: &Event| matches!(ev, Event::SendStatus { client_msg_id, status: SendStatus::Failed, .. } if *client_msg_id == e.client_msg_id);
    let ev = until(&mut b.events, failed).await;
    assert!(
        matches!(&ev, Event::SendStatus { error: Some(r), .. } if r.contains("not a member")),
        "{ev:?}"
    );
    let out = b.engine.outbox(&room.room_id).await.expect("outbox");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].status, SendStatus::Failed);
    // Retry: pending again, then failed again (still not a member).
    b.engine.retry(&e.client_msg_id).await.expect("retry");
    until(&mut b.events, failed).await;
    // Discard: gone.
    b.engine.discard(&e.client_msg_id).await.expect("discard");
    until(&mut b.events, |ev| matches!(ev, Event::OutboxDiscarded { client_msg_id, .. } if *client_msg_id == e.client_msg_id)).await;
    assert!(b
        .engine
        .outbox(&room.room_id)
        .await
        .expect("outbox")
        .is_empty());
    assert!(b.engine.retry(&e.client_msg_id).await.is_err());
    b.engine.shutdown().await;
}

#[tokio::test]
async fn sign_out_wipes_the_key_and_the_token() {
    let s = server().await;
    let mut c = client("c");
    let info = c
        .engine
        .sign_in(local(&s.http, &s.mqtt_ws), Key::generate())
        .await
        .expect("sign in");
    online(&mut c.events).await;
    let secrets = c.dir.path().join("secrets.json");
    let before = std::fs::read_to_string(&secrets).expect("secrets");
    assert!(
        before.contains(&format!("key:{}", info.address))
            && before.contains(&format!("token:{}", info.address))
    );
    c.engine.sign_out(None).await.expect("sign out");
    let after = std::fs::read_to_string(&secrets).expect("secrets");
    assert!(!after.contains(&info.address), "{after}");
    // A restart finds no account.
    let again = common::engine_in(c.dir.path(), "c");
    assert!(again.resume().await.expect("resume").is_none());
    assert!(matches!(
        again.room_list().await,
        Err(w3mq_core::CoreError::NotSignedIn)
    ));
}
