//! Accounts that cannot be lost (issue 12): the recovery phrase an account is
//! created with ([`phrase`]), the encrypted keystore files it is exported to and
//! imported from ([`keystore`]), and how strong a password is ([`strength`]).
//!
//! Nothing here is hand-rolled cryptography: BIP-39 and BIP-32 are
//! `coins-bip39` / `coins-bip32` (what alloy's local signer uses), Web3 Secret
//! Storage v3 is `eth-keystore`, the strength estimate is `zxcvbn`. Every secret
//! this module hands out is zeroized when dropped.

pub mod keystore;
pub mod phrase;
pub mod strength;

pub use phrase::RecoveryPhrase;

/// What the user types to sign out of an account that was never backed up.
pub const SIGN_OUT_CONFIRMATION: &str = "delete my key";
