//! The demo companion: a second Web3MQ account, driven by `w3mq-core` like
//! the desktop app, that shows a newcomer every feature within a minute.
//!
//! [`run`] signs in to a (local) `w3mq-server`, names itself, joins the demo
//! collection room (slug [`content::COLLECTION_SLUG`]) and posts there, then:
//!
//! - **finds users**: every [`Config::poll_every`] it searches the server's
//!   users with each of [`Config::keywords`] (`POST /search` matches part of a
//!   nick name; an empty keyword is refused and a wallet address only matches
//!   whole, so the default keywords are the single letters and digits), and
//!   it also takes the members of every room it is in (a user who opens a
//!   room with it, or joins the collection room, is found even without a nick
//!   name);
//! - **greets each new user once**, in a 1v1 room: a greeting that mentions
//!   them (so their client notifies), a sudoswap trade card, a message with an
//!   OpenSea item thread and a reply inside the thread, and a quoted reply to
//!   its own greeting;
//! - **answers** every new text message someone else writes in its rooms with
//!   a quoted reply (in the same thread), plus a trade card when the message
//!   mentions it or says "card". It never answers itself, nor another
//!   companion (a user with the same nick name), nor history from before it
//!   started.
//!
//! # Running it
//!
//! ```text
//! w3mq-demo [--http URL] [--mqtt URL] [--data-dir DIR] [--nick NAME] [--poll-secs SECS]
//! ```
//!
//! Defaults: `--http http://127.0.0.1:8780`, `--mqtt ws://127.0.0.1:8780/mqtt`,
//! `--nick "Demo Companion"`, `--poll-secs 2`; without `--data-dir` the
//! engine's data lives in a temporary directory removed on exit. It may be
//! started before the server: signing in is retried until the server
//! answers. Logs go to standard error (`RUST_LOG` filters); SIGINT or SIGTERM
//! stops the session and exits 0.
//!
//! # Keys
//!
//! This is a demo bot, not the user: it makes a **fresh key at every start**
//! and keeps it, and its token, in a [`secrets::MemorySecretStore`], so
//! nothing secret is written anywhere and each run is a new account. That is
//! acceptable for the demo bot only; a user's account keeps its key in the OS
//! keychain ([`w3mq_core::secrets::KeyringStore`]).

pub mod compose;
pub mod content;
pub mod discover;
pub mod secrets;

use std::collections::HashSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use tokio::sync::{broadcast, mpsc};
use w3mq_core::{
    ConnectionState, CoreError, Draft, Engine, EngineConfig, EnvKind, Environment, Event, Key,
};
use w3mq_protocol::{now_nanos, SwapCard, User};

use crate::secrets::MemorySecretStore;

/// How long the companion waits for the server to acknowledge a message it
/// needs the id of.
const ACK_WAIT: Duration = Duration::from_secs(30);
/// The pause between sign-in attempts while the server is not up yet.
const SIGN_IN_RETRY: Duration = Duration::from_secs(1);

/// How the companion runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The server's REST base URL, e.g. `http://127.0.0.1:8780`.
    pub http: String,
    /// The server's MQTT-over-WebSocket URL, e.g. `ws://127.0.0.1:8780/mqtt`.
    pub mqtt: String,
    /// Where the engine keeps its account list and cache.
    pub data_dir: PathBuf,
    /// The companion's nick name.
    pub nick: String,
    /// How often the user search runs.
    pub poll_every: Duration,
    /// The user search's keywords, each searched every round.
    pub keywords: Vec<String>,
    /// The pause between creating a user's room and the first message in it,
    /// so that the user's client has subscribed to the new room (it learns of
    /// it from a `room_added` event) and the greeting arrives live, with its
    /// notification, rather than in the room's catch-up.
    pub greet_delay: Duration,
}

impl Config {
    /// The defaults for a server at `http` / `mqtt`, with data in `data_dir`.
    pub fn new(http: &str, mqtt: &str, data_dir: impl Into<PathBuf>) -> Config {
        Config {
            http: http.to_owned(),
            mqtt: mqtt.to_owned(),
            data_dir: data_dir.into(),
            nick: "Demo Companion".into(),
            poll_every: Duration::from_secs(2),
            keywords: discover::default_keywords(),
            greet_delay: Duration::from_millis(1500),
        }
    }
}

