//! Ethereum keys: create, import, address, EIP-191 signatures.

use k256::ecdsa::SigningKey;
use sha3::{Digest, Keccak256};
use zeroize::Zeroizing;

use crate::error::{CoreError, Result};

/// A secp256k1 private key.
#[derive(Clone)]
pub struct Key(SigningKey);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.address())
    }
}

impl Key {
    /// A new random key.
    pub fn generate() -> Key {
        Key(SigningKey::random(&mut rand::rngs::OsRng))
    }

    /// Imports a hex private key (64 hex digits, with or without `0x`).
    pub fn import(hex_key: &str) -> Result<Key> {
        let h = hex_key.trim();
        let h = h
            .strip_prefix("0x")
            .or_else(|| h.strip_prefix("0X"))
            .unwrap_or(h);
        let mut b = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(h, b.as_mut_slice())
            .map_err(|_| CoreError::InvalidKey("expected 64 hex digits".into()))?;
        SigningKey::from_slice(b.as_slice())
            .map(Key)
            .map_err(|_| CoreError::InvalidKey("not a valid secp256k1 key".into()))
    }

    /// A key from its 32 bytes (a derived or decrypted key).
    pub fn from_bytes(b: &[u8]) -> Result<Key> {
        SigningKey::from_slice(b)
            .map(Key)
            .map_err(|_| CoreError::InvalidKey("not a valid secp256k1 key".into()))
    }

    /// The private key's 32 bytes (zeroized when dropped; never log them).
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes().into())
    }

    /// The private key as 64 hex digits (for the keychain; never log it).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.to_bytes()))
    }

    /// The lowercase `0x` address.
    pub fn address(&self) -> String {
        let h = Keccak256::digest(&self.0.verifying_key().to_encoded_point(false).as_bytes()[1..]);
        format!("0x{}", hex::encode(&h[12..]))
    }

    /// EIP-191 `personal_sign` of `msg`: `0x` + r, s, v (27/28).
    pub fn personal_sign(&self, msg: &[u8]) -> Result<String> {
        let (sig, rid) = self
            .0
            .sign_prehash_recoverable(&w3mq_protocol::login::eip191_hash(msg))
            .map_err(|e| CoreError::InvalidKey(e.to_string()))?;
        let mut b = sig.to_bytes().to_vec();
        b.push(rid.to_byte() + 27);
        Ok(format!("0x{}", hex::encode(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_round_trips_and_knows_its_address() {
        // The well-known Hardhat account #0.
        let k = Key::import("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
            .unwrap();
        assert_eq!(k.address(), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assert_eq!(Key::import(&k.to_hex()).unwrap().address(), k.address());
        assert!(Key::import("0x12").is_err());
        assert!(Key::import(&"0".repeat(64)).is_err(), "zero is not a key");
        assert_ne!(Key::generate().address(), Key::generate().address());
    }
}
