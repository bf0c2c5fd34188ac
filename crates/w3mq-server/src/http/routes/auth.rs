//! Signing in: login secrets, login, token refresh, logout and `register`.

use axum::extract::State;
use axum::http::StatusCode;
use w3mq_protocol::rest::{LoginReq, LoginResp, RefreshResp, RegisterReq, WalletReq};
use w3mq_protocol::User;

use super::{auth_error, ok, platform_name, wallet, ApiResult};
use crate::http::extract::{token_error, ApiError, JsonBody, MaybeUser};
use crate::http::peers::ClientIp;
use crate::http::AppState;

pub async fn login_random_secret(
    State(s): State<AppState>,
    client: ClientIp,
    JsonBody(r): JsonBody<WalletReq>,
) -> ApiResult<String> {
    let w = wallet(&r.wallet_address)?;
    ok(s.auth.issue_secret(&w, client.0).map_err(auth_error)?)
}

pub async fn login(
    State(s): State<AppState>,
    client: ClientIp,
    JsonBody(r): JsonBody<LoginReq>,
) -> ApiResult<LoginResp> {
    let w = wallet(&r.wallet_address)?;
    let message = r.message.as_deref().filter(|m| !m.is_empty());
    s.auth
        .verify_login(&w, &r.login_random_secret, &r.signature, message, client.0)
        .map_err(auth_error)?;
    let user = s.store.user_for_wallet(&w, true).await?;
    tracing::info!(user_id = %user.user_id, "signed in");
    ok(LoginResp {
        access_token: s.auth.sign_in(&user.user_id).await.map_err(auth_error)?,
        user_info: user,
    })
}

/// `GET /refresh`: a new token of the same session; the one given dies.
pub async fn refresh(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> ApiResult<RefreshResp> {
    let token = crate::http::extract::bearer(&headers)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing bearer token"))?;
    let (c, access_token) = s.auth.refresh(token).await.map_err(token_error)?;
    if s.store.user(&c.user_id).await?.is_none() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "user no longer exists",
        ));
    }
    ok(RefreshResp { access_token })
}

/// `POST /logout` (extension): ends the session of the bearer token, and
/// disconnects the MQTT connections that signed in with it.
pub async fn logout(State(s): State<AppState>, headers: axum::http::HeaderMap) -> ApiResult<()> {
    let token = crate::http::extract::bearer(&headers)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing bearer token"))?;
    let c = s.auth.sign_out(token).await.map_err(token_error)?;
    s.bus.end_session(&c.sid).await;
    tracing::info!(user_id = %c.user_id, "signed out");
    ok(())
}

/// `POST /register`: records a platform name for a wallet's user. The
/// caller proves the wallet: with a token of its user, or with a login
/// secret and its signature.
pub async fn register(
    State(s): State<AppState>,
    caller: MaybeUser,
    client: ClientIp,
    JsonBody(r): JsonBody<RegisterReq>,
) -> ApiResult<User> {
    let w = wallet(&r.wallet_address)?;
    platform_name(&r.platform, &r.user_name)?;
    let by_token = match &caller.0 {
        Some(c) => s
            .store
            .user(&c.user_id)
            .await?
            .is_some_and(|u| u.eth_wallet_address.eq_ignore_ascii_case(&w)),
        None => false,
    };
    if !by_token {
        let (Some(secret), Some(sig)) = (&r.login_random_secret, &r.signature) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "prove the wallet: a token of its user, or login_random_secret and signature",
            ));
        };
        let message = r.message.as_deref().filter(|m| !m.is_empty());
        s.auth
            .verify_login(&w, secret, sig, message, client.0)
            .map_err(auth_error)?;
    }
    ok(s.store.register(&w, &r.platform, &r.user_name).await?)
}
