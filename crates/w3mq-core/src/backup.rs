//! Accounts that cannot be lost: create with a recovery phrase the user
//! confirms, restore from a phrase, a private key or a keystore file, export
//! either at any time, and a sign-out that refuses to delete a key nobody has
//! a copy of (issue 12).
//!
//! The phrase and the key are read from the vault only here, held in
//! zeroizing buffers, and never logged.

use std::path::Path;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::engine::{key_entry, phrase_entry, AccountInfo, Engine};
use crate::env::Environment;
use crate::error::{CoreError, Result};
use crate::key::Key;
use crate::secrets::vault::SecretStoreStatus;
use crate::wallet::phrase::Shown;
use crate::wallet::{keystore, phrase, strength, RecoveryPhrase};

pub use crate::wallet::SIGN_OUT_CONFIRMATION;

/// The weakest password accepted for a keystore export ([`strength::estimate`]'s score):
/// eth-keystore writes scrypt with n = 2^13 only, so the password carries the strength.
pub const MIN_EXPORT_SCORE: u8 = strength::MIN_SCORE;

/// A recovery phrase to show, and the words to ask back.
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PhraseBackup {
    /// The address the phrase opens.
    pub address: String,
    /// The words, in order.
    pub words: Vec<String>,
    /// The positions (1-based) the user is asked to type back.
    pub quiz: Vec<u32>,
}

impl std::fmt::Debug for PhraseBackup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PhraseBackup({}, {} words)",
            self.address,
            self.words.len()
        )
    }
}

impl Drop for PhraseBackup {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.words.zeroize();
    }
}

/// What restores an account.
#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Restore {
    /// A BIP-39 recovery phrase (12 to 24 words).
    Phrase {
        /// The words.
        phrase: String,
    },
    /// A raw private key (64 hex digits, `0x` optional).
    PrivateKey {
        /// The key.
        private_key: String,
    },
    /// A Web3 Secret Storage v3 keystore file's text and its password.
    Keystore {
        /// The file's JSON.
        json: String,
        /// Its password.
        password: String,
    },
}

impl std::fmt::Debug for Restore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Restore::Phrase { .. } => "phrase",
            Restore::PrivateKey { .. } => "private key",
            Restore::Keystore { .. } => "keystore",
        };
        write!(f, "Restore({kind})")
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        match self {
            Restore::Phrase { phrase } => phrase.zeroize(),
            Restore::PrivateKey { private_key } => private_key.zeroize(),
            Restore::Keystore { password, .. } => password.zeroize(),
        }
    }
}

/// The signed-in account's backup state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupState {
    /// A copy of the key exists outside the app.
    pub backed_up: bool,
    /// The account has a recovery phrase to show.
    pub has_phrase: bool,
}

impl From<&AccountInfo> for BackupState {
    fn from(a: &AccountInfo) -> Self {
        BackupState {
            backed_up: a.backed_up,
            has_phrase: a.has_phrase,
        }
    }
}

fn backup_of(p: &RecoveryPhrase, quiz: &[usize]) -> Result<PhraseBackup> {
    Ok(PhraseBackup {
        address: p.key()?.address(),
        words: p.words().into_iter().map(str::to_owned).collect(),
        quiz: quiz.iter().map(|&i| i as u32).collect(),
    })
}

fn wrong_words(quiz: &[usize]) -> CoreError {
    let list: Vec<String> = quiz.iter().map(|i| format!("#{i}")).collect();
    CoreError::InvalidInput(format!(
        "those are not words {} of your recovery phrase: look at your copy again",
        list.join(", ")
    ))
}

impl Engine {
    /// A new account's recovery phrase, to show before signing in; nothing is
    /// stored until [`Engine::sign_in_new`]. A second call replaces the first.
    pub async fn new_account(&self) -> Result<PhraseBackup> {
        let phrase = RecoveryPhrase::generate();
        let quiz = phrase::quiz_positions(phrase.words().len());
        let b = backup_of(&phrase, &quiz)?;
        *self.inner.pending.lock().await = Some(Shown {
            phrase,
            quiz,
            account: None,
        });
        Ok(b)
    }

    /// Signs in with the account [`Engine::new_account`] made. With `answers`
    /// (the words at its quiz positions) it counts as backed up once they
    /// match; without ("later"), it signs in not backed up, and the app keeps
    /// reminding. Wrong answers change nothing.
    pub async fn sign_in_new(
        &self,
        env: Environment,
        answers: Option<Vec<String>>,
    ) -> Result<AccountInfo> {
        let mut pending = self.inner.pending.lock().await;
        let p = match pending.as_ref() {
            Some(p) if p.account.is_none() => p,
            _ => return Err(CoreError::NotFound("new account")),
        };
        if let Some(a) = &answers {
            if !p.phrase.check_words(&p.quiz, a) {
                return Err(wrong_words(&p.quiz));
            }
        }
        let phrase = p.phrase.clone();
        let info = self
            .sign_in_with(env, phrase.key()?, Some(&phrase), answers.is_some())
            .await?;
        *pending = None;
        Ok(info)
    }

