//! What the user was writing, per room and per thread, kept in the
//! account's cache so that it survives a restart (and a crash, within a
//! moment of typing: the UI saves as the text changes).

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{CoreError, Result};

/// The longest draft kept (the protocol's payload limit).
pub const MAX_DRAFT_BYTES: usize = w3mq_protocol::MAX_PAYLOAD_BYTES;

const PREFIX: &str = "draft:";

/// A composer's draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedDraft {
    /// Whose composer: a room id, or `room_id#thread_id`.
    pub key: String,
    /// What was typed.
    pub text: String,
    /// Users mentioned in it.
    pub mentions: Vec<String>,
    /// The message it replies to.
    pub reply_to: Option<String>,
    /// The quoted message's sender and preview, shown above the composer.
    pub reply_label: String,
}

impl SavedDraft {
    fn is_empty(&self) -> bool {
        self.text.is_empty() && self.reply_to.is_none() && self.mentions.is_empty()
    }
}

impl Engine {
    /// Every saved draft of the signed-in account.
    pub async fn drafts(&self) -> Result<Vec<SavedDraft>> {
        let a = self.active().await?;
        let rows = a.cache.metas_with_prefix(PREFIX).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_str::<SavedDraft>(&v).ok())
            .collect())
    }

    /// Saves a draft (an empty one is removed).
    pub async fn save_draft(&self, d: SavedDraft) -> Result<()> {
        if d.key.is_empty() || d.key.len() > 200 {
            return Err(CoreError::InvalidInput(
                "a draft's key is 1 to 200 bytes".into(),
            ));
        }
        if d.text.len() > MAX_DRAFT_BYTES || d.reply_label.len() > 1024 || d.mentions.len() > 100 {
            return Err(CoreError::InvalidInput("the draft is too long".into()));
        }
        let a = self.active().await?;
        let key = format!("{PREFIX}{}", d.key);
        if d.is_empty() {
            a.cache.delete_meta(&key).await?;
        } else {
            let v = serde_json::to_string(&d).map_err(|e| CoreError::Protocol(e.to_string()))?;
            a.cache.set_meta(&key, &v).await?;
        }
        Ok(())
    }
}
