//! Public chat channels (PROTOCOL.md section 3, seed 002): every collection
//! room is also served as a Mixer-style channel over WebSocket, readable
//! without an account.
//!
//! [`ChannelClient::open`] fetches `GET /api/v1/chats/<channel_id>` (with the
//! bearer token when there is one: that brings an authkey and write
//! permissions), dials one of its endpoints at random, waits for
//! `WelcomeEvent` (5 s), calls `auth`, pings every 15 s and times a call out
//! 20 s after it is written. When the connection is lost it reconnects with
//! backoff (exponential, jittered) to another endpoint, with a fresh authkey
//! (they are single use); calls made meanwhile wait and go out once it is
//! back; what was said meanwhile is filled in from `history` (and, signed
//! in, from `POST /messages` after the last seq seen when the gap is larger
//! than the history), and told as [`ChannelEvent::Message`] with `missed`.
//!
//! - [`packets`]: the wire packets and `ChatMessage` (`w3mq_protocol::chat`).
//! - [`events`]: [`ChannelEvent`] and [`ChannelState`].
//! - [`info`]: the chat info and the choice of endpoint.
//! - `calls`: ids, the queue and the timeouts of method calls.
//! - `connector`: the socket task.

mod calls;
mod connector;
pub mod error;
pub mod events;
mod forward;
pub mod info;
pub mod open;
pub use w3mq_protocol::chat as packets;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::cache::Cache;
pub use connector::TokenSource;
pub use error::ChannelError;
pub use events::{ChannelEvent, ChannelState, ChannelUser, Poll};
pub use info::ChatInfo;
pub use packets::{ChatMessage, MessageBody, MessagePart};

use connector::{Command, Shared};
pub(crate) use forward::forward;

/// The timings of a channel connection. The defaults are the seed's.
#[derive(Debug, Clone)]
pub struct ChannelConfig {
    /// How long to wait for `WelcomeEvent` after connecting (5 s).
    pub welcome_timeout: Duration,
    /// How often to `ping` (15 s).
    pub ping_every: Duration,
    /// How long a call waits for its reply once written (20 s).
    pub method_timeout: Duration,
    /// How long the TCP, TLS and WebSocket handshakes may take (10 s).
    pub connect_timeout: Duration,
    /// The first reconnect delay (500 ms).
    pub backoff_base: Duration,
    /// The longest reconnect delay (30 s); a connection that was online
    /// this long starts the delays over.
    pub backoff_max: Duration,
    /// How many calls may wait for a connection (1,000).
    pub max_queued: usize,
    /// How many messages `history` fetches after a reconnect (100, the most).
    pub history_fill: u32,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            welcome_timeout: Duration::from_secs(5),
            ping_every: Duration::from_secs(15),
            method_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_queued: 1000,
            history_fill: 100,
        }
    }
}

struct Inner {
    channel_id: String,
    cmds: mpsc::Sender<Command>,
    state: watch::Receiver<ChannelState>,
    events: broadcast::Sender<ChannelEvent>,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// A connection to one public channel. Cheap to clone; the connection ends
/// with [`ChannelClient::close`] or when the last clone is dropped.
#[derive(Clone)]
pub struct ChannelClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ChannelClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelClient")
            .field("channel_id", &self.inner.channel_id)
            .field("state", &*self.inner.state.borrow())
            .finish()
    }
}

/// A handle that does not keep the connection open.
pub(crate) struct WeakChannel(std::sync::Weak<Inner>);

impl WeakChannel {
    /// The channel, while some handle still holds it.
    pub(crate) fn upgrade(&self) -> Option<ChannelClient> {
        self.0.upgrade().map(|inner| ChannelClient { inner })
    }
}

