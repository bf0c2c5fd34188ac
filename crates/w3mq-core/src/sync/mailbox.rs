//! The sync task's mailbox: the only way into the task that owns the MQTT
//! client ([`super`]).

use tokio::sync::{mpsc, oneshot};
use w3mq_protocol::Message;

/// Rooms per SUBSCRIBE.
const ROOMS_PER_SUBSCRIBE: usize = 32;

/// A room's two topics.
pub(crate) fn room_topics(room: &str) -> [String; 2] {
    [
        w3mq_protocol::Topic::Chat(room.into()).name(),
        w3mq_protocol::Topic::Notification(room.into()).name(),
    ]
}

/// What the sync task is asked to do.
pub(crate) enum SyncCmd {
    /// Publish a message on my `msg/` topic; answers whether a live client
    /// took it.
    Publish {
        body: Vec<u8>,
        done: oneshot::Sender<bool>,
    },
    /// Subscribe to `topics`; `rooms` are caught up once the SUBACK is back.
    /// Answers whether a live client took it.
    Subscribe {
        topics: Vec<String>,
        rooms: Vec<String>,
        done: oneshot::Sender<bool>,
    },
    /// Unsubscribe a room's topics.
    Unsubscribe { room: String },
    /// Stop waiting to reconnect ("Retry now", the network came back); with
    /// `reconnect`, also drop a live connection and dial again (after a
    /// suspend the socket may be dead without knowing it).
    Wake { reconnect: bool },
}

/// The sync task's mailbox.
#[derive(Clone)]
pub(crate) struct SyncHandle {
    tx: mpsc::UnboundedSender<SyncCmd>,
}

/// The receiving end, for the task ([`super::run`]).
pub(crate) struct SyncInbox {
    rx: mpsc::UnboundedReceiver<SyncCmd>,
}

impl SyncInbox {
    /// The next command; `None` when every handle is gone.
    pub async fn recv(&mut self) -> Option<SyncCmd> {
        self.rx.recv().await
    }
}

/// A mailbox and its inbox.
pub(crate) fn mailbox() -> (SyncHandle, SyncInbox) {
    let (tx, rx) = mpsc::unbounded_channel();
    (SyncHandle { tx }, SyncInbox { rx })
}

impl SyncHandle {
    /// Publishes `m` on my `msg/` topic if connected; false when offline (the
    /// outbox resends it after the next connect).
    pub async fn publish(&self, m: &Message) -> bool {
        let Ok(body) = serde_json::to_vec(m) else {
            return false;
        };
        let (done, rx) = oneshot::channel();
        if self.tx.send(SyncCmd::Publish { body, done }).is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    /// Subscribes to the topics of `rooms` (caught up after their SUBACK);
    /// false when offline (the next connect subscribes every room).
    pub async fn subscribe_rooms(&self, rooms: &[String]) -> bool {
        let mut all = true;
        for chunk in rooms.chunks(ROOMS_PER_SUBSCRIBE) {
            let topics = chunk.iter().flat_map(|r| room_topics(r)).collect();
            all &= self.subscribe(topics, chunk.to_vec()).await;
        }
        all
    }

    /// Subscribes to `topics`; `rooms` are caught up after the SUBACK.
    pub async fn subscribe(&self, topics: Vec<String>, rooms: Vec<String>) -> bool {
        let (done, rx) = oneshot::channel();
        if self
            .tx
            .send(SyncCmd::Subscribe {
                topics,
                rooms,
                done,
            })
            .is_err()
        {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    /// Wakes the task (see [`SyncCmd::Wake`]).
    pub fn wake(&self, reconnect: bool) {
        let _ = self.tx.send(SyncCmd::Wake { reconnect });
    }

    /// Unsubscribes a room's topics (if connected).
    pub fn unsubscribe_room(&self, room: &str) {
        let _ = self.tx.send(SyncCmd::Unsubscribe { room: room.into() });
    }
}
