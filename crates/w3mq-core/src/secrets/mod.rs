//! Where the signing key and the access token live: the OS keychain.
//!
//! [`KeyringStore`] is the real one (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows). Where no keychain answers (a minimal
//! desktop, a headless session), the user can choose the [`vault`]'s sealed
//! file instead: the secrets encrypted with a passphrase, never plain text.
//! `FileSecretStore` is the keychain's file-backed twin for tests only, behind
//! the `test-support` feature.

pub mod vault;

use async_trait::async_trait;

use crate::error::{CoreError, Result};

/// A small secret store keyed by name.
#[async_trait]
pub trait SecretStore: Send + Sync + 'static {
    /// The secret stored under `key`.
    async fn get(&self, key: &str) -> Result<Option<String>>;
    /// Stores `value` under `key`.
    async fn set(&self, key: &str, value: &str) -> Result<()>;
    /// Removes `key` (absent is fine).
    async fn delete(&self, key: &str) -> Result<()>;
}

/// The OS keychain through `keyring-core` (Secret Service over zbus on Linux).
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// Entries of `service` (e.g. `w3mq-desktop`).
    pub fn new(service: &str) -> Self {
        KeyringStore {
            service: service.into(),
        }
    }

    async fn with_entry<T: Send + 'static>(
        &self,
        key: &str,
        f: impl FnOnce(keyring_core::Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        let service = self.service.clone();
        let key = key.to_owned();
        tokio::task::spawn_blocking(move || {
            default_store()?;
            let e = keyring_core::Entry::new(&service, &key)
                .map_err(|e| CoreError::Secrets(e.to_string()))?;
            f(e).map_err(|e| CoreError::Secrets(e.to_string()))
        })
        .await
        .map_err(|e| CoreError::Secrets(e.to_string()))?
    }
}

/// Sets keyring-core's process-wide store once: the platform's keychain. A failure
/// (no Secret Service on the session bus) is kept and reported on every use.
fn default_store() -> Result<()> {
    static STORE: std::sync::OnceLock<std::result::Result<(), String>> = std::sync::OnceLock::new();
    STORE
        .get_or_init(|| {
            let store =
                zbus_secret_service_keyring_store::Store::new().map_err(|e| e.to_string())?;
            keyring_core::set_default_store(store);
            Ok(())
        })
        .clone()
        .map_err(CoreError::Secrets)
}

#[async_trait]
impl SecretStore for KeyringStore {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        self.with_entry(key, |e| match e.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    async fn set(&self, key: &str, value: &str) -> Result<()> {
        let v = zeroize::Zeroizing::new(value.to_owned());
        self.with_entry(key, move |e| e.set_password(&v)).await
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.with_entry(key, |e| match e.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
        .await
    }
}

#[cfg(feature = "test-support")]
pub use file::FileSecretStore;

#[cfg(feature = "test-support")]
mod file {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use async_trait::async_trait;

    use super::SecretStore;
    use crate::error::Result;

    /// A JSON file standing in for the keychain. Tests only.
    pub struct FileSecretStore {
        path: PathBuf,
        lock: tokio::sync::Mutex<()>,
    }

    impl FileSecretStore {
        /// Secrets in `path`.
        pub fn new(path: impl Into<PathBuf>) -> Self {
            FileSecretStore {
                path: path.into(),
                lock: tokio::sync::Mutex::new(()),
            }
        }

        async fn load(&self) -> Result<BTreeMap<String, String>> {
            match tokio::fs::read(&self.path).await {
                Ok(b) => Ok(serde_json::from_slice(&b).unwrap_or_default()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
                Err(e) => Err(e.into()),
            }
        }

        async fn save(&self, m: &BTreeMap<String, String>) -> Result<()> {
            let tmp = self.path.with_extension("tmp");
            tokio::fs::write(&tmp, serde_json::to_vec(m).unwrap_or_default()).await?;
            tokio::fs::rename(&tmp, &self.path).await?;
            Ok(())
        }
    }

    #[async_trait]
    impl SecretStore for FileSecretStore {
        async fn get(&self, key: &str) -> Result<Option<String>> {
            let _g = self.lock.lock().await;
            Ok(self.load().await?.get(key).cloned())
        }
        async fn set(&self, key: &str, value: &str) -> Result<()> {
            let _g = self.lock.lock().await;
            let mut m = self.load().await?;
            m.insert(key.into(), value.into());
            self.save(&m).await
        }
        async fn delete(&self, key: &str) -> Result<()> {
            let _g = self.lock.lock().await;
            let mut m = self.load().await?;
            m.remove(key);
            self.save(&m).await
        }
    }
}