fn tls_config() -> Result<Arc<rustls::ClientConfig>, ChannelError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ChannelError::Protocol(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

impl ChannelClient {
    /// Opens the channel `channel_id` (a room id, or a collection slug) of
    /// the server at `http_base` (e.g. `http://127.0.0.1:8780`): signed in
    /// with `token`, anonymously (read only) without. Messages, deletions
    /// and clearings go to `cache` when one is given.
    ///
    /// Fails at once when the channel does not exist or the token is
    /// refused; a server that cannot be reached is retried in the
    /// background (see [`ChannelClient::state`]).
    pub async fn open(
        http_base: &str,
        channel_id: &str,
        token: Option<String>,
        cache: Option<Cache>,
    ) -> Result<(ChannelClient, broadcast::Receiver<ChannelEvent>), ChannelError> {
        Self::open_with(
            http_base,
            channel_id,
            token,
            cache,
            ChannelConfig::default(),
        )
        .await
    }

    /// [`ChannelClient::open`] with other timings.
    pub async fn open_with(
        http_base: &str,
        channel_id: &str,
        token: Option<String>,
        cache: Option<Cache>,
        cfg: ChannelConfig,
    ) -> Result<(ChannelClient, broadcast::Receiver<ChannelEvent>), ChannelError> {
        let source = token.map(|t| -> connector::TokenSource { Arc::new(move || Some(t.clone())) });
        Self::open_as(http_base, channel_id, source, cache, cfg).await
    }

    /// [`ChannelClient::open_with`] reading the token from `token` at each
    /// (re)connect, so that a token refreshed meanwhile is the one used.
    pub async fn open_as(
        http_base: &str,
        channel_id: &str,
        token: Option<connector::TokenSource>,
        cache: Option<Cache>,
        cfg: ChannelConfig,
    ) -> Result<(ChannelClient, broadcast::Receiver<ChannelEvent>), ChannelError> {
        let first_token = token.as_ref().and_then(|t| t());
        let base = http_base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ChannelError::InvalidInput(
                "the server URL must start with http:// or https://".into(),
            ));
        }
        if !info::is_path_safe(channel_id) {
            return Err(ChannelError::InvalidInput(format!(
                "{:?} is not a channel id",
                channel_id.chars().take(64).collect::<String>()
            )));
        }
        let user_id =
            match &first_token {
                Some(t) => Some(info::token_user_id(t).ok_or_else(|| {
                    ChannelError::InvalidInput("the token names no user_id".into())
                })?),
                None => None,
            };
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.connect_timeout * 3)
            .build()
            .map_err(|e| ChannelError::Network(e.to_string()))?;
        let first = match info::fetch_info(&http, &base, channel_id, first_token.as_deref()).await {
            Ok(i) => Some(i),
            Err(e) if info::is_final(&e) => return Err(e),
            Err(e) => {
                tracing::info!(error = %e, "channel info unavailable; retrying in the background");
                None
            }
        };
        let (events, rx) = broadcast::channel(4096);
        let (state_tx, state) = watch::channel(ChannelState::Connecting {
            endpoint: String::new(),
        });
        let (cmds, cmd_rx) = mpsc::channel(256);
        let shared = Arc::new(Shared {
            base,
            channel_id: channel_id.to_owned(),
            token,
            user_id,
            cache,
            cfg,
            http,
            tls: tls_config()?,
            events: events.clone(),
            state: state_tx,
        });
        let task = tokio::spawn(connector::run(shared, cmd_rx, first));
        let client = ChannelClient {
            inner: Arc::new(Inner {
                channel_id: channel_id.to_owned(),
                cmds,
                state,
                events,
                task: Mutex::new(Some(task)),
            }),
        };
        Ok((client, rx))
    }

    pub(crate) fn downgrade(&self) -> WeakChannel {
        WeakChannel(Arc::downgrade(&self.inner))
    }

    /// The channel id it was opened with.
    pub fn channel_id(&self) -> &str {
        &self.inner.channel_id
    }

    /// The connection's state now.
    pub fn state(&self) -> ChannelState {
        self.inner.state.borrow().clone()
    }

    /// Waits until the state satisfies `f` (or the channel is closed).
    pub async fn wait_state(&self, mut f: impl FnMut(&ChannelState) -> bool) -> ChannelState {
        let mut rx = self.inner.state.clone();
        let r = rx
            .wait_for(|s| f(s) || *s == ChannelState::Closed)
            .await
            .map(|s| s.clone());
        r.unwrap_or(ChannelState::Closed)
    }

    /// Another receiver of the channel's events.
    pub fn subscribe(&self) -> broadcast::Receiver<ChannelEvent> {
        self.inner.events.subscribe()
    }

    /// Calls any method; its reply's data. Waits for a connection when
    /// there is none.
    pub async fn call(&self, method: &str, arguments: Vec<Value>) -> Result<Value, ChannelError> {
        let (reply, rx) = oneshot::channel();
        self.inner
            .cmds
            .send(Command::Call {
                method: method.to_owned(),
                arguments,
                reply,
            })
            .await
            .map_err(|_| ChannelError::Closed)?;
        rx.await.map_err(|_| ChannelError::Closed)?
    }

    async fn call_as<T: DeserializeOwned>(
        &self,
        method: &str,
        arguments: Vec<Value>,
    ) -> Result<T, ChannelError> {
        let v = self.call(method, arguments).await?;
        serde_json::from_value(v)
            .map_err(|e| ChannelError::Protocol(format!("{method} reply: {e}")))
    }

    async fn call_unit(&self, method: &str, arguments: Vec<Value>) -> Result<(), ChannelError> {
        self.call(method, arguments).await.map(|_| ())
    }

    /// `msg [text]`: sends a chat message; the message as stored.
    pub async fn send_text(&self, text: &str) -> Result<ChatMessage, ChannelError> {
        non_blank(text)?;
        self.call_as("msg", vec![json!(text)]).await
    }

    /// `whisper [username, text]`: a private message to one user (by name,
    /// user id or wallet address); not stored.
    pub async fn whisper(&self, user_name: &str, text: &str) -> Result<ChatMessage, ChannelError> {
        non_blank(text)?;
        self.call_as("whisper", vec![json!(user_name), json!(text)])
            .await
    }

    /// `history [n]`: the latest `n` messages (at most 100), oldest first.
    pub async fn history(&self, n: u32) -> Result<Vec<ChatMessage>, ChannelError> {
        if n > 100 {
            return Err(ChannelError::InvalidInput(
                "history returns at most 100 messages".into(),
            ));
        }
        self.call_as("history", vec![json!(n)]).await
    }

    /// `deleteMessage [id]` (moderator).
    pub async fn delete_message(&self, id: &str) -> Result<(), ChannelError> {
        self.call_unit("deleteMessage", vec![json!(id)]).await
    }

    /// `timeout [username, duration]` (moderator): the user may not chat
    /// for `duration` (sent in whole seconds).
    pub async fn timeout(&self, user_name: &str, duration: Duration) -> Result<(), ChannelError> {
        if duration > MAX_TIMEOUT {
            return Err(ChannelError::InvalidInput(
                "a timeout is at most 7 days".into(),
            ));
        }
        self.call_unit("timeout", vec![json!(user_name), json!(duration.as_secs())])
            .await
    }

    /// `purge [username]` (moderator): deletes the user's messages.
    pub async fn purge(&self, user_name: &str) -> Result<(), ChannelError> {
        self.call_unit("purge", vec![json!(user_name)]).await
    }

    /// `clearMessages []` (moderator): deletes every message.
    pub async fn clear_messages(&self) -> Result<(), ChannelError> {
        self.call_unit("clearMessages", vec![]).await
    }

    /// `vote:start [question, answers, seconds]` (moderator): starts a poll
    /// of 2 to 10 answers; the poll as `PollStart` tells it.
    pub async fn vote_start(
        &self,
        question: &str,
        answers: &[String],
        duration: Duration,
    ) -> Result<Poll, ChannelError> {
        let (question, answers) = poll_rules(question, answers, duration)?;
        self.call_as(
            "vote:start",
            vec![json!(question), json!(answers), json!(duration.as_secs())],
        )
        .await
    }

    /// `vote:choose [index]`: votes in the running poll.
    pub async fn vote_choose(&self, index: usize) -> Result<(), ChannelError> {
        self.call_unit("vote:choose", vec![json!(index)]).await
    }

    /// `ping []`: the round trip.
    pub async fn ping(&self) -> Result<Duration, ChannelError> {
        let t = Instant::now();
        self.call_unit("ping", vec![]).await?;
        Ok(t.elapsed())
    }

    /// `optOutEvents [names]`: stops those events (e.g. `UserJoin`); kept
    /// across reconnects.
    pub async fn opt_out_events(&self, names: &[&str]) -> Result<(), ChannelError> {
        self.call_unit("optOutEvents", names.iter().map(|n| json!(n)).collect())
            .await
    }

    /// Closes the connection and waits for the task to end. Calls still
    /// waiting fail with [`ChannelError::Closed`].
    pub async fn close(&self) {
        let _ = self.inner.cmds.send(Command::Close).await;
        let task = self.inner.task.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = task {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    }
}

