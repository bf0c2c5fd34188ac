//! The desktop benchmark's burst (scripts/bench-desktop.sh, measure 5): the
//! fixture's first peer, a member of every room of the benchmark account,
//! signs in again with its key and publishes `--messages` text messages over
//! MQTT as fast as the server takes them, spread round-robin over the rooms
//! (`--rooms`, comma-separated ids). The server should run with
//! `--rate-per-sec 0` so that the burst measures the app, not the limiter.
//!
//! Prints one JSON line when every message has its PUBACK: `messages`,
//! `rooms`, `publish_secs` (first publish to last PUBACK).

use std::time::{Duration, Instant};

use clap::Parser;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS, Transport};
use w3mq_testkit::{text_message, Api, Wallet};

#[derive(Parser, Debug)]
#[command(about = "Publishes a burst of messages into the desktop benchmark's rooms")]
struct Args {
    /// REST base URL of the running w3mq-server.
    #[arg(long)]
    http: String,
    /// Its MQTT-over-WebSocket URL.
    #[arg(long)]
    mqtt: String,
    /// The sender's key (64 hex digits), the fixture's `peer_key`.
    #[arg(long, env = "W3MQ_BURST_KEY", hide_env_values = true)]
    key: String,
    /// The rooms, comma-separated.
    #[arg(long, value_delimiter = ',')]
    rooms: Vec<String>,
    /// How many messages.
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("desktop-burst: {what}: {e}");
    std::process::exit(1)
}

#[tokio::main]
async fn main() {
    let a = Args::parse();
    if a.rooms.is_empty() {
        fail("--rooms", "at least one room is needed");
    }
    let wallet = Wallet::from_hex(&a.key).unwrap_or_else(|e| fail("--key", e));
    let me = Api::new(a.http.trim_end_matches('/'))
        .login(&wallet)
        .await
        .unwrap_or_else(|e| fail("sign-in", e));
    let mut o = MqttOptions::new(format!("{}-burst", me.user_id), &a.mqtt, 0);
    o.set_transport(Transport::Ws);
    o.set_credentials(&me.user_id, &me.token);
    o.set_keep_alive(Duration::from_secs(30));
    o.set_inflight(1000);
    let (client, mut ev) = AsyncClient::new(o, 1024);
    let total = a.messages;
    let waiter = tokio::spawn(async move {
        let mut acks = 0usize;
        while acks < total {
            match tokio::time::timeout(Duration::from_secs(60), ev.poll()).await {
                Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => acks += 1,
                Ok(Ok(Event::Incoming(Packet::ConnAck(c))))
                    if c.code != rumqttc::ConnectReturnCode::Success =>
                {
                    fail("connect", format!("{:?}", c.code))
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => fail("connection", e),
                Err(_) => fail(
                    "PUBACKs",
                    format!("{acks} of {total} after 60 s without one"),
                ),
            }
        }
    });
    let topic = format!("msg/{}", me.user_id);
    let started = Instant::now();
    for i in 0..total {
        let room = &a.rooms[i % a.rooms.len()];
        let text = format!("burst {i} of {total}");
        let body = text_message(&me.user_id, room, &text, Some(&format!("burst-{i}"))).to_string();
        client
            .publish(&topic, QoS::AtLeastOnce, false, body)
            .await
            .unwrap_or_else(|e| fail("publish", e));
    }
    waiter.await.unwrap_or_else(|e| fail("PUBACKs", e));
    let took = started.elapsed();
    client.disconnect().await.ok();
    eprintln!(
        "desktop-burst: {total} messages over {} rooms in {took:.1?}",
        a.rooms.len()
    );
    println!(
        "{}",
        serde_json::json!({"messages": total, "rooms": a.rooms.len(), "publish_secs": took.as_secs_f64()})
    );
}
