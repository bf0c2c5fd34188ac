//! Forwards what the core presents to the UI, over the `tauri::ipc::Channel`
//! the UI subscribed with (ordered, never dropped), raises the
//! notifications and keeps the title and tray in step. Everything shown is
//! computed by the core's presenter (`w3mq_core::presenter`).

use std::sync::Mutex;

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use tokio::sync::broadcast::error::RecvError;
use w3mq_core::present::UiEvent;
use w3mq_core::Engine;

use crate::state::AppState;

/// Where UI events go: the channel of the UI's latest `subscribe`.
#[derive(Default)]
pub struct UiSink {
    channel: Mutex<Option<Channel<UiEvent>>>,
}

impl UiSink {
    /// The UI (re)subscribed, for instance after a reload: events go there now.
    pub fn set(&self, c: Channel<UiEvent>) {
        if let Ok(mut ch) = self.channel.lock() {
            *ch = Some(c);
        }
    }

    /// Sends one event to the UI, if one listens.
    pub fn send(&self, e: UiEvent) {
        let ch = self.channel.lock().ok().and_then(|c| c.clone());
        if let Some(c) = ch {
            if let Err(err) = c.send(e) {
                tracing::warn!("could not send an event to the UI: {err}");
            }
        }
    }
}

/// `subscribe`: the UI hands over the channel it reads events from.
#[tauri::command]
pub fn subscribe(st: tauri::State<'_, AppState>, channel: Channel<UiEvent>) {
    st.ui.set(channel);
}

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
