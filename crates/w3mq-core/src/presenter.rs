//! The presenter: the one task that turns the engine's internal events into
//! what the UI shows ([`UiEvent`]s) and the desktop notifications to raise.
//!
//! It takes the engine's events in batches (everything waiting when it
//! wakes), reads the room list once per batch, and publishes one
//! [`UiBatch`] per batch on [`Engine::ui_events`]. A room changed several
//! times in a batch is told once, with its state after the batch; the totals
//! are told once. When it falls behind the engine it says
//! [`UiEvent::Resync`] instead of dropping events silently.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use w3mq_protocol::Message;

use crate::channel_view::channel_update;
use crate::engine::Engine;
use crate::events::Event;
use crate::model::{RoomSummary, SendStatus};
use crate::present::{UiEvent, UnreadTotal};
use crate::view::{
    message_view, one_line, preview, room_heading, room_view, NotificationView, People, RoomKind,
    PREVIEW_CHARS,
};

/// The most engine events presented as one batch.
pub const MAX_BATCH: usize = 512;

/// What one batch of engine events means for the shell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UiBatch {
    /// For the UI, in order.
    pub events: Vec<UiEvent>,
    /// Desktop notifications to raise.
    pub notifications: Vec<NotificationView>,
}

/// Runs the presenter until the engine is gone.
pub(crate) async fn run(
    engine: Weak<crate::engine::Inner>,
    mut rx: broadcast::Receiver<Event>,
    out: broadcast::Sender<Arc<UiBatch>>,
) {
    loop {
        let mut lagged = false;
        let mut batch = Vec::new();
        match rx.recv().await {
            Ok(e) => batch.push(e),
            Err(RecvError::Lagged(n)) => {
                tracing::warn!(skipped = n, "presenter fell behind the engine: resync");
                lagged = true;
            }
            Err(RecvError::Closed) => break,
        }
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(e) => batch.push(e),
                Err(TryRecvError::Lagged(n)) => {
                    tracing::warn!(skipped = n, "presenter fell behind the engine: resync");
                    lagged = true;
                }
                Err(_) => break,
            }
        }
        let Some(engine) = Engine::from_weak(&engine) else {
            break;
        };
        engine
            .inner
            .batches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut b = engine.present_batch(batch).await;
        if lagged {
            b.events.push(UiEvent::Resync);
        }
        if !b.events.is_empty() || !b.notifications.is_empty() {
            // No receiver is not an error: nobody is showing anything.
            let _ = out.send(Arc::new(b));
        }
    }
}

/// The rooms of a batch, read once.
struct Rooms {
    me: String,
    by_id: HashMap<String, RoomSummary>,
    list: Vec<RoomSummary>,
}

impl Rooms {
    fn people(&self, room_id: &str) -> People {
        People::of_room(&self.me, self.by_id.get(room_id).map(|s| &s.room))
    }
}

