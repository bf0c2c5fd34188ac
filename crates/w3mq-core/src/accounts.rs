//! Several accounts side by side: one [`Engine`] per account, each with its
//! own session, cache and keychain entries, all live at once; one of them is
//! the account on screen.
//!
//! The engines share the data directory (each account's cache is already
//! under `accounts/<address>/`), the vault (one keychain, or one sealed file)
//! and a [`Claims`] table that keeps two engines off the same address. What
//! differs per engine is its slot: the account list of slot `n` is
//! `accounts-<n>.json` (slot 0 keeps `accounts.json`, so an install from
//! before this module opens as slot 0). `deck.json` lists the slots and the
//! one on screen.
//!
//! The set of slots and the one on screen have one owner, this struct, behind
//! a lock held only for moments (never across an await). The shell shows the
//! events of the slot on screen only, and asks [`Accounts::if_shown`] under
//! the same lock a switch takes, so an event of the previous account can
//! never land after the switch.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::claims::Claims;
use crate::engine::{Engine, EngineConfig};
use crate::error::{CoreError, Result};
use crate::present::UnreadTotal;
use crate::secrets::vault::Vault;
pub use crate::view::AccountTab;

/// The most accounts side by side (Ctrl+1…9 reach them).
pub const MAX_ACCOUNTS: usize = 9;

/// Slot ids stay below this (a hostile `deck.json` cannot overflow them).
const MAX_SLOT: u32 = 10_000;

#[derive(Debug, Default, Serialize, Deserialize)]
struct DeckFile {
    slots: Vec<u32>,
    active: u32,
    next: u32,
}

struct Deck {
    slots: Vec<(u32, Engine)>,
    active: u32,
    /// The slot on screen before "add account", for its cancel.
    previous: Option<u32>,
    next: u32,
}

/// The accounts of this install, side by side.
pub struct Accounts {
    cfg: EngineConfig,
    vault: Arc<Vault>,
    claims: Arc<Claims>,
    deck: Mutex<Deck>,
    totals: Mutex<HashMap<u32, UnreadTotal>>,
    /// `deck.json` written one at a time.
    save: tokio::sync::Mutex<()>,
}

impl Accounts {
    /// The accounts of `cfg.data_dir`: the slots `deck.json` lists (slot 0
    /// when there is none), without the ones whose sign-in never finished
    /// (an "add account" left on its first screen). Nothing starts: see
    /// [`Accounts::resume`].
    pub fn open(cfg: EngineConfig) -> Accounts {
        let vault = Arc::new(Vault::new(cfg.secrets.clone(), cfg.data_dir.clone()));
        let claims: Arc<Claims> = Default::default();
        let file: DeckFile = std::fs::read(cfg.data_dir.join("deck.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        // The slots deck.json lists, and any account list on disk it lost (a damaged
        // deck.json must not hide a signed-in account, nor let a new slot reuse its file).
        let on_disk = list_files(&cfg);
        let mut ids: Vec<u32> = Vec::new();
        for s in file.slots.into_iter().chain(on_disk.iter().copied()) {
            if s < MAX_SLOT && !ids.contains(&s) && (s == file.active || has_current(&cfg, s)) {
                ids.push(s);
            }
        }
        ids.truncate(MAX_ACCOUNTS);
        if ids.is_empty() {
            ids.push(0);
        }
        let active = if ids.contains(&file.active) {
            file.active
        } else {
            ids[0]
        };
        let highest = ids.iter().chain(on_disk.iter()).copied().max().unwrap_or(0);
        let next = file.next.min(MAX_SLOT).max(highest.saturating_add(1));
        let slots = ids
            .into_iter()
            .map(|s| {
                let e = Engine::in_slot(cfg.clone(), vault.clone(), s, claims.clone());
                (s, e)
            })
            .collect();
        Accounts {
            cfg,
            vault,
            claims,
            deck: Mutex::new(Deck {
                slots,
                active,
                previous: None,
                next,
            }),
            totals: Default::default(),
            save: Default::default(),
        }
    }

    fn deck(&self) -> std::sync::MutexGuard<'_, Deck> {
        // A panic while holding it cannot leave the deck half-changed (each change is one
        // assignment), so a poisoned lock is still good.
        self.deck.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The engine on screen.
    pub fn active(&self) -> Engine {
        let d = self.deck();
        d.slots
            .iter()
            .find(|(s, _)| *s == d.active)
            .or(d.slots.first())
            .map(|(_, e)| e.clone())
            .expect("the deck always has a slot")
    }

    /// The slot on screen.
    pub fn active_slot(&self) -> u32 {
        self.deck().active
    }

    /// Every engine, by slot.
    pub fn engines(&self) -> Vec<(u32, Engine)> {
        self.deck().slots.clone()
    }

    /// The engine of `slot`.
    pub fn engine(&self, slot: u32) -> Option<Engine> {
        self.deck()
            .slots
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, e)| e.clone())
    }

