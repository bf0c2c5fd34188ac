//! The embedded MQTT broker (rmqtt, pinned) behind the server's own seams.
//!
//! rmqtt's API is 0.x and moves, so everything that touches it lives here:
//! the hook handlers (authentication, subscribe ACL, publish ACL), the
//! [`Bus`] through which the router delivers, and the revocation of live
//! subscriptions.
//!
//! rmqtt runs the `MessagePublish` hook *before* `MessagePublishCheckAcl`,
//! so a handler on `MessagePublish` would see publishes the ACL later denies.
//! No handler is registered there: the router is fed from the publish ACL
//! handler, after its checks have passed.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use rmqtt::codec::types::{Publish as CodecPublish, QoS};
use rmqtt::codec::v5::SubscribeAckReason;
use rmqtt::context::ServerContext;
use rmqtt::hook::{Handler, HookResult, Parameter, ReturnType, Type};
use rmqtt::net::Builder;
use rmqtt::session::SessionState;
use rmqtt::types::{
    AuthResult, From as MqttFrom, Id, Publish, PublishAclResult, SubscribeAclResult, Unsubscribe,
};
use w3mq_protocol::Topic;

use crate::auth::Auth;
use crate::metrics::Metrics;
use crate::router::RouterHandle;
use crate::store::Store;

/// How the router and the REST handlers reach connected clients. A cluster
/// of nodes would implement it over NATS, forwarding to each node's broker.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Publishes `payload` (QoS 1) to every subscriber of `topic`.
    async fn publish(&self, topic: &str, payload: Bytes);
    /// Ends `user_id`'s live subscriptions to `room_id`'s topics.
    async fn revoke(&self, user_id: &str, room_id: &str);
}

/// [`Bus`] over the in-process rmqtt broker.
#[derive(Clone)]
pub struct RmqttBus {
    scx: ServerContext,
    from: Id,
}

impl RmqttBus {
    /// A bus over `scx`.
    pub fn new(scx: ServerContext) -> Self {
        let from = Id::new(
            scx.node.id(),
            0,
            None,
            None,
            "w3mq-router".into(),
            Some("w3mq-router".into()),
        );
        RmqttBus { scx, from }
    }
}

#[async_trait]
impl Bus for RmqttBus {
    async fn publish(&self, topic: &str, payload: Bytes) {
        let p = CodecPublish {
            dup: false,
            retain: false,
            qos: QoS::AtLeastOnce,
            topic: topic.into(),
            packet_id: None,
            payload,
            properties: None,
        };
        let p = Publish::new(
            Box::new(p),
            None,
            None,
            Some(rmqtt::utils::timestamp_millis()),
        );
        if let Err(e) = SessionState::forwards(
            &self.scx,
            MqttFrom::from_system(self.from.clone()),
            p,
            false,
            None,
        )
        .await
        {
            tracing::warn!(topic, error = %e, "delivery failed");
        }
    }

    async fn revoke(&self, user_id: &str, room_id: &str) {
        let topics = [
            Topic::Chat(room_id.into()).name(),
            Topic::Notification(room_id.into()).name(),
        ];
        let shared = self.scx.extends.shared().await;
        for entry in shared.iter() {
            if entry.id().username_ref() != user_id {
                continue;
            }
            for t in &topics {
                match Unsubscribe::from(&t.as_str().into(), false, false) {
                    Ok(u) => {
                        if let Err(e) = entry.unsubscribe(&u).await {
                            tracing::debug!(topic = %t, error = %e, "revoke: not subscribed");
                        }
                    }
                    Err(e) => tracing::warn!(topic = %t, error = %e, "revoke: bad topic"),
                }
            }
        }
    }
}

/// The hook handlers: who may connect, subscribe and publish.
struct Hooks {
    auth: Arc<Auth>,
    store: Arc<dyn Store>,
    router: RouterHandle,
    metrics: Arc<Metrics>,
}

impl Hooks {
    async fn may_subscribe(&self, user: &str, filter: &str) -> bool {
        match Topic::parse(filter) {
            Some(Topic::Chat(id)) | Some(Topic::Notification(id)) => {
                id == user
                    || self.store.is_member(&id, user).await.unwrap_or_else(|e| {
                        tracing::error!(error = %e, "membership lookup failed");
                        false
                    })
            }
            _ => false,
        }
    }
}

