//! The socket task of one channel: chat info, endpoint, `WelcomeEvent`,
//! `auth`, then packets both ways with pings and method timeouts; on loss,
//! backoff and another endpoint, a fresh authkey, the queued calls, and what
//! was missed meanwhile.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::calls::{Calls, Queued};
use super::error::ChannelError;
use super::events::{ChannelEvent, ChannelState};
use super::info::{choose_endpoint, fetch_info, ChatInfo};
use super::packets::{ChatMessage, Packet};
use super::ChannelConfig;
use crate::backoff::Backoff;
use crate::cache::Cache;
use crate::rest::Rest;
use w3mq_protocol::is_object_id;

/// Largest frame taken from a chat server.
const MAX_FRAME: usize = 1 << 20;
/// Message ids remembered to drop what is seen twice (live and filled in).
const SEEN_IDS: usize = 4096;
/// Messages fetched per REST request when filling a gap.
const FILL_PAGE: i64 = 100;

/// Where a caller's reply goes.
pub(crate) type Reply = oneshot::Sender<Result<Value, ChannelError>>;

/// What the public handle asks of the task.
pub(crate) enum Command {
    /// Call a method; queued while disconnected.
    Call {
        method: String,
        arguments: Vec<Value>,
        reply: Reply,
    },
    /// Close for good.
    Close,
}

/// Who waits for a reply.
enum Waiter {
    Caller(Reply),
    Auth,
    Ping,
    /// The fill after a reconnect; the highest seq seen before it.
    History(Option<i64>),
    OptOut,
}

/// Where a signed-in channel reads its token each time it needs one.
pub type TokenSource = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// What the task shares with the handle.
pub(crate) struct Shared {
    pub base: String,
    pub channel_id: String,
    /// The signed-in user's token as it is now (it rotates on refresh).
    pub token: Option<TokenSource>,
    pub user_id: Option<String>,
    pub cache: Option<Cache>,
    pub cfg: ChannelConfig,
    pub http: reqwest::Client,
    pub tls: Arc<rustls::ClientConfig>,
    pub events: broadcast::Sender<ChannelEvent>,
    pub state: watch::Sender<ChannelState>,
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Sink = futures_util::stream::SplitSink<Ws, WsMessage>;
type Stream = futures_util::stream::SplitStream<Ws>;

/// How one connection ended.
enum Ended {
    Closed,
    Lost {
        reason: String,
        online_for: Duration,
    },
}

fn lost(reason: impl Into<String>) -> Ended {
    Ended::Lost {
        reason: reason.into(),
        online_for: Duration::ZERO,
    }
}

/// Message ids seen lately, oldest forgotten first.
pub(crate) struct Seen {
    set: HashSet<String>,
    order: VecDeque<String>,
    cap: usize,
}

impl Seen {
    pub fn new(cap: usize) -> Seen {
        Seen {
            set: HashSet::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    /// Remembers `id`; false when it was seen already.
    pub fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }
}

struct Task {
    sh: Arc<Shared>,
    cmds: mpsc::Receiver<Command>,
    calls: Calls<Waiter>,
    seen: Seen,
    /// The room: the channel id, or the room id the messages name when
    /// the channel was opened by slug.
    room_id: String,
    /// The highest seq seen (when the server sends seqs).
    last_seq: Option<i64>,
    opted_out: BTreeSet<String>,
    last_endpoint: Option<String>,
    ever_online: bool,
    first_info: Option<ChatInfo>,
    fill_tx: mpsc::UnboundedSender<Vec<ChatMessage>>,
    fill_rx: mpsc::UnboundedReceiver<Vec<ChatMessage>>,
}

/// Runs the channel until it is closed (or every handle is dropped).
pub(crate) async fn run(sh: Arc<Shared>, cmds: mpsc::Receiver<Command>, first: Option<ChatInfo>) {
    let (fill_tx, fill_rx) = mpsc::unbounded_channel();
    let room_id = if is_object_id(&sh.channel_id) {
        sh.channel_id.to_ascii_lowercase()
    } else {
        sh.channel_id.clone()
    };
    let mut t = Task {
        room_id,
        calls: Calls::new(sh.cfg.method_timeout, sh.cfg.max_queued),
        sh,
        cmds,
        seen: Seen::new(SEEN_IDS),
        last_seq: None,
        opted_out: BTreeSet::new(),
        last_endpoint: None,
        ever_online: false,
        first_info: first,
        fill_tx,
        fill_rx,
    };
    let mut backoff = Backoff::new(t.sh.cfg.backoff_base, t.sh.cfg.backoff_max);
    loop {
        let ended = t.connect_once().await;
        for c in t.calls.lose_in_flight() {
            if let Waiter::Caller(tx) = c.waiter {
                let _ = tx.send(Err(ChannelError::ConnectionLost));
            }
        }
        let reason = match ended {
            Ended::Closed => break,
            Ended::Lost { reason, online_for } => {
                if online_for >= t.sh.cfg.backoff_max {
                    backoff.reset();
                }
                reason
            }
        };
        let delay = backoff.next_delay();
        tracing::info!(channel = %t.sh.channel_id, %reason, retry_in_ms = delay.as_millis() as u64, "channel offline");
        t.set_state(ChannelState::Offline {
            reason,
            retry_in_ms: delay.as_millis() as u64,
        });
        if t.during(tokio::time::sleep(delay)).await.is_none() {
            break;
        }
    }
    for q in t.calls.take_queued() {
        if let Waiter::Caller(tx) = q.waiter {
            let _ = tx.send(Err(ChannelError::Closed));
        }
    }
    t.set_state(ChannelState::Closed);
}

impl Task {
    fn set_state(&self, s: ChannelState) {
        self.sh.state.send_replace(s.clone());
        let _ = self.sh.events.send(ChannelEvent::State { state: s });
    }

