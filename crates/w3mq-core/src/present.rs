//! The engine's queries and events as the UI shows them: [`crate::view`]
//! types, built from the cache with the room's members at hand.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use w3mq_protocol::{Message, OpenSeaItem};

use crate::channel_view::ChannelUpdate;
use crate::engine::Engine;
use crate::error::{CoreError, Result};
use crate::events::ConnectionState;
use crate::model::{Cursor, SendStatus};
use crate::view::{
    message_view, outbox_view, room_view, MessageView, People, RoomView, SearchHitView,
};

/// Largest page the UI may ask for.
pub const MAX_VIEW_PAGE: i64 = 200;

/// Totals for the window title and the tray.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnreadTotal {
    /// Unread messages over all rooms.
    pub unread: u32,
    /// Of those, mentions of me.
    pub mentions: u32,
}

impl UnreadTotal {
    /// The totals of a room list.
    pub fn of(rooms: &[crate::model::RoomSummary]) -> UnreadTotal {
        let mut t = UnreadTotal::default();
        for s in rooms {
            t.unread = t
                .unread
                .saturating_add(s.unread.clamp(0, u32::MAX as i64) as u32);
            t.mentions = t
                .mentions
                .saturating_add(s.mentions.clamp(0, u32::MAX as i64) as u32);
        }
        t
    }

    /// The totals of a list of room views.
    pub fn of_views(rooms: &[RoomView]) -> UnreadTotal {
        let mut t = UnreadTotal::default();
        for r in rooms {
            t.unread = t.unread.saturating_add(r.unread);
            t.mentions = t.mentions.saturating_add(r.mentions);
        }
        t
    }
}

/// What the UI is told, one variant per change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UiEvent {
    /// New or updated messages (one batch, ascending by room and seq).
    Messages {
        /// The messages.
        messages: Vec<MessageView>,
    },
    /// A room's info, latest message or counts changed.
    RoomUpdated {
        /// The room.
        room: Box<RoomView>,
    },
    /// A room left the list.
    RoomRemoved {
        /// The room.
        room_id: String,
    },
    /// Messages were deleted by a moderator.
    MessagesDeleted {
        /// The room.
        room_id: String,
        /// The deleted messages.
        ids: Vec<String>,
    },
    /// A moderator cleared the room.
    RoomCleared {
        /// The room.
        room_id: String,
    },
    /// The session's state changed.
    Connection {
        /// The new state.
        state: ConnectionState,
    },
    /// One of my messages changed state.
    SendStatus {
        /// The message, as it is now.
        message: Box<MessageView>,
    },
    /// An outbox entry was discarded.
    OutboxDiscarded {
        /// Its idempotency key.
        client_msg_id: String,
        /// Its room.
        room_id: String,
    },
    /// The unread totals changed.
    UnreadTotal {
        /// The totals.
        total: UnreadTotal,
    },
    /// Something changed on an open public channel (a message, a deletion,
    /// a poll, a timeout, the connection).
    Channel {
        /// The room id (the slug it was opened with until the channel names
        /// its room).
        room_id: String,
        /// What changed.
        update: ChannelUpdate,
    },
    /// Who types in a room changed.
    Typing {
        /// The room.
        room_id: String,
        /// The typists' names (empty: nobody types).
        names: Vec<String>,
    },
    /// Who has read my latest message in a room changed.
    Seen {
        /// The room.
        room_id: String,
        /// The readers, if any.
        seen: Option<crate::view::SeenView>,
    },
    /// Events were lost on the way (the UI fell behind): reload what is
    /// shown (the room list, the totals, the open conversation).
    Resync,
    /// Open a room at a message (a notification was clicked).
    OpenRoom {
        /// The room.
        room_id: String,
        /// The message, if any.
        message_id: Option<String>,
    },
    /// The desktop's colour-scheme preference changed (the shell watches the XDG portal):
    /// dark, light, or no preference.
    SystemTheme {
        /// `Some(true)` prefers dark, `Some(false)` light, `None` no preference.
        dark: Option<bool>,
    },
    /// Files were dropped on the window (the shell's drag and drop): their paths.
    FilesDropped {
        /// The files' paths.
        paths: Vec<String>,
    },
    /// The accounts side by side changed: one signed in or out, a name, a count.
    Accounts {
        /// Every account, in the switcher's order.
        accounts: Vec<crate::view::AccountTab>,
    },
    /// Another account is on screen: reload everything shown (`boot`), then
    /// open `room_id` at `message_id` when given (a notification's click).
    AccountSwitched {
        /// The slot now on screen.
        slot: u32,
        /// The room to open.
        room_id: Option<String>,
        /// The message to open it at.
        message_id: Option<String>,
    },
}

