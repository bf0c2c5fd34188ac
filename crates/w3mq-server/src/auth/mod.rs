//! Sign-in and sessions: single-use login secrets ([`secrets`]), SIWE
//! (EIP-4361) bound to this server and the 2022 bare-secret form
//! ([`signin`]), EIP-191 signature checks, and the access tokens: HS256 JWTs
//! naming a stored session ([`Sessions`]), so that a sign-out, a refresh
//! (which rotates the token) and the session's absolute end hold at once.

pub mod secrets;
pub mod signin;

use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};
use thiserror::Error;
use w3mq_protocol::login::eip191_hash;

use crate::ratelimit::RateLimiter;
use crate::store::Sessions;
use secrets::Secrets;
pub use secrets::SECRET_TTL;
pub use signin::SignInPolicy;

/// How long an access token is accepted.
pub const ACCESS_TTL_SECS: u64 = 7 * 24 * 3600;
/// How long a session lasts from its sign-in, refreshes included.
pub const SESSION_TTL_SECS: u64 = 30 * 24 * 3600;
/// Failed logins a client address may make in a burst, and then one every
/// [`FAILURE_REFILL_SECS`].
pub const FAILURE_BURST: f64 = 10.0;
/// See [`FAILURE_BURST`].
pub const FAILURE_REFILL_SECS: f64 = 6.0;
/// Login secrets a client address may ask for in a burst, and then
/// [`SECRET_RATE`] a second: one address holds at most 720 live secrets of
/// the [`secrets::MAX_SECRETS`], so filling the table takes many addresses.
pub const SECRET_BURST: f64 = 120.0;
/// See [`SECRET_BURST`].
pub const SECRET_RATE: f64 = 2.0;

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
    /// The 2022 form (no sign-in text) is turned off on this server.
    #[error("this server takes only SIWE (EIP-4361) sign-in texts")]
    LegacyOff,
    /// The token is missing, malformed, forged, expired, refreshed or signed out.
    #[error("access token is invalid or expired")]
    BadToken,
    /// Too many failed logins, or secrets asked for, from this address.
    #[error("too many sign-in attempts; try again in a minute")]
    TooMany,
    /// The server holds as many live secrets as it may.
    #[error("the server is busy; try again")]
    Busy,
    /// The session store failed.
    #[error("sessions are unavailable")]
    Unavailable,
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
    /// Until when `/refresh` accepts this token: the session's end, seconds.
    pub refresh_expired_at: u64,
    /// The session (extension; a token without one is refused).
    #[serde(default)]
    pub sid: String,
    /// The session's generation this token belongs to (extension).
    #[serde(default)]
    pub gen: i64,
}

