//! The public channels the UI has open: a map from the key the UI opened a
//! channel with (a room id or a slug) to its `ChannelClient`, also found by
//! the room id once it is known.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use w3mq_core::channel::{ChannelClient, ChannelError, ChannelState};
use w3mq_core::channel_view::{chat_message_view, status_view, ChannelView};

use crate::error::AppError;

/// How long opening waits for the channel to be online before it answers
/// (the state then comes as an event).
pub const OPEN_WAIT: Duration = Duration::from_secs(8);

struct Open {
    room_id: String,
    client: ChannelClient,
}

/// The open channels.
#[derive(Default)]
pub struct Channels {
    map: Mutex<HashMap<String, Open>>,
}

impl Channels {
    /// The channel opened with `key` (or whose room id is `key`), unless it is closed.
    pub fn get(&self, key: &str) -> Option<ChannelClient> {
        let map = self.map.lock().ok()?;
        let open = map
            .get(key)
            .or_else(|| map.values().find(|o| o.room_id == key))?;
        (open.client.state() != ChannelState::Closed).then(|| open.client.clone())
    }

    /// The channel of `key`, or `not_found` when it is not open.
    pub fn need(&self, key: &str) -> Result<ChannelClient, AppError> {
        self.get(key)
            .ok_or_else(|| AppError::new("not_found", "the channel is not open"))
    }

    /// Keeps a channel under `key`; returns the one it replaces.
    pub fn insert(&self, key: &str, room_id: &str, client: ChannelClient) -> Option<ChannelClient> {
        let mut map = self.map.lock().ok()?;
        let open = Open {
            room_id: room_id.to_owned(),
            client,
        };
        map.insert(key.to_owned(), open).map(|o| o.client)
    }

    /// Forgets the channel of `key` (or of that room id).
    pub fn remove(&self, key: &str) -> Option<ChannelClient> {
        let mut map = self.map.lock().ok()?;
        let k = if map.contains_key(key) {
            key.to_owned()
        } else {
            map.iter().find(|(_, o)| o.room_id == key)?.0.clone()
        };
        map.remove(&k).map(|o| o.client)
    }
}

/// Waits (at most [`OPEN_WAIT`]) for the channel to be online or closed.
pub async fn settle(client: &ChannelClient) -> ChannelState {
    let online = |s: &ChannelState| matches!(s, ChannelState::Online { .. });
    tokio::time::timeout(OPEN_WAIT, client.wait_state(online))
        .await
        .unwrap_or_else(|_| client.state())
}

/// The channel's view: its latest `history` messages when it is online
/// (`history` = 0 fetches none), and its room id as the messages name it.
pub async fn view(
    channel: &str,
    client: &ChannelClient,
    history: u32,
    me: &str,
) -> Result<ChannelView, AppError> {
    let state = settle(client).await;
    let msgs = if history > 0 && matches!(state, ChannelState::Online { .. }) {
        client.history(history).await.map_err(AppError::from)?
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

impl From<ChannelError> for AppError {
    fn from(e: ChannelError) -> Self {
        let code = match &e {
            ChannelError::Access(_) => "forbidden",
            ChannelError::RateLimited(_) => "rate_limited",
            ChannelError::NotFound => "not_found",
            ChannelError::BadRequest(_) | ChannelError::InvalidInput(_) => "invalid_input",
            ChannelError::Network(_) | ChannelError::ConnectionLost | ChannelError::Timeout => {
                "network"
            }
            ChannelError::Closed => "closed",
            _ => "channel",
        };
        let message = match &e {
            ChannelError::Access(_) => "not allowed on this channel".to_owned(),
            ChannelError::NotFound => "no such channel".to_owned(),
            other => other.to_string(),
        };
        AppError::new(code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_errors_have_codes_for_the_ui() {
        let e: AppError = ChannelError::Access("UACCESS".into()).into();
        assert_eq!(e.code, "forbidden");
        let e: AppError = ChannelError::NotFound.into();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("not_found", "no such channel")
        );
        let e: AppError = ChannelError::RateLimited("4005".into()).into();
        assert_eq!(e.code, "rate_limited");
        assert!(Channels::default().need("x").is_err());
    }
}
