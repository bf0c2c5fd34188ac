//! Web3 Secret Storage v3 keystore files (the encrypted JSON geth, MetaMask,
//! eth-account and every other wallet read and write), through `eth-keystore`.
//!
//! `eth-keystore` reads and writes files; the functions here take and give the
//! JSON itself, going through a private temporary directory that is removed
//! at once. What this module writes is scrypt (n = 2^13, r = 8, p = 1, the
//! crate's parameters) with AES-128-CTR; it reads scrypt and PBKDF2 files of any
//! parameters, as those wallets write them.

use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{CoreError, Result};
use crate::key::Key;

/// The largest keystore file accepted (real ones are under 1 KiB).
pub const MAX_FILE: usize = 64 * 1024;

/// Encrypts `secret` (any bytes) with `password` into a v3 keystore JSON.
pub(crate) fn seal(secret: &[u8], password: &[u8]) -> Result<Value> {
    let dir = tempfile::tempdir()?;
    let name = "keystore.json";
    eth_keystore::encrypt_key(
        dir.path(),
        &mut rand::rngs::OsRng,
        secret,
        password,
        Some(name),
    )
    .map_err(|e| CoreError::InvalidInput(format!("could not encrypt: {e}")))?;
    let text = std::fs::read(dir.path().join(name))?;
    serde_json::from_slice(&text).map_err(|e| CoreError::Protocol(e.to_string()))
}

/// Decrypts a v3 keystore JSON with `password`: the secret it holds.
pub(crate) fn open(json: &str, password: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if json.len() > MAX_FILE {
        return Err(CoreError::InvalidInput(format!(
            "this file is {} KiB; a keystore file is under {} KiB",
            json.len() / 1024,
            MAX_FILE / 1024
        )));
    }
    check(json)?;
    let mut v: Value = serde_json::from_str(json).map_err(|_| {
        CoreError::InvalidInput("this is not a keystore file (it is not JSON)".into())
    })?;
    // geth and web3.js < 1 write "Crypto"; eth-keystore reads only "crypto".
    if let Some(obj) = v.as_object_mut() {
        if !obj.contains_key("crypto") {
            if let Some(c) = obj.remove("Crypto") {
                obj.insert("crypto".into(), c);
            }
        }
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("keystore.json");
    std::fs::write(&path, serde_json::to_vec(&v).unwrap_or_default())?;
    match eth_keystore::decrypt_key(&path, password) {
        Ok(b) => Ok(Zeroizing::new(b)),
        Err(eth_keystore::KeystoreError::MacMismatch) => Err(CoreError::InvalidKey(
            "wrong password for this keystore file".into(),
        )),
        Err(e) => Err(CoreError::InvalidInput(format!(
            "this keystore file could not be read: {e}"
        ))),
    }
}

/// Reads a keystore file the user picked or dropped (at most [`MAX_FILE`] bytes, UTF-8).
pub async fn read_file(path: &std::path::Path) -> Result<String> {
    let meta = tokio::fs::metadata(path).await?;
    if !meta.is_file() || meta.len() > MAX_FILE as u64 {
        return Err(CoreError::InvalidInput(format!(
            "this is not a keystore file (a keystore file is under {} KiB)",
            MAX_FILE / 1024
        )));
    }
    // At most one byte more than allowed, whatever the file grew to since its size was read.
    let mut b = Vec::new();
    {
        use tokio::io::AsyncReadExt;
        tokio::fs::File::open(path)
            .await?
            .take(MAX_FILE as u64 + 1)
            .read_to_end(&mut b)
            .await?;
    }
    if b.len() > MAX_FILE {
        return Err(CoreError::InvalidInput(
            "this is not a keystore file (too big)".into(),
        ));
    }
    let text = String::from_utf8(b)
        .map_err(|_| CoreError::InvalidInput("this is not a keystore file (not text)".into()))?;
    // Only a keystore leaves this function: what the page asks to read is never any other file.
    check(&text)?;
    Ok(text)
}

/// `json` is a v3 keystore document (not yet decrypted): a JSON object with `version` 3 and `crypto`.
pub fn check(json: &str) -> Result<()> {
    let v: Value = serde_json::from_str(json).map_err(|_| {
        CoreError::InvalidInput("this is not a keystore file (it is not JSON)".into())
    })?;
    let crypto = v.get("crypto").or_else(|| v.get("Crypto"));
    match crypto {
        Some(c) if c.is_object() && v.get("version").and_then(Value::as_u64) == Some(3) => {
            check_kdf(c)
        }
        _ => Err(CoreError::InvalidInput(
            "this is not a version 3 keystore file (Web3 Secret Storage)".into(),
        )),
    }
}

/// A hostile file cannot make the key derivation take all memory or hours: the parameters
/// stay within what wallets write (geth's "standard" scrypt is n = 2^18, r = 8, p = 1; the
/// definition's PBKDF2 vector c = 2^18), and the derived key is 32 bytes.
fn check_kdf(crypto: &Value) -> Result<()> {
    let params = crypto.get("kdfparams");
    let num = |k: &str| params.and_then(|p| p.get(k)).and_then(Value::as_u64);
    let ok = match crypto.get("kdf").and_then(Value::as_str) {
        Some("scrypt") => {
            let (n, r, p) = (
                num("n").unwrap_or(0),
                num("r").unwrap_or(0),
                num("p").unwrap_or(0),
            );
            n.is_power_of_two()
                && n <= 1 << 20
                && (1..=16).contains(&r)
                && (1..=16).contains(&p)
                && 128 * r * n <= 1 << 30
        }
        Some("pbkdf2") => num("c").is_some_and(|c| (1..=10_000_000).contains(&c)),
        _ => false,
    };
    if !ok || num("dklen") != Some(32) {
        return Err(CoreError::InvalidInput(
            "this keystore file asks for key derivation settings no wallet writes".into(),
        ));
    }
    Ok(())
}

/// A keystore file for `key`, encrypted with `password`: the JSON text, with
/// the `address` field (lowercase hex, no `0x`) that geth and MetaMask show.
pub fn export(key: &Key, password: &str) -> Result<String> {
    if password.is_empty() {
        return Err(CoreError::InvalidInput(
            "a keystore file needs a password".into(),
        ));
    }
    let mut v = seal(key.to_bytes().as_slice(), password.as_bytes())?;
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "address".into(),
            Value::String(key.address().trim_start_matches("0x").to_owned()),
        );
    }
    serde_json::to_string_pretty(&v).map_err(|e| CoreError::Protocol(e.to_string()))
}

