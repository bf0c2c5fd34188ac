//! Messages and threads: resends into a room one has left, item threads on
//! someone else's message.

use serde_json::json;
use w3mq_testkit::{text_message, Result};

use super::*;

#[tokio::test]
async fn a_resent_client_msg_id_is_never_republished_into_a_room_the_sender_left() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let mallory = w.api.new_account().await?;
    let a = alice.create_room(&[&mallory, &carol]).await?;
    let b = mallory.create_room(&[&bob]).await?;
    let mut in_a = observer(&w, &alice, &[chat(&a)]).await?;
    let mut in_b = observer(&w, &bob, &[chat(&b)]).await?;
    let mm = mallory.mqtt(&w.server.mqtt_ws).await?;

    let first = text_message(&mallory.user_id, &a, "first, in a", Some("x"));
    mm.publish(&msg_topic(&mallory), first.to_string()).await?;
    let stored = next_is(&mut in_a, &chat(&a), "first, in a").await?;
    mallory
        .api
        .post(&format!("/rooms/{a}/leave"), json!({}))
        .await?
        .data()?;

    // The same client_msg_id into room b is a new message of room b.
    let second = text_message(&mallory.user_id, &b, "second, in b", Some("x"));
    mm.publish(&msg_topic(&mallory), second.to_string()).await?;
    let got = next_is(&mut in_b, &chat(&b), "second, in b").await?;
    assert_eq!(got["to_room_id"], b.as_str());
    assert_ne!(got["id"], stored["id"]);
    // And into room a, which mallory left, it is refused, not republished.
    mm.publish(&msg_topic(&mallory), first.to_string()).await?;
    let mc = carol.mqtt(&w.server.mqtt_ws).await?;
    say(&mc, &carol, &a, "honest, in a").await?;
    next_is(&mut in_a, &chat(&a), "honest, in a").await?;
    assert_eq!(history(&alice, &a).await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn only_the_author_or_the_owner_attaches_an_item_and_never_over_one() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let room = alice.create_room(&[&bob, &carol]).await?;
    let mut obs = observer(&w, &bob, &[chat(&room)]).await?;
    let mb = bob.mqtt(&w.server.mqtt_ws).await?;
    say(&mb, &bob, &room, "my message").await?;
    let m = next_is(&mut obs, &chat(&room), "my message").await?;
    let id = m["id"].as_str().ok_or("no id")?;
    let item = |name: &str| {
        json!({"msg_id": id, "is_opensea_item_thread": true,
               "opensea_item_contract_address": "0x495f947276749ce646f68ac8c248420045cb7b5e",
               "opensea_item_token_id": "1", "opensea_item_name": name,
               "opensea_item_image_url": "https://example.org/i.png"})
    };
    let r = carol.api.post("/threads", item("carol's")).await?;
    assert_eq!(r.status, 403, "another member attached an item: {}", r.body);
    let r = carol.api.post("/threads", json!({"msg_id": id})).await?;
    assert_eq!(r.status, 200, "any member may start a plain thread");
    bob.api.post("/threads", item("bob's")).await?.data()?;
    let r = alice.api.post("/threads", item("the owner's")).await?;
    assert_eq!(r.status, 409, "an item was overwritten: {}", r.body);
    let r = bob.api.post("/threads", item("bob's again")).await?;
    assert_eq!(r.status, 409);
    let now = bob.api.get(&format!("/messages/{id}")).await?;
    assert_eq!(now.data()?["opensea_item_name"], "bob's");

    // The owner may attach one to a message without one.
    say(&mb, &bob, &room, "another").await?;
    let m2 = next_is(&mut obs, &chat(&room), "another").await?;
    let mut body = item("the owner's");
    body["msg_id"] = m2["id"].clone();
    alice.api.post("/threads", body).await?.data()?;
    Ok(())
}

#[tokio::test]
async fn existing_ids_answer_only_for_a_readable_room_and_its_own_messages() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let mallory = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mroom = mallory.create_room(&[&bob]).await?;
    let mut obs = observer(&w, &bob, &[chat(&room)]).await?;
    let ma = alice.mqtt(&w.server.mqtt_ws).await?;
    say(&ma, &alice, &room, "private").await?;
    let m = next_is(&mut obs, &chat(&room), "private").await?;
    let id = m["id"].as_str().ok_or("no id")?;
    let ask = |room: &str| json!({"room_id": room, "ids": [id]});
    let r = mallory.api.post("/messages/existing", ask(&room)).await?;
    assert_eq!(r.status, 403, "a stranger probed another room: {}", r.body);
    let r = mallory.api.post("/messages/existing", ask(&mroom)).await?;
    assert_eq!(r.data()?, &json!([]), "another room's id is listed");
    let r = bob.api.post("/messages/existing", ask(&room)).await?;
    assert_eq!(r.data()?, &json!([id]));
    let many: Vec<String> = (0..1001).map(|_| id.to_owned()).collect();
    let r = bob
        .api
        .post("/messages/existing", json!({"room_id": room, "ids": many}))
        .await?;
    assert_eq!(r.status, 400);
    Ok(())
}