    /// The vault the engines share.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// Runs `f` when `slot` is on screen, under the lock a switch takes (the
    /// shell sends a slot's events to the UI this way).
    pub fn if_shown(&self, slot: u32, f: impl FnOnce()) -> bool {
        let d = self.deck();
        if d.active == slot {
            f();
            true
        } else {
            false
        }
    }

    /// Resumes the account on screen (see [`Engine::resume`]); the others
    /// are [`Accounts::resume_others`]'s.
    pub async fn resume(&self) -> Result<Option<crate::AccountInfo>> {
        self.active().resume().await
    }

    /// Resumes every account not on screen, at once, and notes their unread
    /// totals (an account that does not resume is logged and stays signed
    /// out here).
    pub async fn resume_others(&self) {
        let on_screen = self.active_slot();
        let others: Vec<(u32, Engine)> = self
            .engines()
            .into_iter()
            .filter(|(s, _)| *s != on_screen)
            .collect();
        let resumed = futures_util::future::join_all(others.into_iter().map(|(s, e)| async move {
            match e.resume().await {
                Ok(Some(_)) => e.unread_total().await.ok().map(|t| (s, t)),
                Ok(None) => None,
                Err(err) => {
                    tracing::warn!(slot = s, "an account did not resume: {err}");
                    None
                }
            }
        }))
        .await;
        for (s, t) in resumed.into_iter().flatten() {
            self.note_total(s, t);
        }
    }

    /// A new slot for another account, put on screen (its first screen is
    /// the sign-in). An empty slot already there is reused.
    /// The third value is true when the slot is new (its events need a listener).
    pub async fn add(&self) -> Result<(u32, Engine, bool)> {
        let mut empty = None;
        for (s, e) in self.engines() {
            if e.signed_in().await.is_none() {
                empty = Some((s, e));
                break;
            }
        }
        let added = {
            let mut d = self.deck();
            let prev = d.active;
            match empty {
                Some((s, e)) => {
                    d.active = s;
                    if prev != s {
                        d.previous = Some(prev);
                    }
                    (s, e, false)
                }
                None => {
                    if d.slots.len() >= MAX_ACCOUNTS || d.next >= MAX_SLOT {
                        return Err(CoreError::InvalidInput(format!(
                            "at most {MAX_ACCOUNTS} accounts side by side"
                        )));
                    }
                    let s = d.next;
                    d.next += 1;
                    let e = Engine::in_slot(
                        self.cfg.clone(),
                        self.vault.clone(),
                        s,
                        self.claims.clone(),
                    );
                    d.slots.push((s, e.clone()));
                    d.active = s;
                    d.previous = Some(prev);
                    (s, e, true)
                }
            }
        };
        self.save().await?;
        Ok(added)
    }

