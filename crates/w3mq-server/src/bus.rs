//! The delivery seam: how the router and the REST handlers reach connected
//! clients, whatever carries them ([`crate::broker::RmqttBus`] today, a
//! cluster's bus later), and the server's events sent over it.

use async_trait::async_trait;
use bytes::Bytes;
use w3mq_protocol::{RoomEvent, Topic, UserEvent};

/// How the router and the REST handlers reach connected clients. A cluster
/// of nodes would implement it over NATS, forwarding to each node's broker.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Publishes `payload` (QoS 1) to every subscriber of `topic`.
    async fn publish(&self, topic: &str, payload: Bytes);
    /// Ends `user_id`'s live subscriptions to `room_id`'s topics.
    async fn revoke(&self, user_id: &str, room_id: &str);
    /// Disconnects the MQTT connections that signed in with a token of
    /// session `sid` (a sign-out).
    async fn end_session(&self, sid: &str);
}

/// Publishes an event on `notification/<user_id>`.
pub async fn send_user_event(bus: &dyn Bus, user_id: &str, ev: &UserEvent) {
    if let Ok(b) = serde_json::to_vec(ev) {
        bus.publish(&Topic::Notification(user_id.into()).name(), b.into())
            .await;
    }
}

/// Publishes an event on `notification/<room_id>`.
pub async fn send_room_event(bus: &dyn Bus, room_id: &str, ev: &RoomEvent) {
    if let Ok(b) = serde_json::to_vec(ev) {
        bus.publish(&Topic::Notification(room_id.into()).name(), b.into())
            .await;
    }
}

/// Tells each added user `room_added` (on `notification/<user_id>`) and the
/// room `members_changed`, when anyone was added.
pub async fn announce_added(bus: &dyn Bus, room_id: &str, added: &[String]) {
    for u in added {
        let ev = UserEvent::RoomAdded {
            room_id: room_id.into(),
        };
        send_user_event(bus, u, &ev).await;
    }
    if !added.is_empty() {
        let ev = RoomEvent::MembersChanged {
            room_id: room_id.into(),
        };
        send_room_event(bus, room_id, &ev).await;
    }
}
