//! Read state and typing (extensions): my read marker per room, shared with
//! my devices and, as read receipts, with the other members; typing
//! indicators, which are not stored.

use axum::extract::State;
use w3mq_protocol::rest::{MarkersReq, ReadMarker, ReadReq, RoomReq, MAX_MARKER_ROOMS};
use w3mq_protocol::{RoomEvent, UserEvent};

use super::{object_id, ok, ApiResult};
use crate::bus::{send_room_event, send_user_event};
use crate::http::extract::{ApiError, AuthUser, JsonBody};
use crate::http::AppState;

/// `POST /read`: moves my marker forward; tells my devices
/// (`read_moved` on `notification/<me>`) and, with `receipt` in a 1v1 or
/// group room, the other members (`receipt` on `notification/<room>`).
/// Collection rooms never share receipts: they are public channels.
pub async fn read(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ReadReq>,
) -> ApiResult<ReadMarker> {
    let id = object_id(&r.room_id, "room_id")?;
    let public = match s.store.room(&id).await? {
        Some(room) => !room.is_opensea_coll,
        None => return Err(ApiError::not_found("room not found")),
    };
    let moved = s
        .store
        .mark_read(&id, &c.user_id, r.seq, r.receipt && public)
        .await?;
    if moved.moved {
        send_user_event(
            s.bus.as_ref(),
            &c.user_id,
            &UserEvent::ReadMoved {
                room_id: id.clone(),
                seq: moved.seq,
            },
        )
        .await;
    }
    if let Some(seq) = moved.receipt {
        send_room_event(
            s.bus.as_ref(),
            &id,
            &RoomEvent::Receipt {
                room_id: id.clone(),
                user_id: c.user_id.clone(),
                seq,
            },
        )
        .await;
    }
    ok(ReadMarker {
        room_id: id,
        user_id: c.user_id,
        seq: moved.seq,
    })
}

/// `POST /read/markers`: my markers in the rooms asked about (of those I am
/// a member of).
pub async fn read_markers(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<MarkersReq>,
) -> ApiResult<Vec<ReadMarker>> {
    if r.room_ids.len() > MAX_MARKER_ROOMS {
        return Err(ApiError::bad(format!(
            "at most {MAX_MARKER_ROOMS} rooms at once"
        )));
    }
    let ids = r
        .room_ids
        .iter()
        .map(|i| object_id(i, "room_ids"))
        .collect::<Result<Vec<_>, _>>()?;
    let found = s.store.read_markers(&c.user_id, &ids).await?;
    ok(found
        .into_iter()
        .map(|(room_id, seq)| ReadMarker {
            room_id,
            user_id: c.user_id.clone(),
            seq,
        })
        .collect())
}

/// `POST /read/receipts`: how far the other members who share receipts
/// have read a room I am a member of.
pub async fn read_receipts(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<RoomReq>,
) -> ApiResult<Vec<ReadMarker>> {
    let id = member_room(&s, &r.room_id, &c.user_id).await?;
    let found = s.store.receipts(&id).await?;
    ok(found
        .into_iter()
        .filter(|(u, _)| *u != c.user_id)
        .map(|(user_id, seq)| ReadMarker {
            room_id: id.clone(),
            user_id,
            seq,
        })
        .collect())
}

/// `POST /typing`: tells the room's members that I am typing; at most once
/// per [`w3mq_protocol::rest::TYPING_EVERY_MS`] per room (what comes faster
/// is dropped: the answer says whether it was told). Not in public channels.
pub async fn typing(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<RoomReq>,
) -> ApiResult<bool> {
    let id = member_room(&s, &r.room_id, &c.user_id).await?;
    // A public channel has any number of members, who join at will: no typing there.
    let public = s.store.room(&id).await?.is_some_and(|r| r.is_opensea_coll);
    if public || !s.typing.allow(&format!("{}/{}", c.user_id, id)) {
        return ok(false);
    }
    send_room_event(
        s.bus.as_ref(),
        &id,
        &RoomEvent::Typing {
            room_id: id.clone(),
            user_id: c.user_id,
        },
    )
    .await;
    ok(true)
}

/// A room `user` is a member of now; anyone else gets 404, as for a room
/// that does not exist.
async fn member_room(s: &AppState, room_id: &str, user: &str) -> Result<String, ApiError> {
    let id = object_id(room_id, "room_id")?;
    if s.store.is_member(&id, user).await? {
        Ok(id)
    } else {
        Err(ApiError::not_found("room not found"))
    }
}