    /// Puts `slot` on screen; `on_switched` runs under the lock (the shell
    /// tells the UI there, before any event of the new slot can go out).
    /// A slot left empty by a cancelled "add account" goes.
    pub async fn switch(&self, slot: u32, on_switched: impl FnOnce(u32)) -> Result<()> {
        let left = self.active();
        if left.slot() != slot && left.busy() {
            // A sign-in (or sign-out) of the account on screen is running: leaving now would
            // leave its session behind with no slot to show it.
            return Err(CoreError::InvalidInput(
                "the account on screen is signing in or out: wait for it to finish".into(),
            ));
        }
        let left_empty = left.slot() != slot && left.signed_in().await.is_none();
        let removed = {
            let mut d = self.deck();
            if !d.slots.iter().any(|(s, _)| *s == slot) {
                return Err(CoreError::InvalidInput(format!(
                    "no account in slot {slot}"
                )));
            }
            let removed = left_empty && d.slots.len() > 1;
            if removed {
                d.slots.retain(|(s, _)| *s != left.slot());
            }
            d.active = slot;
            d.previous = None;
            on_switched(slot);
            removed
        };
        if removed {
            self.totals_lock().remove(&left.slot());
            left.retire().await;
        } else if left.slot() != slot {
            // Off screen: no room of it is looked at (its notifications are raised as in the
            // background), and the channels its UI had open close.
            let _ = left.set_focus(None, false).await;
            left.channel_close_all().await;
        }
        self.save().await
    }

    /// Cancels "add account": back to the account on screen before (or any
    /// signed-in one). `None` when there is none to go back to.
    pub async fn cancel_add(&self, on_switched: impl FnOnce(u32)) -> Result<Option<u32>> {
        let back = self.deck().previous;
        let back = match back {
            Some(b) if self.engine(b).is_some() => Some(b),
            _ => self.first_signed_in().await,
        };
        match back {
            Some(b) => {
                self.switch(b, on_switched).await?;
                Ok(Some(b))
            }
            None => Ok(None),
        }
    }

    /// After the account on screen signed out: its slot goes and another
    /// signed-in account comes on screen (`None` when none is left: the
    /// slot stays, for the sign-in screen).
    pub async fn signed_out(&self, on_switched: impl FnOnce(u32)) -> Result<Option<u32>> {
        match self.first_signed_in().await {
            Some(b) => {
                self.switch(b, on_switched).await?;
                Ok(Some(b))
            }
            None => Ok(None),
        }
    }

    async fn first_signed_in(&self) -> Option<u32> {
        let on_screen = self.active_slot();
        for (s, e) in self.engines() {
            if s != on_screen && e.signed_in().await.is_some() {
                return Some(s);
            }
        }
        None
    }

