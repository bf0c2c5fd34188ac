//! The signed-in account: who I am, my server, my cache and keychain, the
//! rooms I am in and what I look at.
//!
//! Each piece of state has one owner. The account's own (the room set, the
//! focus, the counters) change only through the methods here; the MQTT
//! client and its subscription bookkeeping belong to the sync task
//! ([`crate::sync`]), reached through [`SyncHandle`]; what arrives is taken in
//! by [`crate::ingest`].

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};
use w3mq_protocol::Room;

use crate::cache::Cache;
use crate::env::Environment;
use crate::error::Result;
use crate::events::Event;
use crate::policy::{default_mode, Focus};
use crate::rest::Rest;
use crate::secrets::SecretStore;
use crate::sync::mailbox::SyncHandle;

/// The signed-in account.
pub(crate) struct Account {
    /// My user id.
    pub me: String,
    /// My wallet address.
    pub address: String,
    /// My server.
    pub env: Environment,
    /// What follows `<me>-` in my MQTT client id ([`crate::install`]).
    pub client_suffix: String,
    /// REST, with my current token.
    pub rest: Rest,
    /// My cache.
    pub cache: Cache,
    /// The keychain.
    pub secrets: Arc<dyn SecretStore>,
    /// The sync task's mailbox.
    pub sync: SyncHandle,
    events: broadcast::Sender<Event>,
    rooms: Mutex<HashSet<String>>,
    focus: Mutex<Focus>,
    dropped: AtomicU64,
    online_since: AtomicI64,
    backfills: Mutex<HashSet<String>>,
    /// One lock per room for the catch-up of its changes (see `changes`).
    room_locks: Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    typists: Mutex<crate::typing::Typists>,
    my_typing: Mutex<crate::typing::Throttle>,
    reads_lock: tokio::sync::Mutex<()>,
    read_senders: Mutex<HashSet<String>>,
    stop: watch::Sender<bool>,
}

/// What an account is made of (see [`Account::new`]).
pub(crate) struct AccountParts {
    pub me: String,
    pub address: String,
    pub env: Environment,
    pub client_suffix: String,
    pub rest: Rest,
    pub cache: Cache,
    pub secrets: Arc<dyn SecretStore>,
    pub sync: SyncHandle,
    pub events: broadcast::Sender<Event>,
    pub rooms: HashSet<String>,
}

impl Account {
    pub fn new(p: AccountParts) -> Account {
        Account {
            me: p.me,
            address: p.address,
            env: p.env,
            client_suffix: p.client_suffix,
            rest: p.rest,
            cache: p.cache,
            secrets: p.secrets,
            sync: p.sync,
            events: p.events,
            rooms: Mutex::new(p.rooms),
            focus: Mutex::new(Focus::default()),
            dropped: AtomicU64::new(0),
            online_since: AtomicI64::new(0),
            backfills: Mutex::new(HashSet::new()),
            room_locks: Default::default(),
            typists: Default::default(),
            my_typing: Default::default(),
            reads_lock: Default::default(),
            read_senders: Default::default(),
            stop: watch::channel(false).0,
        }
    }

    /// Runs `f` on the room typists (see [`crate::typing`]).
    pub fn typists<T>(&self, f: impl FnOnce(&mut crate::typing::Typists) -> T) -> T {
        match self.typists.lock() {
            Ok(mut t) => f(&mut t),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// The lock around the read-state entries of the cache (unsent reads,
    /// receipts): their read-modify-writes do not interleave.
    pub fn reads_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.reads_lock
    }

    /// Starts `room`'s read sender; false when one runs.
    pub fn start_read_sender(&self, room: &str) -> bool {
        self.read_senders
            .lock()
            .map(|mut s| s.insert(room.to_owned()))
            .unwrap_or(false)
    }

    /// `room`'s read sender stopped.
    pub fn stop_read_sender(&self, room: &str) {
        if let Ok(mut s) = self.read_senders.lock() {
            s.remove(room);
        }
    }

    /// Runs `f` on my own typing's throttle.
    pub fn my_typing<T>(&self, f: impl FnOnce(&mut crate::typing::Throttle) -> T) -> T {
        match self.my_typing.lock() {
            Ok(mut t) => f(&mut t),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// Tells the engine's listeners.
    pub fn emit(&self, e: Event) {
        // No listener is not an error.
        let _ = self.events.send(e);
    }

    /// Emits the current summary of each room.
    pub async fn emit_rooms(&self, rooms: &HashSet<String>) {
        if rooms.is_empty() {
            return;
        }
        match self.cache.room_list().await {
            Ok(list) => {
                for summary in list.into_iter().filter(|s| rooms.contains(&s.room.room_id)) {
                    self.emit(Event::RoomUpdated {
                        summary: Box::new(summary),
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "room list failed"),
        }
    }

    /// Stores a room (giving a new one its default notification setting)
    /// and counts it among mine.
    pub async fn store_room(&self, room: &Room) -> Result<()> {
        let known = self.cache.room(&room.room_id).await?.is_some();
        self.cache.upsert_room(room).await?;
        if !known {
            self.cache
                .set_notify_mode(&room.room_id, default_mode(room.is_1v1))
                .await?;
        }
        if let Ok(mut r) = self.rooms.lock() {
            r.insert(room.room_id.clone());
        }
        Ok(())
    }

    /// Whether `room_id` is one of my rooms.
    pub fn has_room(&self, room_id: &str) -> bool {
        self.rooms
            .lock()
            .map(|r| r.contains(room_id))
            .unwrap_or(false)
    }

    /// My rooms.
    pub fn room_ids(&self) -> Vec<String> {
        self.rooms
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// No longer one of my rooms.
    pub fn forget_room(&self, room_id: &str) {
        if let Ok(mut r) = self.rooms.lock() {
            r.remove(room_id);
        }
    }

    /// What the user looks at.
    pub fn focus(&self) -> Focus {
        self.focus.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// The user looks at something else.
    pub fn set_focus(&self, f: Focus) {
        if let Ok(mut cur) = self.focus.lock() {
            *cur = f;
        }
    }

    /// Counts a frame dropped as malformed or foreign.
    pub fn count_dropped(&self, topic: &str, why: &str) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(topic = %topic.chars().take(100).collect::<String>(), why, "frame dropped");
    }

    /// Frames dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// A CONNACK arrived now.
    pub fn mark_online(&self) {
        self.online_since
            .store(w3mq_protocol::now_nanos(), Ordering::Relaxed);
    }

    /// Unix nanoseconds of the latest CONNACK (0 before the first).
    pub fn online_since(&self) -> i64 {
        self.online_since.load(Ordering::Relaxed)
    }

    /// The lock of `room_id`'s change catch-up.
    pub fn room_lock(&self, room_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.room_locks.lock() {
            Ok(mut m) => m.entry(room_id.to_owned()).or_default().clone(),
            Err(_) => Default::default(),
        }
    }

    /// Starts back-filling `room_id`; false when that already runs.
    pub fn begin_backfill(&self, room_id: &str) -> bool {
        self.backfills
            .lock()
            .map(|mut b| b.insert(room_id.to_owned()))
            .unwrap_or(false)
    }

    /// The back-fill of `room_id` ended.
    pub fn end_backfill(&self, room_id: &str) {
        if let Ok(mut b) = self.backfills.lock() {
            b.remove(room_id);
        }
    }

    /// Stops the account's tasks.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Whether the account was stopped.
    pub fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// A receiver that turns true when the account stops.
    pub fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }
}

/// Resolves once `rx` turns true (the account stopped).
pub(crate) async fn until_stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
