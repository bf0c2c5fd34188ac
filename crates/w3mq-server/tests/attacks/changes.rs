//! Edits, deletions for everyone and reactions (issue 13): only members act;
//! only the author edits; the author or the room's owner deletes; a reaction
//! is one of the protocol's emoji, once per user; server fields a client
//! sends in a message are cleared; a stranger learns nothing; every change
//! is told on `notification/<room>` and caught up by `rev` in order; a 2022
//! history never shows a placeholder.

use serde_json::{json, Value};
use w3mq_testkit::{text_message, Result, Seen};

use super::*;

/// The next `message_changed` on `obs`'s `notification/<room>` (skipping SUBACKs).
async fn next_change(obs: &mut w3mq_testkit::Mqtt, room: &str) -> Result<Value> {
    loop {
        match obs.next().await? {
            Seen::Publish(t, p) => {
                let v: Value = serde_json::from_slice(&p).unwrap_or(Value::Null);
                assert_eq!(t, notif(room), "something else came first: {v}");
                assert_eq!(v["type"], "message_changed", "{v}");
                return Ok(v["message"].clone());
            }
            Seen::SubAck(_) => continue,
            Seen::Down(e) => return Err(format!("observer's connection lost: {e}").into()),
        }
    }
}

#[tokio::test]
async fn only_members_change_messages_each_as_allowed_and_every_change_is_ordered() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?; // the owner
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let mallory = w.api.new_account().await?; // a stranger
    let room = alice.create_room(&[&bob, &carol]).await?;
    let mut chats = observer(&w, &carol, &[chat(&room)]).await?;
    let mut changes = observer(&w, &carol, &[notif(&room)]).await?;
    let mb = bob.mqtt(&w.server.mqtt_ws).await?;

    // Server fields in a published message are cleared, not believed.
    let mut forged = text_message(&bob.user_id, &room, "bob's words", Some("c1"));
    forged["deleted"] = json!(true);
    forged["edited_at"] = json!(123);
    forged["rev"] = json!(77);
    forged["reactions"] = json!([{"emoji": "👍", "count": 9, "user_ids": [mallory.user_id]}]);
    mb.publish(&msg_topic(&bob), forged.to_string()).await?;
    let m = next_is(&mut chats, &chat(&room), "bob's words").await?;
    for k in ["deleted", "edited_at", "rev", "reactions"] {
        assert!(m.get(k).is_none(), "{k} was believed: {m}");
    }
    let id = m["id"].as_str().ok_or("id")?.to_owned();

    // A stranger: not found, whatever the change, and nothing is told.
    for (path, body) in [
        ("/messages/edit", json!({"msg_id": id, "text": "pwned"})),
        ("/messages/delete", json!({"msg_id": id})),
        (
            "/reactions",
            json!({"msg_id": id, "emoji": "👍", "on": true}),
        ),
    ] {
        let r = mallory.api.post(path, body).await?;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    let r = mallory
        .api
        .post("/messages/changes", json!({"room_id": room}))
        .await?;
    assert_eq!(r.status, 403, "a stranger read the changes: {}", r.body);

    // A member who is not the author edits nothing; a reaction outside the set is refused.
    let r = carol
        .api
        .post("/messages/edit", json!({"msg_id": id, "text": "carol's"}))
        .await?;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = carol
        .api
        .post(
            "/reactions",
            json!({"msg_id": id, "emoji": "<img src=x>", "on": true}),
        )
        .await?;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = bob
        .api
        .post("/messages/edit", json!({"msg_id": id, "text": "   "}))
        .await?;
    assert_eq!(r.status, 400, "an empty edit: {}", r.body);

    // The honest changes, each told in order with the next rev.
    carol
        .api
        .post(
            "/reactions",
            json!({"msg_id": id, "emoji": "👍", "on": true}),
        )
        .await?
        .data()?;
    let c1 = next_change(&mut changes, &room).await?;
    assert_eq!(
        (c1["rev"].as_i64(), c1["reactions"][0]["count"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(c1["reactions"][0]["user_ids"], json!([carol.user_id]));
    // The same reaction twice is one, and tells nothing new.
    carol
        .api
        .post(
            "/reactions",
            json!({"msg_id": id, "emoji": "👍", "on": true}),
        )
        .await?
        .data()?;
    let edited = bob
        .api
        .post("/messages/edit", json!({"msg_id": id, "text": "bob's better words", "at_user_ids": [carol.user_id, mallory.user_id]}))
        .await?;
    let edited = edited.data()?.clone();
    let c2 = next_change(&mut changes, &room).await?;
    assert_eq!(c2["rev"], 2, "the repeated reaction made a change: {c2}");
    assert_eq!(c2["msg_contents"], "bob's better words");
    assert!(c2["edited_at"].as_i64().unwrap_or(0) > 0);
    assert_eq!(
        c2["at_user_ids"],
        json!([carol.user_id]),
        "a stranger mentioned by an edit was kept"
    );
    assert_eq!(edited["rev"], 2);

    // The owner deletes bob's message for everyone: a placeholder, no contents, no reactions.
    alice
        .api
        .post("/messages/delete", json!({"msg_id": id}))
        .await?
        .data()?;
    let c3 = next_change(&mut changes, &room).await?;
    assert_eq!(
        (c3["rev"].as_i64(), c3["deleted"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(c3["msg_contents"], "");
    assert!(c3.get("reactions").is_none() && c3.get("at_user_ids").is_none_or(|v| v == &json!([])));
    // Nothing more changes a deleted message.
    let r = bob
        .api
        .post("/messages/edit", json!({"msg_id": id, "text": "back"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = carol
        .api
        .post(
            "/reactions",
            json!({"msg_id": id, "emoji": "🔥", "on": true}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.body);

    // Caught up in order from any point; a 2022 history leaves the placeholder out.
    let all = carol
        .api
        .post(
            "/messages/changes",
            json!({"room_id": room, "after_rev": 0}),
        )
        .await?;
    let all = all.data()?.clone();
    assert_eq!(all["rev"], 3);
    assert_eq!(
        all["messages"].as_array().map(Vec::len),
        Some(1),
        "one message, as it is now: {all}"
    );
    assert_eq!(all["messages"][0]["deleted"], true);
    let after = carol
        .api
        .post(
            "/messages/changes",
            json!({"room_id": room, "after_rev": 3}),
        )
        .await?;
    assert_eq!(after.data()?["messages"], json!([]));
    assert!(
        history(&carol, &room).await?.is_empty(),
        "a 2022 history shows a placeholder"
    );
    let with = carol
        .api
        .post(
            "/messages",
            json!({"room_id": room, "page": 1, "size": 100, "include_deleted": true}),
        )
        .await?;
    assert_eq!(with.data()?[0]["deleted"], true);
    // Nor does a 2022 room list show it as the latest message.
    let listed = carol
        .api
        .post("/my_chats", json!({"page": 1, "size": 10}))
        .await?;
    let listed = listed
        .data()?
        .as_array()
        .and_then(|l| l.iter().find(|c| c["room_id"] == room.as_str()).cloned())
        .ok_or("the room is listed")?;
    assert!(
        listed.get("latest_msg").is_none_or(|m| m.is_null()),
        "a placeholder is the latest message: {listed}"
    );

    // Bob deletes his own next message; carol may not delete it.
    say(&mb, &bob, &room, "second").await?;
    let m2 = next_is(&mut chats, &chat(&room), "second").await?;
    let r = carol
        .api
        .post("/messages/delete", json!({"msg_id": m2["id"]}))
        .await?;
    assert_eq!(r.status, 403, "{}", r.body);
    bob.api
        .post("/messages/delete", json!({"msg_id": m2["id"]}))
        .await?
        .data()?;
    let c4 = next_change(&mut changes, &room).await?;
    assert_eq!(
        (c4["rev"].as_i64(), c4["id"].as_str()),
        (Some(4), m2["id"].as_str())
    );

    // A member who left changes nothing (and the honest observer hears only the honest change).
    carol
        .api
        .post(&format!("/rooms/{room}/leave"), json!({}))
        .await?
        .data()?;
    let mut alice_chats = observer(&w, &alice, &[chat(&room), notif(&room)]).await?;
    say(&mb, &bob, &room, "third").await?;
    let m3 = loop {
        match alice_chats.next().await? {
            Seen::Publish(t, p) if t == chat(&room) => break serde_json::from_slice::<Value>(&p)?,
            _ => continue,
        }
    };
    let r = carol
        .api
        .post(
            "/reactions",
            json!({"msg_id": m3["id"], "emoji": "👍", "on": true}),
        )
        .await?;
    assert_eq!(r.status, 404, "a removed member reacted: {}", r.body);
    alice
        .api
        .post(
            "/reactions",
            json!({"msg_id": m3["id"], "emoji": "🎉", "on": true}),
        )
        .await?
        .data()?;
    let honest = next_change(&mut alice_chats, &room).await?;
    assert_eq!(honest["reactions"][0]["user_ids"], json!([alice.user_id]));
    Ok(())
}

#[tokio::test]
async fn in_a_1v1_room_whoever_made_it_does_not_delete_the_other_persons_words() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mut chats = observer(&w, &alice, &[chat(&room)]).await?;
    let mut changes = observer(&w, &alice, &[notif(&room)]).await?;
    let mb = bob.mqtt(&w.server.mqtt_ws).await?;
    say(&mb, &bob, &room, "bob's own words").await?;
    let m = next_is(&mut chats, &chat(&room), "bob's own words").await?;
    let r = alice
        .api
        .post("/messages/delete", json!({"msg_id": m["id"]}))
        .await?;
    assert_eq!(
        r.status, 403,
        "the 1v1 room's maker deleted bob's message: {}",
        r.body
    );
    // The honest change that follows is the first one told.
    bob.api
        .post("/messages/delete", json!({"msg_id": m["id"]}))
        .await?
        .data()?;
    let c = next_change(&mut changes, &room).await?;
    assert_eq!(
        (c["rev"].as_i64(), c["deleted"].as_bool()),
        (Some(1), Some(true))
    );
    Ok(())
}
