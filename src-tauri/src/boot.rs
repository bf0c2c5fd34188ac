//! The first thing the UI asks, answered in one call and prepared before it
//! asks: the last account resumes from its cache (no network, no keychain)
//! while the WebView starts ([`crate::state::Resume`], started at setup), so
//! the room list paints as soon as the page runs. The `boot` command returns
//! a [`Boot`]: everything the first screen needs.

use serde::{Deserialize, Serialize};
use w3mq_core::present::UnreadTotal;
use w3mq_core::view::RoomView;
use w3mq_core::ConnectionState;

use crate::settings::Settings;
use crate::state::{AccountView, AppInfo};

/// What the first screen shows.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct Boot {
    /// Version, proposed environment, tray.
    pub info: AppInfo,
    /// The app's settings.
    pub settings: Settings,
    /// The resumed account; null when signed out.
    pub account: Option<AccountView>,
    /// Its rooms, most recent first (empty when signed out).
    pub rooms: Vec<RoomView>,
    /// The session's state.
    pub connection: ConnectionState,
    /// Unread totals.
    pub total: UnreadTotal,
    /// The secrets are in the encrypted file, which waits for its passphrase.
    pub secrets_locked: bool,
    /// The accounts side by side, in the switcher's order.
    pub accounts: Vec<w3mq_core::view::AccountTab>,
}
