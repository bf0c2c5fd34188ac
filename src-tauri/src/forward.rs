//! Forwards what the core presents to the UI, over the `tauri::ipc::Channel`
//! the UI subscribed with (ordered, never dropped), raises the
//! notifications and keeps the title and tray in step. Everything shown is
//! computed by the core's presenter (`w3mq_core::presenter`).
//!
//! One forwarding task per account side by side: the account on screen's
//! events go to the UI (checked under the lock a switch takes, see
//! `w3mq_core::accounts::Accounts::if_shown`); every account's unread totals
//! go into the title, the tray and the switcher, and every account's
//! notifications are raised, labelled with the account when there are several.

use tauri::{AppHandle, Manager};
use tokio::sync::broadcast::error::RecvError;
use w3mq_core::present::UiEvent;
use w3mq_core::Engine;

use crate::state::AppState;

/// Starts the forwarding task of `engine`'s account.
pub fn spawn(app: AppHandle, engine: Engine) {
    let slot = engine.slot();
    tauri::async_runtime::spawn(async move {
        // (The presenter starts inside the runtime.) The task holds the stream only: an
        // account removed from the deck ends it.
        let mut rx = engine.ui_events();
        drop(engine);
        loop {
            let batch = match rx.recv().await {
                Ok(b) => b,
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!("the shell fell {n} batches behind: the UI resyncs");
                    let st = app.state::<AppState>();
                    st.accounts.if_shown(slot, || st.ui.send(UiEvent::Resync));
                    continue;
                }
                Err(RecvError::Closed) => break,
            };
            let state = app.state::<AppState>();
            let mut tabs_changed = false;
            for ev in batch.events.iter().cloned() {
                match &ev {
                    UiEvent::Connection { state: c } => {
                        if let Ok(mut cur) = state.connection.lock() {
                            cur.insert(slot, c.clone());
                        }
                    }
                    UiEvent::UnreadTotal { total } if state.accounts.note_total(slot, *total) => {
                        crate::tray::set_unread(&app, state.accounts.total());
                        tabs_changed = true;
                    }
                    _ => {}
                }
                state.accounts.if_shown(slot, || state.ui.send(ev));
            }
            if tabs_changed {
                state.send_tabs().await;
            }
            let enabled = state
                .settings
                .lock()
                .map(|s| s.notifications)
                .unwrap_or(true);
            if enabled && !batch.notifications.is_empty() {
                let label = if state.accounts.signed_in_count().await > 1 {
                    state.accounts.name_of(slot).await
                } else {
                    None
                };
                for mut n in batch.notifications.iter().cloned() {
                    if let Some(name) = &label {
                        n.title = format!("{name} · {}", n.title);
                    }
                    app.state::<crate::notify::Notifier>().raise(slot, n);
                }
            }
        }
    });
}
