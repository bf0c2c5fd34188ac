//! MQTT over real sockets against a real `w3mq-server` process: chat, the
//! ACL of section 2, every rejection rule, duplicates and revocation.

use serde_json::{json, Value};
use w3mq_testkit::{text_message, Account, Mqtt, Result, World};

const BIN: &str = env!("CARGO_BIN_EXE_w3mq-server");

async fn world(args: &[&str]) -> Result<World> {
    World::start(BIN, args).await
}

fn chat(room: &str) -> String {
    format!("chat/{room}")
}
fn notif(id: &str) -> String {
    format!("notification/{id}")
}
fn msg_topic(u: &Account) -> String {
    format!("msg/{}", u.user_id)
}

/// A connection subscribed to the room's chat and the user's own notifications.
async fn join(w: &World, a: &Account, room: &str) -> Result<Mqtt> {
    let mut m = a.mqtt(&w.server.mqtt_ws).await?;
    assert!(
        m.subscribe(&chat(room)).await?,
        "member may subscribe to its room"
    );
    assert!(
        m.subscribe(&notif(&a.user_id)).await?,
        "user may subscribe to its own notifications"
    );
    Ok(m)
}

#[tokio::test]
async fn two_users_chat_both_ways_with_ids_and_seq() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mut ma = join(&w, &alice, &room).await?;
    let mut mb = join(&w, &bob, &room).await?;

    let sent = text_message(&alice.user_id, &room, "gm bob", Some("a-1"));
    ma.publish(&msg_topic(&alice), sent.to_string()).await?;
    let ack = ma.recv_on(&chat(&room)).await?;
    let got = mb.recv_on(&chat(&room)).await?;
    assert_eq!(
        ack, got,
        "sender's ACK and receiver's copy are the same message"
    );
    assert_eq!(got["msg_contents"], "gm bob");
    assert_eq!(got["seq"], 1);
    assert_eq!(got["client_msg_id"], "a-1");
    assert!(w3mq_protocol::is_object_id(
        got["id"].as_str().unwrap_or("")
    ));

    mb.publish(
        &msg_topic(&bob),
        text_message(&bob.user_id, &room, "gm alice", None).to_string(),
    )
    .await?;
    let got = ma.recv_on(&chat(&room)).await?;
    assert_eq!(got["from_uid"], bob.user_id.as_str());
    assert_eq!(got["seq"], 2);

    let list = alice
        .api
        .post("/messages", json!({"room_id": room, "page": 1, "size": 50}))
        .await?;
    let list = list.data()?.as_array().cloned().unwrap_or_default();
    let texts: Vec<&str> = list
        .iter()
        .filter_map(|m| m["msg_contents"].as_str())
        .collect();
    assert_eq!(texts, ["gm bob", "gm alice"]);
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_wrong_user_are_refused_at_connect() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let bad = Mqtt::connect(
        &w.server.mqtt_ws,
        &alice.user_id,
        "not-a-token",
        &format!("{}-x1", alice.user_id),
    )
    .await;
    assert!(bad.is_err(), "a bad token must be refused");
    // A valid token of another user does not open alice's account.
    let other = Mqtt::connect(
        &w.server.mqtt_ws,
        &alice.user_id,
        &bob.token,
        &format!("{}-x2", alice.user_id),
    )
    .await;
    assert!(other.is_err(), "bob's token must not sign in as alice");
    let good = Mqtt::connect(
        &w.server.mqtt_ws,
        &alice.user_id,
        &alice.token,
        &format!("{}-x3", alice.user_id),
    )
    .await;
    assert!(good.is_ok());
    Ok(())
}

#[tokio::test]
async fn subscribe_acl_allows_only_the_topic_table() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = bob.create_room(&[&carol]).await?;
    let mine = alice.create_room(&[&bob]).await?;
    let mut m = alice.mqtt(&w.server.mqtt_ws).await?;
    for (topic, allowed) in [
        (chat(&mine), true),
        (notif(&mine), true),
        (chat(&alice.user_id), true),
        (notif(&alice.user_id), true),
        (chat(&room), false),
        (notif(&room), false),
        (notif(&bob.user_id), false),
        (chat(&bob.user_id), false),
        (msg_topic(&alice), false),
        (msg_topic(&bob), false),
        ("chat/#".into(), false),
        ("chat/+".into(), false),
        ("#".into(), false),
        ("$SYS/#".into(), false),
        (format!("$share/g/chat/{mine}"), false),
        (format!("chat/{mine}/x"), false),
    ] {
        assert_eq!(m.subscribe(&topic).await?, allowed, "subscribe {topic}");
    }
    Ok(())
}

