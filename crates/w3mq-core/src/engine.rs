//! The engine: the signed-in account, its cache and session, and every
//! query and action the shell forwards.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use w3mq_protocol::{
    validate_message, Message, MsgType, ObjectId, OpenSeaItem, Room, SwapCard, User,
};

use crate::account::{Account, AccountParts};
use crate::cache::Cache;
use crate::channel::{self, ChannelClient};
use crate::env::Environment;
use crate::error::{CoreError, Result};
use crate::events::{ConnectionState, Event};
use crate::key::Key;
use crate::model::{Cursor, NotifyMode, OutboxEntry, RoomSummary, SearchHit, SendStatus};
use crate::policy::Focus;
use crate::rest::Rest;
use crate::secrets::SecretStore;

/// How the engine is set up.
#[derive(Clone)]
pub struct EngineConfig {
    /// Where account caches and the account list live.
    pub data_dir: PathBuf,
    /// The keychain.
    pub secrets: Arc<dyn SecretStore>,
    /// This device's name, part of the MQTT client id
    /// (`<user_id>-<device>-<install id>`, see [`crate::install`]).
    pub device: String,
}

/// The signed-in account, as the shell shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// User id.
    pub user_id: String,
    /// Wallet address.
    pub address: String,
    /// Environment.
    pub env: Environment,
    /// Profile, as last known.
    pub profile: Option<User>,
    /// A copy of the key exists outside this app: the user confirmed the
    /// recovery phrase, saved a keystore file, or brought the key in
    /// (an account listed before this field existed counts as not backed up).
    #[serde(default)]
    pub backed_up: bool,
    /// The account has a recovery phrase in the keychain (created or restored from one).
    #[serde(default)]
    pub has_phrase: bool,
}

/// What to send.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Draft {
    /// The room.
    pub room_id: String,
    /// Text (for a text message).
    pub text: Option<String>,
    /// A trade card (instead of text).
    pub swap_card: Option<SwapCard>,
    /// The message this one replies to.
    pub reply_to: Option<String>,
    /// The thread this message belongs to.
    pub thread_id: Option<String>,
    /// Users mentioned.
    pub mentions: Vec<String>,
    /// Start an OpenSea item thread with this message.
    pub item: Option<OpenSeaItem>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct AccountList {
    pub(crate) current: Option<String>,
    pub(crate) accounts: Vec<AccountInfo>,
}

/// The signed-in account and the tasks that serve it.
type Running = (Arc<Account>, Vec<JoinHandle<()>>);

pub(crate) struct Inner {
    pub(crate) cfg: EngineConfig,
    events: broadcast::Sender<Event>,
    active: tokio::sync::Mutex<Option<Running>>,
    /// What the UI shows, once the presenter runs (see [`Engine::ui_events`]).
    ui: std::sync::OnceLock<broadcast::Sender<Arc<crate::presenter::UiBatch>>>,
    /// How often the presenter read the room list, and how many batches it
    /// presented (a test reads them).
    room_list_reads: AtomicU64,
    pub(crate) batches: AtomicU64,
    /// The public channels the UI has open ([`crate::channels`]).
    open_channels: crate::channel::open::OpenChannels,
    /// The keychain, or the sealed file where none answers (`cfg.secrets` is this vault).
    pub(crate) vault: Arc<crate::secrets::vault::Vault>,
    /// Sign-in, sign-out and backup marks one at a time: each reads and writes
    /// `accounts.json` and the keychain, and they must agree on the account.
    pub(crate) lifecycle: tokio::sync::Mutex<()>,
    /// A recovery phrase on screen, not yet confirmed (the backup module asks for it).
    pub(crate) pending: tokio::sync::Mutex<Option<crate::wallet::phrase::Shown>>,
    /// This engine's place among the accounts side by side ([`crate::accounts`]); 0 alone.
    pub(crate) slot: u32,
    /// The addresses the engines side by side hold (one engine per address).
    claims: Arc<crate::claims::Claims>,
}

