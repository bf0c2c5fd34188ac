//! The REST API of section 1: every route answers with the envelope
//! `{"code", "msg", "data"}` and a matching HTTP status.

pub mod extract;
mod mqtt_ws;
pub mod peers;
mod routes;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post};
use axum::Router;
use w3mq_protocol::rest::path;

use crate::auth::Auth;
use crate::bus::Bus;
use crate::channel::Hub;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

pub use extract::{bearer, token_error, ApiError, MaybeUser};
pub use peers::{ClientIp, Peers};

/// The largest REST request body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// Secrets and tokens.
    pub auth: Arc<Auth>,
    /// Delivery to connected clients.
    pub bus: Arc<dyn Bus>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Request rate per token (or per address without one).
    pub limiter: Arc<RateLimiter>,
    /// Typing indicators per user and room (`POST /typing`).
    pub typing: Arc<RateLimiter>,
    /// The broker's TCP listener, where `/mqtt` WebSockets are bridged.
    pub broker_tcp: SocketAddr,
    /// The chat channels (`/api/v1/chats`, `/chat`).
    pub hub: Arc<Hub>,
    /// Client addresses and the per-address WebSocket cap.
    pub peers: Arc<Peers>,
    /// The bearer token `GET /metrics` needs on the REST port (none: 404).
    pub metrics_token: Option<Arc<str>>,
}

impl FromRef<AppState> for Arc<Hub> {
    fn from_ref(s: &AppState) -> Arc<Hub> {
        s.hub.clone()
    }
}

impl FromRef<AppState> for crate::channel::http::ChatsState {
    fn from_ref(s: &AppState) -> Self {
        crate::channel::http::ChatsState {
            hub: s.hub.clone(),
            auth: s.auth.clone(),
        }
    }
}

/// The REST router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/login_random_secret", post(routes::login_random_secret))
        .route("/login", post(routes::login))
        .route("/refresh", get(routes::refresh))
        .route("/logout", post(routes::logout))
        .route("/register", post(routes::register))
        .route("/info", post(routes::info))
        .route("/search", post(routes::search))
        .route("/profile", post(routes::profile))
        .route("/rooms", post(routes::create_room))
        .route("/rooms/{room_id}", get(routes::get_room))
        .route("/rooms/{room_id}/members", post(routes::add_members))
        .route("/rooms/{room_id}/leave", post(routes::leave_room))
        .route("/my_rooms", get(routes::my_rooms))
        .route("/my_chats", post(routes::my_chats))
        .route("/messages", post(routes::messages))
        .route("/messages/existing", post(routes::existing_messages))
        .route(path::MESSAGES_EDIT, post(routes::edit_message))
        .route(path::MESSAGES_DELETE, post(routes::delete_message))
        .route(path::MESSAGES_CHANGES, post(routes::changes))
        .route(path::REACTIONS, post(routes::react))
        .route(path::READ, post(routes::read))
        .route(path::READ_MARKERS, post(routes::read_markers))
        .route(path::READ_RECEIPTS, post(routes::read_receipts))
        .route(path::TYPING, post(routes::typing))
        .route("/messages/{msg_id}", get(routes::get_message))
        .route("/threads", post(routes::create_thread))
        .route("/threads/{room_id}/{page}/{size}", get(routes::threads))
        .route("/contacts", post(routes::add_contact))
        .route("/contacts/{page}/{size}", get(routes::contacts))
        .route("/healthz", get(routes::healthz))
        .route("/metrics", get(routes::metrics_with_token))
        .route("/mqtt", get(mqtt_ws::upgrade))
        .route(
            "/api/v1/chats/{channel_id}",
            get(crate::channel::http::chats),
        )
        .route("/chat", get(crate::channel::http::upgrade))
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::rate_limit,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// The app of a `--metrics-listen` listener: `GET /metrics` only.
pub fn metrics_app(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(routes::metrics))
        .with_state(metrics)
}
