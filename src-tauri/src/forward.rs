//! Forwards the engine's events to the UI, raises notifications and keeps
//! the title and tray in step.

use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;
use w3mq_core::present::UiEvent;
use w3mq_core::{Engine, Event};

use crate::bindings::EVENT;
use crate::state::AppState;

/// Starts the forwarding task.
pub fn spawn(app: AppHandle, engine: Engine) {
    let mut rx = engine.events();
    let notifier = crate::notify::Notifier::start(app.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            let e = match rx.recv().await {
                Ok(e) => e,
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!("the UI fell {n} engine events behind");
                    continue;
                }
                Err(RecvError::Closed) => break,
            };
            let state = app.state::<AppState>();
            if let Event::Connection { state: c } = &e {
                if let Ok(mut cur) = state.connection.lock() {
                    *cur = c.clone();
                }
            }
            let p = engine.present(e).await;
            for ev in p.ui {
                if let UiEvent::UnreadTotal { total } = &ev {
                    crate::tray::set_unread(&app, *total);
                }
                if let Err(err) = app.emit(EVENT, ev) {
                    tracing::warn!("could not emit an event to the UI: {err}");
                }
            }
            let enabled = state
                .settings
                .lock()
                .map(|s| s.notifications)
                .unwrap_or(true);
            if let (Some(n), true) = (p.notify, enabled) {
                notifier.raise(n);
            }
        }
    });
}