/// The client engine. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) fn key_entry(address: &str) -> String {
    format!("key:{address}")
}
pub(crate) fn token_entry(address: &str) -> String {
    format!("token:{address}")
}
pub(crate) fn phrase_entry(address: &str) -> String {
    format!("phrase:{address}")
}

impl Engine {
    /// An engine with no account yet, alone in its data directory.
    pub fn new(cfg: EngineConfig) -> Engine {
        let vault = Arc::new(crate::secrets::vault::Vault::new(
            cfg.secrets.clone(),
            cfg.data_dir.clone(),
        ));
        Engine::in_slot(cfg, vault, 0, Default::default())
    }

    /// The engine of `slot` among accounts side by side: it shares the data
    /// directory (each account's cache is under `accounts/<address>/`), the
    /// vault and the claims; its account list is its own file.
    pub(crate) fn in_slot(
        mut cfg: EngineConfig,
        vault: Arc<crate::secrets::vault::Vault>,
        slot: u32,
        claims: Arc<crate::claims::Claims>,
    ) -> Engine {
        let (events, _) = broadcast::channel(4096);
        cfg.secrets = vault.clone();
        Engine {
            inner: Arc::new(Inner {
                cfg,
                vault,
                lifecycle: tokio::sync::Mutex::new(()),
                pending: tokio::sync::Mutex::new(None),
                events,
                active: tokio::sync::Mutex::new(None),
                ui: std::sync::OnceLock::new(),
                room_list_reads: AtomicU64::new(0),
                batches: AtomicU64::new(0),
                open_channels: Default::default(),
                slot,
                claims,
            }),
        }
    }

    /// The account list file of `slot` (slot 0 keeps the name it always had).
    pub(crate) fn list_file(slot: u32) -> String {
        match slot {
            0 => "accounts.json".into(),
            n => format!("accounts-{n}.json"),
        }
    }

    pub(crate) fn open_channels(&self) -> &crate::channel::open::OpenChannels {
        &self.inner.open_channels
    }

    pub(crate) fn from_weak(w: &std::sync::Weak<Inner>) -> Option<Engine> {
        w.upgrade().map(|inner| Engine { inner })
    }