    /// Runs `fut` while taking commands: calls are queued; `None` when the
    /// channel is closed meanwhile.
    async fn during<F: Future>(&mut self, fut: F) -> Option<F::Output> {
        tokio::pin!(fut);
        loop {
            tokio::select! {
                r = &mut fut => return Some(r),
                cmd = self.cmds.recv() => match cmd {
                    Some(Command::Call { method, arguments, reply }) => {
                        self.queue_call(method, arguments, reply);
                    }
                    Some(Command::Close) | None => return None,
                },
            }
        }
    }

    fn queue_call(&mut self, method: String, arguments: Vec<Value>, reply: Reply) {
        self.note_opt_out(&method, &arguments);
        let q = Queued {
            method,
            arguments,
            waiter: Waiter::Caller(reply),
        };
        if let Err(q) = self.calls.queue(q) {
            if let Waiter::Caller(tx) = q.waiter {
                let _ = tx.send(Err(ChannelError::QueueFull));
            }
        }
    }

    /// Events opted out of are opted out of again after every reconnect.
    fn note_opt_out(&mut self, method: &str, arguments: &[Value]) {
        if method == "optOutEvents" {
            let names = arguments.iter().flat_map(|a| match a {
                Value::Array(v) => v.clone(),
                other => vec![other.clone()],
            });
            for n in names {
                if let Value::String(s) = n {
                    self.opted_out.insert(s);
                }
            }
        }
    }