impl Engine {
    pub(crate) async fn people(&self, room_id: &str) -> Result<People> {
        let me = self.me().await?;
        let room = self.room(room_id).await.ok();
        Ok(People::of_room(&me, room.as_ref()))
    }

    async fn reply_of(&self, m: &Message) -> Option<Message> {
        if m.reply_to_msg_id.is_empty() {
            return None;
        }
        self.message(&m.reply_to_msg_id)
            .await
            .ok()
            .flatten()
            .filter(|r| r.to_room_id == m.to_room_id)
    }

    pub(crate) async fn views(&self, msgs: &[Message], people: &People) -> Vec<MessageView> {
        let mut out = Vec::with_capacity(msgs.len());
        for m in msgs {
            let reply = self.reply_of(m).await;
            out.push(message_view(
                m,
                people,
                SendStatus::Sent,
                None,
                reply.as_ref(),
            ));
        }
        self.attach_threads(&mut out, people).await;
        out
    }

    /// Gives the thread roots among `views` their summaries (replies, who, when).
    async fn attach_threads(&self, views: &mut [MessageView], people: &People) {
        let roots: Vec<String> = views
            .iter()
            .filter(|v| v.is_thread)
            .filter_map(|v| v.id.clone())
            .collect();
        if roots.is_empty() {
            return;
        }
        let Ok(a) = self.active().await else { return };
        let stats = match a.cache.thread_stats(&roots).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "thread summaries failed");
                return;
            }
        };
        for v in views.iter_mut() {
            let Some(st) = v.id.as_ref().and_then(|id| stats.get(id)) else {
                continue;
            };
            v.thread_summary = Some(crate::view::ThreadSummary {
                replies: st.replies.clamp(0, u32::MAX as i64) as u32,
                names: st.authors.iter().map(|u| people.name(u)).collect(),
                avatars: st.authors.iter().map(|u| people.avatar(u)).collect(),
                last_reply_ms: (st.last_at / 1_000_000) as f64,
            });
        }
    }

    /// Every room, most recent activity first.
    pub async fn room_views(&self) -> Result<Vec<RoomView>> {
        let me = self.me().await?;
        let mut out = Vec::new();
        for s in self.room_list().await? {
            let people = People::of_room(&me, Some(&s.room));
            let latest = s
                .latest
                .as_ref()
                .map(|m| message_view(m, &people, SendStatus::Sent, None, None));
            out.push(room_view(&s, &me, latest));
        }
        Ok(out)
    }

    /// One room's view.
    pub async fn room_view(&self, room_id: &str) -> Result<RoomView> {
        self.room_views()
            .await?
            .into_iter()
            .find(|r| r.room_id == room_id)
            .ok_or(CoreError::NotFound("room"))
    }

    /// A page of a room's messages, ascending. The latest page ends with my
    /// pending and failed messages.
    pub async fn message_views(
        &self,
        room_id: &str,
        cursor: Cursor,
        limit: i64,
    ) -> Result<Vec<MessageView>> {
        let people = self.people(room_id).await?;
        let page = self
            .page(room_id, cursor, limit.clamp(1, MAX_VIEW_PAGE))
            .await?;
        let mut out = self.views(&page, &people).await;
        if cursor == Cursor::Latest {
            for e in self.outbox(room_id).await? {
                let reply = self.reply_of(&e.message).await;
                out.push(outbox_view(&e, &people, reply.as_ref()));
            }
        }
        Ok(out)
    }

    /// The messages around one message (by id), for jumping to it from a
    /// reply, a search hit or a notification: up to `limit` before it, the
    /// message, and up to `limit` after it.
    pub async fn message_views_around(
        &self,
        room_id: &str,
        message_id: &str,
        limit: i64,
    ) -> Result<Vec<MessageView>> {
        let m = self
            .message(message_id)
            .await?
            .filter(|m| m.to_room_id == room_id)
            .ok_or(CoreError::NotFound("message"))?;
        let seq = m.seq.ok_or(CoreError::NotFound("message"))?;
        let limit = limit.clamp(1, MAX_VIEW_PAGE);
        let mut msgs = self.page(room_id, Cursor::Before(seq), limit).await?;
        msgs.push(m);
        msgs.extend(self.page(room_id, Cursor::After(seq), limit).await?);
        let people = self.people(room_id).await?;
        Ok(self.views(&msgs, &people).await)
    }

    /// A thread (its root first), ascending.
    pub async fn thread_views(&self, room_id: &str, thread_id: &str) -> Result<Vec<MessageView>> {
        let people = self.people(room_id).await?;
        let msgs: Vec<Message> = self
            .thread(thread_id, Cursor::Latest, MAX_VIEW_PAGE)
            .await?
            .into_iter()
            .filter(|m| m.to_room_id == room_id)
            .collect();
        let mut out = self.views(&msgs, &people).await;
        for e in self.outbox(room_id).await? {
            if e.message.belong_to_thread_id == thread_id {
                out.push(outbox_view(&e, &people, None));
            }
        }
        Ok(out)
    }

    /// A room's threads (their roots with summaries), the most recently
    /// active first.
    pub async fn threads_view(&self, room_id: &str) -> Result<Vec<MessageView>> {
        let people = self.people(room_id).await?;
        let roots = self
            .active()
            .await?
            .cache
            .thread_roots(room_id, MAX_VIEW_PAGE)
            .await?;
        Ok(self.views(&roots, &people).await)
    }

    /// Full-text search over all cached history.
    pub async fn search_views(&self, query: &str, limit: i64) -> Result<Vec<SearchHitView>> {
        let hits = self.search(query, limit.clamp(1, MAX_VIEW_PAGE)).await?;
        self.hit_views(hits).await
    }

    /// A search limited by a filter (a room, a sender, a time range), with
    /// the number of matches in all.
    pub async fn search_results(
        &self,
        query: &str,
        filter: &crate::model::SearchFilter,
        limit: i64,
    ) -> Result<crate::view::SearchResults> {
        let (hits, total) = self
            .active()
            .await?
            .cache
            .search_in(query, filter, limit.clamp(1, MAX_VIEW_PAGE))
            .await?;
        let max = crate::cache::MAX_COUNTED;
        Ok(crate::view::SearchResults {
            hits: self.hit_views(hits).await?,
            total: total.clamp(0, max) as u32,
            more: total > max,
        })
    }

    async fn hit_views(&self, hits: Vec<crate::model::SearchHit>) -> Result<Vec<SearchHitView>> {
        let rooms: HashMap<String, RoomView> = self
            .room_views()
            .await?
            .into_iter()
            .map(|r| (r.room_id.clone(), r))
            .collect();
        let mut out = Vec::with_capacity(hits.len());
        for h in hits {
            let people = self.people(&h.message.to_room_id).await?;
            out.push(SearchHitView {
                message: message_view(&h.message, &people, SendStatus::Sent, None, None),
                room_title: rooms
                    .get(&h.message.to_room_id)
                    .map(|r| r.title.clone())
                    .unwrap_or_default(),
                snippet: h.snippet,
            });
        }
        Ok(out)
    }

    /// Makes a message a thread root and returns its view.
    pub async fn start_thread_view(
        &self,
        room_id: &str,
        message_id: &str,
        item: Option<OpenSeaItem>,
    ) -> Result<MessageView> {
        let root = self.start_thread(message_id, item).await?;
        if root.to_room_id != room_id {
            return Err(CoreError::InvalidInput(
                "the message is in another room".into(),
            ));
        }
        let people = self.people(room_id).await?;
        Ok(message_view(&root, &people, SendStatus::Sent, None, None))
    }

    /// Queues a message (see [`Engine::send`]) and returns its pending view.
    pub async fn send_view(&self, d: crate::engine::Draft) -> Result<MessageView> {
        let room_id = d.room_id.clone();
        let e = self.send(d).await?;
        let people = self.people(&room_id).await?;
        let reply = self.reply_of(&e.message).await;
        Ok(outbox_view(&e, &people, reply.as_ref()))
    }

    /// Unread totals over all rooms.
    pub async fn unread_total(&self) -> Result<UnreadTotal> {
        Ok(UnreadTotal::of(&self.room_list().await?))
    }

    /// My message's view after a status change: the outbox entry while it
    /// is pending or failed, the stored message once sent.
    pub(crate) async fn send_status_view(
        &self,
        room_id: &str,
        client_msg_id: &str,
        id: Option<String>,
        people: &People,
    ) -> Option<MessageView> {
        if let Some(e) = self
            .outbox(room_id)
            .await
            .ok()?
            .into_iter()
            .find(|e| e.client_msg_id == client_msg_id)
        {
            return Some(outbox_view(&e, people, None));
        }
        let m = self.message(&id?).await.ok()??;
        let reply = self.reply_of(&m).await;
        let mut v = message_view(&m, people, SendStatus::Sent, None, reply.as_ref());
        v.key = client_msg_id.to_owned();
        Some(v)
    }
}
