//! The engine's secret store: the OS keychain, or, where none answers and the
//! user chose it, a sealed file in the data directory.
//!
//! Trusted desktop apps do the same where no Secret Service runs (i3, sway, a
//! bare KDE, a headless session): they say so in plain words and offer a local
//! store sealed with a passphrase the user picks. The sealed file is a Web3
//! Secret Storage v3 document ([`crate::wallet::keystore`]: scrypt, AES-128-CTR
//! and a MAC), whose plaintext is the JSON map of every secret. It exists only
//! once the user chose it; its presence is what selects it at the next start,
//! where it stays locked until the passphrase is given again. Plain text is
//! never written.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use zeroize::Zeroizing;

use super::SecretStore;
use crate::error::{CoreError, Result};
use crate::wallet::{keystore, strength};

/// The sealed file's name in the data directory.
pub const SEALED_FILE: &str = "secrets.sealed.json";

/// Which store holds the secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// The OS keychain (Secret Service, Keychain, Credential Manager).
    Keychain,
    /// The sealed file in the data directory.
    Sealed,
}

/// What the UI needs to know about the secret store.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SecretStoreStatus {
    /// The store in use.
    pub kind: StoreKind,
    /// The sealed file waits for its passphrase.
    pub locked: bool,
    /// Why the keychain does not answer (`None` when it does, or when the sealed file is in use).
    pub keychain_error: Option<String>,
}

/// Every secret by name; the values are wiped from memory when dropped.
#[derive(Clone, Default)]
struct Secrets(BTreeMap<String, String>);

impl Drop for Secrets {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.0.values_mut().for_each(Zeroize::zeroize);
    }
}

enum State {
    Keychain,
    Locked,
    Open {
        passphrase: Zeroizing<String>,
        secrets: Secrets,
    },
}

/// The keychain, or the sealed file. A [`SecretStore`] itself.
pub struct Vault {
    keychain: Arc<dyn SecretStore>,
    path: PathBuf,
    state: tokio::sync::Mutex<State>,
}

/// The weakest passphrase accepted for the sealed file ([`strength::estimate`]'s score).
pub const MIN_SCORE: u8 = strength::MIN_SCORE;

fn sealed_error(e: CoreError) -> CoreError {
    match e {
        CoreError::InvalidKey(_) => CoreError::InvalidKey("wrong passphrase".into()),
        e => e,
    }
}

impl Vault {
    /// The vault of `data_dir`, over `keychain`: the sealed file when one exists there (locked).
    pub fn new(keychain: Arc<dyn SecretStore>, data_dir: PathBuf) -> Vault {
        let path = data_dir.join(SEALED_FILE);
        let state = if path.exists() {
            State::Locked
        } else {
            State::Keychain
        };
        Vault {
            keychain,
            path,
            state: tokio::sync::Mutex::new(state),
        }
    }

    /// The sealed file waits for its passphrase (no keychain probe: cheap enough for start-up).
    pub async fn is_locked(&self) -> bool {
        matches!(*self.state.lock().await, State::Locked)
    }

    /// The store in use; for the keychain, whether it answers (one read of a probe entry).
    pub async fn status(&self) -> SecretStoreStatus {
        let st = self.state.lock().await;
        match &*st {
            State::Keychain => {
                drop(st);
                let keychain_error = self.keychain.get("probe").await.err().map(|e| match e {
                    CoreError::Secrets(m) => m,
                    e => e.to_string(),
                });
                SecretStoreStatus {
                    kind: StoreKind::Keychain,
                    locked: false,
                    keychain_error,
                }
            }
            State::Locked => SecretStoreStatus {
                kind: StoreKind::Sealed,
                locked: true,
                keychain_error: None,
            },
            State::Open { .. } => SecretStoreStatus {
                kind: StoreKind::Sealed,
                locked: false,
                keychain_error: None,
            },
        }
    }

