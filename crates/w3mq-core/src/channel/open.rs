//! The public channels a UI has open: by the key it opened each with (a
//! room id or a slug), also found by the room id once it is known.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{ChannelClient, ChannelState};

struct Open {
    room_id: String,
    client: ChannelClient,
}

/// The open channels.
#[derive(Default)]
pub struct OpenChannels {
    map: Mutex<HashMap<String, Open>>,
}

impl OpenChannels {
    /// The channel opened with `key` (or whose room id is `key`), unless it is closed.
    pub fn get(&self, key: &str) -> Option<ChannelClient> {
        let map = self.map.lock().ok()?;
        let open = map
            .get(key)
            .or_else(|| map.values().find(|o| o.room_id == key))?;
        (open.client.state() != ChannelState::Closed).then(|| open.client.clone())
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

    /// Forgets every open channel, returning them (to close).
    pub fn take_all(&self) -> Vec<ChannelClient> {
        match self.map.lock() {
            Ok(mut map) => map.drain().map(|(_, o)| o.client).collect(),
            Err(_) => Vec::new(),
        }
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