#[async_trait]
impl Handler for Hooks {
    async fn hook(&self, param: &Parameter, acc: Option<HookResult>) -> ReturnType {
        match param {
            Parameter::ClientAuthenticate(ci) => {
                let user = ci.username().map(|u| u.to_string()).unwrap_or_default();
                let token = ci
                    .password()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .unwrap_or_default();
                let ok = matches!(self.auth.check_token(&token), Ok(c) if !user.is_empty() && c.user_id == user);
                let res = if ok {
                    AuthResult::Allow(false, None)
                } else {
                    AuthResult::BadUsernameOrPassword
                };
                (false, Some(HookResult::AuthResult(res)))
            }
            Parameter::ClientSubscribeCheckAcl(s, sub) => {
                let res = if self
                    .may_subscribe(s.id.username_ref(), &sub.topic_filter)
                    .await
                {
                    SubscribeAclResult::new_success(sub.opts.qos(), None)
                } else {
                    SubscribeAclResult::new_failure(SubscribeAckReason::NotAuthorized)
                };
                (false, Some(HookResult::SubscribeAclResult(res)))
            }
            Parameter::MessagePublishCheckAcl(s, p) => {
                let user = s.id.username_ref();
                let own = matches!(Topic::parse(&p.topic), Some(Topic::Msg(u)) if u == user);
                if !own {
                    return (
                        false,
                        Some(HookResult::PublishAclResult(PublishAclResult::rejected(
                            false, None,
                        ))),
                    );
                }
                // Admitted by the ACL: only now does the message reach the router.
                self.router.submit(user, p.payload.clone()).await;
                (
                    false,
                    Some(HookResult::PublishAclResult(PublishAclResult::allow())),
                )
            }
            Parameter::ClientConnected(_) => {
                self.metrics.connections.inc();
                (true, acc)
            }
            Parameter::ClientDisconnected(..) => {
                self.metrics.connections.dec();
                (true, acc)
            }
            _ => (true, acc),
        }
    }
}

/// Settings of the broker.
pub struct BrokerConfig {
    /// TCP listener address (port 0: a free port). MQTT over WebSocket is
    /// served at `/mqtt` on the REST port and bridged to it.
    pub tcp: SocketAddr,
    /// Most connections per listener.
    pub max_connections: usize,
    /// Largest MQTT packet, bytes.
    pub max_packet_size: u32,
    /// Most queued messages per session before the oldest are dropped.
    pub max_mqueue_len: usize,
}

/// Creates the broker context (so that the bus exists before the router).
pub async fn context() -> ServerContext {
    ServerContext::new().build().await
}

/// rmqtt identifies a listener by its port, so two listeners on port 0 would
/// collide: a free port is chosen first.
fn concrete(addr: SocketAddr) -> std::io::Result<SocketAddr> {
    if addr.port() != 0 {
        return Ok(addr);
    }
    let l = std::net::TcpListener::bind(addr)?;
    l.local_addr()
}

/// Registers the hooks, binds the listeners and runs the broker in the background.
pub async fn start(
    scx: ServerContext,
    cfg: BrokerConfig,
    auth: Arc<Auth>,
    store: Arc<dyn Store>,
    router: RouterHandle,
    metrics: Arc<Metrics>,
) -> anyhow::Result<SocketAddr> {
    let reg = scx.extends.hook_mgr().register();
    for t in [
        Type::ClientAuthenticate,
        Type::ClientSubscribeCheckAcl,
        Type::MessagePublishCheckAcl,
        Type::ClientConnected,
        Type::ClientDisconnected,
    ] {
        let h = Hooks {
            auth: auth.clone(),
            store: store.clone(),
            router: router.clone(),
            metrics: metrics.clone(),
        };
        reg.add(t, Box::new(h)).await;
    }
    reg.start().await;

    let builder = |name: &str, addr: SocketAddr| {
        Builder::new()
            .name(name)
            .laddr(addr)
            .allow_anonymous(false)
            .max_connections(cfg.max_connections)
            .max_handshaking_limit(cfg.max_connections.min(4096))
            .max_packet_size(cfg.max_packet_size)
            .max_mqueue_len(cfg.max_mqueue_len)
            .reuseaddr(Some(true))
            // rmqtt leaves Nagle on by default: ~40 ms stalls with delayed ACKs.
            .nodelay(true)
    };
    let l = builder("w3mq/tcp", concrete(cfg.tcp)?).bind()?;
    let tcp = l.local_addr()?;
    let server = rmqtt::server::MqttServer::new(scx.clone())
        .listener(l.tcp()?)
        .build();
    tokio::spawn(async move {
        if let Err(e) = server.run().await {
            tracing::error!(error = %e, "MQTT broker stopped");
        }
    });
    Ok(tcp)
}
