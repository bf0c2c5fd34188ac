//! Where UI events go: the `tauri::ipc::Channel` the UI handed to
//! `subscribe` (ordered, never dropped; a reload subscribes again).

use std::sync::Mutex;

use tauri::ipc::Channel;
use w3mq_core::present::UiEvent;

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