    async fn connect_once(&mut self) -> Ended {
        let sh = self.sh.clone();
        // A fresh authkey each time: they are single use.
        let info = match self.first_info.take() {
            Some(i) => i,
            None => {
                tracing::debug!(channel = %sh.channel_id, "fetching chat info");
                let token = sh.token.as_ref().and_then(|t| t());
                let f = fetch_info(&sh.http, &sh.base, &sh.channel_id, token.as_deref());
                match self.during(f).await {
                    None => return Ended::Closed,
                    Some(Ok(i)) => i,
                    Some(Err(e)) => return lost(format!("chat info: {e}")),
                }
            }
        };
        let idx = choose_endpoint(
            &info.endpoints,
            self.last_endpoint.as_deref(),
            rand::random::<u32>() as usize,
        );
        let Some(endpoint) = info.endpoints.get(idx).cloned() else {
            return lost("chat info names no endpoint");
        };
        self.last_endpoint = Some(endpoint.clone());
        tracing::debug!(channel = %sh.channel_id, %endpoint, "dialling");
        self.set_state(ChannelState::Connecting {
            endpoint: endpoint.clone(),
        });
        let ws_cfg = WebSocketConfig::default()
            .max_message_size(Some(MAX_FRAME))
            .max_frame_size(Some(MAX_FRAME));
        let dial = tokio_tungstenite::connect_async_tls_with_config(
            endpoint.as_str(),
            Some(ws_cfg),
            true,
            Some(Connector::Rustls(sh.tls.clone())),
        );
        let ws = match self
            .during(tokio::time::timeout(sh.cfg.connect_timeout, dial))
            .await
        {
            None => return Ended::Closed,
            Some(Err(_)) => return lost(format!("{endpoint}: no connection in time")),
            Some(Ok(Err(e))) => return lost(format!("{endpoint}: {e}")),
            Some(Ok(Ok((ws, _)))) => ws,
        };
        let (mut sink, mut stream) = ws.split();
        tracing::debug!(channel = %sh.channel_id, %endpoint, "connected; waiting for the welcome");
        let welcome = tokio::time::timeout(sh.cfg.welcome_timeout, wait_welcome(&mut stream));
        match self.during(welcome).await {
            None => {
                let _ = sink.send(WsMessage::Close(None)).await;
                return Ended::Closed;
            }
            Some(Err(_)) => return lost(format!("{endpoint}: no WelcomeEvent in time")),
            Some(Ok(Err(e))) => return lost(format!("{endpoint}: {e}")),
            Some(Ok(Ok(()))) => {}
        }
        let mut arguments = vec![json!(sh.channel_id)];
        if let (Some(user), Some(key)) = (&sh.user_id, &info.authkey) {
            arguments.push(json!(user));
            arguments.push(json!(key));
        }
        let auth = Queued {
            method: "auth".into(),
            arguments,
            waiter: Waiter::Auth,
        };
        if let Err(e) = self.write(&mut sink, auth).await {
            return lost(e);
        }
        self.session(sink, stream, endpoint, info).await
    }

    /// Writes a call and records it in flight.
    async fn write(&mut self, sink: &mut Sink, q: Queued<Waiter>) -> Result<(), String> {
        let packet = self.calls.start(q, Instant::now());
        let text = serde_json::to_string(&packet).map_err(|e| e.to_string())?;
        sink.send(WsMessage::text(text))
            .await
            .map_err(|e| format!("write failed: {e}"))
    }