#[tokio::test]
async fn spoofed_publish_to_another_users_msg_topic_is_never_routed() -> Result<()> {
    // rmqtt runs MessagePublish before MessagePublishCheckAcl: a router hung
    // on the former would route this. Ours is fed only by the ACL handler.
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mut mb = join(&w, &bob, &room).await?;
    let ma = join(&w, &alice, &room).await?;
    // Alice publishes on bob's topic, as bob.
    let spoof = text_message(&bob.user_id, &room, "I am bob", None);
    ma.publish(&msg_topic(&bob), spoof.to_string()).await?;
    // Then a real message of alice: once it arrives, the spoof was processed.
    ma.publish(
        &msg_topic(&alice),
        text_message(&alice.user_id, &room, "real", None).to_string(),
    )
    .await?;
    let got = mb.recv_on(&chat(&room)).await?;
    assert_eq!(got["msg_contents"], "real");
    assert_eq!(got["seq"], 1, "the spoof took no seq");
    let stored = bob.api.post("/messages", json!({"room_id": room})).await?;
    assert_eq!(stored.data()?.as_array().map(Vec::len), Some(1));
    assert!(mb
        .drain()
        .await
        .iter()
        .all(|(_, m)| m["msg_contents"] != "I am bob"));
    // Also: publishing to a chat topic directly is dropped.
    ma.publish(
        &chat(&room),
        text_message(&alice.user_id, &room, "direct", None).to_string(),
    )
    .await?;
    ma.publish(
        &msg_topic(&alice),
        text_message(&alice.user_id, &room, "real 2", None).to_string(),
    )
    .await?;
    let got = mb.recv_on(&chat(&room)).await?;
    assert_eq!(got["msg_contents"], "real 2");
    Ok(())
}

/// Publishes `payload` as `a` and returns the error event that comes back.
async fn rejected(m: &mut Mqtt, a: &Account, payload: Vec<u8>) -> Result<Value> {
    m.publish(&msg_topic(a), payload).await?;
    m.recv_on(&notif(&a.user_id)).await
}

