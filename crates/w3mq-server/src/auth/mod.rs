//! Sign-in: single-use login secrets, SIWE (EIP-4361) and EIP-191 signature
//! checks, and the JWT access tokens.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dashmap::DashMap;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};
use thiserror::Error;
use w3mq_protocol::login::eip191_hash;

/// How long a login secret lives.
pub const SECRET_TTL: Duration = Duration::from_secs(5 * 60);
/// How long an access token is accepted.
pub const ACCESS_TTL_SECS: u64 = 7 * 24 * 3600;
/// How long a token may still be exchanged at `/refresh`.
pub const REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;

/// Why a sign-in or a token was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    /// No live secret was issued to this address, or it was used.
    #[error("login secret is unknown, used or expired")]
    BadSecret,
    /// The signature is malformed or does not recover the address.
    #[error("signature does not match the wallet address")]
    BadSignature,
    /// The SIWE text does not parse or does not fit the request.
    #[error("sign-in message is invalid: {0}")]
    BadMessage(String),
    /// The SIWE text has expired or is not yet valid.
    #[error("sign-in message has expired")]
    Expired,
    /// The token is missing, malformed, forged or expired.
    #[error("access token is invalid or expired")]
    BadToken,
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The user id (as the 2022 tokens carried it).
    pub user_id: String,
    /// Issued at, seconds.
    pub iat: u64,
    /// Expiry, seconds.
    pub exp: u64,
    /// Same as `exp`.
    pub access_expired_at: u64,
    /// Until when `/refresh` accepts this token, seconds.
    pub refresh_expired_at: u64,
}

/// Issues and checks secrets and tokens.
pub struct Auth {
    enc: EncodingKey,
    dec: DecodingKey,
    secrets: DashMap<String, (String, Instant)>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Auth {
    /// Loads the signing key from `dir/jwt.key`, generating it on first start.
    pub fn open(dir: &Path) -> std::io::Result<Auth> {
        let path = dir.join("jwt.key");
        let key = match std::fs::read(&path) {
            Ok(k) if k.len() >= 32 => k,
            _ => {
                let mut k = vec![0u8; 64];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut k);
                write_private(&path, &k)?;
                k
            }
        };
        Ok(Auth {
            enc: EncodingKey::from_secret(&key),
            dec: DecodingKey::from_secret(&key),
            secrets: DashMap::new(),
        })
    }

    /// A fresh single-use secret for `wallet` (lowercased), replacing any earlier one.
    pub fn issue_secret(&self, wallet: &str) -> String {
        let s = hex::encode(rand::random::<[u8; 16]>());
        let now = Instant::now();
        self.secrets
            .retain(|_, (_, at)| now.duration_since(*at) < SECRET_TTL);
        self.secrets
            .insert(wallet.to_ascii_lowercase(), (s.clone(), now));
        s
    }

    /// Consumes the secret of `wallet` if it is `secret` and still live.
    pub fn take_secret(&self, wallet: &str, secret: &str) -> Result<(), AuthError> {
        let key = wallet.to_ascii_lowercase();
        match self.secrets.remove(&key) {
            Some((_, (s, at))) if s == secret && at.elapsed() < SECRET_TTL => Ok(()),
            _ => Err(AuthError::BadSecret),
        }
    }

    /// Checks a login: the secret, then either the SIWE `message` (its
    /// address, nonce and validity window, and its signature) or, for stock
    /// 2022 clients without a message, the signature of the secret itself.
    pub fn verify_login(
        &self,
        wallet: &str,
        secret: &str,
        signature: &str,
        message: Option<&str>,
    ) -> Result<(), AuthError> {
        let wallet_bytes = parse_address(wallet).ok_or(AuthError::BadSignature)?;
        self.take_secret(wallet, secret)?;
        let signed: &[u8] = match message {
            Some(text) => {
                let m = siwe::Message::from_str(text)
                    .map_err(|e| AuthError::BadMessage(e.to_string()))?;
                if m.address != wallet_bytes {
                    return Err(AuthError::BadMessage(
                        "address differs from wallet_address".into(),
                    ));
                }
                if m.nonce != secret {
                    return Err(AuthError::BadMessage(
                        "nonce is not the login secret".into(),
                    ));
                }
                if !m.valid_now() {
                    return Err(AuthError::Expired);
                }
                text.as_bytes()
            }
            None => secret.as_bytes(),
        };
        let signer = recover_signer(&eip191_hash(signed), signature)?;
        if signer != wallet_bytes {
            return Err(AuthError::BadSignature);
        }
        Ok(())
    }