    /// Switches to a new sealed file under `passphrase` (refused while the keychain
    /// answers, or once a sealed file exists, or for a weak passphrase).
    pub async fn create_sealed(&self, passphrase: &str) -> Result<()> {
        let mut st = self.state.lock().await;
        if !matches!(*st, State::Keychain) {
            return Err(CoreError::InvalidInput(
                "the encrypted store on this computer is already set up".into(),
            ));
        }
        if self.keychain.get("probe").await.is_ok() {
            return Err(CoreError::InvalidInput(
                "the keychain answers: your secrets stay in it".into(),
            ));
        }
        strength::require(passphrase, MIN_SCORE, &[], "passphrase")?;
        let passphrase = Zeroizing::new(passphrase.to_owned());
        let secrets = Secrets::default();
        self.write(&passphrase, &secrets).await?;
        *st = State::Open {
            passphrase,
            secrets,
        };
        Ok(())
    }

    /// Opens the sealed file with `passphrase` (wrong: `invalid_key`, and it stays locked).
    pub async fn unlock(&self, passphrase: &str) -> Result<()> {
        let mut st = self.state.lock().await;
        if !matches!(*st, State::Locked) {
            return Ok(());
        }
        let text = tokio::fs::read_to_string(&self.path).await?;
        let pass = Zeroizing::new(passphrase.to_owned());
        let plain = {
            let p = pass.clone();
            tokio::task::spawn_blocking(move || keystore::open(&text, p.as_bytes()))
                .await
                .map_err(|e| CoreError::Secrets(e.to_string()))?
                .map_err(sealed_error)?
        };
        let secrets = Secrets(
            serde_json::from_slice(&plain)
                .map_err(|_| CoreError::Secrets("the encrypted store is damaged".into()))?,
        );
        *st = State::Open {
            passphrase: pass,
            secrets,
        };
        Ok(())
    }

    /// Seals `secrets` into the file (written aside, then renamed over it; mode 0600).
    async fn write(&self, passphrase: &Zeroizing<String>, secrets: &Secrets) -> Result<()> {
        let plain = Zeroizing::new(
            serde_json::to_vec(&secrets.0).map_err(|e| CoreError::Protocol(e.to_string()))?,
        );
        let p = passphrase.clone();
        let sealed = tokio::task::spawn_blocking(move || keystore::seal(&plain, p.as_bytes()))
            .await
            .map_err(|e| CoreError::Secrets(e.to_string()))??;
        let dir = self
            .path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        tokio::fs::create_dir_all(&dir).await?;
        let bytes =
            serde_json::to_vec_pretty(&sealed).map_err(|e| CoreError::Protocol(e.to_string()))?;
        let path = self.path.clone();
        // A new temporary file beside it (0600, a name of its own), synced, renamed over the old
        // one, the directory synced: a crash leaves the old file or the new one, never half.
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
            tmp.write_all(&bytes)?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(|e| CoreError::Secrets(e.to_string()))??;
        Ok(())
    }
}