    /// The authenticated part of a connection, until it ends.
    async fn session(
        &mut self,
        mut sink: Sink,
        mut stream: Stream,
        endpoint: String,
        info: ChatInfo,
    ) -> Ended {
        let cfg = self.sh.cfg.clone();
        let mut online_since: Option<Instant> = None;
        let mut ping =
            tokio::time::interval_at(tokio::time::Instant::now() + cfg.ping_every, cfg.ping_every);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let ended = |reason: String, since: Option<Instant>| Ended::Lost {
            reason,
            online_for: since.map(|s| s.elapsed()).unwrap_or_default(),
        };
        loop {
            let deadline = self.calls.next_deadline();
            let far = Instant::now() + Duration::from_secs(3600);
            let sleep = tokio::time::sleep_until(deadline.unwrap_or(far).into());
            tokio::select! {
                frame = stream.next() => {
                    let text = match frame {
                        Some(Ok(WsMessage::Text(t))) => t,
                        Some(Ok(WsMessage::Close(c))) => {
                            let why = c.map(|c| c.reason.to_string()).unwrap_or_default();
                            return ended(format!("closed by the server {why}").trim_end().to_owned(), online_since);
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return ended(e.to_string(), online_since),
                        None => return ended("connection closed".into(), online_since),
                    };
                    let packet = match Packet::parse(&text) {
                        Ok(p) => p,
                        Err(e) => {
                            tracing::warn!(channel = %self.sh.channel_id, error = %e, "packet dropped");
                            continue;
                        }
                    };
                    match packet {
                        Packet::Reply { error, id, data } => {
                            let Some(call) = self.calls.settle(id) else { continue };
                            let res = match error {
                                Some(e) => Err(ChannelError::from_reply(&e)),
                                None => Ok(data),
                            };
                            match call.waiter {
                                Waiter::Caller(tx) => {
                                    let _ = tx.send(res);
                                }
                                Waiter::Auth => match res {
                                    Err(e) => return ended(format!("auth refused: {e}"), None),
                                    Ok(data) => {
                                        if let Err(e) = self.on_auth(&mut sink, &endpoint, &info, &data).await {
                                            return ended(e, None);
                                        }
                                        online_since = Some(Instant::now());
                                        ping.reset();
                                    }
                                },
                                Waiter::History(before) => match res {
                                    Ok(data) => self.on_history(data, before).await,
                                    Err(e) => tracing::info!(error = %e, "history after reconnect failed"),
                                },
                                Waiter::Ping | Waiter::OptOut => {}
                            }
                        }
                        Packet::Event { event, data } => {
                            if let Some(ev) = ChannelEvent::from_packet(&event, data) {
                                self.on_event(ev).await;
                            }
                        }
                        Packet::Method { .. } => {}
                    }
                }
                cmd = self.cmds.recv() => match cmd {
                    Some(Command::Call { method, arguments, reply }) => {
                        if online_since.is_none() {
                            self.queue_call(method, arguments, reply);
                            continue;
                        }
                        self.note_opt_out(&method, &arguments);
                        let q = Queued { method, arguments, waiter: Waiter::Caller(reply) };
                        if let Err(e) = self.write(&mut sink, q).await {
                            return ended(e, online_since);
                        }
                    }
                    Some(Command::Close) | None => {
                        let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(WsMessage::Close(None))).await;
                        return Ended::Closed;
                    }
                },
                _ = ping.tick(), if online_since.is_some() => {
                    let q = Queued { method: "ping".into(), arguments: vec![], waiter: Waiter::Ping };
                    if let Err(e) = self.write(&mut sink, q).await {
                        return ended(e, online_since);
                    }
                }
                _ = sleep, if deadline.is_some() => {
                    for call in self.calls.expired(Instant::now()) {
                        match call.waiter {
                            Waiter::Caller(tx) => {
                                let _ = tx.send(Err(ChannelError::Timeout));
                            }
                            Waiter::Auth | Waiter::Ping => {
                                return ended(format!("no reply to {} in time", call.method), online_since);
                            }
                            Waiter::History(_) | Waiter::OptOut => {
                                tracing::info!(method = %call.method, "no reply in time");
                            }
                        }
                    }
                }
                Some(batch) = self.fill_rx.recv() => self.absorb_missed(batch).await,
            }
        }
    }

    /// Authenticated: online, opt out again, send what waited, fill the gap.
    async fn on_auth(
        &mut self,
        sink: &mut Sink,
        endpoint: &str,
        info: &ChatInfo,
        data: &Value,
    ) -> Result<(), String> {
        let roles = data
            .get("roles")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        tracing::info!(channel = %self.sh.channel_id, %endpoint, "channel online");
        self.set_state(ChannelState::Online {
            endpoint: endpoint.to_owned(),
            roles,
            permissions: info.permissions.clone(),
        });
        if !self.opted_out.is_empty() {
            let q = Queued {
                method: "optOutEvents".into(),
                arguments: self.opted_out.iter().map(|n| json!(n)).collect(),
                waiter: Waiter::OptOut,
            };
            self.write(sink, q).await?;
        }
        if self.ever_online {
            let q = Queued {
                method: "history".into(),
                arguments: vec![json!(self.sh.cfg.history_fill)],
                waiter: Waiter::History(self.last_seq),
            };
            self.write(sink, q).await?;
        }
        self.ever_online = true;
        for q in self.calls.take_queued() {
            self.write(sink, q).await?;
        }
        Ok(())
    }

    /// The history after a reconnect: what is new was missed. When the
    /// server gives seqs and a token is at hand, a gap older than the
    /// history is fetched over REST.
    async fn on_history(&mut self, data: Value, before: Option<i64>) {
        let mut msgs: Vec<ChatMessage> = match data {
            Value::Array(v) => v
                .into_iter()
                .filter_map(|m| serde_json::from_value(m).ok())
                .collect(),
            _ => Vec::new(),
        };
        msgs.sort_by_key(|m| m.seq.unwrap_or(0));
        let oldest = msgs.iter().filter_map(|m| m.seq).min();
        let full = msgs.len() as u64 >= u64::from(self.sh.cfg.history_fill);
        tracing::debug!(channel = %self.sh.channel_id, n = msgs.len(), ?before, ?oldest, "history after reconnect");
        self.absorb_missed(msgs).await;
        if let (Some(token), Some(after), Some(oldest), true) = (
            self.sh.token.as_ref().and_then(|t| t()),
            before,
            oldest,
            full,
        ) {
            if oldest > after + 1 {
                let (base, room, tx) = (
                    self.sh.base.clone(),
                    self.room_id.clone(),
                    self.fill_tx.clone(),
                );
                tokio::spawn(fill_over_rest(base, token, room, after, oldest, tx));
            }
        }
    }

