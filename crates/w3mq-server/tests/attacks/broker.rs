//! The broker's own features as routes: wills, client ids, persistent
//! sessions, retained messages, shared and wildcard subscriptions, QoS 2.

use rumqttc::mqttbytes::v4::Packet;
use rumqttc::mqttbytes::QoS;
use serde_json::json;
use w3mq_testkit::raw::RawConnect;
use w3mq_testkit::{text_message, Mqtt, Result};

use super::*;

/// CONNACK "not authorized" (MQTT 3.1.1).
const NOT_AUTHORIZED: u8 = 5;

#[tokio::test]
async fn a_connect_with_a_will_is_refused_whatever_its_topic() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let mallory = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mroom = mallory.create_room(&[&bob]).await?;
    let mut obs = observer(
        &w,
        &alice,
        &[chat(&room), notif(&room), notif(&alice.user_id)],
    )
    .await?;

    let mut forged = text_message(&bob.user_id, &room, "forged by a will", None);
    forged["id"] = json!("61f1007e604cc5be5f7a3c99");
    forged["seq"] = json!(99);
    let wills = [
        (chat(&room), forged.to_string()),
        (
            notif(&alice.user_id),
            json!({"type": "room_removed", "room_id": room}).to_string(),
        ),
        (
            notif(&room),
            json!({"type": "messages_deleted", "room_id": room, "ids": ["61f1007e604cc5be5f7a3c99"]})
                .to_string(),
        ),
        (
            notif(&room),
            json!({"type": "room_cleared", "room_id": room}).to_string(),
        ),
        // Even a will on one's own topic, which would be a valid message.
        (
            msg_topic(&mallory),
            text_message(&mallory.user_id, &mroom, "will", None).to_string(),
        ),
    ];
    for (i, (topic, payload)) in wills.into_iter().enumerate() {
        for retain in [false, true] {
            let mut c = RawConnect::new(
                &mallory.user_id,
                &mallory.token,
                &format!("{}-will{i}", mallory.user_id),
            );
            c.will = Some((topic.clone(), payload.clone().into_bytes(), retain));
            let (raw, code) = raw_connect(&w, c).await?;
            assert_eq!(code, NOT_AUTHORIZED, "a will on {topic} was accepted");
            raw.drop_socket();
        }
    }
    // A member's will is refused the same way.
    let mut c = RawConnect::new(&bob.user_id, &bob.token, &format!("{}-w", bob.user_id));
    c.will = Some((chat(&room), forged.to_string().into_bytes(), false));
    let (raw, code) = raw_connect(&w, c).await?;
    assert_eq!(code, NOT_AUTHORIZED);
    raw.drop_socket();
    // Without a will the same CONNECT is fine, and dropping it sends nothing.
    let c = RawConnect::new(
        &mallory.user_id,
        &mallory.token,
        &format!("{}-plain", mallory.user_id),
    );
    let (raw, code) = raw_connect(&w, c).await?;
    assert_eq!(code, 0);
    raw.drop_socket();

    let mb = bob.mqtt(&w.server.mqtt_ws).await?;
    say(&mb, &bob, &room, "honest after the wills").await?;
    next_is(&mut obs, &chat(&room), "honest after the wills").await?;
    Ok(())
}

#[tokio::test]
async fn someone_elses_client_id_is_refused_and_never_takes_over() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let mallory = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let victim_id = format!("{}-desktop", alice.user_id);
    let mut obs =
        Mqtt::connect(&w.server.mqtt_ws, &alice.user_id, &alice.token, &victim_id).await?;
    assert!(obs.subscribe(&chat(&room)).await?);

    for (id, clean) in [
        (victim_id.clone(), false),
        (victim_id.clone(), true),
        (alice.user_id.clone(), false),
        (format!("{}x", mallory.user_id), true),
        ("desktop".to_string(), true),
        (format!("{}-{}", mallory.user_id, "x".repeat(65)), true),
    ] {
        let mut c = RawConnect::new(&mallory.user_id, &mallory.token, &id);
        c.clean_session = clean;
        let (raw, code) = raw_connect(&w, c).await?;
        // 5 (not authorized), or 2 (identifier rejected) for the too long one.
        assert!(
            code == NOT_AUTHORIZED || code == 2,
            "client id {id} was accepted for mallory: {code}"
        );
        raw.drop_socket();
    }

    // Alice was not kicked: she receives what bob says next, first.
    let mb = bob.mqtt(&w.server.mqtt_ws).await?;
    say(&mb, &bob, &room, "alice is still here").await?;
    next_is(&mut obs, &chat(&room), "alice is still here").await?;
    Ok(())
}

