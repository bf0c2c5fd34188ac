//! Read markers, read receipts and typing (issue 13): only a member moves a
//! marker, reads receipts or types; a marker never goes back nor past the
//! room's last message; a private read moves my marker (my devices learn
//! it) and tells the others nothing; a removed member's receipt is gone and
//! they can neither read nor type; typing is rate-limited per room.

use serde_json::{json, Value};
use w3mq_testkit::{Result, Seen};

use super::*;

/// The next event on `obs` (skipping SUBACKs), which must be on `topic`.
async fn next_event(obs: &mut w3mq_testkit::Mqtt, topic: &str) -> Result<Value> {
    loop {
        match obs.next().await? {
            Seen::Publish(t, p) => {
                let v: Value = serde_json::from_slice(&p).unwrap_or(Value::Null);
                assert_eq!(t, topic, "something else came first: {v}");
                return Ok(v);
            }
            Seen::SubAck(_) => continue,
            Seen::Down(e) => return Err(format!("observer's connection lost: {e}").into()),
        }
    }
}

/// `who` (not a member) is told 404 for every read-state route of `room`, and no marker of
/// theirs there is listed.
async fn refused_everything(who: &w3mq_testkit::Account, room: &str) -> Result<()> {
    for (path, body) in [
        ("/read", json!({"room_id": room, "seq": 1, "receipt": true})),
        ("/read/receipts", json!({"room_id": room})),
        ("/typing", json!({"room_id": room})),
    ] {
        let r = who.api.post(path, body).await?;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    let r = who
        .api
        .post("/read/markers", json!({"room_ids": [room]}))
        .await?;
    assert_eq!(r.data()?, &json!([]), "a non-member's marker is listed");
    Ok(())
}

#[tokio::test]
async fn only_members_share_read_state_and_typing_and_markers_only_go_forward() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let mallory = w.api.new_account().await?; // a stranger
    let room = alice.create_room(&[&bob]).await?;
    let mut chats = observer(&w, &bob, &[chat(&room)]).await?;
    let mut bob_sees = observer(&w, &bob, &[notif(&room)]).await?;
    let mut alice_devices = observer(&w, &alice, &[notif(&alice.user_id)]).await?;
    let mb = bob.mqtt(&w.server.mqtt_ws).await?;
    for t in ["one", "two", "three"] {
        say(&mb, &bob, &room, t).await?;
        next_is(&mut chats, &chat(&room), t).await?;
    }

    // A stranger: not found, whatever they try; their markers in the room are not listed.
    refused_everything(&mallory, &room).await?;
    let r = alice
        .api
        .post("/read", json!({"room_id": "not an id", "seq": 1}))
        .await?;
    assert_eq!(r.status, 400, "{}", r.body);

    // A read past the end is cut to the last message; the receipt goes to the room, the
    // marker to my devices. A stranger's tries told nothing before it.
    let r = alice
        .api
        .post(
            "/read",
            json!({"room_id": room, "seq": 999, "receipt": true}),
        )
        .await?;
    assert_eq!(r.data()?["seq"], 3);
    let e = next_event(&mut bob_sees, &notif(&room)).await?;
    assert_eq!(
        e,
        json!({"type": "receipt", "room_id": room, "user_id": alice.user_id, "seq": 3})
    );
    let e = next_event(&mut alice_devices, &notif(&alice.user_id)).await?;
    assert_eq!(e, json!({"type": "read_moved", "room_id": room, "seq": 3}));

    // Back is not a move: nothing changes and nothing is told.
    let r = alice
        .api
        .post("/read", json!({"room_id": room, "seq": 1, "receipt": true}))
        .await?;
    assert_eq!(r.data()?["seq"], 3);

    // Typing: told once, the next within the interval dropped.
    let r = alice.api.post("/typing", json!({"room_id": room})).await?;
    assert_eq!(r.data()?, &json!(true));
    let r = alice.api.post("/typing", json!({"room_id": room})).await?;
    assert_eq!(r.data()?, &json!(false), "typing is rate-limited");
    let e = next_event(&mut bob_sees, &notif(&room)).await?;
    assert_eq!(
        e,
        json!({"type": "typing", "room_id": room, "user_id": alice.user_id})
    );

    // A private read moves my marker (my devices learn it) and not the receipt.
    say(&mb, &bob, &room, "four").await?;
    next_is(&mut chats, &chat(&room), "four").await?;
    let r = alice
        .api
        .post("/read", json!({"room_id": room, "seq": 4}))
        .await?;
    assert_eq!(r.data()?["seq"], 4);
    let e = next_event(&mut alice_devices, &notif(&alice.user_id)).await?;
    assert_eq!(e, json!({"type": "read_moved", "room_id": room, "seq": 4}));
    let r = bob
        .api
        .post("/read/receipts", json!({"room_id": room}))
        .await?;
    assert_eq!(
        r.data()?,
        &json!([{"room_id": room, "user_id": alice.user_id, "seq": 3}])
    );
    let r = alice
        .api
        .post("/read/markers", json!({"room_ids": [room]}))
        .await?;
    assert_eq!(
        r.data()?,
        &json!([{"room_id": room, "user_id": alice.user_id, "seq": 4}])
    );
    // The honest event after the private read and the dropped typing: bob's own receipt.
    let r = bob
        .api
        .post("/read", json!({"room_id": room, "seq": 4, "receipt": true}))
        .await?;
    assert_eq!(r.data()?["seq"], 4);
    let e = next_event(&mut bob_sees, &notif(&room)).await?;
    assert_eq!(
        (e["type"].as_str(), e["user_id"].as_str()),
        (Some("receipt"), Some(bob.user_id.as_str())),
        "the private read was told: {e}"
    );

    // Too many rooms at once is a clear error.
    let many: Vec<String> = (0..1001).map(|_| room.clone()).collect();
    let r = alice
        .api
        .post("/read/markers", json!({ "room_ids": many }))
        .await?;
    assert_eq!(r.status, 400, "{}", r.body);
    Ok(())
}