    fn totals_lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, UnreadTotal>> {
        self.totals.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `slot`'s unread totals changed (the shell reports its presenter's
    /// `UnreadTotal`); true when they differ from the last ones.
    pub fn note_total(&self, slot: u32, t: UnreadTotal) -> bool {
        self.totals_lock().insert(slot, t) != Some(t)
    }

    /// The totals over every account (the window title and the tray).
    pub fn total(&self) -> UnreadTotal {
        let slots: Vec<u32> = self.engines().into_iter().map(|(s, _)| s).collect();
        let t = self.totals_lock();
        let mut sum = UnreadTotal::default();
        for (s, v) in t.iter() {
            if slots.contains(s) {
                sum.unread = sum.unread.saturating_add(v.unread);
                sum.mentions = sum.mentions.saturating_add(v.mentions);
            }
        }
        sum
    }

    /// The switcher: every slot in order, with its account and counts.
    pub async fn tabs(&self) -> Vec<AccountTab> {
        let active = self.active_slot();
        let totals = self.totals_lock().clone();
        let mut out = Vec::new();
        for (s, e) in self.engines() {
            let info = e.signed_in().await;
            let t = totals.get(&s).copied().unwrap_or_default();
            let view = info
                .as_ref()
                .and_then(|i| i.profile.as_ref())
                .map(crate::view::user_view);
            out.push(AccountTab {
                slot: s,
                signed_in: info.is_some(),
                active: s == active,
                address: info.as_ref().map(|i| i.address.clone()).unwrap_or_default(),
                name: match (&view, &info) {
                    (Some(v), _) => v.display_name.clone(),
                    (None, Some(i)) => crate::view::short_address(&i.address),
                    (None, None) => "New account".into(),
                },
                avatar_url: view.map(|v| v.avatar_url).unwrap_or_default(),
                server: info.map(|i| i.env.http).unwrap_or_default(),
                unread: t.unread,
                mentions: t.mentions,
            });
        }
        out
    }

    /// The name of `slot`'s account (notifications are labelled with it).
    pub async fn name_of(&self, slot: u32) -> Option<String> {
        self.tabs()
            .await
            .into_iter()
            .find(|t| t.slot == slot && t.signed_in)
            .map(|t| t.name)
    }

    /// How many accounts are signed in.
    pub async fn signed_in_count(&self) -> usize {
        let mut n = 0;
        for (_, e) in self.engines() {
            if e.signed_in().await.is_some() {
                n += 1;
            }
        }
        n
    }

    /// Stops every session (the accounts stay signed in).
    pub async fn shutdown(&self) {
        let engines = self.engines();
        futures_util::future::join_all(engines.iter().map(|(_, e)| e.shutdown())).await;
    }

    /// Keeps secrets in a file sealed with `passphrase` (see
    /// [`Engine::use_sealed_store`]): refused while any account of any slot
    /// keeps its key in the keychain.
    pub async fn use_sealed_store(&self, passphrase: &str) -> Result<()> {
        for (_, e) in self.engines() {
            if !e.load_accounts().await.accounts.is_empty() {
                return Err(CoreError::InvalidInput(
                    "accounts on this computer keep their keys in the keychain: sign them out first"
                        .into(),
                ));
            }
        }
        self.active().use_sealed_store(passphrase).await
    }

    /// Opens the sealed store; every account's session then connects.
    pub async fn unlock_secrets(&self, passphrase: &str) -> Result<()> {
        self.vault.unlock(passphrase).await?;
        for (_, e) in self.engines() {
            e.wake(false).await;
        }
        Ok(())
    }

    async fn save(&self) -> Result<()> {
        let _one = self.save.lock().await;
        let file = {
            let d = self.deck();
            DeckFile {
                slots: d.slots.iter().map(|(s, _)| *s).collect(),
                active: d.active,
                next: d.next,
            }
        };
        let dir = &self.cfg.data_dir;
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join("deck.json.tmp");
        let body =
            serde_json::to_vec_pretty(&file).map_err(|e| CoreError::Protocol(e.to_string()))?;
        tokio::fs::write(&tmp, body).await?;
        tokio::fs::rename(&tmp, dir.join("deck.json")).await?;
        Ok(())
    }

    /// Where the engines keep their files.
    pub fn data_dir(&self) -> &PathBuf {
        &self.cfg.data_dir
    }
}

/// The slots whose account list files are in the data directory.
fn list_files(cfg: &EngineConfig) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir(&cfg.data_dir) else {
        return Vec::new();
    };
    let mut out: Vec<u32> = dir
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if name == "accounts.json" {
                return Some(0);
            }
            name.strip_prefix("accounts-")?
                .strip_suffix(".json")?
                .parse()
                .ok()
        })
        .collect();
    out.sort_unstable();
    out
}

/// `slot`'s account list names a current account (its sign-in finished).
fn has_current(cfg: &EngineConfig, slot: u32) -> bool {
    #[derive(Deserialize)]
    struct Current {
        current: Option<String>,
    }
    std::fs::read(cfg.data_dir.join(Engine::list_file(slot)))
        .ok()
        .and_then(|b| serde_json::from_slice::<Current>(&b).ok())
        .is_some_and(|c| c.current.is_some())
}
