//! Extractors and errors: JSON bodies, bearer tokens, the envelope on failure.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use w3mq_protocol::Envelope;

use super::peers::ClientIp;
use super::AppState;
use crate::auth::{AuthError, Claims};
use crate::store::StoreError;

/// A failed request: its status and message, sent as the envelope.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status (also the envelope's `code`).
    pub status: StatusCode,
    /// What went wrong.
    pub msg: String,
}

impl ApiError {
    /// An error with `status`.
    pub fn new(status: StatusCode, msg: impl Into<String>) -> Self {
        ApiError {
            status,
            msg: msg.into(),
        }
    }
    /// 400.
    pub fn bad(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, msg)
    }
    /// 403.
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, msg)
    }
    /// 404.
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, msg)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope::error(self.status.as_u16() as i64, self.msg);
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, m),
            StoreError::Forbidden(m) => ApiError::forbidden(m),
            e => {
                tracing::error!(error = %e, "store failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

/// A JSON body whose failures are answered with the envelope (400 or 413).
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "request body is too large")
            } else {
                ApiError::new(status, e.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::bad(format!("invalid JSON body: {e}")))
    }
}

/// The signed-in caller, from `Authorization: Bearer <access_token>`.
pub struct AuthUser(pub Claims);

/// A bearer token the guard already verified.
#[derive(Clone)]
struct Verified(Claims);

/// The bearer token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// What a refused token gets: 401, or 503 when sessions cannot be read.
pub fn token_error(e: AuthError) -> ApiError {
    match e {
        AuthError::Unavailable => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        e => ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()),
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(Verified(c)) = parts.extensions.get::<Verified>() {
            return Ok(AuthUser(c.clone()));
        }
        let token = bearer(&parts.headers)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing bearer token"))?;
        state
            .auth
            .check_token(token)
            .await
            .map(AuthUser)
            .map_err(token_error)
    }
}

/// The signed-in caller when the request carries a live token; `None`
/// otherwise (a missing or refused token reads anonymously).
pub struct MaybeUser(pub Option<Claims>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(
            AuthUser::from_request_parts(parts, state)
                .await
                .ok()
                .map(|AuthUser(c)| c),
        ))
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<ClientIp>() {
            Some(c) => *c,
            None => state.peers.client(parts),
        })
    }
}

/// Paths the REST request rate does not count: health checks and metrics,
/// and the WebSocket upgrades, which have their own per-address cap.
fn unmetered(path: &str) -> bool {
    matches!(path, "/healthz" | "/metrics" | "/mqtt" | "/chat")
}

/// Limits requests per verified user, or per client address for requests
/// without a live token (a made-up token counts against its address): 429.
/// The verified claims are kept for [`AuthUser`].
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let client = state.peers.client(&parts);
    parts.extensions.insert(client);
    if unmetered(parts.uri.path()) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let verified = match bearer(&parts.headers) {
        Some(t) => state.auth.check_token(t).await.ok(),
        None => None,
    };
    let key = match &verified {
        Some(c) => format!("u:{}", c.user_id),
        None => format!("a:{}", client.0),
    };
    if let Some(c) = verified {
        parts.extensions.insert(Verified(c));
    }
    if !state.limiter.allow(&key) {
        return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limited").into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