impl Engine {
    /// What a batch of engine events means for the UI and for notifications.
    pub(crate) async fn present_batch(&self, batch: Vec<Event>) -> UiBatch {
        let me = self.me().await.unwrap_or_default();
        let needs_rooms = batch.iter().any(|e| {
            !matches!(
                e,
                Event::Connection { .. }
                    | Event::Channel { .. }
                    | Event::OutboxDiscarded { .. }
                    | Event::Typing { .. }
                    | Event::Receipts { .. }
            )
        });
        let list = if needs_rooms && !me.is_empty() {
            self.room_list_read().await.unwrap_or_default()
        } else {
            Vec::new()
        };
        let rooms = Rooms {
            by_id: list
                .iter()
                .map(|s| (s.room.room_id.clone(), s.clone()))
                .collect(),
            list,
            me,
        };
        let mut out = UiBatch::default();
        // Rooms to tell, in the order they first changed, with the summary an
        // event carried (used if the room is not in the list read).
        let mut changed: Vec<(String, Box<RoomSummary>)> = Vec::new();
        let mut total = false;
        for e in batch {
            match e {
                Event::Messages { messages } => {
                    let views = self.message_batch_views(messages, &rooms).await;
                    out.events.push(UiEvent::Messages { messages: views });
                }
                Event::RoomUpdated { summary } => {
                    total = true;
                    match changed
                        .iter_mut()
                        .find(|(id, _)| *id == summary.room.room_id)
                    {
                        Some(c) => c.1 = summary,
                        None => changed.push((summary.room.room_id.clone(), summary)),
                    }
                }
                Event::RoomRemoved { room_id } => {
                    total = true;
                    changed.retain(|(id, _)| *id != room_id);
                    out.events.push(UiEvent::RoomRemoved { room_id });
                }
                Event::MessagesDeleted { room_id, ids } => {
                    out.events.push(UiEvent::MessagesDeleted { room_id, ids })
                }
                Event::RoomCleared { room_id } => out.events.push(UiEvent::RoomCleared { room_id }),
                Event::Connection { state } => out.events.push(UiEvent::Connection { state }),
                Event::SendStatus {
                    client_msg_id,
                    room_id,
                    id,
                    ..
                } => {
                    let people = rooms.people(&room_id);
                    if let Some(v) = self
                        .send_status_view(&room_id, &client_msg_id, id, &people)
                        .await
                    {
                        out.events.push(UiEvent::SendStatus {
                            message: Box::new(v),
                        });
                    }
                }
                Event::OutboxDiscarded {
                    client_msg_id,
                    room_id,
                } => out.events.push(UiEvent::OutboxDiscarded {
                    client_msg_id,
                    room_id,
                }),
                Event::Channel { room_id, event } => {
                    if let Some(update) = channel_update(&event, &rooms.me) {
                        out.events.push(UiEvent::Channel { room_id, update });
                    }
                }
                Event::Typing { room_id, user_ids } => {
                    let people = self.people(&room_id).await.unwrap_or_default();
                    let names = user_ids.iter().map(|u| people.name(u)).collect();
                    out.events.push(UiEvent::Typing { room_id, names });
                }
                Event::Receipts { room_id } => {
                    let seen = self.seen(&room_id).await.unwrap_or_default();
                    out.events.push(UiEvent::Seen { room_id, seen });
                }
                Event::Notify {
                    room_id, message, ..
                } => {
                    if let Some(n) = notification(&rooms, &room_id, &message) {
                        out.notifications.push(n);
                    }
                }
            }
        }
        for (room_id, summary) in changed {
            let s = rooms.by_id.get(&room_id).unwrap_or(&summary);
            let people = rooms.people(&room_id);
            let latest = s
                .latest
                .as_ref()
                .map(|m| message_view(m, &people, SendStatus::Sent, None, None));
            out.events.push(UiEvent::RoomUpdated {
                room: Box::new(room_view(s, &rooms.me, latest)),
            });
        }
        if total && !rooms.me.is_empty() {
            out.events.push(UiEvent::UnreadTotal {
                total: UnreadTotal::of(&rooms.list),
            });
        }
        out
    }

    /// Views of a batch of messages, each room's with its members.
    async fn message_batch_views(
        &self,
        mut messages: Vec<Message>,
        rooms: &Rooms,
    ) -> Vec<crate::view::MessageView> {
        // A thread reply changes its root's summary: the root goes along (from the cache).
        let mut roots: Vec<String> = Vec::new();
        for m in &messages {
            let t = &m.belong_to_thread_id;
            if !t.is_empty() && Some(t) != m.id.as_ref() && !roots.contains(t) {
                roots.push(t.clone());
            }
        }
        roots.retain(|r| !messages.iter().any(|m| m.id.as_ref() == Some(r)));
        for r in roots.into_iter().take(100) {
            if let Ok(Some(root)) = self.message(&r).await {
                if messages.iter().any(|m| m.to_room_id == root.to_room_id) {
                    messages.push(root);
                }
            }
        }
        let mut by_room: Vec<(String, Vec<Message>)> = Vec::new();
        for m in messages {
            match by_room.last_mut() {
                Some((r, v)) if *r == m.to_room_id => v.push(m),
                _ => by_room.push((m.to_room_id.clone(), vec![m])),
            }
        }
        let mut views = Vec::new();
        for (room, msgs) in by_room {
            views.extend(self.views(&msgs, &rooms.people(&room)).await);
        }
        views
    }
}

/// The desktop notification of a message: the sender (in the room, for a
/// group) and a one-line preview.
fn notification(rooms: &Rooms, room_id: &str, message: &Message) -> Option<NotificationView> {
    if rooms.me.is_empty() {
        return None;
    }
    let room = rooms.by_id.get(room_id).map(|s| &s.room);
    let sender = rooms.people(room_id).name(&message.from_uid);
    let title = match room.map(|r| room_heading(r, &rooms.me)) {
        Some((kind, room_title, ..)) if kind != RoomKind::Direct => {
            format!("{sender} in {room_title}")
        }
        _ => sender,
    };
    Some(NotificationView {
        room_id: room_id.to_owned(),
        message_id: message.id.clone(),
        title: one_line(&title, 80),
        body: one_line(&preview(message), PREVIEW_CHARS),
    })
}
