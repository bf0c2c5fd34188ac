//! Public chat channels (PROTOCOL.md section 3, seed 002): every collection
//! room is also served over the Mixer-style packet protocol on WebSocket.
//!
//! It is the same room and the same stored messages. A `msg` goes through
//! the router like an MQTT publish (stored with `id` and `seq`, delivered on
//! `chat/<room_id>`); every message the router stores reaches the channel's
//! sockets as a `ChatMessage` through the router's [`AcceptedHook`].
//! Deletions made on a socket reach MQTT clients as `notification/<room_id>`
//! events.
//!
//! - [`http`]: `GET /api/v1/chats/<channel>` and the WebSocket upgrade.
//! - [`socket`]: one connection: the welcome, packets in, events out;
//!   [`session`]: what a socket knows about itself.
//! - [`methods`], [`moderation`], [`poll`]: the methods.
//! - [`render`]: stored messages as `ChatMessage` data.
//! - [`packet`]: the wire packets and error codes; [`authkey`]: the keys.

pub mod authkey;
pub mod http;
pub mod methods;
pub mod moderation;
pub mod packet;
pub mod poll;
/// How a stored message reads on a chat socket (in w3mq-protocol: the client's fixtures render with it too).
pub use w3mq_protocol::chat_render as render;
pub mod session;
pub mod socket;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use parking_lot::Mutex;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};
use w3mq_protocol::{is_object_id, Message, Room};

use crate::bus::Bus;
use crate::ratelimit::RateLimiter;
use crate::router::{AcceptedHook, RouterHandle};
use crate::store::Store;
use crate::timeouts::Timeouts;

/// Events a channel buffers for a slow socket before it skips some.
const EVENT_BUFFER: usize = 1024;

/// An event on its way to a channel's sockets.
#[derive(Debug)]
pub struct Outgoing {
    /// The event's name (for `optOutEvents`).
    pub event: &'static str,
    /// The whole event packet, as text.
    pub text: String,
    /// Only these users' sockets get it (a whisper); `None`: everyone.
    pub only: Option<Vec<String>>,
}

/// The live state of one channel: its sockets' event feed and poll. (Its
/// timeouts live in the node's [`Timeouts`], which the router checks too.)
pub struct Channel {
    /// The room id.
    pub room_id: String,
    events: broadcast::Sender<Arc<Outgoing>>,
    timeouts: Arc<Timeouts>,
    /// The running poll.
    pub poll: Mutex<Option<poll::Poll>>,
}

impl Channel {
    fn new(room_id: &str, timeouts: Arc<Timeouts>) -> Channel {
        Channel {
            room_id: room_id.into(),
            events: broadcast::channel(EVENT_BUFFER).0,
            timeouts,
            poll: Mutex::new(None),
        }
    }

    /// A receiver of this channel's events.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Outgoing>> {
        self.events.subscribe()
    }

    /// Sends an event to every socket of the channel.
    pub fn emit<T: Serialize>(&self, event: &'static str, data: &T) {
        self.emit_to(event, data, None);
    }

    /// Sends an event to the sockets of `only` (or every socket).
    pub fn emit_to<T: Serialize>(&self, event: &'static str, data: &T, only: Option<Vec<String>>) {
        let text = packet::event(event, data);
        // No receivers is not an error: nobody is listening.
        let _ = self.events.send(Arc::new(Outgoing { event, text, only }));
    }

    /// Whether `user_id` is timed out of this channel now.
    pub fn is_timed_out(&self, user_id: &str) -> bool {
        self.timeouts.is_timed_out(&self.room_id, user_id)
    }

    /// Times `user_id` out for `d` (zero lifts it).
    pub fn time_out(&self, user_id: &str, d: std::time::Duration) {
        self.timeouts.set(&self.room_id, user_id, d);
    }
}

/// Settings of the channels.
pub struct HubConfig {
    /// The WebSocket URLs `GET /api/v1/chats` advertises.
    pub endpoints: Vec<String>,
    /// Method calls a second per socket (0: no limit).
    pub rate: f64,
    /// Method calls in a burst per socket.
    pub burst: f64,
    /// The node's timeouts (shared with the router).
    pub timeouts: Arc<Timeouts>,
    /// Client addresses and the per-address WebSocket cap.
    pub peers: Arc<crate::http::peers::Peers>,
    /// A socket that sends nothing (not even a `ping`) for this long is
    /// closed (clients ping every 15 s).
    pub idle_timeout: std::time::Duration,
}

