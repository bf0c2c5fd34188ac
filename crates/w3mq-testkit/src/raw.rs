//! MQTT 3.1.1 packets written by hand over plain TCP, for what a stock
//! client will not send: a will, someone else's client id, a DUP resend of
//! a QoS 2 publish before its PUBREL.

use bytes::BytesMut;
use rumqttc::mqttbytes::v4::{
    ConnAck, Connect, LastWill, Login, Packet, PubRel, Publish, Subscribe, SubscribeFilter,
};
use rumqttc::mqttbytes::QoS;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Result, WAIT};

const MAX: usize = 1 << 20;

/// What a raw CONNECT asks for.
#[derive(Debug, Clone)]
pub struct RawConnect {
    /// The client id.
    pub client_id: String,
    /// `username` (a user id).
    pub user: String,
    /// `password` (an access token).
    pub token: String,
    /// Clean session flag.
    pub clean_session: bool,
    /// A will: topic, payload, retain.
    pub will: Option<(String, Vec<u8>, bool)>,
}

impl RawConnect {
    /// A plain CONNECT of `user` with `token` and `client_id`.
    pub fn new(user: &str, token: &str, client_id: &str) -> RawConnect {
        RawConnect {
            client_id: client_id.into(),
            user: user.into(),
            token: token.into(),
            clean_session: true,
            will: None,
        }
    }
}

/// A raw MQTT connection.
pub struct RawMqtt {
    tcp: TcpStream,
    buf: BytesMut,
}

impl RawMqtt {
    /// Connects to `addr` (`host:port` of the TCP listener), sends the
    /// CONNECT and returns the connection with the CONNACK's return code
    /// (0: accepted; 4: bad user name or password; 5: not authorized).
    pub async fn connect(addr: &str, c: &RawConnect) -> Result<(RawMqtt, u8)> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        let mut raw = RawMqtt {
            tcp,
            buf: BytesMut::new(),
        };
        let mut p = Connect::new(c.client_id.clone());
        p.keep_alive = 60;
        p.clean_session = c.clean_session;
        p.login = Some(Login::new(c.user.clone(), c.token.clone()));
        p.last_will = c
            .will
            .as_ref()
            .map(|(t, m, r)| LastWill::new(t.clone(), m.clone(), QoS::AtLeastOnce, *r));
        raw.send(Packet::Connect(p)).await?;
        match raw.recv().await? {
            Packet::ConnAck(ConnAck { code, .. }) => Ok((raw, code as u8)),
            other => Err(format!("expected CONNACK, got {other:?}").into()),
        }
    }

    /// Writes one packet.
    pub async fn send(&mut self, p: Packet) -> Result<()> {
        let mut out = BytesMut::new();
        p.write(&mut out, MAX)
            .map_err(|e| format!("encode: {e:?}"))?;
        self.tcp.write_all(&out).await?;
        Ok(())
    }

    /// The next packet, within [`WAIT`]; an error when the server closed.
    pub async fn recv(&mut self) -> Result<Packet> {
        tokio::time::timeout(WAIT, self.read_packet())
            .await
            .map_err(|_| "raw MQTT: nothing arrived in time")?
    }

    async fn read_packet(&mut self) -> Result<Packet> {
        loop {
            match Packet::read(&mut self.buf, MAX) {
                Ok(p) => return Ok(p),
                Err(rumqttc::mqttbytes::Error::InsufficientBytes(_)) => {}
                Err(e) => return Err(format!("decode: {e:?}").into()),
            }
            let mut chunk = [0u8; 4096];
            let n = self.tcp.read(&mut chunk).await?;
            if n == 0 {
                return Err("raw MQTT: the server closed the connection".into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Subscribes (QoS 1) to `topic`; true if the SUBACK granted it.
    pub async fn subscribe(&mut self, pkid: u16, topic: &str) -> Result<bool> {
        let mut s = Subscribe::new(topic, QoS::AtLeastOnce);
        s.pkid = pkid;
        s.filters = vec![SubscribeFilter::new(topic.into(), QoS::AtLeastOnce)];
        self.send(Packet::Subscribe(s)).await?;
        loop {
            match self.recv().await? {
                Packet::SubAck(a) => {
                    return Ok(a.return_codes.iter().all(|c| {
                        matches!(c, rumqttc::mqttbytes::v4::SubscribeReasonCode::Success(_))
                    }))
                }
                Packet::Publish(_) => continue,
                other => return Err(format!("expected SUBACK, got {other:?}").into()),
            }
        }
    }

    /// Publishes with the given QoS, DUP and retain flags and packet id.
    pub async fn publish(
        &mut self,
        topic: &str,
        qos: QoS,
        pkid: u16,
        dup: bool,
        retain: bool,
        payload: Vec<u8>,
    ) -> Result<()> {
        let mut p = Publish::new(topic, qos, payload);
        p.pkid = pkid;
        p.dup = dup;
        p.retain = retain;
        self.send(Packet::Publish(p)).await
    }

    /// Releases a QoS 2 publish.
    pub async fn pubrel(&mut self, pkid: u16) -> Result<()> {
        self.send(Packet::PubRel(PubRel::new(pkid))).await
    }

    /// The next PUBLISH on `topic` as JSON, acknowledging QoS 1 ones; other
    /// packets are skipped.
    pub async fn recv_on(&mut self, topic: &str) -> Result<Value> {
        loop {
            if let Packet::Publish(p) = self.recv().await? {
                if p.qos == QoS::AtLeastOnce {
                    self.send(Packet::PubAck(rumqttc::mqttbytes::v4::PubAck::new(p.pkid)))
                        .await?;
                }
                if p.topic == topic {
                    return Ok(serde_json::from_slice(&p.payload)?);
                }
            }
        }
    }

    /// Drops the TCP connection without a DISCONNECT (what makes a broker
    /// publish a will).
    pub fn drop_socket(self) {
        drop(self.tcp);
    }
}
