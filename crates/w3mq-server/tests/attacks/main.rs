//! The attack suite (docs/security.md): what an attacker with a signed-in
//! account can try, each class against a real `w3mq-server` over real
//! sockets, with raw MQTT packets where a stock client would not send them.
//!
//! Every "not delivered" check ends with an honest message that the same
//! observer must receive next: a dead connection cannot pass as a refusal,
//! and whatever the attack might have delivered would have come first.

mod broker;
mod changes;
mod channel;
mod messages;
mod reads;
mod rest;
mod signin;

use serde_json::{json, Value};
use w3mq_testkit::raw::{RawConnect, RawMqtt};
use w3mq_testkit::{text_message, Account, Mqtt, Result, Seen, World};

pub const BIN: &str = env!("CARGO_BIN_EXE_w3mq-server");

pub async fn world(args: &[&str]) -> Result<World> {
    World::start(BIN, args).await
}

pub fn chat(room: &str) -> String {
    format!("chat/{room}")
}

pub fn notif(id: &str) -> String {
    format!("notification/{id}")
}

pub fn msg_topic(a: &Account) -> String {
    format!("msg/{}", a.user_id)
}

/// An MQTT connection of `a` subscribed to `topics`.
pub async fn observer(w: &World, a: &Account, topics: &[String]) -> Result<Mqtt> {
    let mut m = a.mqtt(&w.server.mqtt_ws).await?;
    for t in topics {
        assert!(m.subscribe(t).await?, "{t} must be granted");
    }
    Ok(m)
}

/// Publishes a text from `a` to `room` over its connection `m`.
pub async fn say(m: &Mqtt, a: &Account, room: &str, text: &str) -> Result<()> {
    m.publish(
        &msg_topic(a),
        text_message(&a.user_id, room, text, None).to_string(),
    )
    .await
}

/// The next PUBLISH `obs` sees must be the message `text` on `topic`;
/// returns it.
pub async fn next_is(obs: &mut Mqtt, topic: &str, text: &str) -> Result<Value> {
    loop {
        match obs.next().await? {
            Seen::Publish(t, p) => {
                let v: Value = serde_json::from_slice(&p).unwrap_or(Value::Null);
                assert_eq!(
                    (t.as_str(), v["msg_contents"].as_str()),
                    (topic, Some(text)),
                    "something arrived before the honest message: {v}"
                );
                return Ok(v);
            }
            Seen::SubAck(_) => continue,
            Seen::Down(e) => return Err(format!("observer's connection lost: {e}").into()),
        }
    }
}

/// A raw CONNECT of `a` with `client_id`; the CONNACK code.
pub async fn raw_connect(w: &World, c: RawConnect) -> Result<(RawMqtt, u8)> {
    RawMqtt::connect(&w.server.mqtt_tcp, &c).await
}

/// A collection room created (so owned and moderated) by `owner`.
pub async fn collection(owner: &Account, slug: &str) -> Result<String> {
    let r = owner
        .api
        .post(
            "/rooms",
            json!({"is_opensea_coll": true, "opensea_coll_slug": slug}),
        )
        .await?;
    Ok(r.data()?.as_str().ok_or("room id")?.to_owned())
}

/// `who` joins a collection room.
pub async fn join_collection(who: &Account, slug: &str) -> Result<()> {
    who.api
        .post(
            "/rooms",
            json!({"is_opensea_coll": true, "opensea_coll_slug": slug}),
        )
        .await?
        .data()?;
    Ok(())
}

/// The stored messages of a room, oldest first.
pub async fn history(a: &Account, room: &str) -> Result<Vec<Value>> {
    let r = a
        .api
        .post(
            "/messages",
            json!({"room_id": room, "page": 1, "size": 100}),
        )
        .await?;
    Ok(r.data()?.as_array().cloned().unwrap_or_default())
}
