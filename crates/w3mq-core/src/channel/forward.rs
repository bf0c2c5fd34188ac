//! A channel opened through the engine: its events join the engine's event
//! stream as [`Event::Channel`]; signed in, its messages, deletions and
//! clearings also go through the account's cache the way MQTT's do (so the
//! shell sees [`Event::Messages`] once, whichever path brings a message first).

use std::sync::Arc;

use tokio::sync::{broadcast, watch};
use w3mq_protocol::{is_object_id, RoomEvent};

use super::{ChannelEvent, WeakChannel};
use crate::account::Account;
use crate::events::Event;
use crate::ingest;

/// Resolves once the account is signed out or stopped (never without one).
async fn stopped(rx: &mut Option<watch::Receiver<bool>>) {
    match rx {
        Some(rx) => {
            let _ = rx.wait_for(|s| *s).await;
        }
        None => std::future::pending().await,
    }
}

/// Forwards until the channel is closed; closes it when the account stops.
pub(crate) async fn forward(
    events: broadcast::Sender<Event>,
    account: Option<Arc<Account>>,
    channel_id: String,
    channel: WeakChannel,
    mut rx: broadcast::Receiver<ChannelEvent>,
) {
    let mut stop = account.as_ref().map(|a| a.stop_signal());
    let mut room_id = channel_id;
    loop {
        let ev = tokio::select! {
            r = rx.recv() => match r {
                Ok(ev) => ev,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(channel = %room_id, skipped = n, "channel events skipped");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = stopped(&mut stop) => {
                if let Some(c) = channel.upgrade() {
                    c.close().await;
                }
                break;
            }
        };
        if let ChannelEvent::Message { message, .. } = &ev {
            if is_object_id(&message.channel) {
                room_id = message.channel.to_ascii_lowercase();
            }
        }
        if let Some(a) = &account {
            apply(a, &room_id, &ev).await;
        }
        let _ = events.send(Event::Channel {
            room_id: room_id.clone(),
            event: Box::new(ev),
        });
    }
}

/// What the account's cache keeps of a channel event.
async fn apply(a: &Arc<Account>, room_id: &str, ev: &ChannelEvent) {
    if !is_object_id(room_id) {
        return;
    }
    let room = room_id.to_owned();
    match ev {
        ChannelEvent::Message { message, .. }
            if !message.is_whisper()
                && message.seq.is_some_and(|s| s >= 1)
                && is_object_id(&message.id)
                && is_object_id(&message.user_id) =>
        {
            ingest::absorb(a, vec![message.to_message(room_id)], false).await;
        }
        ChannelEvent::MessageDeleted { id } => {
            let ev = RoomEvent::MessagesDeleted {
                room_id: room,
                ids: vec![id.clone()],
            };
            ingest::on_room_event(a, room_id, ev).await;
        }
        ChannelEvent::UserPurged { ids, .. } if !ids.is_empty() => {
            let ev = RoomEvent::MessagesDeleted {
                room_id: room,
                ids: ids.clone(),
            };
            ingest::on_room_event(a, room_id, ev).await;
        }
        ChannelEvent::MessagesCleared => {
            ingest::on_room_event(a, room_id, RoomEvent::RoomCleared { room_id: room }).await;
        }
        _ => {}
    }
}