    /// Signs in with an existing account: its phrase, private key or keystore file.
    pub async fn restore(&self, env: Environment, r: Restore) -> Result<AccountInfo> {
        match &r {
            Restore::Phrase { phrase } => {
                let p = RecoveryPhrase::parse(phrase)?;
                self.sign_in_with(env, p.key()?, Some(&p), true).await
            }
            Restore::PrivateKey { private_key } => {
                self.sign_in_with(env, Key::import(private_key)?, None, true)
                    .await
            }
            Restore::Keystore { json, password } => {
                let (json, password) = (json.clone(), Zeroizing::new(password.clone()));
                let key = tokio::task::spawn_blocking(move || keystore::import(&json, &password))
                    .await
                    .map_err(|e| CoreError::InvalidInput(e.to_string()))??;
                self.sign_in_with(env, key, None, true).await
            }
        }
    }

    /// The signed-in account's wallet address.
    pub async fn address(&self) -> Result<String> {
        Ok(self.active().await?.address.clone())
    }

    /// The signed-in account's backup state.
    pub async fn backup_state(&self) -> Result<BackupState> {
        let a = self.active().await?;
        let list = self.load_accounts().await;
        list.accounts
            .iter()
            .find(|i| i.address == a.address)
            .map(BackupState::from)
            .ok_or(CoreError::NotSignedIn)
    }

    /// The signed-in account's recovery phrase, to show after the user
    /// re-confirmed, with words to ask back ([`Engine::confirm_backup`]).
    pub async fn reveal_phrase(&self) -> Result<PhraseBackup> {
        let a = self.active().await?;
        let words = self
            .secret(&phrase_entry(&a.address), "recovery phrase")
            .await?;
        let phrase = RecoveryPhrase::parse(&words)?;
        let quiz = phrase::quiz_positions(phrase.words().len());
        let b = backup_of(&phrase, &quiz)?;
        *self.inner.pending.lock().await = Some(Shown {
            phrase,
            quiz,
            account: Some(a.address.clone()),
        });
        Ok(b)
    }

    /// Marks the signed-in account backed up once `answers` are the words
    /// [`Engine::reveal_phrase`] asked for.
    pub async fn confirm_backup(&self, answers: Vec<String>) -> Result<BackupState> {
        let a = self.active().await?;
        let mut pending = self.inner.pending.lock().await;
        let p = match pending.as_ref() {
            Some(p) if p.account.as_deref() == Some(a.address.as_str()) => p,
            _ => return Err(CoreError::NotFound("recovery phrase to confirm")),
        };
        if !p.phrase.check_words(&p.quiz, &answers) {
            return Err(wrong_words(&p.quiz));
        }
        *pending = None;
        drop(pending);
        self.mark_backed_up(&a.address).await
    }

    /// Writes the signed-in account's key to `path` as a keystore file
    /// encrypted with `password` (refused below [`MIN_EXPORT_SCORE`]); the
    /// account then counts as backed up. Without `overwrite` (a path the user
    /// did not pick in a save dialog), the file must be new and end in `.json`.
    pub async fn export_keystore(
        &self,
        path: &Path,
        password: &str,
        overwrite: bool,
    ) -> Result<BackupState> {
        if !overwrite && (path.extension().is_none_or(|e| e != "json") || path.exists()) {
            return Err(CoreError::InvalidInput(
                "a keystore file is saved as a new .json file".into(),
            ));
        }
        let a = self.active().await?;
        strength::require(password, MIN_EXPORT_SCORE, &[&a.address], "password")?;
        let hex = self.secret(&key_entry(&a.address), "key").await?;
        let key = Key::import(&hex)?;
        let password = Zeroizing::new(password.to_owned());
        let json = tokio::task::spawn_blocking(move || keystore::export(&key, &password))
            .await
            .map_err(|e| CoreError::InvalidInput(e.to_string()))??;
        crate::secrets::vault::write_private(path, json.as_bytes(), overwrite).await?;
        self.mark_backed_up(&a.address).await
    }

    /// A secret of the vault (`what` names it in the error when it is missing).
    async fn secret(&self, entry: &str, what: &'static str) -> Result<Zeroizing<String>> {
        let v = self.inner.cfg.secrets.get(entry).await?;
        v.map(Zeroizing::new).ok_or(CoreError::NotFound(what))
    }

    async fn mark_backed_up(&self, address: &str) -> Result<BackupState> {
        let _one_at_a_time = self.inner.lifecycle.lock().await;
        let mut list = self.load_accounts().await;
        let a = list
            .accounts
            .iter_mut()
            .find(|i| i.address == address)
            .ok_or(CoreError::NotSignedIn)?;
        a.backed_up = true;
        let st = BackupState::from(&*a);
        self.save_accounts(&list).await?;
        Ok(st)
    }

    /// The secret store in use, and whether the keychain answers.
    pub async fn secret_store(&self) -> SecretStoreStatus {
        self.inner.vault.status().await
    }

    /// The sealed store waits for its passphrase.
    pub async fn secrets_locked(&self) -> bool {
        self.inner.vault.is_locked().await
    }

    /// Keeps secrets in a file sealed with `passphrase`, where no keychain answers. Refused
    /// while this install lists accounts: their secrets are in the keychain, and switching
    /// would hide them.
    pub async fn use_sealed_store(&self, passphrase: &str) -> Result<()> {
        if !self.load_accounts().await.accounts.is_empty() {
            return Err(CoreError::InvalidInput(
                "accounts on this computer keep their keys in the keychain: sign them out first"
                    .into(),
            ));
        }
        self.inner.vault.create_sealed(passphrase).await
    }

    /// Opens the sealed store; the signed-in account's session then connects.
    pub async fn unlock_secrets(&self, passphrase: &str) -> Result<()> {
        self.inner.vault.unlock(passphrase).await?;
        self.wake(false).await;
        Ok(())
    }
}
