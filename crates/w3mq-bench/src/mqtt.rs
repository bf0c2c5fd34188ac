//! MQTT connections for the bench: the same rumqttc client code for both
//! brokers, TCP_NODELAY on (as browsers set it on WebSockets), QoS 1.

use std::time::Duration;

use rumqttc::{
    AsyncClient, ConnectReturnCode, Event, EventLoop, MqttOptions, Packet, QoS,
    SubscribeReasonCode, Transport,
};
use serde::Serialize;
use w3mq_testkit::Result;

/// How long a connection step may take before the bench fails.
pub const STEP: Duration = Duration::from_secs(60);

/// MQTT over WebSocket or over plain TCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Wire {
    /// `ws://…/mqtt`, subprotocol `mqtt`.
    Ws,
    /// Plain TCP.
    Tcp,
}

impl Wire {
    /// "WebSocket" or "TCP".
    pub fn label(self) -> &'static str {
        match self {
            Wire::Ws => "WebSocket",
            Wire::Tcp => "TCP",
        }
    }
}

/// Where a broker listens.
#[derive(Debug, Clone)]
pub struct Broker {
    /// "w3mq-server" or "Mosquitto".
    pub name: String,
    /// `ws://127.0.0.1:PORT/mqtt`.
    pub ws_url: String,
    /// `127.0.0.1:PORT`.
    pub tcp_addr: String,
    /// REST base URL (w3mq-server only).
    pub http: Option<String>,
}

impl Broker {
    /// Connection options for `client_id`, with credentials if given.
    pub fn options(&self, wire: Wire, client_id: &str, creds: Option<(&str, &str)>) -> MqttOptions {
        let mut o = match wire {
            Wire::Ws => {
                let mut o = MqttOptions::new(client_id, self.ws_url.clone(), 0);
                o.set_transport(Transport::Ws);
                o
            }
            Wire::Tcp => {
                let (host, port) = self
                    .tcp_addr
                    .rsplit_once(':')
                    .unwrap_or((self.tcp_addr.as_str(), "1883"));
                MqttOptions::new(client_id, host, port.parse().unwrap_or(1883))
            }
        };
        o.set_keep_alive(Duration::from_secs(60));
        o.set_max_packet_size(1 << 20, 1 << 20);
        if let Some((u, p)) = creds {
            o.set_credentials(u, p);
        }
        o
    }
}

/// Connects and waits for a successful CONNACK. `cap` is the capacity of
/// the client's request channel.
pub async fn connect(o: MqttOptions, cap: usize) -> Result<(AsyncClient, EventLoop)> {
    connect_within(o, cap, STEP).await
}

/// [`connect`], giving up after `limit`.
pub async fn connect_within(
    o: MqttOptions,
    cap: usize,
    limit: Duration,
) -> Result<(AsyncClient, EventLoop)> {
    let (client, mut ev) = AsyncClient::new(o, cap);
    ev.network_options.set_tcp_nodelay(true);
    ev.network_options
        .set_connection_timeout(limit.as_secs().max(1));
    loop {
        match tokio::time::timeout(limit, ev.poll())
            .await
            .map_err(|_| "no CONNACK in time")?
        {
            Ok(Event::Incoming(Packet::ConnAck(c))) => {
                if c.code != ConnectReturnCode::Success {
                    return Err(format!("connection refused: {:?}", c.code).into());
                }
                return Ok((client, ev));
            }
            Ok(_) => continue,
            Err(e) => return Err(format!("connect failed: {e}").into()),
        }
    }
}

/// Subscribes to `topics` (QoS 1) and polls until every SUBACK granted it,
/// giving up after `limit`.
pub async fn subscribe_within(
    client: &AsyncClient,
    ev: &mut EventLoop,
    topics: &[String],
    limit: Duration,
) -> Result<()> {
    for t in topics {
        client.subscribe(t.as_str(), QoS::AtLeastOnce).await?;
    }
    let mut acked = 0;
    while acked < topics.len() {
        match tokio::time::timeout(limit, ev.poll())
            .await
            .map_err(|_| "no SUBACK in time")?
        {
            Ok(Event::Incoming(Packet::SubAck(s))) => {
                if s.return_codes
                    .iter()
                    .any(|c| !matches!(c, SubscribeReasonCode::Success(_)))
                {
                    return Err(format!("subscription refused: {:?}", s.return_codes).into());
                }
                acked += 1;
            }
            Ok(_) => continue,
            Err(e) => return Err(format!("connection lost while subscribing: {e}").into()),
        }
    }
    Ok(())
}

/// Connects and subscribes.
pub async fn connect_subscribed(
    o: MqttOptions,
    cap: usize,
    topics: &[String],
) -> Result<(AsyncClient, EventLoop)> {
    connect_subscribed_within(o, cap, topics, STEP).await
}

/// [`connect_subscribed`], each step giving up after `limit`.
pub async fn connect_subscribed_within(
    o: MqttOptions,
    cap: usize,
    topics: &[String],
    limit: Duration,
) -> Result<(AsyncClient, EventLoop)> {
    let (client, mut ev) = connect_within(o, cap, limit).await?;
    subscribe_within(&client, &mut ev, topics, limit).await?;
    Ok((client, ev))
}
