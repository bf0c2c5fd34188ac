//! The router: every message published on `msg/<u>` passes the acceptance
//! rules, is committed to the store with its `id` and `seq`, and only then
//! is delivered on `chat/<room_id>` (the sender's copy being its ACK).
//!
//! Stateless checks and the rate limit run on the publishing session's task;
//! accepted messages go through one bounded queue to a single writer task,
//! which commits them in batches (group commit) and delivers them in order.
//!
//! Besides MQTT, the writer hands every newly stored message to an optional
//! [`AcceptedHook`] (the chat channels of PROTOCOL.md section 3), and a
//! publisher that is not an MQTT session (a channel socket) may wait for its
//! message's outcome with [`RouterHandle::submit_wait`].

pub mod rules;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use std::sync::OnceLock;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;
use w3mq_protocol::{validate_message, Message, Rejection, Topic, UserEvent, MAX_PAYLOAD_BYTES};

use crate::bus::{send_user_event, Bus};
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::store::Store;
use crate::timeouts::Timeouts;

/// The most messages committed in one transaction.
const MAX_BATCH: usize = 256;

/// What a waiting publisher learns: the stored message, or why it was refused.
pub type Outcome = Result<Message, Rejection>;

struct Inbound {
    msg: Message,
    received: Instant,
    /// Set by [`RouterHandle::submit_wait`]: the outcome goes here instead of
    /// an `error` event on the sender's `notification/` topic.
    reply: Option<oneshot::Sender<Outcome>>,
}

/// Told of every message the writer stores (not of resent duplicates), in
/// commit order, right after it is published on `chat/<room_id>`. It is
/// called on the writer task: it must not block.
pub trait AcceptedHook: Send + Sync + 'static {
    /// `m` was stored, with its `id` and `seq`.
    fn accepted(&self, m: &Message);
}

struct Inner {
    tx: mpsc::Sender<Inbound>,
    limiter: RateLimiter,
    bus: Arc<dyn Bus>,
    metrics: Arc<Metrics>,
    closed: AtomicBool,
    shutdown: Notify,
    hook: OnceLock<Arc<dyn AcceptedHook>>,
    timeouts: Arc<Timeouts>,
}

/// A handle to the router, cloned into every hook handler.
#[derive(Clone)]
pub struct RouterHandle {
    inner: Arc<Inner>,
}

/// Router settings.
pub struct RouterConfig {
    /// Messages a second per user.
    pub rate: f64,
    /// Burst per user.
    pub burst: f64,
    /// Capacity of the queue to the writer.
    pub queue: usize,
    /// The channels' timeouts: a timed-out user's publishes are refused.
    pub timeouts: Arc<Timeouts>,
}

impl RouterHandle {
    /// Starts the writer task.
    pub fn start(
        cfg: RouterConfig,
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        metrics: Arc<Metrics>,
    ) -> (RouterHandle, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(cfg.queue.max(1));
        let inner = Arc::new(Inner {
            tx,
            limiter: RateLimiter::new(cfg.rate, cfg.burst),
            bus,
            metrics,
            closed: AtomicBool::new(false),
            shutdown: Notify::new(),
            hook: OnceLock::new(),
            timeouts: cfg.timeouts,
        });
        let task = tokio::spawn(writer(rx, store, inner.clone()));
        (RouterHandle { inner }, task)
    }

    /// Sets the hook told of every stored message (once; later calls are ignored).
    pub fn set_accepted_hook(&self, hook: Arc<dyn AcceptedHook>) {
        if self.inner.hook.set(hook).is_err() {
            tracing::warn!("router: accepted hook already set");
        }
    }

    /// Takes a payload published by `publisher` on its own `msg/` topic.
    /// Waits when the writer's queue is full, which slows only this publisher.
    pub async fn submit(&self, publisher: &str, payload: Bytes) {
        let received = Instant::now();
        match self.admit(publisher, &payload) {
            Ok(msg) => self.enqueue(publisher, msg, received, None).await,
            Err(Some(r)) => self.reject(publisher, &r, client_msg_id_of(&payload)).await,
            Err(None) => {}
        }
    }

    /// Like [`RouterHandle::submit`], for a publisher that waits for the
    /// outcome instead of reading `chat/` and `notification/`: the stored
    /// message (also delivered on `chat/<room_id>`), or the rejection. `None`
    /// when the server is shutting down.
    pub async fn submit_wait(&self, publisher: &str, payload: Bytes) -> Option<Outcome> {
        let received = Instant::now();
        let msg = match self.admit(publisher, &payload) {
            Ok(m) => m,
            Err(Some(r)) => {
                self.inner.metrics.reject(r.code());
                return Some(Err(r));
            }
            Err(None) => return None,
        };
        let (tx, rx) = oneshot::channel();
        self.enqueue(publisher, msg, received, Some(tx)).await;
        rx.await.ok()
    }

    /// True if `user` is within its message rate now (and takes one from it):
    /// for what counts as a message without being stored (a whisper).
    pub fn allow(&self, user: &str) -> bool {
        self.inner.limiter.allow(user)
    }

