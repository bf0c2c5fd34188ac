//! `GET /api/v1/chats/<channel>` (answered without the envelope, as in seed
//! 002) and the WebSocket upgrade, served at `/chat` on the REST port and
//! at `/chat` (and `/`) on every `--chat-listen` listener.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::render::roles;
use super::{socket, Hub};
use crate::auth::Auth;
use crate::http::extract::{bearer, ApiError};

/// The largest packet a socket takes.
pub const MAX_FRAME: usize = 128 * 1024;

/// What a signed-in user may do in any channel.
const USER_PERMISSIONS: [&str; 4] = ["connect", "chat", "whisper", "poll_vote"];
/// What the moderator may do besides.
const OWNER_PERMISSIONS: [&str; 5] = [
    "poll_start",
    "remove_message",
    "purge",
    "timeout",
    "clear_messages",
];

/// The answer of `GET /api/v1/chats/<channel>`.
#[derive(Debug, Serialize)]
pub struct ChatsInfo {
    /// Single use, for five minutes, for this user in this channel; only
    /// with a valid bearer token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authkey: Option<String>,
    /// The chat sockets, `ws://…/chat`.
    pub endpoints: Vec<String>,
    /// `["connect"]` without a token.
    pub permissions: Vec<&'static str>,
}

/// What `GET /api/v1/chats` needs: the channels and the sign-in.
#[derive(Clone)]
pub struct ChatsState {
    /// The channels.
    pub hub: Arc<Hub>,
    /// Token checks.
    pub auth: Arc<Auth>,
}

/// `GET /api/v1/chats/<channel>`: the channel is a collection room's id or
/// slug (404 otherwise). A missing or invalid token reads only.
pub async fn chats(
    State(s): State<ChatsState>,
    headers: HeaderMap,
    Path(channel_id): Path<String>,
) -> Result<Json<ChatsInfo>, ApiError> {
    let room = s
        .hub
        .find_room(&channel_id)
        .await
        .map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
            )
        })?
        .ok_or_else(|| ApiError::not_found("no such channel"))?;
    let claims = match bearer(&headers) {
        Some(t) => s.auth.check_token(t).await.ok(),
        None => None,
    };
    let info = match claims {
        None => ChatsInfo {
            authkey: None,
            endpoints: s.hub.endpoints.clone(),
            permissions: vec!["connect"],
        },
        Some(c) => {
            let mut permissions = USER_PERMISSIONS.to_vec();
            if roles(&room, &c.user_id).contains(&"Owner") {
                permissions.extend(OWNER_PERMISSIONS);
            }
            let authkey = s
                .hub
                .authkeys
                .issue(&c.user_id, &room.room_id)
                .ok_or_else(|| {
                    ApiError::new(
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        "the server is busy; try again",
                    )
                })?;
            ChatsInfo {
                authkey: Some(authkey),
                endpoints: s.hub.endpoints.clone(),
                permissions,
            }
        }
    };
    Ok(Json(info))
}

/// The WebSocket upgrade of a chat socket: 429 when the client address has
/// as many sockets open as it may.
pub async fn upgrade(
    State(hub): State<Arc<Hub>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let client = hub.peers.client_of(peer.ip(), &headers);
    let Some(guard) = hub.peers.open_socket(client.0) else {
        return ApiError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "too many open sockets from this address",
        )
        .into_response();
    };
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |sock| async move {
            socket::run(hub, sock).await;
            drop(guard);
        })
}

/// The app of a `--chat-listen` listener: the chat socket only.
pub fn listener_app(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/chat", get(upgrade))
        .route("/", get(upgrade))
        .with_state(hub)
}
