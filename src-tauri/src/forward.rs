//! Forwards what the core presents to the UI, over the `tauri::ipc::Channel`
//! the UI subscribed with (ordered, never dropped), raises the
//! notifications and keeps the title and tray in step. Everything shown is
//! computed by the core's presenter (`w3mq_core::presenter`).

use tauri::{AppHandle, Manager};
use tokio::sync::broadcast::error::RecvError;
use w3mq_core::present::UiEvent;
use w3mq_core::Engine;

use crate::state::AppState;

/// Starts the forwarding task.
pub fn spawn(app: AppHandle, engine: Engine) {
    let notifier = crate::notify::Notifier::start(app.clone());
    tauri::async_runtime::spawn(async move {
        let mut rx = engine.ui_events();
        loop {
            let batch = match rx.recv().await {
                Ok(b) => b,
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!("the shell fell {n} batches behind: the UI resyncs");
                    app.state::<AppState>().ui.send(UiEvent::Resync);
                    continue;
                }
                Err(RecvError::Closed) => break,
            };
            let state = app.state::<AppState>();
            for ev in batch.events.iter().cloned() {
                match &ev {
                    UiEvent::Connection { state: c } => {
                        if let Ok(mut cur) = state.connection.lock() {
                            *cur = c.clone();
                        }
                    }
                    UiEvent::UnreadTotal { total } => crate::tray::set_unread(&app, *total),
                    _ => {}
                }
                state.ui.send(ev);
            }
            let enabled = state
                .settings
                .lock()
                .map(|s| s.notifications)
                .unwrap_or(true);
            if enabled {
                for n in batch.notifications.iter().cloned() {
                    notifier.raise(n);
                }
            }
        }
    });
}