/// Writes `bytes` to a file only its owner can read (a secret, even encrypted): a new one
/// (never through an existing file or link), unless `overwrite`.
pub(crate) async fn write_private(
    path: &std::path::Path,
    bytes: &[u8],
    overwrite: bool,
) -> Result<()> {
    let mut o = tokio::fs::OpenOptions::new();
    o.write(true);
    if overwrite {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    #[cfg(unix)]
    o.mode(0o600);
    use tokio::io::AsyncWriteExt;
    let mut f = o.open(path).await?;
    f.write_all(bytes).await?;
    f.sync_all().await?;
    Ok(())
}

fn locked() -> CoreError {
    CoreError::Locked
}

#[async_trait]
impl SecretStore for Vault {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        let st = self.state.lock().await;
        match &*st {
            State::Keychain => {
                drop(st);
                self.keychain.get(key).await
            }
            State::Locked => Err(locked()),
            State::Open { secrets, .. } => Ok(secrets.0.get(key).cloned()),
        }
    }

    async fn set(&self, key: &str, value: &str) -> Result<()> {
        let mut st = self.state.lock().await;
        match &mut *st {
            State::Keychain => {
                drop(st);
                self.keychain.set(key, value).await
            }
            State::Locked => Err(locked()),
            State::Open {
                passphrase,
                secrets,
            } => {
                let mut next = secrets.clone();
                next.0.insert(key.into(), value.into());
                self.write(passphrase, &next).await?;
                *secrets = next;
                Ok(())
            }
        }
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let mut st = self.state.lock().await;
        match &mut *st {
            State::Keychain => {
                drop(st);
                self.keychain.delete(key).await
            }
            State::Locked => Err(locked()),
            State::Open {
                passphrase,
                secrets,
            } => {
                if !secrets.0.contains_key(key) {
                    return Ok(());
                }
                let mut next = secrets.clone();
                next.0.remove(key);
                self.write(passphrase, &next).await?;
                *secrets = next;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keychain that never answers, like the Secret Service on a bare session bus.
    struct NoKeychain;
    #[async_trait]
    impl SecretStore for NoKeychain {
        async fn get(&self, _: &str) -> Result<Option<String>> {
            Err(CoreError::Secrets(
                "no secret service provider or dbus session found".into(),
            ))
        }
        async fn set(&self, _: &str, _: &str) -> Result<()> {
            Err(CoreError::Secrets(
                "no secret service provider or dbus session found".into(),
            ))
        }
        async fn delete(&self, _: &str) -> Result<()> {
            Err(CoreError::Secrets(
                "no secret service provider or dbus session found".into(),
            ))
        }
    }

    const PASS: &str = "plum-orbit-cactus-97";

    #[tokio::test]
    async fn without_a_keychain_the_sealed_file_keeps_secrets_encrypted_and_locked_at_restart() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::new(Arc::new(NoKeychain), dir.path().into());
        let st = v.status().await;
        assert_eq!(st.kind, StoreKind::Keychain);
        assert!(st.keychain_error.unwrap().contains("no secret service"));
        assert!(matches!(
            v.set("key:a", "x").await,
            Err(CoreError::Secrets(_))
        ));
        assert!(
            v.create_sealed("password").await.is_err(),
            "a weak passphrase is refused"
        );
        assert!(!dir.path().join(SEALED_FILE).exists());
        v.create_sealed(PASS).await.unwrap();
        v.set("key:a", "cafebabe-secret").await.unwrap();
        assert_eq!(
            v.get("key:a").await.unwrap().as_deref(),
            Some("cafebabe-secret")
        );
        let raw = std::fs::read_to_string(dir.path().join(SEALED_FILE)).unwrap();
        assert!(
            !raw.contains("cafebabe") && !raw.contains("key:a"),
            "never plain text"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SEALED_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // The next start: locked until the passphrase; a wrong one changes nothing.
        let v = Vault::new(Arc::new(NoKeychain), dir.path().into());
        assert_eq!(
            v.status().await,
            SecretStoreStatus {
                kind: StoreKind::Sealed,
                locked: true,
                keychain_error: None
            }
        );
        assert!(matches!(v.get("key:a").await, Err(CoreError::Locked)));
        let e = v.unlock("wrong passphrase!").await.unwrap_err();
        assert_eq!(e.code(), "invalid_key");
        assert!(v.status().await.locked);
        v.unlock(PASS).await.unwrap();
        assert_eq!(
            v.get("key:a").await.unwrap().as_deref(),
            Some("cafebabe-secret")
        );
        v.delete("key:a").await.unwrap();
        assert_eq!(v.get("key:a").await.unwrap(), None);
        assert!(v.create_sealed(PASS).await.is_err(), "set up once");
    }

    #[tokio::test]
    async fn while_the_keychain_answers_it_is_used_and_no_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let kc = Arc::new(crate::secrets::FileSecretStore::new(
            dir.path().join("kc.json"),
        ));
        let v = Vault::new(kc, dir.path().into());
        assert_eq!(v.status().await.keychain_error, None);
        v.set("k", "v").await.unwrap();
        assert_eq!(v.get("k").await.unwrap().as_deref(), Some("v"));
        assert!(v.create_sealed(PASS).await.is_err());
        assert!(!dir.path().join(SEALED_FILE).exists());
    }
}
