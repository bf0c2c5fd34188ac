//! The handlers of section 1, one file per resource; the helpers they share.

mod auth;
mod messages;
mod ops;
mod reads;
mod rooms;
mod users;

use axum::http::StatusCode;
use axum::Json;
use w3mq_protocol::room::PLATFORMS;
use w3mq_protocol::validate::is_address;
use w3mq_protocol::{is_object_id, Envelope, Room};

use super::extract::ApiError;
use super::AppState;
use crate::auth::AuthError;
use crate::store::Page;

pub use auth::{login, login_random_secret, logout, refresh, register};
pub use messages::{
    changes, create_thread, delete_message, edit_message, existing_messages, get_message, messages,
    react, threads,
};
pub use ops::{healthz, metrics, metrics_with_token, not_found};
pub use reads::{read, read_markers, read_receipts, typing};
pub use rooms::{add_members, create_room, get_room, leave_room, my_chats, my_rooms};
pub use users::{add_contact, contacts, info, profile, search};

type ApiResult<T> = Result<Json<Envelope<T>>, ApiError>;

fn ok<T>(data: T) -> ApiResult<T> {
    Ok(Json(Envelope::ok(data)))
}

fn object_id(s: &str, what: &str) -> Result<String, ApiError> {
    if is_object_id(s) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(ApiError::bad(format!("{what} is not an object id")))
    }
}

fn wallet(s: &str) -> Result<String, ApiError> {
    if is_address(s) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(ApiError::bad(
            "wallet_address is not an address (0x and 40 hex digits)",
        ))
    }
}

fn page(page: i64, size: i64) -> Result<Page, ApiError> {
    if page < 1 || !(1..=100).contains(&size) {
        return Err(ApiError::bad("page must be ≥ 1 and size 1 to 100"));
    }
    Ok(Page { page, size })
}

/// A room the caller may read: a member's room, or any collection room.
async fn readable_room(s: &AppState, room_id: &str, user: &str) -> Result<Room, ApiError> {
    let room = s
        .store
        .room(room_id)
        .await?
        .ok_or_else(|| ApiError::not_found("room not found"))?;
    if room.is_opensea_coll || room.members.iter().any(|m| m.user_id == user) {
        Ok(room)
    } else {
        Err(ApiError::forbidden("not a member of this room"))
    }
}

/// What a refused sign-in gets.
fn auth_error(e: AuthError) -> ApiError {
    match e {
        AuthError::TooMany => ApiError::new(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
        AuthError::Busy | AuthError::Unavailable => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
        }
        e => ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()),
    }
}

fn platform_name(platform: &str, user_name: &str) -> Result<(), ApiError> {
    if !PLATFORMS.contains(&platform) {
        return Err(ApiError::bad(format!(
            "platform must be one of {}",
            PLATFORMS.join(", ")
        )));
    }
    if user_name.is_empty() || user_name.chars().count() > 64 {
        return Err(ApiError::bad("user_name must be 1 to 64 characters"));
    }
    Ok(())
}