/// Every channel, and what their sockets share.
pub struct Hub {
    /// This node's name, sent in `WelcomeEvent`.
    pub server_id: String,
    /// Advertised WebSocket URLs.
    pub endpoints: Vec<String>,
    /// The database.
    pub store: Arc<dyn Store>,
    /// Where `msg` goes.
    pub router: RouterHandle,
    /// MQTT delivery, for `notification/<room_id>` events.
    pub bus: Arc<dyn Bus>,
    /// Issued authkeys.
    pub authkeys: authkey::AuthKeys,
    /// Client addresses and the per-address WebSocket cap.
    pub peers: Arc<crate::http::peers::Peers>,
    /// See [`HubConfig::idle_timeout`].
    pub idle_timeout: std::time::Duration,
    channels: Arc<DashMap<String, Arc<Channel>>>,
    timeouts: Arc<Timeouts>,
    limiter: RateLimiter,
    next_conn: AtomicU64,
    stop: watch::Receiver<bool>,
}

impl Hub {
    /// Starts the hub and hooks it to the router: from now on every stored
    /// message of a room with a live channel reaches its sockets.
    pub fn start(
        cfg: HubConfig,
        store: Arc<dyn Store>,
        router: RouterHandle,
        bus: Arc<dyn Bus>,
        stop: watch::Receiver<bool>,
    ) -> Arc<Hub> {
        let channels: Arc<DashMap<String, Arc<Channel>>> = Arc::default();
        let (tx, rx) = mpsc::unbounded_channel();
        router.set_accepted_hook(Arc::new(Feed {
            channels: channels.clone(),
            tx,
        }));
        let hub = Arc::new(Hub {
            server_id: format!("w3mq-{}", hex::encode(rand::random::<[u8; 6]>())),
            endpoints: cfg.endpoints,
            store,
            router,
            bus,
            authkeys: authkey::AuthKeys::default(),
            peers: cfg.peers,
            idle_timeout: cfg.idle_timeout,
            channels,
            timeouts: cfg.timeouts,
            limiter: RateLimiter::new(cfg.rate, cfg.burst),
            next_conn: AtomicU64::new(1),
            stop,
        });
        tokio::spawn(feed(Arc::downgrade(&hub), rx));
        hub
    }

    /// The collection room a channel id names: a room id, or a collection slug.
    pub async fn find_room(&self, channel_id: &str) -> Result<Option<Room>, packet::Fail> {
        let room_id = if is_object_id(channel_id) {
            channel_id.to_ascii_lowercase()
        } else {
            match self.store.collection_room_id(channel_id).await? {
                Some(id) => id,
                None => return Ok(None),
            }
        };
        Ok(self
            .store
            .room(&room_id)
            .await?
            .filter(|r| r.is_opensea_coll))
    }

    /// A room with its members, as it is now.
    pub async fn room(&self, room_id: &str) -> Result<Room, packet::Fail> {
        self.store
            .room(room_id)
            .await?
            .ok_or(packet::Fail::Internal)
    }

    /// The live channel of a room, created on first use.
    pub fn channel(&self, room_id: &str) -> Arc<Channel> {
        self.channels
            .entry(room_id.to_owned())
            .or_insert_with(|| Arc::new(Channel::new(room_id, self.timeouts.clone())))
            .clone()
    }

    /// A fresh connection number.
    pub fn next_conn(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// True if connection `conn` may call a method now.
    pub fn allow_call(&self, conn: u64) -> bool {
        self.limiter.allow(&conn.to_string())
    }

    /// A receiver that turns true when the server stops.
    pub fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.clone()
    }

    /// Drops rate-limit buckets that hold no state.
    pub fn sweep(&self) {
        self.limiter.sweep();
        self.timeouts.sweep();
        self.authkeys.sweep();
    }
}

/// The router's hook: passes stored messages of live channels to [`feed`].
struct Feed {
    channels: Arc<DashMap<String, Arc<Channel>>>,
    tx: mpsc::UnboundedSender<Message>,
}

impl AcceptedHook for Feed {
    fn accepted(&self, m: &Message) {
        if self.channels.contains_key(&m.to_room_id) {
            let _ = self.tx.send(m.clone());
        }
    }
}

/// Renders each stored message once and sends it to its channel's sockets,
/// in the order the router stored them.
async fn feed(hub: std::sync::Weak<Hub>, mut rx: mpsc::UnboundedReceiver<Message>) {
    while let Some(m) = rx.recv().await {
        let Some(hub) = hub.upgrade() else { break };
        let ch = hub.channel(&m.to_room_id);
        if ch.events.receiver_count() == 0 {
            continue;
        }
        match hub.room(&m.to_room_id).await {
            Ok(room) => ch.emit("ChatMessage", &render::chat_message(&room, &m)),
            Err(_) => tracing::warn!(room = %m.to_room_id, "channel: room vanished"),
        }
    }
}