/// Runs the companion until `shutdown` resolves, then stops its session.
///
/// Signing in is retried while the server cannot be reached (it may still be
/// starting); any other sign-in failure is returned.
pub async fn run(cfg: Config, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let env = Environment {
        kind: EnvKind::Local,
        http: cfg.http.trim_end_matches('/').to_owned(),
        mqtt: vec![cfg.mqtt.clone()],
    };
    env.validate().map_err(|e| anyhow!(e))?;
    tokio::fs::create_dir_all(&cfg.data_dir)
        .await
        .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    let engine = Engine::new(EngineConfig {
        data_dir: cfg.data_dir.clone(),
        secrets: Arc::new(MemorySecretStore::new()),
        device: "demo".into(),
    });
    let events = engine.events();
    tokio::pin!(shutdown);
    let result = tokio::select! {
        _ = &mut shutdown => Ok(()),
        r = serve(&engine, env, cfg, events) => r,
    };
    tracing::info!("stopping");
    engine.shutdown().await;
    result
}

/// The companion's key, kept in `companion.key` in its data directory, so
/// that it is the same person at every start (the user's room with it stays
/// one room, not one more per run). It is a demo bot's key on a local
/// server, not an account anyone owns: a file readable by its owner only is
/// its keychain (the user's keys never go to a file like this).
async fn companion_key(dir: &std::path::Path) -> anyhow::Result<Key> {
    let path = dir.join("companion.key");
    if let Ok(hex) = tokio::fs::read_to_string(&path).await {
        match Key::import(hex.trim()) {
            Ok(k) => return Ok(k),
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "companion key unreadable; making a new one")
            }
        }
    }
    let key = Key::generate();
    let tmp = dir.join("companion.key.tmp");
    {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o
            .open(&tmp)
            .with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(key.to_hex().as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

/// Signs in, sets up, and serves until a task fails.
async fn serve(
    engine: &Engine,
    env: Environment,
    cfg: Config,
    events: broadcast::Receiver<Event>,
) -> anyhow::Result<()> {
    let started = now_nanos();
    let key = companion_key(&cfg.data_dir).await?;
    let info = loop {
        match engine.sign_in(env.clone(), key.clone()).await {
            Ok(info) => break info,
            Err(e) if transient(&e) => {
                tracing::info!(error = %e, http = %env.http, "server not reachable yet; retrying");
                tokio::time::sleep(SIGN_IN_RETRY).await;
            }
            Err(e) => return Err(e).context("signing in"),
        }
    };
    engine
        .set_profile(Some(&cfg.nick), Some(content::AVATAR_URL))
        .await
        .context("setting the nick name")?;
    tracing::info!(user_id = %info.user_id, address = %info.address, nick = %cfg.nick, "signed in");

    let bot = Arc::new(Bot {
        engine: engine.clone(),
        me: info.user_id,
        address: info.address,
        cfg,
        started,
        greeted: Mutex::new(HashSet::new()),
        answered: Mutex::new(HashSet::new()),
        cards: AtomicUsize::new(0),
    });
    let (tx, rx) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(bot.clone().greeter(rx));
    tasks.spawn(bot.clone().listen(events, tx.clone()));
    tasks.spawn(bot.poll(tx));
    // The tasks run until shutdown; one that ends has failed.
    match tasks.join_next().await {
        Some(Ok(Ok(()))) | None => bail!("a companion task ended"),
        Some(Ok(Err(e))) => Err(e),
        Some(Err(e)) => Err(anyhow!("a companion task panicked: {e}")),
    }
}

/// A failure worth retrying: the server unreachable, overloaded or briefly
/// failing.
fn transient(e: &CoreError) -> bool {
    match e {
        CoreError::Network(_) => true,
        CoreError::Api { status, .. } => *status == 429 || *status >= 500,
        _ => false,
    }
}

/// The signed-in companion.
struct Bot {
    engine: Engine,
    me: String,
    address: String,
    cfg: Config,
    /// Unix ns when it started: older messages are not answered.
    started: i64,
    /// Users greeted or queued for a greeting.
    greeted: Mutex<HashSet<String>>,
    /// Messages answered (events may carry a message again when it changes).
    answered: Mutex<HashSet<String>>,
    /// Trade cards sent, to vary the next one.
    cards: AtomicUsize,
}

impl Bot {
    /// Queues the users of `seen` that are new for a greeting.
    fn offer(&self, seen: Vec<User>, tx: &mpsc::UnboundedSender<User>) {
        let fresh = match self.greeted.lock() {
            Ok(mut g) => discover::pick(&self.me, &self.cfg.nick, seen, &mut g),
            Err(_) => return,
        };
        for u in fresh {
            tracing::info!(user_id = %u.user_id, nick = %u.nick_name, "new user");
            let _ = tx.send(u);
        }
    }

    /// Forgets that `user_id` was greeted, so that it is tried again.
    fn forget(&self, user_id: &str) {
        if let Ok(mut g) = self.greeted.lock() {
            g.remove(&user_id.to_ascii_lowercase());
        }
    }

    /// Searches the users with every keyword, every `poll_every`.
    async fn poll(self: Arc<Self>, tx: mpsc::UnboundedSender<User>) -> anyhow::Result<()> {
        let mut tick = tokio::time::interval(self.cfg.poll_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Warned once per outage, not every round.
        let mut failing = false;
        loop {
            tick.tick().await;
            let mut seen = Vec::new();
            let mut failed = None;
            for k in &self.cfg.keywords {
                match self.engine.search_users(k).await {
                    Ok(users) => seen.extend(users),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            match &failed {
                Some(e) if !failing => tracing::warn!(error = %e, "user search failed"),
                Some(e) => tracing::debug!(error = %e, "user search failed"),
                None if failing => tracing::info!("user search works again"),
                None => {}
            }
            failing = failed.is_some();
            self.offer(seen, &tx);
        }
    }

    /// Takes in the engine's events: answers messages, and offers the
    /// members of its rooms for a greeting.
    async fn listen(
        self: Arc<Self>,
        mut events: broadcast::Receiver<Event>,
        tx: mpsc::UnboundedSender<User>,
    ) -> anyhow::Result<()> {
        loop {
            match events.recv().await {
                Ok(Event::Messages { messages }) => {
                    for m in &messages {
                        self.answer(m).await;
                    }
                }
                Ok(Event::RoomUpdated { summary }) => self.offer(summary.room.members, &tx),
                Ok(Event::Connection {
                    state: ConnectionState::Online { endpoint, .. },
                }) => tracing::info!(%endpoint, "online"),
                Ok(Event::Connection { state }) => tracing::debug!(?state, "connection"),
                Ok(Event::SendStatus {
                    status: w3mq_core::model::SendStatus::Failed,
                    error,
                    room_id,
                    ..
                }) => tracing::warn!(?error, %room_id, "a message was rejected"),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "fell behind the event stream")
                }
                Err(broadcast::error::RecvError::Closed) => bail!("the event stream closed"),
            }
        }
    }

    /// Greets the queued users one after another. Joins the collection room
    /// first.
    async fn greeter(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<User>) -> anyhow::Result<()> {
        if let Err(e) = self.collection().await {
            tracing::warn!(error = %e, "collection room setup failed");
        }
        while let Some(u) = rx.recv().await {
            let room = match self
                .engine
                .create_room(std::slice::from_ref(&u.user_id))
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(user_id = %u.user_id, error = %e, "creating the room failed");
                    if transient(&e) {
                        self.forget(&u.user_id);
                    }
                    continue;
                }
            };
            match self.show_features(&room.room_id, &u).await {
                Ok(()) => tracing::info!(user_id = %u.user_id, room = %room.room_id, "greeted"),
                Err(e) => tracing::warn!(user_id = %u.user_id, error = %e, "greeting failed"),
            }
        }
        bail!("the greeting queue closed")
    }

    /// Joins (or creates) the demo collection room and says hello there.
    async fn collection(&self) -> anyhow::Result<()> {
        let room = self
            .engine
            .join_collection(
                content::COLLECTION_SLUG,
                content::COLLECTION_NAME,
                content::COLLECTION_COVER,
            )
            .await?;
        self.engine
            .send(text(&room.room_id, compose::COLLECTION_WELCOME))
            .await?;
        tracing::info!(room = %room.room_id, slug = content::COLLECTION_SLUG, "collection room ready");
        Ok(())
    }

    /// Everything a new user sees in their room with the companion.
    async fn show_features(&self, room_id: &str, u: &User) -> anyhow::Result<()> {
        tokio::time::sleep(self.cfg.greet_delay).await;
        let greeting = self
            .send_acked(Draft {
                mentions: vec![u.user_id.clone()],
                ..text(room_id, &compose::greeting(&compose::display_name(u)))
            })
            .await
            .context("greeting")?;
        self.engine
            .send(Draft {
                swap_card: Some(self.next_card(&u.eth_wallet_address)),
                ..draft(room_id)
            })
            .await
            .context("trade card")?;
        let intro = self
            .send_acked(text(room_id, compose::ITEM_INTRO))
            .await
            .context("item message")?;
        self.engine
            .start_thread(&intro, Some(content::opensea_item()))
            .await
            .context("item thread")?;
        self.engine
            .send(Draft {
                thread_id: Some(intro),
                ..text(room_id, compose::THREAD_REPLY)
            })
            .await
            .context("thread reply")?;
        self.engine
            .send(Draft {
                reply_to: Some(greeting),
                ..text(room_id, compose::SELF_REPLY)
            })
            .await
            .context("quoted reply")?;
        Ok(())
    }

    /// Answers `m` if it is a new text by someone else.
    async fn answer(&self, m: &w3mq_protocol::Message) {
        let Some(said) = compose::to_answer(m, &self.me, self.started) else {
            return;
        };
        let Some(id) = m.id.clone() else { return };
        let first = self
            .answered
            .lock()
            .map(|mut a| a.insert(id.clone()))
            .unwrap_or(false);
        if !first {
            return;
        }
        let room = match self.engine.room(&m.to_room_id).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(room = %m.to_room_id, error = %e, "room unknown; not answering");
                return;
            }
        };
        let sender = room
            .members
            .iter()
            .find(|u| u.user_id.eq_ignore_ascii_case(&m.from_uid));
        if sender.is_some_and(|u| discover::is_companion(u, &self.cfg.nick)) {
            return;
        }
        let name = sender
            .map(compose::display_name)
            .unwrap_or_else(|| "there".into());
        let a = compose::answer(said, &name, compose::mentions(m, &self.me, &self.cfg.nick));
        let thread = Some(m.belong_to_thread_id.clone()).filter(|t| !t.is_empty());
        // Outside 1v1 rooms, where only mentions notify, the answer mentions
        // its addressee.
        let (body, mentions) = if room.is_1v1 {
            (a.text, Vec::new())
        } else {
            (format!("@{name} {}", a.text), vec![m.from_uid.clone()])
        };
        let reply = Draft {
            reply_to: Some(id.clone()),
            thread_id: thread.clone(),
            mentions,
            ..text(&m.to_room_id, &body)
        };
        if let Err(e) = self.engine.send(reply).await {
            tracing::warn!(error = %e, "answer failed");
            return;
        }
        if a.card {
            let card = Draft {
                swap_card: Some(self.next_card("")),
                reply_to: Some(id),
                thread_id: thread,
                ..draft(&m.to_room_id)
            };
            if let Err(e) = self.engine.send(card).await {
                tracing::warn!(error = %e, "trade card failed");
            }
        }
        tracing::info!(room = %m.to_room_id, from = %m.from_uid, card = a.card, "answered");
    }

    /// The next trade card, for `recipient` (or anyone).
    fn next_card(&self, recipient: &str) -> SwapCard {
        let n = self.cards.fetch_add(1, Ordering::Relaxed);
        let today = time::OffsetDateTime::now_utc().date();
        content::trade_card(
            &self.address,
            recipient,
            n,
            content::expiry_after_week(today),
        )
    }

    /// Sends `d` and waits for the server's acknowledgement; returns the
    /// message's id.
    async fn send_acked(&self, d: Draft) -> anyhow::Result<String> {
        // Subscribed before sending, so the acknowledgement cannot be missed.
        let mut events = self.engine.events();
        let entry = self.engine.send(d).await?;
        let wait = async {
            loop {
                match events.recv().await {
                    Ok(Event::SendStatus {
                        client_msg_id,
                        status,
                        id,
                        error,
                        ..
                    }) if client_msg_id == entry.client_msg_id => match status {
                        w3mq_core::model::SendStatus::Sent => {
                            return id.ok_or_else(|| anyhow!("acknowledged without an id"))
                        }
                        w3mq_core::model::SendStatus::Failed => {
                            bail!("rejected: {}", error.unwrap_or_default())
                        }
                        w3mq_core::model::SendStatus::Pending => {}
                    },
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => bail!("the event stream closed"),
                }
            }
        };
        tokio::time::timeout(ACK_WAIT, wait)
            .await
            .map_err(|_| anyhow!("no acknowledgement within {ACK_WAIT:?}"))?
    }
}

/// A text message draft.
fn text(room_id: &str, t: &str) -> Draft {
    Draft {
        text: Some(t.to_owned()),
        ..draft(room_id)
    }
}

/// An empty draft for `room_id`.
fn draft(room_id: &str) -> Draft {
    Draft {
        room_id: room_id.to_owned(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_companion_keeps_its_key_and_replaces_a_broken_one() {
        let d = tempfile::tempdir().expect("tempdir");
        let a = companion_key(d.path()).await.expect("key").address();
        let b = companion_key(d.path()).await.expect("key").address();
        assert_eq!(a, b, "a new companion at every start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.path().join("companion.key"))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
        }
        std::fs::write(d.path().join("companion.key"), "not a key").expect("write");
        let c = companion_key(d.path()).await.expect("key").address();
        assert_ne!(c, a);
        assert_eq!(companion_key(d.path()).await.expect("key").address(), c);
    }
}