/// The key in a keystore file (`json`), decrypted with `password`.
pub fn import(json: &str, password: &str) -> Result<Key> {
    let b = open(json, password.as_bytes())?;
    Key::from_bytes(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file eth-account 0.x wrote (`Account.encrypt`, its defaults: scrypt n = 2^18, r = 8,
    /// p = 1), password "testpassword". (The definition's own scrypt vector has r = 1, which
    /// RFC 7914 and the scrypt crate refuse for n = 2^18.)
    const SCRYPT_VECTOR: &str = r#"{"address":"008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b","crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"eff430fd6018b45f6467dc62aa47420f"},"ciphertext":"50035560fe1bbf6b03a6b01e2e873f5293fec3fe294caf6c5428fcb4d06193ea","kdf":"scrypt","kdfparams":{"dklen":32,"n":262144,"r":8,"p":1,"salt":"faaece27f5736f3c5a0437587b981aa0"},"mac":"234aeff7b94fb92f05b736ec814cfea64b97e317f11552b7f7f5089d7aeabc32"},"id":"b5105ad4-fff6-47bc-bec8-d9fc5256a8e2","version":3}"#;
    /// The Web3 Secret Storage definition's PBKDF2 test vector (the same key).
    const PBKDF2_VECTOR: &str = r#"{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2","kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}"#;
    const VECTOR_KEY: &str = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

    #[test]
    fn the_definitions_vectors_open() {
        assert_eq!(
            &*import(SCRYPT_VECTOR, "testpassword").unwrap().to_hex(),
            VECTOR_KEY
        );
        assert_eq!(
            &*import(PBKDF2_VECTOR, "testpassword").unwrap().to_hex(),
            VECTOR_KEY
        );
        let geth_case = SCRYPT_VECTOR.replacen("\"crypto\"", "\"Crypto\"", 1);
        assert_eq!(
            &*import(&geth_case, "testpassword").unwrap().to_hex(),
            VECTOR_KEY
        );
    }

    #[test]
    fn an_export_opens_with_its_password_only() {
        let k = Key::generate();
        let json = export(&k, "correct horse").unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["version"], 3);
        assert_eq!(format!("0x{}", v["address"].as_str().unwrap()), k.address());
        assert!(!json.contains(k.to_hex().as_str()));
        assert_eq!(
            import(&json, "correct horse").unwrap().address(),
            k.address()
        );
        let e = import(&json, "wrong").unwrap_err();
        assert!(e.to_string().contains("wrong password"), "{e}");
        assert!(export(&k, "").is_err());
    }

    #[tokio::test]
    async fn a_picked_or_dropped_file_is_read_only_when_it_is_a_keystore() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("UTC--2026-12-03--abcd");
        std::fs::write(&ok, SCRYPT_VECTOR).unwrap();
        assert_eq!(read_file(&ok).await.unwrap(), SCRYPT_VECTOR);
        // Any other file (an SSH key, a JSON config, something big) never comes back.
        let other = dir.path().join("id_ed25519");
        std::fs::write(&other, "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n").unwrap();
        assert!(read_file(&other)
            .await
            .unwrap_err()
            .to_string()
            .contains("not JSON"));
        let config = dir.path().join("settings.json");
        std::fs::write(&config, r#"{"token":"secret"}"#).unwrap();
        assert!(read_file(&config).await.is_err());
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; MAX_FILE + 1]).unwrap();
        assert!(read_file(&big).await.is_err());
        assert!(
            read_file(dir.path()).await.is_err(),
            "a directory is not a file"
        );
    }

    #[test]
    fn what_is_not_a_keystore_says_so() {
        assert!(import("hello", "x")
            .unwrap_err()
            .to_string()
            .contains("not JSON"));
        assert!(import(r#"{"version":1}"#, "x")
            .unwrap_err()
            .to_string()
            .contains("version 3"));
        let big = format!("{{\"pad\":\"{}\"}}", "a".repeat(MAX_FILE));
        assert!(import(&big, "x").unwrap_err().to_string().contains("KiB"));
        // Derivation settings that would take all memory or hours, or a short key: refused at once.
        let v: Value = serde_json::from_str(SCRYPT_VECTOR).unwrap();
        for (path, bad) in [
            ("n", 1u64 << 40),
            ("n", 1000),
            ("r", 1 << 20),
            ("p", 1 << 30),
            ("dklen", 16),
        ] {
            let mut h = v.clone();
            h["crypto"]["kdfparams"][path] = bad.into();
            let e = import(&h.to_string(), "testpassword")
                .unwrap_err()
                .to_string();
            assert!(e.contains("no wallet writes"), "{path}={bad}: {e}");
        }
        let mut h: Value = serde_json::from_str(PBKDF2_VECTOR).unwrap();
        h["crypto"]["kdfparams"]["c"] = (1u64 << 32).into();
        assert!(import(&h.to_string(), "testpassword").is_err());
    }
}