#[tokio::test]
async fn a_persistent_session_loses_the_room_its_user_left() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let carol = w.api.new_account().await?;
    let group = alice.create_room(&[&bob, &carol]).await?;
    let pair = alice.create_room(&[&bob]).await?;
    let id = format!("{}-persistent", bob.user_id);
    let mut c = RawConnect::new(&bob.user_id, &bob.token, &id);
    c.clean_session = false;
    let (mut raw, code) = raw_connect(&w, c.clone()).await?;
    assert_eq!(code, 0);
    assert!(raw.subscribe(1, &chat(&group)).await?);
    assert!(raw.subscribe(2, &chat(&pair)).await?);
    raw.send(Packet::Disconnect).await?;
    raw.drop_socket();

    // While bob is away his session is kept; he leaves the group over REST.
    bob.api
        .post(&format!("/rooms/{group}/leave"), json!({}))
        .await?
        .data()?;
    let ma = alice.mqtt(&w.server.mqtt_ws).await?;
    let mut own = observer(&w, &alice, &[chat(&group), chat(&pair)]).await?;
    say(&ma, &alice, &group, "said after bob left").await?;
    next_is(&mut own, &chat(&group), "said after bob left").await?;
    say(&ma, &alice, &pair, "honest, for bob").await?;
    next_is(&mut own, &chat(&pair), "honest, for bob").await?;

    // Back with the same client id and clean_session = 0: the pair's
    // message is there, the group's is not.
    let (mut raw, code) = raw_connect(&w, c).await?;
    assert_eq!(code, 0);
    loop {
        match raw.recv().await? {
            Packet::Publish(p) => {
                let v: serde_json::Value = serde_json::from_slice(&p.payload)?;
                assert_eq!(
                    (p.topic.as_str(), v["msg_contents"].as_str()),
                    (chat(&pair).as_str(), Some("honest, for bob")),
                    "a left room's message reached the persistent session"
                );
                break;
            }
            _ => continue,
        }
    }
    Ok(())
}

#[tokio::test]
async fn retained_shared_wildcard_and_qos2_resends_are_not_routes() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let mallory = w.api.new_account().await?;
    let room = alice.create_room(&[&bob]).await?;
    let mut obs = observer(&w, &bob, &[chat(&room)]).await?;

    // Shared, wildcard and system subscriptions are refused to a stranger and
    // to a member alike.
    for who in [&mallory, &alice] {
        let (mut raw, code) =
            raw_connect(&w, RawConnect::new(&who.user_id, &who.token, &who.user_id)).await?;
        assert_eq!(code, 0);
        for (i, f) in [
            format!("$share/g/{}", chat(&room)),
            format!("$queue/{}", chat(&room)),
            "chat/+".to_string(),
            "#".to_string(),
            "$SYS/#".to_string(),
            format!("{}/#", chat(&room)),
        ]
        .iter()
        .enumerate()
        {
            assert!(
                !raw.subscribe(10 + i as u16, f).await?,
                "{f} was granted to {}",
                who.user_id
            );
        }
        raw.drop_socket();
    }

    // A retained publish is just a message: stored and delivered once, and
    // never kept for later subscribers.
    let (mut raw, _) = raw_connect(
        &w,
        RawConnect::new(&alice.user_id, &alice.token, &alice.user_id),
    )
    .await?;
    let retained = text_message(&alice.user_id, &room, "sent with retain", None).to_string();
    raw.publish(
        &msg_topic(&alice),
        QoS::AtLeastOnce,
        1,
        false,
        true,
        retained.into_bytes(),
    )
    .await?;
    next_is(&mut obs, &chat(&room), "sent with retain").await?;

    // A QoS 2 publish resent with DUP before its PUBREL is one message.
    let once = text_message(&alice.user_id, &room, "qos 2, sent twice", None).to_string();
    raw.publish(
        &msg_topic(&alice),
        QoS::ExactlyOnce,
        7,
        false,
        false,
        once.clone().into_bytes(),
    )
    .await?;
    raw.publish(
        &msg_topic(&alice),
        QoS::ExactlyOnce,
        7,
        true,
        false,
        once.into_bytes(),
    )
    .await?;
    let mut recs = 0;
    while recs < 2 {
        if let Packet::PubRec(_) = raw.recv().await? {
            recs += 1;
        }
    }
    raw.pubrel(7).await?;
    next_is(&mut obs, &chat(&room), "qos 2, sent twice").await?;
    let honest = text_message(&alice.user_id, &room, "honest after qos 2", None).to_string();
    raw.publish(
        &msg_topic(&alice),
        QoS::AtLeastOnce,
        8,
        false,
        false,
        honest.into_bytes(),
    )
    .await?;
    next_is(&mut obs, &chat(&room), "honest after qos 2").await?;

    // A later subscriber gets no retained copy: its first message is new.
    let mut late = observer(&w, &bob, &[chat(&room)]).await?;
    let ma = alice.mqtt(&w.server.mqtt_ws).await?;
    say(&ma, &alice, &room, "for the late subscriber").await?;
    next_is(&mut late, &chat(&room), "for the late subscriber").await?;
    assert_eq!(history(&bob, &room).await?.len(), 4);
    Ok(())
}
