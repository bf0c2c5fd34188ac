//! [`MemorySecretStore`]: the companion's keychain, which forgets everything
//! when the process exits.
//!
//! The companion is a demo bot, not the user: its key is its own file
//! (`companion_key` in lib.rs), and the session's secrets (its token) need
//! not outlive the process, so no OS keychain is touched. A real account's secrets belong in
//! [`w3mq_core::secrets::KeyringStore`].

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use w3mq_core::error::{CoreError, Result};
use w3mq_core::secrets::SecretStore;

/// Secrets in process memory only. For the demo bot; never for a user's
/// account.
#[derive(Default)]
pub struct MemorySecretStore {
    entries: Mutex<HashMap<String, String>>,
}

impl MemorySecretStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, String>) -> T) -> Result<T> {
        let mut g = self
            .entries
            .lock()
            .map_err(|_| CoreError::Secrets("memory secret store poisoned".into()))?;
        Ok(f(&mut g))
    }
}

#[async_trait]
impl SecretStore for MemorySecretStore {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        self.with(|m| m.get(key).cloned())
    }

    async fn set(&self, key: &str, value: &str) -> Result<()> {
        self.with(|m| {
            m.insert(key.to_owned(), value.to_owned());
        })
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.with(|m| {
            m.remove(key);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_replaces_and_deletes() {
        let s = MemorySecretStore::new();
        assert_eq!(s.get("k").await.unwrap(), None);
        s.set("k", "v1").await.unwrap();
        s.set("k", "v2").await.unwrap();
        assert_eq!(s.get("k").await.unwrap().as_deref(), Some("v2"));
        s.delete("k").await.unwrap();
        s.delete("k").await.unwrap();
        assert_eq!(s.get("k").await.unwrap(), None);
    }
}