    /// The rate limit and the stateless rules. `Err(None)`: shutting down.
    fn admit(&self, publisher: &str, payload: &[u8]) -> Result<Message, Option<Rejection>> {
        if self.inner.closed.load(Ordering::Acquire) {
            tracing::info!(publisher, "shutting down: publish not taken");
            return Err(None);
        }
        if !self.inner.limiter.allow(publisher) {
            return Err(Some(Rejection::RateLimited));
        }
        let msg = validate_message(payload, publisher).map_err(Some)?;
        if self
            .inner
            .timeouts
            .is_timed_out(&msg.to_room_id, &msg.from_uid)
        {
            return Err(Some(Rejection::TimedOut));
        }
        Ok(msg)
    }

    async fn enqueue(
        &self,
        publisher: &str,
        msg: Message,
        received: Instant,
        reply: Option<oneshot::Sender<Outcome>>,
    ) {
        let inbound = Inbound {
            msg,
            received,
            reply,
        };
        if self.inner.tx.send(inbound).await.is_err() {
            tracing::warn!(publisher, "router stopped: publish dropped");
        }
    }

    async fn reject(&self, user: &str, r: &Rejection, client_msg_id: Option<String>) {
        tracing::debug!(user, code = r.code(), "message rejected");
        self.inner.metrics.reject(r.code());
        let ev = UserEvent::Error {
            code: r.code().into(),
            reason: r.to_string(),
            client_msg_id,
        };
        send_user_event(self.inner.bus.as_ref(), user, &ev).await;
    }

    /// Stops taking publishes; the writer finishes what is queued and ends.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.shutdown.notify_one();
    }

    /// Drops rate-limit buckets that hold no state.
    pub fn sweep(&self) {
        self.inner.limiter.sweep();
    }
}

/// The `client_msg_id` of a rejected payload, when it can be read, so the
/// sender can tell which of its messages failed.
fn client_msg_id_of(payload: &[u8]) -> Option<String> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let s = v.get("client_msg_id")?.as_str()?;
    (s.chars().count() <= w3mq_protocol::MAX_CLIENT_MSG_ID_LEN).then(|| s.to_owned())
}

/// A message in the writer's hands: who to tell how it went.
struct Waiting {
    sender: String,
    client_msg_id: Option<String>,
    received: Instant,
    reply: Option<oneshot::Sender<Outcome>>,
}

/// Delivers a stored message on `chat/<room_id>`, to the hook (when it is
/// new) and to a waiting publisher.
async fn deliver(inner: &Inner, a: crate::store::Appended, w: Waiting) {
    let topic = Topic::Chat(a.message.to_room_id.clone()).name();
    // A resent duplicate is published as it was sent: never a placeholder, and without the
    // fields of later changes (which `chat/` never carries; members have them already).
    let mut sent = a.message.clone();
    sent.edited_at = 0;
    sent.rev = 0;
    sent.reactions.clear();
    if sent.deleted {
        tracing::info!("a resend of a message deleted since is not published again");
    } else {
        match serde_json::to_vec(&sent) {
            Ok(body) => inner.bus.publish(&topic, body.into()).await,
            Err(e) => tracing::error!(error = %e, "message did not serialize"),
        }
    }
    if a.duplicate {
        inner.metrics.duplicates.inc();
    } else {
        inner.metrics.accepted.inc();
        if let Some(h) = inner.hook.get() {
            h.accepted(&a.message);
        }
    }
    inner
        .metrics
        .send_to_ack
        .observe(w.received.elapsed().as_secs_f64());
    if let Some(tx) = w.reply {
        let _ = tx.send(Ok(a.message));
    }
}

async fn writer(mut rx: mpsc::Receiver<Inbound>, store: Arc<dyn Store>, inner: Arc<Inner>) {
    let mut closing = false;
    loop {
        let first = if closing {
            match rx.try_recv() {
                Ok(x) => x,
                Err(_) => break,
            }
        } else {
            tokio::select! {
                x = rx.recv() => match x { Some(x) => x, None => break },
                _ = inner.shutdown.notified() => { closing = true; continue; }
            }
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(x) => batch.push(x),
                Err(_) => break,
            }
        }
        let mut msgs = Vec::with_capacity(batch.len());
        let mut waiting = Vec::with_capacity(batch.len());
        for i in batch {
            waiting.push(Waiting {
                sender: i.msg.from_uid.clone(),
                client_msg_id: i.msg.client_msg_id.clone(),
                received: i.received,
                reply: i.reply,
            });
            msgs.push(i.msg);
        }
        match store.append(msgs, rules::check).await {
            Ok(results) => {
                for (res, w) in results.into_iter().zip(waiting) {
                    match res {
                        Ok(a) => deliver(&inner, a, w).await,
                        Err(r) => match w.reply {
                            Some(tx) => {
                                inner.metrics.reject(r.code());
                                let _ = tx.send(Err(r));
                            }
                            None => {
                                RouterHandle {
                                    inner: inner.clone(),
                                }
                                .reject(&w.sender, &r, w.client_msg_id)
                                .await;
                            }
                        },
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "storing messages failed");
                for w in waiting {
                    inner.metrics.reject("internal_error");
                    if let Some(tx) = w.reply {
                        // The waiting publisher sees the channel closed: an internal error.
                        drop(tx);
                        continue;
                    }
                    let ev = UserEvent::Error {
                        code: "internal_error".into(),
                        reason: "the server could not store the message".into(),
                        client_msg_id: w.client_msg_id,
                    };
                    send_user_event(inner.bus.as_ref(), &w.sender, &ev).await;
                }
            }
        }
    }
    tracing::info!("router writer finished");
}