    /// A new access token for `user_id`.
    pub fn issue_token(&self, user_id: &str) -> String {
        let now = now_secs();
        let claims = Claims {
            sub: user_id.into(),
            user_id: user_id.into(),
            iat: now,
            exp: now + ACCESS_TTL_SECS,
            access_expired_at: now + ACCESS_TTL_SECS,
            refresh_expired_at: now + REFRESH_TTL_SECS,
        };
        // HS256 encoding of plain claims cannot fail.
        jsonwebtoken::encode(&Header::default(), &claims, &self.enc).unwrap_or_default()
    }

    /// The claims of a live access token.
    pub fn check_token(&self, token: &str) -> Result<Claims, AuthError> {
        let v = Validation {
            leeway: 0,
            ..Validation::default()
        };
        jsonwebtoken::decode::<Claims>(token, &self.dec, &v)
            .map(|d| d.claims)
            .map_err(|_| AuthError::BadToken)
    }

    /// The claims of a token that `/refresh` may still exchange: expired
    /// access is fine until `refresh_expired_at`.
    pub fn check_refreshable(&self, token: &str) -> Result<Claims, AuthError> {
        let v = Validation {
            validate_exp: false,
            ..Validation::default()
        };
        let c = jsonwebtoken::decode::<Claims>(token, &self.dec, &v)
            .map(|d| d.claims)
            .map_err(|_| AuthError::BadToken)?;
        if c.refresh_expired_at <= now_secs() {
            return Err(AuthError::BadToken);
        }
        Ok(c)
    }
}

/// The 20 bytes of a `0x` address.
pub fn parse_address(s: &str) -> Option<[u8; 20]> {
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    let mut out = [0u8; 20];
    hex::decode_to_slice(h, &mut out).ok()?;
    Some(out)
}

/// The address that made a 65-byte `personal_sign` signature over `digest`.
pub fn recover_signer(digest: &[u8; 32], signature: &str) -> Result<[u8; 20], AuthError> {
    let hex_sig = signature.strip_prefix("0x").unwrap_or(signature);
    let mut sig = [0u8; 65];
    hex::decode_to_slice(hex_sig, &mut sig).map_err(|_| AuthError::BadSignature)?;
    let v = match sig[64] {
        27 | 28 => sig[64] - 27,
        0 | 1 => sig[64],
        _ => return Err(AuthError::BadSignature),
    };
    let rs = Signature::from_slice(&sig[..64]).map_err(|_| AuthError::BadSignature)?;
    let rid = RecoveryId::from_byte(v).ok_or(AuthError::BadSignature)?;
    let pk = VerifyingKey::recover_from_prehash(digest, &rs, rid)
        .map_err(|_| AuthError::BadSignature)?;
    let h = Keccak256::digest(&pk.to_encoded_point(false).as_bytes()[1..]);
    let mut out = [0u8; 20];
    out.copy_from_slice(&h[12..]);
    Ok(out)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::SigningKey;

    fn sign(key: &SigningKey, msg: &[u8]) -> String {
        let (sig, rid) = key.sign_prehash_recoverable(&eip191_hash(msg)).unwrap();
        let mut b = sig.to_bytes().to_vec();
        b.push(rid.to_byte() + 27);
        format!("0x{}", hex::encode(b))
    }

    fn address(key: &SigningKey) -> String {
        let h = Keccak256::digest(&key.verifying_key().to_encoded_point(false).as_bytes()[1..]);
        format!("0x{}", hex::encode(&h[12..]))
    }

    #[test]
    fn stock_login_and_single_use_secret() {
        let dir = std::env::temp_dir().join(format!("w3mq-auth-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let auth = Auth::open(&dir).unwrap();
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let addr = address(&key);
        let secret = auth.issue_secret(&addr);
        let sig = sign(&key, secret.as_bytes());
        assert_eq!(
            auth.verify_login(
                &addr.to_uppercase().replace("0X", "0x"),
                &secret,
                &sig,
                None
            ),
            Ok(())
        );
        // Used once: gone.
        assert_eq!(
            auth.verify_login(&addr, &secret, &sig, None),
            Err(AuthError::BadSecret)
        );
        // Someone else's signature.
        let other = SigningKey::random(&mut rand::rngs::OsRng);
        let secret = auth.issue_secret(&addr);
        assert_eq!(
            auth.verify_login(&addr, &secret, &sign(&other, secret.as_bytes()), None),
            Err(AuthError::BadSignature)
        );
        // The key survives a reopen: tokens stay valid.
        let t = auth.issue_token("61f1006d604cc5be5f7a3c2d");
        let again = Auth::open(&dir).unwrap();
        assert_eq!(
            again.check_token(&t).unwrap().user_id,
            "61f1006d604cc5be5f7a3c2d"
        );
        assert_eq!(
            again.check_token(&format!("{t}x")).map(|_| ()),
            Err(AuthError::BadToken)
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