fn non_blank(text: &str) -> Result<(), ChannelError> {
    if text.trim().is_empty() {
        return Err(ChannelError::InvalidInput("the text is blank".into()));
    }
    Ok(())
}
/// The longest timeout a moderator may give.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);
/// The longest poll.
pub const MAX_POLL: Duration = Duration::from_secs(24 * 3600);

/// A poll as it may be started: a question, 2 to 10 answers (blank ones
/// dropped, each trimmed) and 1 s to 24 h.
pub fn poll_rules(
    question: &str,
    answers: &[String],
    duration: Duration,
) -> Result<(String, Vec<String>), ChannelError> {
    let answers: Vec<String> = answers
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    let question = question.trim();
    if question.is_empty()
        || !(2..=10).contains(&answers.len())
        || duration < Duration::from_secs(1)
        || duration > MAX_POLL
    {
        return Err(ChannelError::InvalidInput(
            "a poll has a question, 2 to 10 answers and 1 s to 24 h".into(),
        ));
    }
    Ok((question.to_owned(), answers))
}

#[cfg(test)]
mod rules_tests {
    use super::*;

    #[test]
    fn polls_have_a_question_two_to_ten_answers_and_a_day_at_most() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let s = Duration::from_secs;
        assert_eq!(
            poll_rules(" Which? ", &a(&["x", " ", "y "]), s(60)).unwrap(),
            ("Which?".to_string(), a(&["x", "y"]))
        );
        assert!(poll_rules("", &a(&["x", "y"]), s(60)).is_err());
        assert!(poll_rules("q", &a(&["x"]), s(60)).is_err());
        assert!(poll_rules("q", &a(&["x"; 11]), s(60)).is_err());
        assert!(poll_rules("q", &a(&["x", "y"]), s(0)).is_err());
        assert!(poll_rules("q", &a(&["x", "y"]), s(86_401)).is_err());
    }
}
