//! What the shell keeps: the engine, the app's settings and the last
//! connection state (for a UI that asks after the event went by).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;
use w3mq_core::accounts::Accounts;
use w3mq_core::view::UserView;
use w3mq_core::{AccountInfo, ConnectionState, Engine, Environment};

use crate::error::AppError;
use crate::settings::Settings;

/// The shell's state, managed by Tauri.
pub struct AppState {
    /// The accounts side by side, one engine each.
    pub accounts: Arc<Accounts>,
    /// Where the engine and the settings keep their files.
    pub data_dir: PathBuf,
    /// The environment the first-run screen proposes.
    pub default_env: Environment,
    /// App settings.
    pub settings: Mutex<Settings>,
    /// The latest connection state each account's engine reported, by slot.
    pub connection: Mutex<HashMap<u32, ConnectionState>>,
    /// A tray icon is shown (a tray host exists).
    pub tray: bool,
    /// Where UI events go.
    pub ui: crate::ui_sink::UiSink,
    /// The last account's resume, started at setup.
    pub resume: Resume,
    /// Where the log files go (none when no directory could be found).
    pub log_dir: Option<PathBuf>,
    /// How much more the WebView may log this minute.
    pub ui_log: Mutex<crate::logfile::UiBudget>,
    /// The files last dropped on the window: the only paths the page may ask to read.
    pub dropped: Mutex<Vec<PathBuf>>,
    /// The slot whose account the UI shows: the one of its latest `boot`.
    pub shown: Mutex<Option<u32>>,
}

impl AppState {
    /// The engine of the account on screen (every command but the switcher's acts on it),
    /// once the UI shows it: between a switch and the UI's next `boot`, a command the page sent
    /// for the account it showed is refused instead of acting on the one now on screen.
    pub fn engine(&self) -> Result<Engine, AppError> {
        let engine = self.accounts.active();
        let shown = self.shown.lock().ok().and_then(|s| *s);
        if shown == Some(engine.slot()) {
            Ok(engine)
        } else {
            Err(AppError::new(
                "switching",
                "another account came on screen: try again",
            ))
        }
    }

    /// Tells the UI what the account switcher shows now.
    pub async fn send_tabs(&self) {
        let accounts = self.accounts.tabs().await;
        self.ui
            .send(w3mq_core::present::UiEvent::Accounts { accounts });
    }

    /// The session state of the account on screen.
    pub fn connection_now(&self) -> ConnectionState {
        let slot = self.accounts.active_slot();
        self.connection
            .lock()
            .ok()
            .and_then(|c| c.get(&slot).cloned())
            .unwrap_or(ConnectionState::SignedOut)
    }
}

/// The environment the app proposes: `--http` and `--mqtt` when given, as
/// the run command does for its local server, else the local server's
/// defaults.
pub fn default_env(http: Option<&str>, mqtt: &[String]) -> Environment {
    match (http.filter(|s| !s.is_empty()), mqtt.is_empty()) {
        (Some(h), false) => {
            let ends: Vec<&str> = mqtt.iter().map(String::as_str).collect();
            let mut e = Environment::custom(h, &ends);
            if e == Environment::custom(&Environment::local().http, &["ws://127.0.0.1:8780/mqtt"]) {
                e = Environment::local();
            }
            e
        }
        _ => Environment::local(),
    }
}

/// General facts for the UI.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The environment proposed on the first-run screen.
    pub default_env: Environment,
    /// The named environments.
    pub presets: Vec<Environment>,
    /// A tray icon is shown.
    pub tray: bool,
    /// The emoji a reaction may be (the protocol's set), in the quick bar's order.
    pub reactions: Vec<String>,
}

/// The signed-in account.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct AccountView {
    /// User id.
    pub user_id: String,
    /// Wallet address.
    pub address: String,
    /// Where it is signed in.
    pub env: Environment,
    /// Profile, as last known.
    pub profile: Option<UserView>,
    /// A copy of the key exists outside the app (else the UI keeps reminding).
    pub backed_up: bool,
    /// The account has a recovery phrase to show.
    pub has_phrase: bool,
}

impl From<AccountInfo> for AccountView {
    fn from(a: AccountInfo) -> Self {
        AccountView {
            user_id: a.user_id,
            address: a.address,
            env: a.env,
            profile: a.profile.as_ref().map(w3mq_core::view::user_view),
            backed_up: a.backed_up,
            has_phrase: a.has_phrase,
        }
    }
}

/// A keystore file the user picked or dropped.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct KeystoreFile {
    /// The file's name (for the UI to show).
    pub name: String,
    /// Its JSON (encrypted; the password opens it).
    pub json: String,
}

/// The accounts' resume, run once (at setup, before the page loads): the
/// account on screen first, the others in the background.
#[derive(Default)]
pub struct Resume {
    done: OnceCell<Result<(), AppError>>,
}

impl Resume {
    /// Waits for the resume of the account on screen, resuming now unless it
    /// already ran or runs.
    pub async fn wait(&self, accounts: &Accounts) -> Result<(), AppError> {
        self.done
            .get_or_init(|| async {
                let r = accounts.resume().await;
                crate::startup::mark("resumed");
                r.map(|_| ()).map_err(AppError::from)
            })
            .await
            .clone()
    }
}