    async fn absorb_missed(&mut self, msgs: Vec<ChatMessage>) {
        for m in msgs {
            self.on_event(ChannelEvent::Message {
                message: m,
                missed: true,
            })
            .await;
        }
    }

    /// Stores what the cache keeps and tells the listeners; a message seen
    /// before (live and in the history) is dropped.
    async fn on_event(&mut self, ev: ChannelEvent) {
        if let ChannelEvent::Message { message, .. } = &ev {
            if is_object_id(&message.channel) {
                self.room_id = message.channel.to_ascii_lowercase();
            }
        }
        let room = self.room_id.as_str();
        match &ev {
            ChannelEvent::Message { message, .. } => {
                if message.id.is_empty() || !self.seen.insert(&message.id) {
                    return;
                }
                if let Some(s) = message.seq {
                    self.last_seq = Some(self.last_seq.map_or(s, |l| l.max(s)));
                }
                if let (Some(c), Some(_), false) =
                    (&self.sh.cache, message.seq, message.is_whisper())
                {
                    if let Err(e) = c.ingest(&[message.to_message(room)]).await {
                        tracing::warn!(error = %e, "channel message not cached");
                    }
                }
            }
            ChannelEvent::MessageDeleted { id } => {
                if let Some(c) = &self.sh.cache {
                    let _ = c.delete_messages(room, std::slice::from_ref(id)).await;
                }
            }
            ChannelEvent::UserPurged { ids, .. } if !ids.is_empty() => {
                if let Some(c) = &self.sh.cache {
                    let _ = c.delete_messages(room, ids).await;
                }
            }
            ChannelEvent::MessagesCleared => {
                if let Some(c) = &self.sh.cache {
                    let _ = c.clear_room(room).await;
                }
            }
            _ => {}
        }
        let _ = self.sh.events.send(ev);
    }
}

/// Reads until the server's `WelcomeEvent`.
async fn wait_welcome(stream: &mut Stream) -> Result<(), String> {
    loop {
        match stream.next().await {
            Some(Ok(WsMessage::Text(t))) => {
                if let Ok(Packet::Event { event, .. }) = Packet::parse(&t) {
                    if event == "WelcomeEvent" {
                        return Ok(());
                    }
                }
            }
            Some(Ok(WsMessage::Close(_))) | None => return Err("closed before the welcome".into()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.to_string()),
        }
    }
}

/// Fetches the messages with `after < seq < until` over REST and hands
/// them to the task.
async fn fill_over_rest(
    base: String,
    token: String,
    room: String,
    mut after: i64,
    until: i64,
    tx: mpsc::UnboundedSender<Vec<ChatMessage>>,
) {
    let Ok(rest) = Rest::new(&base) else { return };
    rest.set_token(Some(token));
    while after + 1 < until {
        let page = match rest.messages_after(&room, after, FILL_PAGE).await {
            Ok(p) => p,
            Err(e) => {
                tracing::info!(error = %e, "channel gap fill failed");
                return;
            }
        };
        let full = page.len() as i64 >= FILL_PAGE;
        let batch: Vec<ChatMessage> = page
            .iter()
            .filter(|m| m.to_room_id == room && m.seq.is_some_and(|s| s > after && s < until))
            .map(ChatMessage::from_message)
            .collect();
        let next = page.iter().filter_map(|m| m.seq).max().unwrap_or(after);
        if !batch.is_empty() && tx.send(batch).is_err() {
            return;
        }
        if !full || next <= after {
            return;
        }
        after = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_drops_repeats_and_forgets_the_oldest() {
        let mut s = Seen::new(2);
        assert!(s.insert("a"));
        assert!(!s.insert("a"));
        assert!(s.insert("b"));
        assert!(s.insert("c"));
        assert!(s.insert("a"), "a was forgotten when c came");
        assert!(!s.insert("c"));
    }
}
