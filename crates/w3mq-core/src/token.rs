//! The access token: kept fresh, refreshed (the server rotates it: the old
//! one dies), or re-obtained by signing in with the key from the keychain.

use crate::account::Account;
use crate::error::{CoreError, Result};
use crate::key::Key;
use crate::rest::token_expiry;

/// Makes sure the token is valid for at least a day: refreshes it, or signs
/// in again with the key from the keychain when it cannot be refreshed.
/// `force`: the server refused the token, sign in again.
pub(crate) async fn fresh_token(a: &Account, force: bool) -> Result<String> {
    let entry = format!("token:{}", a.address);
    let current = a.secrets.get(&entry).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if let Some(t) = &current {
        let exp = token_expiry(t).unwrap_or(0);
        if !force && exp > now + 24 * 3600 {
            a.rest.set_token(Some(t.clone()));
            return Ok(t.clone());
        }
        a.rest.set_token(Some(t.clone()));
        if let Ok(t2) = a.rest.refresh().await {
            a.secrets.set(&entry, &t2).await?;
            return Ok(t2);
        }
    }
    let key_hex = a
        .secrets
        .get(&format!("key:{}", a.address))
        .await?
        .ok_or(CoreError::NotSignedIn)?;
    let key = Key::import(&key_hex)?;
    let login = a.rest.login(&key).await?;
    a.secrets.set(&entry, &login.access_token).await?;
    Ok(login.access_token)
}
