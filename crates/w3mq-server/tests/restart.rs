//! A restart keeps every accepted message and token, and `seq` continues;
//! SIGTERM exits 0 after finishing what was accepted.

use serde_json::json;
use w3mq_testkit::{text_message, Api, Result, ServerProcess};

const BIN: &str = env!("CARGO_BIN_EXE_w3mq-server");

#[tokio::test]
async fn restart_keeps_messages_and_tokens_and_seq_continues() -> Result<()> {
    let mut server = ServerProcess::start(BIN, &["--rate-per-sec", "0"]).await?;
    let api = Api::new(&server.http);
    let a = api.new_account().await?;
    let b = api.new_account().await?;
    let room = a.create_room(&[&b]).await?;
    let topic = format!("chat/{room}");
    {
        let mut m = a.mqtt(&server.mqtt_ws).await?;
        assert!(m.subscribe(&topic).await?);
        for i in 0..3 {
            m.publish(
                &format!("msg/{}", a.user_id),
                text_message(
                    &a.user_id,
                    &room,
                    &format!("before {i}"),
                    Some(&format!("b{i}")),
                )
                .to_string(),
            )
            .await?;
        }
        for _ in 0..3 {
            m.recv_on(&topic).await?;
        }
        m.close().await;
    }

    server.restart().await?;

    // The old token still works, over REST and MQTT.
    let history = a
        .api
        .post("/messages", json!({"room_id": room, "size": 100}))
        .await?;
    let seqs: Vec<i64> = history
        .data()?
        .as_array()
        .map(|v| v.iter().filter_map(|m| m["seq"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(seqs, vec![1, 2, 3]);
    let mut m = a.mqtt(&server.mqtt_ws).await?;
    assert!(m.subscribe(&topic).await?);
    // A resend of an already stored client_msg_id is answered with the stored message.
    m.publish(
        &format!("msg/{}", a.user_id),
        text_message(&a.user_id, &room, "before 2", Some("b2")).to_string(),
    )
    .await?;
    assert_eq!(m.recv_on(&topic).await?["seq"], 3);
    m.publish(
        &format!("msg/{}", a.user_id),
        text_message(&a.user_id, &room, "after", None).to_string(),
    )
    .await?;
    let got = m.recv_on(&topic).await?;
    assert_eq!(got["seq"], 4, "seq continues without a gap");
    assert_eq!(server.stop().await?, 0);
    Ok(())
}

#[tokio::test]
async fn sigterm_finishes_a_burst_it_accepted() -> Result<()> {
    let mut server = ServerProcess::start(BIN, &["--rate-per-sec", "0"]).await?;
    let api = Api::new(&server.http);
    let a = api.new_account().await?;
    let b = api.new_account().await?;
    let room = a.create_room(&[&b]).await?;
    let topic = format!("chat/{room}");
    let mut m = a.mqtt(&server.mqtt_ws).await?;
    assert!(m.subscribe(&topic).await?);
    for i in 0..200 {
        m.publish(
            &format!("msg/{}", a.user_id),
            text_message(&a.user_id, &room, &format!("m{i}"), Some(&format!("c{i}"))).to_string(),
        )
        .await?;
    }
    // Once the first ACK is back the server is processing the burst; stop it now.
    m.recv_on(&topic).await?;
    assert_eq!(server.stop().await?, 0);
    // Everything stored has contiguous seqs from 1.
    server.restart_after_stop().await?;
    let history = a
        .api
        .post(
            "/messages",
            json!({"room_id": room, "size": 100, "after_seq": 0}),
        )
        .await?;
    let seqs: Vec<i64> = history
        .data()?
        .as_array()
        .map(|v| v.iter().filter_map(|m| m["seq"].as_i64()).collect())
        .unwrap_or_default();
    assert!(!seqs.is_empty());
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    Ok(())
}
