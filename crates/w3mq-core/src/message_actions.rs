//! What a member does to a message after it is sent: react, edit, delete
//! for everyone. The server decides (who may, which emoji); its answer, the
//! message as it is now, goes into the cache at once, and the shell hears of
//! it as of any changed message.

use w3mq_protocol::{is_object_id, REACTIONS};

use crate::engine::Engine;
use crate::error::{CoreError, Result};

impl Engine {
    /// Adds (`on`) or removes my reaction `emoji` (one of [`REACTIONS`]) to a message.
    pub async fn react(&self, msg_id: &str, emoji: &str, on: bool) -> Result<()> {
        if !REACTIONS.contains(&emoji) {
            return Err(CoreError::InvalidInput(format!(
                "a reaction is one of {}",
                REACTIONS.join(" ")
            )));
        }
        let a = self.active().await?;
        let id = checked_id(msg_id)?;
        let m = a.rest.react(&id, emoji, on).await?;
        crate::changes::take(&a, m).await;
        Ok(())
    }

    /// Replaces the text (and mentions) of my text message.
    pub async fn edit_message(&self, msg_id: &str, text: &str, mentions: &[String]) -> Result<()> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CoreError::InvalidInput("the text is empty".into()));
        }
        let a = self.active().await?;
        let id = checked_id(msg_id)?;
        let m = a.rest.edit(&id, text, mentions).await?;
        crate::changes::take(&a, m).await;
        Ok(())
    }

    /// Deletes a message for everyone (mine, or any in a room I own).
    pub async fn delete_message(&self, msg_id: &str) -> Result<()> {
        let a = self.active().await?;
        let id = checked_id(msg_id)?;
        let m = a.rest.delete(&id).await?;
        crate::changes::take(&a, m).await;
        Ok(())
    }
}

fn checked_id(id: &str) -> Result<String> {
    if is_object_id(id) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(CoreError::InvalidInput(format!(
            "{id:?} is not a message id"
        )))
    }
}