#[tokio::test]
async fn every_rejection_rule_answers_with_an_error_event_and_stores_nothing() -> Result<()> {
    let w = world(&["--metrics-token", "m3tr1cs"]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let other_room = bob.create_room(&[&carol]).await?;
    let mut ma = join(&w, &alice, &room).await?;

    // One message in each room to refer to.
    ma.publish(
        &msg_topic(&alice),
        text_message(&alice.user_id, &room, "root", None).to_string(),
    )
    .await?;
    let root = ma.recv_on(&chat(&room)).await?;
    let root_id = root["id"].as_str().unwrap_or_default().to_owned();
    let mut mb = join(&w, &bob, &other_room).await?;
    mb.publish(
        &msg_topic(&bob),
        text_message(&bob.user_id, &other_room, "elsewhere", None).to_string(),
    )
    .await?;
    let elsewhere = mb.recv_on(&chat(&other_room)).await?;
    let elsewhere_id = elsewhere["id"].as_str().unwrap_or_default().to_owned();
    // A thread root in the other room.
    bob.api
        .post("/threads", json!({"msg_id": elsewhere_id}))
        .await?
        .data()?;

    let base = || text_message(&alice.user_id, &room, "x", Some("c-1"));
    let with = |k: &str, v: Value| {
        let mut m = base();
        m[k] = v;
        serde_json::to_vec(&m).unwrap_or_default()
    };
    let mut big = base();
    big["msg_contents"] = json!("a".repeat(70 * 1024));
    let mut card = base();
    card["msg_type"] = json!("sudo_swap_card");
    card["msg_contents"] = json!({"orderStatus": "OPEN", "expiryDate": "", "creatorAddress": "0x12",
        "recipientAddress": "", "jumpUrl": "https://sudoswap.xyz/", "asset1Data": [], "asset2Data": []});
    let mut item = base();
    item["is_thread"] = json!(true);
    item["is_opensea_item_thread"] = json!(true);
    item["opensea_item_contract_address"] = json!("0x9df8aa7c681f33e442a0d57b838555da863504f3");
    item["opensea_item_token_id"] = json!("12a");
    let mut img = item.clone();
    img["opensea_item_token_id"] = json!("12");
    img["opensea_item_image_url"] = json!("javascript:alert(1)");

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("malformed_json", b"{not json".to_vec()),
        ("malformed_json", b"[1,2,3]".to_vec()),
        ("payload_too_large", serde_json::to_vec(&big)?),
        ("unknown_msg_type", with("msg_type", json!("video"))),
        ("invalid_contents", with("msg_contents", json!(""))),
        ("invalid_contents", with("msg_contents", json!(42))),
        ("invalid_address", serde_json::to_vec(&card)?),
        ("invalid_token_id", serde_json::to_vec(&item)?),
        ("invalid_url", serde_json::to_vec(&img)?),
        ("from_mismatch", with("from_uid", json!(bob.user_id))),
        ("invalid_room_id", with("to_room_id", json!("room"))),
        ("not_member", with("to_room_id", json!(other_room))),
        (
            "not_member",
            with("to_room_id", json!("61f1007e604cc5be5f7a3c30")),
        ),
        ("invalid_reference", with("reply_to_msg_id", json!("nope"))),
        (
            "reply_not_found",
            with("reply_to_msg_id", json!(elsewhere_id)),
        ),
        (
            "reply_not_found",
            with("reply_to_msg_id", json!("61f1007e604cc5be5f7a3c30")),
        ),
        (
            "thread_not_found",
            with("belong_to_thread_id", json!(elsewhere_id)),
        ),
        (
            "thread_not_found",
            with("belong_to_thread_id", json!(root_id)),
        ),
        (
            "invalid_client_msg_id",
            with("client_msg_id", json!("x".repeat(65))),
        ),
    ];
    for (code, payload) in cases {
        let ev = rejected(&mut ma, &alice, payload).await?;
        assert_eq!(ev["type"], "error");
        assert_eq!(ev["code"], code, "event {ev}");
        assert!(ev["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    // The client_msg_id of a rejected message comes back so the sender knows which one failed.
    let ev = rejected(&mut ma, &alice, with("msg_type", json!("video"))).await?;
    assert_eq!(ev["client_msg_id"], "c-1");

    // Nothing of that was stored: the room still holds only its root.
    let stored = alice
        .api
        .post("/messages", json!({"room_id": room}))
        .await?;
    assert_eq!(stored.data()?.as_array().map(Vec::len), Some(1));
    // And each was counted by reason.
    let metrics = w3mq_testkit::http_client()
        .get(format!("{}/metrics", w.server.http))
        .bearer_auth("m3tr1cs")
        .send()
        .await?
        .text()
        .await?;
    assert!(
        metrics.contains(r#"w3mq_messages_rejected_total{reason="not_member"} 2"#),
        "{metrics}"
    );
    Ok(())
}

#[tokio::test]
async fn replies_threads_mentions_and_the_2022_to_key() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mut ma = join(&w, &alice, &room).await?;

    // The 2022 JS SDK's `to` instead of `to_room_id`, and no from_uid.
    let mut m = text_message(&alice.user_id, &room, "old sdk", None);
    let obj = m.as_object_mut().ok_or("not an object")?;
    obj.remove("to_room_id");
    obj.remove("from_uid");
    obj.insert("to".into(), json!(room));
    ma.publish(&msg_topic(&alice), m.to_string()).await?;
    let first = ma.recv_on(&chat(&room)).await?;
    assert_eq!(first["to_room_id"], room.as_str());
    assert_eq!(first["from_uid"], alice.user_id.as_str());
    let first_id = first["id"].as_str().unwrap_or_default().to_owned();

    // A reply, and a mention of a member and a non-member (dropped).
    let mut r = text_message(&alice.user_id, &room, "re", None);
    r["reply_to_msg_id"] = json!(first_id);
    r["at_user_ids"] = json!([bob.user_id, carol.user_id, "garbage"]);
    ma.publish(&msg_topic(&alice), r.to_string()).await?;
    let reply = ma.recv_on(&chat(&room)).await?;
    assert_eq!(reply["reply_to_msg_id"], first_id.as_str());
    assert_eq!(reply["at_user_ids"], json!([bob.user_id]));

    // A thread on the first message, then a message in it.
    assert!(ma.subscribe(&notif(&room)).await?);
    let root = alice
        .api
        .post("/threads", json!({"msg_id": first_id}))
        .await?;
    assert_eq!(root.data()?["is_thread"], true);
    let ev = ma.recv_on(&notif(&room)).await?;
    assert_eq!(
        ev,
        json!({"type": "thread_created", "room_id": room, "msg_id": first_id})
    );
    let mut t = text_message(&alice.user_id, &room, "in thread", None);
    t["belong_to_thread_id"] = json!(first_id);
    ma.publish(&msg_topic(&alice), t.to_string()).await?;
    let inthread = ma.recv_on(&chat(&room)).await?;
    assert_eq!(inthread["belong_to_thread_id"], first_id.as_str());
    let roots = alice.api.get(&format!("/threads/{room}/1/20")).await?;
    assert_eq!(roots.data()?.as_array().map(Vec::len), Some(1));
    let msgs = alice
        .api
        .get(&format!(
            "/threads/{room}/1/20?belong_to_thread_id={first_id}"
        ))
        .await?;
    assert_eq!(msgs.data()?[0]["msg_contents"], "in thread");

    // A trade card from the seed, as an object and as a JSON string.
    let card: Value = serde_json::from_str(include_str!(
        "../../../../shared/fixtures/sudo_swap_card.json"
    ))?;
    for contents in [card.clone(), Value::String(card.to_string())] {
        let mut c = text_message(&alice.user_id, &room, "", None);
        c["msg_type"] = json!("sudo_swap_card");
        c["msg_contents"] = contents;
        ma.publish(&msg_topic(&alice), c.to_string()).await?;
        let got = ma.recv_on(&chat(&room)).await?;
        assert_eq!(got["msg_type"], "sudo_swap_card");
    }
    Ok(())
}

#[tokio::test]
async fn a_resent_client_msg_id_is_stored_once_and_acked_again() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mut ma = join(&w, &alice, &room).await?;
    let m = text_message(&alice.user_id, &room, "once", Some("dup-1")).to_string();
    for _ in 0..3 {
        ma.publish(&msg_topic(&alice), m.clone()).await?;
    }
    let acks = [
        ma.recv_on(&chat(&room)).await?,
        ma.recv_on(&chat(&room)).await?,
        ma.recv_on(&chat(&room)).await?,
    ];
    assert!(
        acks.iter()
            .all(|a| a["id"] == acks[0]["id"] && a["seq"] == 1),
        "{acks:?}"
    );
    // The same client_msg_id from another sender is another message.
    let mut mb = join(&w, &bob, &room).await?;
    mb.publish(
        &msg_topic(&bob),
        text_message(&bob.user_id, &room, "mine", Some("dup-1")).to_string(),
    )
    .await?;
    let b = mb.recv_on(&chat(&room)).await?;
    assert_eq!(b["seq"], 2);
    let stored = alice
        .api
        .post("/messages", json!({"room_id": room}))
        .await?;
    assert_eq!(stored.data()?.as_array().map(Vec::len), Some(2));
    Ok(())
}

#[tokio::test]
async fn leaving_a_room_cuts_the_live_subscription_and_adding_announces_it() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = alice.create_room(&[&bob, &carol]).await?;
    let mut ma = join(&w, &alice, &room).await?;
    let mut mb = join(&w, &bob, &room).await?;

    let r = bob
        .api
        .post(&format!("/rooms/{room}/leave"), json!({}))
        .await?;
    r.data()?;
    let ev = mb.recv_on(&notif(&bob.user_id)).await?;
    assert_eq!(ev, json!({"type": "room_removed", "room_id": room}));

    ma.publish(
        &msg_topic(&alice),
        text_message(&alice.user_id, &room, "after bob left", None).to_string(),
    )
    .await?;
    assert_eq!(
        ma.recv_on(&chat(&room)).await?["msg_contents"],
        "after bob left"
    );
    // Bob's connection is still up (a marker on his own topic arrives) but
    // saw nothing of the room.
    let dave = w.api.new_account().await?;
    let r2 = dave.create_room(&[&bob]).await?;
    let ev = mb.recv_on(&notif(&bob.user_id)).await?;
    assert_eq!(ev, json!({"type": "room_added", "room_id": r2}));
    assert!(
        mb.drain().await.iter().all(|(t, _)| *t != chat(&room)),
        "bob got a message after leaving"
    );
    // And he may not subscribe again.
    assert!(!mb.subscribe(&chat(&room)).await?);
    // Nor publish into it.
    let ev = rejected(
        &mut mb,
        &bob,
        serde_json::to_vec(&text_message(&bob.user_id, &room, "x", None))?,
    )
    .await?;
    assert_eq!(ev["code"], "not_member");

    // Adding him back announces the room.
    alice
        .api
        .post(
            &format!("/rooms/{room}/members"),
            json!({"target_user_ids": [bob.user_id]}),
        )
        .await?
        .data()?;
    let ev = mb.recv_on(&notif(&bob.user_id)).await?;
    assert_eq!(ev, json!({"type": "room_added", "room_id": room}));
    assert!(mb.subscribe(&chat(&room)).await?);
    Ok(())
}

#[tokio::test]
async fn the_rate_limit_answers_with_an_error_event() -> Result<()> {
    let w = world(&["--rate-per-sec", "1", "--rate-burst", "3"]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mut ma = join(&w, &alice, &room).await?;
    for i in 0..4 {
        ma.publish(
            &msg_topic(&alice),
            text_message(
                &alice.user_id,
                &room,
                &format!("m{i}"),
                Some(&format!("r{i}")),
            )
            .to_string(),
        )
        .await?;
    }
    // The rejection may overtake the three ACKs: wait for all four, in any order.
    let (mut acks, mut error) = (Vec::new(), None);
    while acks.len() < 3 || error.is_none() {
        match ma.next().await? {
            w3mq_testkit::Seen::Publish(t, p) if t == chat(&room) => {
                acks.push(serde_json::from_slice::<Value>(&p)?["client_msg_id"].clone())
            }
            w3mq_testkit::Seen::Publish(t, p) if t == notif(&alice.user_id) => {
                error = Some(serde_json::from_slice::<Value>(&p)?)
            }
            w3mq_testkit::Seen::Down(e) => return Err(e.into()),
            _ => {}
        }
    }
    let ev = error.ok_or("no error event")?;
    assert_eq!(ev["code"], "rate_limited");
    assert_eq!(ev["client_msg_id"], "r3");
    assert_eq!(acks, vec![json!("r0"), json!("r1"), json!("r2")]);
    let stored = alice
        .api
        .post("/messages", json!({"room_id": room}))
        .await?;
    assert_eq!(stored.data()?.as_array().map(Vec::len), Some(3));
    Ok(())
}

#[tokio::test]
async fn mqtt_over_plain_tcp_works_too() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let (host, port) = w.server.mqtt_tcp.rsplit_once(':').ok_or("no port")?;
    let mut o = rumqttc::MqttOptions::new(format!("{}-tcp", alice.user_id), host, port.parse()?);
    o.set_credentials(&alice.user_id, &alice.token);
    let mut m = Mqtt::connect_with(o).await?;
    assert!(m.subscribe(&chat(&room)).await?);
    m.publish(
        &msg_topic(&alice),
        text_message(&alice.user_id, &room, "tcp", None).to_string(),
    )
    .await?;
    assert_eq!(m.recv_on(&chat(&room)).await?["msg_contents"], "tcp");
    Ok(())
}

#[tokio::test]
async fn a_subscriber_that_stops_reading_does_not_stall_the_room() -> Result<()> {
    let w = world(&["--rate-per-sec", "0"]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = alice.create_room(&[&bob, &carol]).await?;
    let mut mb = join(&w, &bob, &room).await?;
    let ma = alice.mqtt(&w.server.mqtt_ws).await?;

    // Carol subscribes over TCP, then never reads her socket again.
    let (host, port) = w.server.mqtt_tcp.rsplit_once(':').ok_or("no port")?;
    let mut o = rumqttc::MqttOptions::new(format!("{}-stuck", carol.user_id), host, port.parse()?);
    o.set_credentials(&carol.user_id, &carol.token);
    let (stuck, mut stuck_loop) = rumqttc::AsyncClient::new(o, 10);
    stuck
        .subscribe(chat(&room), rumqttc::QoS::AtLeastOnce)
        .await?;
    loop {
        let ev = tokio::time::timeout(w3mq_testkit::WAIT, stuck_loop.poll()).await??;
        if matches!(ev, rumqttc::Event::Incoming(rumqttc::Packet::SubAck(_))) {
            break;
        }
    }

    // Far more than the socket buffers hold: 3,000 messages of 2 KB.
    const N: i64 = 3000;
    let text = "x".repeat(2048);
    let topic = chat(&room);
    let sender = tokio::spawn(async move {
        for i in 0..N {
            let m = text_message(&alice.user_id, &room, &text, Some(&format!("s{i}")));
            if ma
                .publish(&format!("msg/{}", alice.user_id), m.to_string())
                .await
                .is_err()
            {
                break;
            }
        }
        ma
    });
    let mut last = 0;
    while last < N {
        let m = mb.recv_on(&topic).await?;
        let seq = m["seq"].as_i64().unwrap_or(-1);
        assert_eq!(seq, last + 1, "bob sees every message in order");
        last = seq;
    }
    sender.await?;
    drop(stuck_loop);
    Ok(())
}
