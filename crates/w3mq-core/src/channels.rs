//! The public channels the UI has open, kept by the engine: opened signed in
//! (a collection room of mine) or read only (any server), found by the key
//! they were opened with or their room id, closed on request.

use std::time::Duration;

use crate::channel::{ChannelClient, ChannelState};
use crate::channel_view::{chat_message_view, status_view, ChannelView};
use crate::engine::Engine;
use crate::error::{CoreError, Result};

/// How long opening waits for the channel to be online before it answers
/// (the state then comes as an event).
pub const OPEN_WAIT: Duration = Duration::from_secs(8);

/// Waits (at most [`OPEN_WAIT`]) for the channel to be online or closed.
async fn settle(client: &ChannelClient) -> ChannelState {
    let online = |s: &ChannelState| matches!(s, ChannelState::Online { .. });
    tokio::time::timeout(OPEN_WAIT, client.wait_state(online))
        .await
        .unwrap_or_else(|_| client.state())
}

/// The channel's view: its latest `history` messages when it is online
/// (`history` = 0 fetches none), and its room id as the messages name it.
async fn view(
    channel: &str,
    client: &ChannelClient,
    history: u32,
    me: &str,
) -> Result<ChannelView> {
    let state = settle(client).await;
    let msgs = if history > 0 && matches!(state, ChannelState::Online { .. }) {
        client.history(history).await?
    } else {
        Vec::new()
    };
    let room_id = msgs
        .iter()
        .map(|m| m.channel.to_ascii_lowercase())
        .find(|c| w3mq_protocol::is_object_id(c))
        .unwrap_or_else(|| channel.to_owned());
    Ok(ChannelView {
        channel: channel.to_owned(),
        room_id,
        status: status_view(&client.state()),
        messages: msgs.iter().map(|m| chat_message_view(m, me)).collect(),
    })
}

impl Engine {
    /// Opens (or finds) the public channel of a collection room as me.
    pub async fn channel_open(&self, room_id: &str) -> Result<ChannelView> {
        let client = match self.open_channels().get(room_id) {
            Some(c) => c,
            None => {
                let c = self.open_channel(room_id).await?;
                self.open_channels().insert(room_id, room_id, c.clone());
                c
            }
        };
        let me = self.me().await.unwrap_or_default();
        view(room_id, &client, 0, &me).await
    }

    /// Opens a public channel (a room id or a collection slug) on the server
    /// at `http` without an account, with its latest 50 messages.
    pub async fn channel_open_public(&self, http: &str, channel: &str) -> Result<ChannelView> {
        let (http, channel) = (http.trim().trim_end_matches('/'), channel.trim());
        if !w3mq_protocol::validate::is_http_url(http) {
            return Err(CoreError::InvalidInput(
                "the server URL must start with http:// or https://".into(),
            ));
        }
        if let Some(old) = self.open_channels().remove(channel) {
            old.close().await;
        }
        let client = self.open_public_channel(http, channel).await?;
        let me = self.me().await.unwrap_or_default();
        let v = view(channel, &client, 50, &me).await?;
        self.open_channels().insert(channel, &v.room_id, client);
        Ok(v)
    }

    /// An open channel (by the key it was opened with, or its room id).
    pub fn channel(&self, key: &str) -> Result<ChannelClient> {
        self.open_channels()
            .get(key)
            .ok_or(CoreError::NotFound("open channel"))
    }

    /// Closes every open channel (the account leaves the screen).
    pub async fn channel_close_all(&self) {
        for c in self.open_channels().take_all() {
            c.close().await;
        }
    }

    /// Closes an open channel.
    pub async fn channel_close(&self, key: &str) {
        if let Some(c) = self.open_channels().remove(key) {
            c.close().await;
        }
    }
}