    /// The engine's internal event stream, for tools that drive the engine
    /// directly (tests, the demo companion). A UI uses [`Engine::ui_events`].
    #[cfg(feature = "raw-events")]
    pub fn events(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// What the UI shows, as it changes: one [`crate::presenter::UiBatch`]
    /// per batch of engine events (see [`crate::presenter`]). The first call
    /// starts the presenter, so it must run inside a Tokio runtime. A
    /// receiver that falls behind gets `Lagged`: it should tell its UI to
    /// resync.
    pub fn ui_events(&self) -> broadcast::Receiver<Arc<crate::presenter::UiBatch>> {
        self.inner
            .ui
            .get_or_init(|| {
                let (tx, _) = broadcast::channel(1024);
                let rx = self.inner.events.subscribe();
                tokio::spawn(crate::presenter::run(
                    Arc::downgrade(&self.inner),
                    rx,
                    tx.clone(),
                ));
                tx
            })
            .subscribe()
    }

    /// The room list, as the presenter reads it (counted).
    pub(crate) async fn room_list_read(&self) -> Result<Vec<RoomSummary>> {
        self.inner.room_list_reads.fetch_add(1, Ordering::Relaxed);
        self.room_list().await
    }

    /// How many times the presenter has read the room list, and how many
    /// batches of engine events it has presented.
    pub fn presenter_stats(&self) -> (u64, u64) {
        (
            self.inner.room_list_reads.load(Ordering::Relaxed),
            self.inner.batches.load(Ordering::Relaxed),
        )
    }

    fn accounts_path(&self) -> PathBuf {
        self.inner
            .cfg
            .data_dir
            .join(Engine::list_file(self.inner.slot))
    }

    pub(crate) async fn load_accounts(&self) -> AccountList {
        match tokio::fs::read(self.accounts_path()).await {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_default(),
            Err(_) => AccountList::default(),
        }
    }

    pub(crate) async fn save_accounts(&self, l: &AccountList) -> Result<()> {
        tokio::fs::create_dir_all(&self.inner.cfg.data_dir).await?;
        let tmp = self.accounts_path().with_extension("tmp");
        tokio::fs::write(
            &tmp,
            serde_json::to_vec_pretty(l).map_err(|e| CoreError::Protocol(e.to_string()))?,
        )
        .await?;
        tokio::fs::rename(&tmp, self.accounts_path()).await?;
        Ok(())
    }

    pub(crate) async fn active(&self) -> Result<Arc<Account>> {
        self.inner
            .active
            .lock()
            .await
            .as_ref()
            .map(|(a, _)| a.clone())
            .ok_or(CoreError::NotSignedIn)
    }

    /// Signs in with `key` on `env`: SIWE over REST, then the key and the
    /// token go to the keychain, the account's cache opens and the session
    /// starts. The caller brought the key, so the account counts as backed up.
    pub async fn sign_in(&self, env: Environment, key: Key) -> Result<AccountInfo> {
        self.sign_in_with(env, key, None, true).await
    }

    /// [`Engine::sign_in`], keeping `phrase` (the words the key came from) in the keychain too.
    pub(crate) async fn sign_in_with(
        &self,
        env: Environment,
        key: Key,
        phrase: Option<&crate::wallet::RecoveryPhrase>,
        backed_up: bool,
    ) -> Result<AccountInfo> {
        env.validate().map_err(CoreError::InvalidInput)?;
        let _one_at_a_time = self.inner.lifecycle.lock().await;
        let address = key.address();
        // Before anything changes: another engine side by side may hold this account.
        let held = self.inner.claims.of(self.inner.slot);
        self.inner.claims.claim(self.inner.slot, &address)?;
        self.stop_active().await;
        let rest = match Rest::new(&env.http) {
            Ok(r) => r,
            Err(e) => {
                self.inner.claims.release(self.inner.slot);
                return Err(e);
            }
        };
        let r = self.finish_sign_in(env, key, rest, phrase, backed_up).await;
        if r.is_err() {
            // Stopped and not signed in to `address`: the slot holds no account now (the list
            // no longer names a current one, see `finish_sign_in`), unless it held this one.
            match held {
                Some(h) if h.eq_ignore_ascii_case(&address) => {}
                _ => self.inner.claims.release(self.inner.slot),
            }
        }
        r
    }

    async fn finish_sign_in(
        &self,
        env: Environment,
        key: Key,
        rest: Rest,
        phrase: Option<&crate::wallet::RecoveryPhrase>,
        backed_up: bool,
    ) -> Result<AccountInfo> {
        let address = key.address();
        let login = match rest.login(&key).await {
            Ok(l) => l,
            Err(e) => {
                // The session it had is stopped: the list says so.
                let mut list = self.load_accounts().await;
                if list.current.take().is_some() {
                    let _ = self.save_accounts(&list).await;
                }
                return Err(e);
            }
        };
        let secrets = &self.inner.cfg.secrets;
        secrets.set(&key_entry(&address), &key.to_hex()).await?;
        secrets
            .set(&token_entry(&address), &login.access_token)
            .await?;
        let mut list = self.load_accounts().await;
        let before = list.accounts.iter().find(|a| a.address == address).cloned();
        if let Some(p) = phrase {
            secrets.set(&phrase_entry(&address), p.as_str()).await?;
        }
        let info = AccountInfo {
            user_id: login.user_info.user_id.clone(),
            address: address.clone(),
            env: env.clone(),
            profile: Some(login.user_info),
            // Signing in again never forgets an earlier backup or phrase.
            backed_up: backed_up || before.as_ref().is_some_and(|a| a.backed_up),
            has_phrase: phrase.is_some() || before.as_ref().is_some_and(|a| a.has_phrase),
        };
        list.accounts.retain(|a| a.address != address);
        list.accounts.push(AccountInfo {
            profile: None,
            ..info.clone()
        });
        list.current = Some(address);
        self.save_accounts(&list).await?;
        self.activate(&info, rest).await?;
        Ok(info)
    }

    /// Resumes the last account without the network and without the
    /// keychain: its cache opens at once (so the room list can paint), and
    /// the session reads the token from the keychain and connects in the
    /// background (a missing key shows as an offline reason, the cache stays
    /// readable). `None` when no account is signed in.
    pub async fn resume(&self) -> Result<Option<AccountInfo>> {
        let list = self.load_accounts().await;
        let Some(addr) = list.current.clone() else {
            return Ok(None);
        };
        let Some(mut info) = list.accounts.into_iter().find(|a| a.address == addr) else {
            return Ok(None);
        };
        let rest = Rest::new(&info.env.http)?;
        if let Err(e) = self.inner.claims.claim(self.inner.slot, &addr) {
            tracing::warn!(slot = self.inner.slot, "not resumed: {e}");
            return Ok(None);
        }
        self.stop_active().await;
        if let Err(e) = self.activate(&info, rest).await {
            self.inner.claims.release(self.inner.slot);
            return Err(e);
        }
        info.profile = self.profile().await.ok().flatten();
        Ok(Some(info))
    }

    /// The signed-in account (its profile as cached), `None` when signed out.
    /// Unlike [`Engine::resume`] it starts nothing.
    pub async fn signed_in(&self) -> Option<AccountInfo> {
        let a = self.active().await.ok()?;
        let mut info = self
            .load_accounts()
            .await
            .accounts
            .into_iter()
            .find(|i| i.address == a.address)?;
        info.profile = self.profile().await.ok().flatten();
        Some(info)
    }

    /// A sign-in, sign-out or backup mark is running (the account is changing).
    pub fn busy(&self) -> bool {
        self.inner.lifecycle.try_lock().is_err()
    }

    /// Ends this engine's part among accounts side by side: the session
    /// stops and the slot's claim goes (the slot was removed).
    pub(crate) async fn retire(&self) {
        self.channel_close_all().await;
        self.stop_active().await;
        self.inner.claims.release(self.inner.slot);
    }

    /// This engine's slot among accounts side by side (0 when alone).
    pub fn slot(&self) -> u32 {
        self.inner.slot
    }

    /// Stops the session and wipes the key, the phrase and the token from the
    /// keychain. The cache file stays, so history can be read again after
    /// signing in. An account that was never backed up is refused
    /// ([`CoreError::NotBackedUp`]) unless `confirmation` is
    /// [`crate::wallet::SIGN_OUT_CONFIRMATION`], typed by the user.
    pub async fn sign_out(&self, confirmation: Option<&str>) -> Result<()> {
        let _one_at_a_time = self.inner.lifecycle.lock().await;
        let list = self.load_accounts().await;
        // The account whose key goes: the signed-in one, else the list's current one.
        let target = match self.active().await {
            Ok(a) => Some(a.address.clone()),
            // Without a session, the list's current account: unless another engine side by
            // side holds it (its key is that engine's now, not this list's to delete).
            Err(_) => list
                .current
                .clone()
                .filter(|c| self.inner.claims.claim(self.inner.slot, c).is_ok()),
        };
        if let Some(addr) = &target {
            // Fails closed: an account without its record (an unreadable list) counts as not backed up.
            let backed_up = list
                .accounts
                .iter()
                .any(|a| &a.address == addr && a.backed_up);
            let confirmed = confirmation.is_some_and(|c| {
                c.trim()
                    .eq_ignore_ascii_case(crate::wallet::SIGN_OUT_CONFIRMATION)
            });
            if !backed_up && !confirmed {
                return Err(CoreError::NotBackedUp);
            }
        }
        *self.inner.pending.lock().await = None;
        let active = self.active().await.ok();
        if let Some(a) = &active {
            // Ends the session on the server too (its token dies there);
            // offline, the token is still wiped here.
            let end = tokio::time::timeout(std::time::Duration::from_secs(5), a.rest.logout());
            match end.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::info!(error = %e, "sign-out: the server did not end the session")
                }
                Err(_) => tracing::info!("sign-out: the server did not answer in 5 s"),
            }
        }
        self.stop_active().await;
        let mut list = self.load_accounts().await;
        if let Some(addr) = target {
            self.inner.cfg.secrets.delete(&key_entry(&addr)).await?;
            self.inner.cfg.secrets.delete(&phrase_entry(&addr)).await?;
            self.inner.cfg.secrets.delete(&token_entry(&addr)).await?;
            list.accounts.retain(|a| a.address != addr);
        }
        list.current = None;
        self.save_accounts(&list).await?;
        self.inner.claims.release(self.inner.slot);
        let _ = self.inner.events.send(Event::Connection {
            state: ConnectionState::SignedOut,
        });
        Ok(())
    }

    /// Reconnects now instead of after the backoff wait ("Retry now", the
    /// network came back); with `after_suspend`, also redials a live
    /// connection, whose socket may have died while the machine slept.
    /// Without a signed-in account it does nothing.
    pub async fn wake(&self, after_suspend: bool) {
        if let Ok(a) = self.active().await {
            a.sync.wake(after_suspend);
        }
    }

    /// Stops the session (the account stays signed in).
    pub async fn shutdown(&self) {
        self.stop_active().await;
    }

    async fn stop_active(&self) {
        let taken = self.inner.active.lock().await.take();
        if let Some((a, tasks)) = taken {
            a.stop();
            for t in tasks {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), t).await;
            }
            a.cache.close().await;
        }
    }

    async fn activate(&self, info: &AccountInfo, rest: Rest) -> Result<()> {
        let dir = self.inner.cfg.data_dir.join("accounts").join(&info.address);
        tokio::fs::create_dir_all(&dir).await?;
        let cache = Cache::open(&dir.join("cache.sqlite3"), &info.user_id).await?;
        if let Some(p) = &info.profile {
            if let Ok(j) = serde_json::to_string(p) {
                cache.set_meta("profile", &j).await?;
            }
        }
        let rooms: HashSet<String> = cache.room_ids().await?.into_iter().collect();
        let (frames_tx, frames_rx) = mpsc::channel(10_000);
        let (sync, inbox) = crate::sync::mailbox::mailbox();
        let active = Arc::new(Account::new(AccountParts {
            me: info.user_id.clone(),
            address: info.address.clone(),
            env: info.env.clone(),
            client_suffix: crate::install::client_suffix(
                &self.inner.cfg.data_dir,
                &self.inner.cfg.device,
            )?,
            rest,
            cache,
            secrets: self.inner.cfg.secrets.clone(),
            sync,
            events: self.inner.events.clone(),
            rooms,
        }));
        let tasks = vec![
            tokio::spawn(crate::sync::run(active.clone(), inbox, frames_tx)),
            tokio::spawn(crate::ingest::ingest_worker(active.clone(), frames_rx)),
        ];
        *self.inner.active.lock().await = Some((active, tasks));
        Ok(())
    }

    /// The signed-in user's profile, as cached.
    pub async fn profile(&self) -> Result<Option<User>> {
        let a = self.active().await?;
        Ok(a.cache
            .get_meta("profile")
            .await?
            .and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Sets my nick name: 1 to 64 characters, not one that reads as a user
    /// id or an address ([`w3mq_protocol::check_nick_name`]).
    pub async fn set_nickname(&self, nick: &str) -> Result<User> {
        let nick = nick.trim();
        if nick.is_empty() {
            return Err(CoreError::InvalidInput(
                "a nickname has 1 to 64 characters".into(),
            ));
        }
        w3mq_protocol::check_nick_name(nick).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        self.set_profile(Some(nick), None).await
    }

    /// Sets my nick name and avatar.
    pub async fn set_profile(
        &self,
        nick_name: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<User> {
        let a = self.active().await?;
        let u = a.rest.set_profile(nick_name, avatar_url).await?;
        if let Ok(j) = serde_json::to_string(&u) {
            a.cache.set_meta("profile", &j).await?;
        }
        a.cache.upsert_users(std::slice::from_ref(&u)).await?;
        Ok(u)
    }

    /// Queues a message: written to the outbox (durably) before it is
    /// published, resent after every reconnect until its ACK arrives.
    pub async fn send(&self, d: Draft) -> Result<OutboxEntry> {
        let a = self.active().await?;
        a.my_typing(|t| t.sent(&d.room_id));
        let mut m = Message {
            from_uid: a.me.clone(),
            to_room_id: d.room_id.clone(),
            created_at: w3mq_protocol::now_nanos(),
            client_msg_id: Some(ObjectId::new().to_string()),
            reply_to_msg_id: d.reply_to.unwrap_or_default(),
            belong_to_thread_id: d.thread_id.unwrap_or_default(),
            at_user_ids: d.mentions,
            ..Default::default()
        };
        match (d.text, d.swap_card) {
            (_, Some(card)) => {
                m.msg_type = MsgType::SudoSwapCard.as_str().into();
                m.msg_contents = serde_json::to_value(card)
                    .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
            }
            (Some(t), None) => {
                m.msg_type = MsgType::Text.as_str().into();
                m.msg_contents = serde_json::Value::String(t);
            }
            (None, None) => {
                return Err(CoreError::InvalidInput(
                    "a message needs text or a trade card".into(),
                ))
            }
        }
        if let Some(i) = d.item {
            m.set_item(i);
        }
        let body = serde_json::to_vec(&m).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let mut checked = validate_message(&body, &a.me)?;
        checked.created_at = m.created_at;
        let entry = OutboxEntry {
            client_msg_id: checked.client_msg_id.clone().unwrap_or_default(),
            room_id: checked.to_room_id.clone(),
            message: checked,
            status: SendStatus::Pending,
            error: None,
            created_at: m.created_at,
            attempts: 0,
        };
        a.cache.outbox_add(&entry).await?;
        a.emit(Event::SendStatus {
            client_msg_id: entry.client_msg_id.clone(),
            room_id: entry.room_id.clone(),
            status: SendStatus::Pending,
            id: None,
            seq: None,
            error: None,
        });
        if a.sync.publish(&entry.message).await {
            a.cache.outbox_attempted(&entry.client_msg_id).await?;
        }
        Ok(entry)
    }

    /// Sends a failed message again.
    pub async fn retry(&self, client_msg_id: &str) -> Result<OutboxEntry> {
        let a = self.active().await?;
        let e = a
            .cache
            .outbox_retry(client_msg_id)
            .await?
            .ok_or(CoreError::NotFound("outbox entry"))?;
        a.emit(Event::SendStatus {
            client_msg_id: e.client_msg_id.clone(),
            room_id: e.room_id.clone(),
            status: SendStatus::Pending,
            id: None,
            seq: None,
            error: None,
        });
        if a.sync.publish(&e.message).await {
            a.cache.outbox_attempted(&e.client_msg_id).await?;
        }
        Ok(e)
    }

    /// Drops a message from the outbox.
    pub async fn discard(&self, client_msg_id: &str) -> Result<()> {
        let a = self.active().await?;
        let e = a
            .cache
            .outbox_get(client_msg_id)
            .await?
            .ok_or(CoreError::NotFound("outbox entry"))?;
        a.cache.outbox_discard(client_msg_id).await?;
        a.emit(Event::OutboxDiscarded {
            client_msg_id: e.client_msg_id,
            room_id: e.room_id,
        });
        Ok(())
    }

    /// Every room with its latest message and counts, most recent first.
    pub async fn room_list(&self) -> Result<Vec<RoomSummary>> {
        Ok(self.active().await?.cache.room_list().await?)
    }

    /// A page of a room's messages.
    pub async fn page(&self, room_id: &str, cursor: Cursor, limit: i64) -> Result<Vec<Message>> {
        Ok(self
            .active()
            .await?
            .cache
            .page(room_id, cursor, limit)
            .await?)
    }

    /// A thread's root and messages.
    pub async fn thread(
        &self,
        thread_id: &str,
        cursor: Cursor,
        limit: i64,
    ) -> Result<Vec<Message>> {
        Ok(self
            .active()
            .await?
            .cache
            .thread(thread_id, cursor, limit)
            .await?)
    }

    /// My unacknowledged messages in a room.
    pub async fn outbox(&self, room_id: &str) -> Result<Vec<OutboxEntry>> {
        Ok(self.active().await?.cache.outbox_room(room_id).await?)
    }

    /// A room with its members, from the cache.
    pub async fn room(&self, room_id: &str) -> Result<Room> {
        self.active()
            .await?
            .cache
            .room(room_id)
            .await?
            .ok_or(CoreError::NotFound("room"))
    }

    /// Full-text search over all cached history.
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<SearchHit>> {
        Ok(self.active().await?.cache.search(query, limit).await?)
    }

    /// Moves a room's read marker forward, here and on the server (so my
    /// other devices know; with `receipt` the room's other members are told
    /// too). A read made offline is sent after the next connect.
    pub async fn mark_read(&self, room_id: &str, seq: i64, receipt: bool) -> Result<()> {
        let a = self.active().await?;
        if crate::reads::mark(&a, room_id, seq, receipt).await? {
            a.emit_rooms(&HashSet::from([room_id.to_owned()])).await;
        }
        Ok(())
    }

    /// The first message after my read marker that the room shows (where
    /// the room opens, under a "new messages" divider).
    pub async fn first_unread(&self, room_id: &str) -> Result<Option<String>> {
        Ok(self.active().await?.cache.first_unread(room_id).await?)
    }

    /// Who has read my latest message in a room, from the cached receipts.
    pub async fn seen(&self, room_id: &str) -> Result<Option<crate::view::SeenView>> {
        let a = self.active().await?;
        let Some((msg_id, seq)) = a.cache.my_latest(room_id).await? else {
            return Ok(None);
        };
        let readers: Vec<String> = crate::reads::receipts(&a, room_id)
            .await
            .into_iter()
            .filter(|(u, s)| *s >= seq && *u != a.me)
            .map(|(u, _)| u)
            .collect();
        if readers.is_empty() {
            return Ok(None);
        }
        let room = a.cache.room(room_id).await?;
        let people = crate::view::People::of_room(&a.me, room.as_ref());
        Ok(Some(crate::view::SeenView {
            msg_id,
            count: readers.len() as u32,
            names: readers.iter().take(20).map(|u| people.name(u)).collect(),
            direct: room.is_some_and(|r| r.is_1v1),
        }))
    }

    /// Reads a room's receipts from the server (the room was opened): a
    /// `seen` event follows when they changed.
    pub async fn refresh_receipts(&self, room_id: &str) -> Result<()> {
        let a = self.active().await?;
        let room = a.cache.room(room_id).await?;
        // Public channels share no receipts.
        if room.is_some_and(|r| !r.is_opensea_coll) {
            crate::reads::refresh_receipts(&a, room_id).await?;
        }
        Ok(())
    }

    /// I am typing in a room: told to its members at most once per
    /// [`w3mq_protocol::rest::TYPING_EVERY_MS`].
    pub async fn typing(&self, room_id: &str) -> Result<()> {
        let a = self.active().await?;
        if !a.has_room(room_id) {
            return Err(CoreError::NotFound("room"));
        }
        if a.my_typing(|t| t.allow(room_id, std::time::Instant::now())) {
            a.rest.typing(room_id).await?;
        }
        Ok(())
    }

    /// Tells the engine what the user is looking at (for notifications).
    pub async fn set_focus(&self, room_id: Option<String>, window_focused: bool) -> Result<()> {
        let a = self.active().await?;
        a.set_focus(Focus {
            room_id,
            window_focused,
        });
        Ok(())
    }

    /// A room's notification setting.
    pub async fn set_notify_mode(&self, room_id: &str, mode: NotifyMode) -> Result<()> {
        let a = self.active().await?;
        a.cache.set_notify_mode(room_id, mode).await?;
        a.emit_rooms(&HashSet::from([room_id.to_owned()])).await;
        Ok(())
    }

    /// Creates a room with users (one: 1v1, several: group).
    pub async fn create_room(&self, user_ids: &[String]) -> Result<Room> {
        let a = self.active().await?;
        let id = a.rest.create_room(user_ids).await?;
        crate::ingest::adopt_room(&a, &id).await
    }

    /// Joins (or creates) a collection room by slug.
    pub async fn join_collection(&self, slug: &str, name: &str, cover: &str) -> Result<Room> {
        let a = self.active().await?;
        let id = a.rest.join_collection(slug, name, cover).await?;
        crate::ingest::adopt_room(&a, &id).await
    }

    /// Adds members to a room.
    pub async fn add_members(&self, room_id: &str, user_ids: &[String]) -> Result<Room> {
        let a = self.active().await?;
        let room = a.rest.add_members(room_id, user_ids).await?;
        a.store_room(&room).await?;
        a.emit_rooms(&HashSet::from([room_id.to_owned()])).await;
        Ok(room)
    }

    /// Leaves a room.
    pub async fn leave_room(&self, room_id: &str) -> Result<()> {
        let a = self.active().await?;
        a.rest.leave(room_id).await?;
        crate::ingest::drop_room(&a, room_id).await;
        Ok(())
    }

    /// Refreshes a room's info and members from the server.
    pub async fn refresh_room(&self, room_id: &str) -> Result<Room> {
        let a = self.active().await?;
        crate::ingest::adopt_room(&a, room_id).await
    }

    /// Opens the public channel of a collection room (PROTOCOL.md section
    /// 3) as the signed-in user, who may then write (and becomes a member).
    /// Its events also come as [`Event::Channel`]; its messages, deletions
    /// and clearings go to the account's cache. It closes on sign-out.
    pub async fn open_channel(&self, room_id: &str) -> Result<ChannelClient> {
        let a = self.active().await?;
        if a.rest.current_token().is_none() {
            let t = a
                .secrets
                .get(&token_entry(&a.address))
                .await?
                .ok_or(CoreError::NotSignedIn)?;
            a.rest.set_token(Some(t));
        }
        let rest = a.rest.clone();
        let token: crate::channel::TokenSource = Arc::new(move || rest.current_token());
        let (client, rx) = ChannelClient::open_as(
            a.rest.base(),
            room_id,
            Some(token),
            None,
            crate::channel::ChannelConfig::default(),
        )
        .await?;
        let events = self.inner.events.clone();
        let forward = channel::forward(events, Some(a), room_id.into(), client.downgrade(), rx);
        tokio::spawn(forward);
        Ok(client)
    }

    /// Opens a public channel (a room id or a collection slug) of the server
    /// at `env_http` without an account: read only. Its events come as
    /// [`Event::Channel`]; nothing is cached.
    pub async fn open_public_channel(
        &self,
        env_http: &str,
        channel_id_or_slug: &str,
    ) -> Result<ChannelClient> {
        let (client, rx) = ChannelClient::open(env_http, channel_id_or_slug, None, None).await?;
        let events = self.inner.events.clone();
        let id = channel_id_or_slug.to_owned();
        tokio::spawn(channel::forward(events, None, id, client.downgrade(), rx));
        Ok(client)
    }

    /// Searches users on the server.
    pub async fn search_users(&self, keyword: &str) -> Result<Vec<User>> {
        let a = self.active().await?;
        let users = a.rest.search_users(keyword).await?;
        a.cache.upsert_users(&users).await?;
        Ok(users)
    }

    /// Makes a message a thread root (optionally an OpenSea item thread).
    pub async fn start_thread(&self, msg_id: &str, item: Option<OpenSeaItem>) -> Result<Message> {
        let a = self.active().await?;
        let root = a.rest.create_thread(msg_id, item.as_ref()).await?;
        crate::ingest::absorb(&a, vec![root.clone()], false).await;
        a.emit(Event::Messages {
            messages: vec![root.clone()],
        });
        Ok(root)
    }

    /// Frames from the network that were dropped as malformed or foreign.
    pub async fn dropped_frames(&self) -> Result<u64> {
        Ok(self.active().await?.dropped())
    }

    /// A cached message by id.
    pub async fn message(&self, id: &str) -> Result<Option<Message>> {
        Ok(self.active().await?.cache.message(id).await?)
    }

    /// The signed-in user id.
    pub async fn me(&self) -> Result<String> {
        Ok(self.active().await?.me.clone())
    }
}