#[tokio::test]
async fn a_removed_member_loses_their_receipt_and_their_voice() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let dave = w.api.new_account().await?;
    let room = alice.create_room(&[&bob, &dave]).await?;
    let mut chats = observer(&w, &alice, &[chat(&room)]).await?;
    let ma = alice.mqtt(&w.server.mqtt_ws).await?;
    say(&ma, &alice, &room, "hello group").await?;
    next_is(&mut chats, &chat(&room), "hello group").await?;
    for who in [&bob, &dave] {
        who.api
            .post("/read", json!({"room_id": room, "seq": 1, "receipt": true}))
            .await?
            .data()?;
    }
    let r = alice
        .api
        .post("/read/receipts", json!({"room_id": room}))
        .await?;
    assert_eq!(r.data()?.as_array().map(Vec::len), Some(2), "{}", r.body);

    dave.api
        .post(&format!("/rooms/{room}/leave"), json!({}))
        .await?
        .data()?;
    let r = alice
        .api
        .post("/read/receipts", json!({"room_id": room}))
        .await?;
    assert_eq!(
        r.data()?,
        &json!([{"room_id": room, "user_id": bob.user_id, "seq": 1}]),
        "a removed member's receipt is still shown"
    );
    refused_everything(&dave, &room).await?;
    // Added again, dave starts unread and shares nothing from before.
    alice
        .api
        .post(
            &format!("/rooms/{room}/members"),
            json!({"target_user_ids": [dave.user_id]}),
        )
        .await?
        .data()?;
    let r = dave
        .api
        .post("/read/markers", json!({"room_ids": [room]}))
        .await?;
    assert_eq!(r.data()?, &json!([]), "the old marker came back");
    let r = alice
        .api
        .post("/read/receipts", json!({"room_id": room}))
        .await?;
    assert_eq!(r.data()?.as_array().map(Vec::len), Some(1), "{}", r.body);

    // A public channel shares no typing (nor receipts).
    let coll = alice
        .api
        .post(
            "/rooms",
            json!({"is_opensea_coll": true, "opensea_coll_slug": "reads-test", "opensea_coll_name": "R"}),
        )
        .await?;
    let coll = coll.data()?.as_str().ok_or("room id")?.to_owned();
    let r = alice.api.post("/typing", json!({"room_id": coll})).await?;
    assert_eq!(r.data()?, &json!(false), "typing told in a public channel");
    Ok(())
}
