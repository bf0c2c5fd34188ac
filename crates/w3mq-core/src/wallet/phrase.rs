//! BIP-39 recovery phrases and the Ethereum key they open.
//!
//! An account the app creates is 12 English words (128 bits of entropy); its key
//! is derived on the standard Ethereum path `m/44'/60'/0'/0/0` without a BIP-39
//! passphrase, so the same words open the same address in MetaMask and any
//! other wallet.

use coins_bip39::{English, Mnemonic, Wordlist};
use zeroize::Zeroizing;

use crate::error::{CoreError, Result};
use crate::key::Key;

/// The first account of the standard Ethereum derivation (BIP-44, coin 60).
pub const ETHEREUM_PATH: &str = "m/44'/60'/0'/0/0";

/// How many words a phrase the app creates has.
pub const WORDS: usize = 12;

/// A valid BIP-39 phrase (normalized: lowercase words, one space apart).
/// Zeroized when dropped; never logged (its `Debug` shows the word count).
#[derive(Clone)]
pub struct RecoveryPhrase(Zeroizing<String>);

impl std::fmt::Debug for RecoveryPhrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryPhrase({} words)", self.words().len())
    }
}

impl RecoveryPhrase {
    /// A new random phrase of [`WORDS`] words.
    pub fn generate() -> RecoveryPhrase {
        let m = Mnemonic::<English>::new_with_count(&mut rand::rngs::OsRng, WORDS)
            .expect("12 is a valid BIP-39 word count");
        RecoveryPhrase(Zeroizing::new(m.to_phrase()))
    }

    /// Parses a phrase as people type or paste it: any case, any whitespace
    /// between the words. 12, 15, 18, 21 or 24 English words with a valid checksum.
    pub fn parse(text: &str) -> Result<RecoveryPhrase> {
        let normalized = Zeroizing::new(
            text.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" "),
        );
        let n = normalized.split(' ').filter(|w| !w.is_empty()).count();
        if ![12, 15, 18, 21, 24].contains(&n) {
            return Err(CoreError::InvalidKey(format!(
                "a recovery phrase has 12, 15, 18, 21 or 24 words; this one has {n}"
            )));
        }
        if let Some(i) = normalized
            .split(' ')
            .position(|w| English::get_index(w).is_err())
        {
            // The position, not the word: an error may reach a log, a phrase must not.
            return Err(CoreError::InvalidKey(format!(
                "word #{} is not a word of the BIP-39 English list (check its spelling)",
                i + 1
            )));
        }
        Mnemonic::<English>::new_from_phrase(&normalized).map_err(|_| {
            CoreError::InvalidKey(
                "these words do not form a valid recovery phrase (check their order and spelling)"
                    .into(),
            )
        })?;
        Ok(RecoveryPhrase(normalized))
    }

    /// The phrase, words one space apart.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The words, in order.
    pub fn words(&self) -> Vec<&str> {
        self.0.split(' ').collect()
    }

    /// The key on [`ETHEREUM_PATH`].
    pub fn key(&self) -> Result<Key> {
        let m = Mnemonic::<English>::new_from_phrase(&self.0)
            .map_err(|e| CoreError::InvalidKey(e.to_string()))?;
        let xpriv = m
            .derive_key(ETHEREUM_PATH, None)
            .map_err(|e| CoreError::InvalidKey(e.to_string()))?;
        let sk: &coins_bip32::ecdsa::SigningKey = xpriv.as_ref();
        let bytes = Zeroizing::new(sk.to_bytes());
        Key::from_bytes(&bytes)
    }

    /// Whether `answers` are the words at `positions` (1-based), ignoring case
    /// and surrounding spaces: the backup check after the phrase was shown.
    pub fn check_words(&self, positions: &[usize], answers: &[String]) -> bool {
        let words = self.words();
        positions.len() == answers.len()
            && !positions.is_empty()
            && positions.iter().zip(answers).all(|(p, a)| {
                p.checked_sub(1)
                    .and_then(|i| words.get(i))
                    .is_some_and(|w| a.trim().eq_ignore_ascii_case(w))
            })
    }
}

/// A phrase on screen that the user has not confirmed yet.
pub(crate) struct Shown {
    /// The phrase.
    pub phrase: RecoveryPhrase,
    /// The positions asked back.
    pub quiz: Vec<usize>,
    /// `None`: an account being created; else the signed-in account's address.
    pub account: Option<String>,
}

/// Three distinct positions (1-based, ascending) of a phrase of `len` words to ask back.
pub fn quiz_positions(len: usize) -> Vec<usize> {
    use rand::seq::index::sample;
    let mut v: Vec<usize> = sample(&mut rand::rngs::OsRng, len, 3.min(len))
        .into_iter()
        .map(|i| i + 1)
        .collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The BIP-39 test phrase every wallet knows, and the first address MetaMask
    /// (and `cast wallet address --mnemonic`, eth-account) shows for it.
    const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn the_standard_vectors_open_the_addresses_metamask_shows() {
        let p = RecoveryPhrase::parse(ABANDON).unwrap();
        assert_eq!(
            p.key().unwrap().address(),
            "0x9858effd232b4033e47d90003d41ec34ecaeda94"
        );
        // Hardhat's and Anvil's default phrase: account #0.
        let p =
            RecoveryPhrase::parse("test test test test test test test test test test test junk")
                .unwrap();
        assert_eq!(
            p.key().unwrap().address(),
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        );
    }

    #[test]
    fn pasted_phrases_are_normalized_and_bad_ones_say_why() {
        let messy = format!("  {}\n", ABANDON.to_uppercase().replace(' ', " \t "));
        assert_eq!(RecoveryPhrase::parse(&messy).unwrap().as_str(), ABANDON);
        let e = RecoveryPhrase::parse("abandon abandon")
            .unwrap_err()
            .to_string();
        assert!(e.contains("has 2"), "{e}");
        let e = RecoveryPhrase::parse(&ABANDON.replace("about", "abouts"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("word #12") && !e.contains("abouts"), "{e}");
        let e = RecoveryPhrase::parse(&ABANDON.replace("about", "abandon"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not form a valid"), "{e}");
    }

    #[test]
    fn a_new_phrase_has_twelve_words_and_a_key_of_its_own() {
        let a = RecoveryPhrase::generate();
        let b = RecoveryPhrase::generate();
        assert_eq!(a.words().len(), 12);
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(
            RecoveryPhrase::parse(a.as_str())
                .unwrap()
                .key()
                .unwrap()
                .address(),
            a.key().unwrap().address()
        );
        assert!(
            !format!("{a:?}").contains(a.words()[0]),
            "Debug never shows the words"
        );
    }

    #[test]
    fn the_backup_check_wants_exactly_the_asked_words() {
        let p = RecoveryPhrase::parse(ABANDON).unwrap();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(p.check_words(&[1, 12], &s(&["Abandon ", "about"])));
        assert!(!p.check_words(&[1, 12], &s(&["abandon", "abandon"])));
        assert!(!p.check_words(&[1, 12], &s(&["abandon"])));
        assert!(!p.check_words(&[0, 13], &s(&["abandon", "about"])));
        assert!(!p.check_words(&[], &[]));
        let q = quiz_positions(12);
        assert_eq!(q.len(), 3);
        assert!(q.windows(2).all(|w| w[0] < w[1]) && q.iter().all(|&i| (1..=12).contains(&i)));
    }
}
