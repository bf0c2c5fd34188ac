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
//!
//! rmqtt publishes a CONNECT's will on its own when the socket drops,
//! without the publish ACL (0.24: `process_last_will` runs only the
//! `MessagePublish` hook): a will on `chat/<room>` would reach members
//! verbatim. So a CONNECT with a will is refused.
//!
//! rmqtt lets a CONNECT take over the session of the same client id (and,
//! with `clean_session = 0`, its subscriptions). So a client id is bound to
//! the user that authenticates: `<user_id>` or `<user_id>-<suffix>`.

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
use crate::bus::Bus;
use crate::metrics::Metrics;
use crate::router::RouterHandle;
use crate::store::Store;

/// The longest client id suffix after `<user_id>-`.
pub const MAX_CLIENT_ID_SUFFIX: usize = 64;

/// Whether `client_id` belongs to `user`: `<user>` itself, or `<user>-` and
/// 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn client_id_of(user: &str, client_id: &str) -> bool {
    if user.is_empty() {
        return false;
    }
    if client_id == user {
        return true;
    }
    match client_id
        .strip_prefix(user)
        .and_then(|r| r.strip_prefix('-'))
    {
        Some(suffix) => {
            (1..=MAX_CLIENT_ID_SUFFIX).contains(&suffix.len())
                && suffix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        }
        None => false,
    }
}

/// The session (`sid`) each live connection signed in with, by connection.
#[derive(Default)]
struct Live {
    by_conn: dashmap::DashMap<String, (String, String)>,
}

/// [`Bus`] over the in-process rmqtt broker.
#[derive(Clone)]
pub struct RmqttBus {
    scx: ServerContext,
    from: Id,
    live: Arc<Live>,
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
        RmqttBus {
            scx,
            from,
            live: Arc::default(),
        }
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

    async fn end_session(&self, sid: &str) {
        let clients: Vec<String> = self
            .live
            .by_conn
            .iter()
            .filter(|e| e.value().1 == sid)
            .map(|e| e.value().0.clone())
            .collect();
        if clients.is_empty() {
            return;
        }
        let shared = self.scx.extends.shared().await;
        // Ids first: the iterator holds the session table's locks, which a
        // kick needs.
        let ids: Vec<Id> = shared
            .iter()
            .map(|e| e.id())
            .filter(|id| clients.iter().any(|c| *c == id.client_id.as_ref()))
            .collect();
        for id in ids {
            match shared.entry(id).try_lock().await {
                Ok(mut e) => {
                    if let Err(err) = e.kick(true, true, true).await {
                        tracing::debug!(error = %err, "sign-out: kick failed");
                    }
                }
                Err(err) => tracing::debug!(error = %err, "sign-out: session busy"),
            }
        }
    }
}

/// The hook handlers: who may connect, subscribe and publish.
struct Hooks {
    auth: Arc<Auth>,
    live: Arc<Live>,
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
                let claims = match self.auth.check_token(&token).await {
                    Ok(c) if !user.is_empty() && c.user_id == user => Some(c),
                    _ => None,
                };
                let client_id: &str = ci.client_id().as_ref();
                let res = match claims {
                    None => AuthResult::BadUsernameOrPassword,
                    Some(_) if ci.last_will().is_some() => {
                        tracing::info!(user, "CONNECT refused: it carries a will");
                        AuthResult::NotAuthorized
                    }
                    Some(_) if !client_id_of(&user, client_id) => {
                        tracing::info!(user, client_id, "CONNECT refused: another's client id");
                        AuthResult::NotAuthorized
                    }
                    Some(c) => {
                        self.live
                            .by_conn
                            .insert(ci.id().to_string(), (client_id.to_owned(), c.sid));
                        AuthResult::Allow(false, None)
                    }
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
            Parameter::ClientDisconnected(session, _) => {
                self.live.by_conn.remove(&session.id.to_string());
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
    bus: &RmqttBus,
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
            live: bus.live.clone(),
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
            .max_clientid_len(24 + 1 + MAX_CLIENT_ID_SUFFIX)
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

#[cfg(test)]
mod tests {
    use super::client_id_of;

    #[test]
    fn client_ids_are_bound_to_their_user() {
        let u = "61f1006d604cc5be5f7a3c2d";
        assert!(client_id_of(u, u));
        assert!(client_id_of(u, &format!("{u}-desktop-1a2b.c_d")));
        assert!(!client_id_of(u, &format!("{u}-")), "empty suffix");
        assert!(!client_id_of(u, &format!("{u}x")), "no dash");
        assert!(!client_id_of(u, &format!("{u}-a b")), "space");
        assert!(!client_id_of(u, &format!("{u}-{}", "a".repeat(65))));
        assert!(!client_id_of(u, "61f1006d604cc5be5f7a3c2e-desktop"));
        assert!(!client_id_of(u, &format!("x{u}")));
        assert!(!client_id_of("", "-a"));
    }
}