/// Issues and checks secrets and tokens.
pub struct Auth {
    enc: EncodingKey,
    dec: DecodingKey,
    secrets: Secrets,
    sessions: Arc<dyn Sessions>,
    policy: SignInPolicy,
    failures: RateLimiter,
    asks: RateLimiter,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Auth {
    /// Loads the signing key from `dir/jwt.key`, generating it on first start.
    pub fn open(
        dir: &Path,
        sessions: Arc<dyn Sessions>,
        policy: SignInPolicy,
    ) -> std::io::Result<Auth> {
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
            secrets: Secrets::default(),
            sessions,
            policy,
            failures: RateLimiter::new(1.0 / FAILURE_REFILL_SECS, FAILURE_BURST),
            asks: RateLimiter::new(SECRET_RATE, SECRET_BURST),
        })
    }

    /// The sign-in rules.
    pub fn policy(&self) -> &SignInPolicy {
        &self.policy
    }

    /// A fresh single-use secret for `wallet`, asked for from `client`.
    pub fn issue_secret(&self, wallet: &str, client: IpAddr) -> Result<String, AuthError> {
        if !self.asks.allow(&client.to_string()) {
            return Err(AuthError::TooMany);
        }
        self.secrets.issue(wallet).map_err(|_| AuthError::Busy)
    }

    /// Checks a login from `client`: the secret must be live for `wallet`,
    /// then either the SIWE `message` (this server's domain and URI, the
    /// wallet, the secret as nonce, the validity window, and its signature)
    /// or, for the 2022 clients, the signature of the secret itself. Only a
    /// login that passes uses the secret up; a failed one counts against the
    /// client address.
    pub fn verify_login(
        &self,
        wallet: &str,
        secret: &str,
        signature: &str,
        message: Option<&str>,
        client: IpAddr,
    ) -> Result<(), AuthError> {
        let key = client.to_string();
        if !self.failures.would_allow(&key) {
            return Err(AuthError::TooMany);
        }
        let r = self.check_login(wallet, secret, signature, message);
        match r {
            Ok(()) if self.secrets.consume(wallet, secret) => Ok(()),
            Ok(()) => Err(AuthError::BadSecret),
            Err(e) => {
                self.failures.allow(&key);
                Err(e)
            }
        }
    }

    fn check_login(
        &self,
        wallet: &str,
        secret: &str,
        signature: &str,
        message: Option<&str>,
    ) -> Result<(), AuthError> {
        let wallet_bytes = parse_address(wallet).ok_or(AuthError::BadSignature)?;
        if !self.secrets.is_live(wallet, secret) {
            return Err(AuthError::BadSecret);
        }
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
                self.policy.check_siwe(&m)?;
                if !m.valid_now() {
                    return Err(AuthError::Expired);
                }
                text.as_bytes()
            }
            None if self.policy.legacy => secret.as_bytes(),
            None => return Err(AuthError::LegacyOff),
        };
        let signer = recover_signer(&eip191_hash(signed), signature)?;
        if signer != wallet_bytes {
            return Err(AuthError::BadSignature);
        }
        Ok(())
    }

    fn encode(&self, user_id: &str, sid: &str, gen: i64, session_end: u64) -> String {
        let now = now_secs();
        let exp = (now + ACCESS_TTL_SECS).min(session_end);
        let claims = Claims {
            sub: user_id.into(),
            user_id: user_id.into(),
            iat: now,
            exp,
            access_expired_at: exp,
            refresh_expired_at: session_end,
            sid: sid.into(),
            gen,
        };
        // HS256 encoding of plain claims cannot fail.
        jsonwebtoken::encode(&Header::default(), &claims, &self.enc).unwrap_or_default()
    }

    /// Starts a session for `user_id` and returns its first access token.
    pub async fn sign_in(&self, user_id: &str) -> Result<String, AuthError> {
        let end = now_secs() + SESSION_TTL_SECS;
        let s = self
            .sessions
            .create_session(user_id, end as i64)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "creating a session failed");
                AuthError::Unavailable
            })?;
        Ok(self.encode(user_id, &s.sid, s.generation, end))
    }

    fn decode(&self, token: &str, validate_exp: bool) -> Result<Claims, AuthError> {
        let v = Validation {
            leeway: 0,
            validate_exp,
            ..Validation::default()
        };
        let c = jsonwebtoken::decode::<Claims>(token, &self.dec, &v)
            .map(|d| d.claims)
            .map_err(|_| AuthError::BadToken)?;
        if c.sid.is_empty() || c.refresh_expired_at <= now_secs() {
            return Err(AuthError::BadToken);
        }
        Ok(c)
    }

    /// Whether the session `c` names is live at the generation `c` has.
    async fn live(&self, c: &Claims) -> Result<(), AuthError> {
        let s = self
            .sessions
            .session(&c.sid)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading a session failed");
                AuthError::Unavailable
            })?
            .ok_or(AuthError::BadToken)?;
        let now = now_secs() as i64;
        if s.revoked || s.generation != c.gen || s.expires_at <= now || s.user_id != c.user_id {
            return Err(AuthError::BadToken);
        }
        Ok(())
    }

    /// The claims of a live access token: signed by this server, unexpired,
    /// and its session neither signed out, refreshed past it, nor ended.
    pub async fn check_token(&self, token: &str) -> Result<Claims, AuthError> {
        let c = self.decode(token, true)?;
        self.live(&c).await?;
        Ok(c)
    }

    /// `/refresh`: a token of the same session, its generation the next; the
    /// token given dies. Its access may have expired (not its session).
    pub async fn refresh(&self, token: &str) -> Result<(Claims, String), AuthError> {
        let c = self.decode(token, false)?;
        let now = now_secs();
        let s = self
            .sessions
            .rotate_session(&c.sid, c.gen, now as i64)
            .await
            .map_err(|_| AuthError::Unavailable)?
            .filter(|s| s.user_id == c.user_id)
            .ok_or(AuthError::BadToken)?;
        let t = self.encode(&c.user_id, &s.sid, s.generation, s.expires_at as u64);
        Ok((c, t))
    }

    /// Ends the session of a live token (sign-out); returns its claims.
    pub async fn sign_out(&self, token: &str) -> Result<Claims, AuthError> {
        let c = self.check_token(token).await?;
        self.sessions
            .revoke_session(&c.sid)
            .await
            .map_err(|_| AuthError::Unavailable)?;
        Ok(c)
    }

    /// Drops expired secrets and failure counts, and ended sessions.
    pub async fn sweep(&self) {
        self.secrets.sweep();
        self.failures.sweep();
        self.asks.sweep();
        if let Err(e) = self.sessions.sweep_sessions(now_secs() as i64).await {
            tracing::warn!(error = %e, "sweeping sessions failed");
        }
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
    use crate::store::Store;
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

    const HERE: &str = "127.0.0.1";

    async fn auth_in(
        dir: &Path,
        policy: SignInPolicy,
    ) -> (Auth, crate::store::sqlite::SqliteStore) {
        let store = crate::store::sqlite::SqliteStore::open(dir).await.unwrap();
        let auth = Auth::open(dir, Arc::new(store.clone()), policy).unwrap();
        (auth, store)
    }

    fn policy(legacy: bool) -> SignInPolicy {
        SignInPolicy::new(["127.0.0.1:8780".to_string()], legacy)
    }

    #[tokio::test]
    async fn stock_login_and_single_use_secret() {
        let dir = tempfile::tempdir().unwrap();
        let (auth, store) = auth_in(dir.path(), policy(true)).await;
        let ip: IpAddr = HERE.parse().unwrap();
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let addr = address(&key);
        let secret = auth.issue_secret(&addr, ip).unwrap();
        let sig = sign(&key, secret.as_bytes());
        // Someone else's signature fails and leaves the secret alive.
        let other = SigningKey::random(&mut rand::rngs::OsRng);
        assert_eq!(
            auth.verify_login(&addr, &secret, &sign(&other, secret.as_bytes()), None, ip),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            auth.verify_login(
                &addr.to_uppercase().replace("0X", "0x"),
                &secret,
                &sig,
                None,
                ip
            ),
            Ok(())
        );
        // Used once: gone.
        assert_eq!(
            auth.verify_login(&addr, &secret, &sig, None, ip),
            Err(AuthError::BadSecret)
        );
        // The key survives a reopen: tokens stay valid.
        let user = store.user_for_wallet(&addr, true).await.unwrap().user_id;
        let t = auth.sign_in(&user).await.unwrap();
        let (again, _) = auth_in(dir.path(), policy(true)).await;
        assert_eq!(again.check_token(&t).await.unwrap().user_id, user);
        assert_eq!(
            again.check_token(&format!("{t}x")).await.map(|_| ()),
            Err(AuthError::BadToken)
        );
        // Refresh rotates: the old token dies, the new one lives.
        let (_, t2) = again.refresh(&t).await.unwrap();
        assert_eq!(
            again.check_token(&t).await.map(|_| ()),
            Err(AuthError::BadToken)
        );
        assert!(
            again.refresh(&t).await.is_err(),
            "an old token cannot refresh"
        );
        assert_eq!(again.check_token(&t2).await.unwrap().user_id, user);
        // Sign-out ends the session.
        again.sign_out(&t2).await.unwrap();
        assert_eq!(
            again.check_token(&t2).await.map(|_| ()),
            Err(AuthError::BadToken)
        );
        assert!(again.refresh(&t2).await.is_err());
    }

    #[tokio::test]
    async fn a_session_ends_at_its_absolute_end_whatever_its_token_says() {
        let dir = tempfile::tempdir().unwrap();
        let (auth, store) = auth_in(dir.path(), policy(true)).await;
        let user = store
            .user_for_wallet("0x00000000000000000000000000000000000000aa", true)
            .await
            .unwrap()
            .user_id;
        let now = now_secs();
        let s = crate::store::Sessions::create_session(&store, &user, now as i64 - 1)
            .await
            .unwrap();
        // A token claiming a longer life than its session's.
        let t = auth.encode(&user, &s.sid, s.generation, now + 3600);
        assert_eq!(
            auth.check_token(&t).await.map(|_| ()),
            Err(AuthError::BadToken)
        );
        assert!(auth.refresh(&t).await.is_err());
        // A token without a session (as this server issued before sessions).
        let t = auth.encode(&user, "", 0, now + 3600);
        assert_eq!(
            auth.check_token(&t).await.map(|_| ()),
            Err(AuthError::BadToken)
        );
    }

    #[tokio::test]
    async fn legacy_form_can_be_turned_off_and_failures_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let (auth, _store) = auth_in(dir.path(), policy(false)).await;
        let ip: IpAddr = HERE.parse().unwrap();
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let addr = address(&key);
        let secret = auth.issue_secret(&addr, ip).unwrap();
        let sig = sign(&key, secret.as_bytes());
        assert_eq!(
            auth.verify_login(&addr, &secret, &sig, None, ip),
            Err(AuthError::LegacyOff)
        );
        for _ in 1..FAILURE_BURST as usize {
            assert_eq!(
                auth.verify_login(&addr, &secret, "0x00", None, ip),
                Err(AuthError::LegacyOff)
            );
        }
        assert_eq!(
            auth.verify_login(&addr, &secret, "0x00", None, ip),
            Err(AuthError::TooMany)
        );
        let elsewhere: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            auth.verify_login(&addr, &secret, "0x00", None, elsewhere),
            Err(AuthError::LegacyOff),
            "another address has its own allowance"
        );
    }
}
