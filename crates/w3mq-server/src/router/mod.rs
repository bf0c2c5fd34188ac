//! The router: every message published on `msg/<u>` passes the acceptance
//! rules, is committed to the store with its `id` and `seq`, and only then
//! is delivered on `chat/<room_id>` (the sender's copy being its ACK).
//!
//! Stateless checks and the rate limit run on the publishing session's task;
//! accepted messages go through one bounded queue to a single writer task,
//! which commits them in batches (group commit) and delivers them in order.

pub mod rules;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use w3mq_protocol::{
    validate_message, Message, Rejection, RoomEvent, Topic, UserEvent, MAX_PAYLOAD_BYTES,
};

use crate::broker::Bus;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

/// The most messages committed in one transaction.
const MAX_BATCH: usize = 256;

struct Inbound {
    msg: Message,
    received: Instant,
}

struct Inner {
    tx: mpsc::Sender<Inbound>,
    limiter: RateLimiter,
    bus: Arc<dyn Bus>,
    metrics: Arc<Metrics>,
    closed: AtomicBool,
    shutdown: Notify,
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
        });
        let task = tokio::spawn(writer(rx, store, inner.clone()));
        (RouterHandle { inner }, task)
    }

    /// Takes a payload published by `publisher` on its own `msg/` topic.
    /// Waits when the writer's queue is full, which slows only this publisher.
    pub async fn submit(&self, publisher: &str, payload: Bytes) {
        let received = Instant::now();
        let i = &self.inner;
        if i.closed.load(Ordering::Acquire) {
            tracing::info!(publisher, "shutting down: publish not taken");
            return;
        }
        if !i.limiter.allow(publisher) {
            return self
                .reject(
                    publisher,
                    &Rejection::RateLimited,
                    client_msg_id_of(&payload),
                )
                .await;
        }
        match validate_message(&payload, publisher) {
            Ok(msg) => {
                if i.tx.send(Inbound { msg, received }).await.is_err() {
                    tracing::warn!(publisher, "router stopped: publish dropped");
                }
            }
            Err(r) => self.reject(publisher, &r, client_msg_id_of(&payload)).await,
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
        let (msgs, received): (Vec<Message>, Vec<Instant>) =
            batch.into_iter().map(|i| (i.msg, i.received)).unzip();
        let senders: Vec<(String, Option<String>)> = msgs
            .iter()
            .map(|m| (m.from_uid.clone(), m.client_msg_id.clone()))
            .collect();
        match store.append(msgs, rules::check).await {
            Ok(results) => {
                for ((res, at), (sender, cid)) in results.into_iter().zip(received).zip(senders) {
                    match res {
                        Ok(a) => {
                            let topic = Topic::Chat(a.message.to_room_id.clone()).name();
                            match serde_json::to_vec(&a.message) {
                                Ok(body) => inner.bus.publish(&topic, body.into()).await,
                                Err(e) => tracing::error!(error = %e, "message did not serialize"),
                            }
                            if a.duplicate {
                                inner.metrics.duplicates.inc();
                            } else {
                                inner.metrics.accepted.inc();
                            }
                            inner
                                .metrics
                                .send_to_ack
                                .observe(at.elapsed().as_secs_f64());
                        }
                        Err(r) => {
                            RouterHandle {
                                inner: inner.clone(),
                            }
                            .reject(&sender, &r, cid)
                            .await;
                        }
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "storing messages failed");
                for (sender, cid) in senders {
                    inner.metrics.reject("internal_error");
                    let ev = UserEvent::Error {
                        code: "internal_error".into(),
                        reason: "the server could not store the message".into(),
                        client_msg_id: cid,
                    };
                    send_user_event(inner.bus.as_ref(), &sender, &ev).await;
                }
            }
        }
    }
    tracing::info!("router writer finished");
}
