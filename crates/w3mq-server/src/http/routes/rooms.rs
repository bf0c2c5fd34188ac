//! Rooms: create, read, add members, leave, and a user's rooms and chats.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use w3mq_protocol::rest::{AddMembersReq, CreateRoomReq, PageReq};
use w3mq_protocol::validate::is_http_url;
use w3mq_protocol::{ChatRoom, Room, RoomEvent, UserEvent};

use super::{object_id, ok, page, readable_room, ApiResult};
use crate::bus::{announce_added, send_room_event, send_user_event};
use crate::http::extract::{ApiError, AuthUser, JsonBody};
use crate::http::AppState;
use crate::store::NewRoom;

pub async fn create_room(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<CreateRoomReq>,
) -> ApiResult<String> {
    let new = if r.is_opensea_coll {
        let slug = r.opensea_coll_slug.trim();
        if slug.is_empty()
            || slug.len() > 128
            || !slug
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ApiError::bad(
                "opensea_coll_slug must be 1 to 128 letters, digits, '-' or '_'",
            ));
        }
        if !r.opensea_coll_cover.is_empty() && !is_http_url(&r.opensea_coll_cover) {
            return Err(ApiError::bad("opensea_coll_cover must be an http(s) URL"));
        }
        if r.opensea_coll_name.chars().count() > 128 {
            return Err(ApiError::bad("opensea_coll_name is too long"));
        }
        NewRoom::Collection {
            creator: c.user_id.clone(),
            slug: slug.to_ascii_lowercase(),
            name: if r.opensea_coll_name.is_empty() {
                slug.into()
            } else {
                r.opensea_coll_name
            },
            cover: r.opensea_coll_cover,
        }
    } else {
        if r.user_id.is_empty() || r.user_id.len() > 500 {
            return Err(ApiError::bad("user_id must list 1 to 500 users"));
        }
        let members = r
            .user_id
            .iter()
            .map(|u| object_id(u, "user_id"))
            .collect::<Result<Vec<_>, _>>()?;
        NewRoom::Users {
            creator: c.user_id.clone(),
            members,
        }
    };
    let created = s.store.create_room(new).await?;
    announce_added(s.bus.as_ref(), &created.room_id, &created.added).await;
    ok(created.room_id)
}

pub async fn get_room(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    Path(room_id): Path<String>,
) -> ApiResult<Room> {
    let id = object_id(&room_id, "room_id")?;
    ok(readable_room(&s, &id, &c.user_id).await?)
}

pub async fn add_members(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    Path(room_id): Path<String>,
    JsonBody(r): JsonBody<AddMembersReq>,
) -> ApiResult<Room> {
    let id = object_id(&room_id, "room_id")?;
    let targets = r
        .target_user_ids
        .iter()
        .map(|u| object_id(u, "target_user_ids"))
        .collect::<Result<Vec<_>, _>>()?;
    if targets.is_empty() || targets.len() > 500 {
        return Err(ApiError::bad("target_user_ids must list 1 to 500 users"));
    }
    let room = s
        .store
        .room(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("room not found"))?;
    let member = room.members.iter().any(|m| m.user_id == c.user_id);
    let joining_self = targets.len() == 1 && targets[0] == c.user_id;
    if room.is_1v1 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "a 1v1 room cannot grow",
        ));
    }
    if !(member || room.is_opensea_coll && joining_self) {
        return Err(ApiError::forbidden("only members may add members"));
    }
    let added = s.store.add_members(&id, &targets).await?;
    announce_added(s.bus.as_ref(), &id, &added).await;
    ok(readable_room(&s, &id, &c.user_id).await?)
}

pub async fn leave_room(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    Path(room_id): Path<String>,
) -> ApiResult<()> {
    let id = object_id(&room_id, "room_id")?;
    if !s.store.remove_member(&id, &c.user_id).await? {
        return Err(ApiError::not_found("not a member of this room"));
    }
    s.bus.revoke(&c.user_id, &id).await;
    send_user_event(
        s.bus.as_ref(),
        &c.user_id,
        &UserEvent::RoomRemoved {
            room_id: id.clone(),
        },
    )
    .await;
    send_room_event(
        s.bus.as_ref(),
        &id,
        &RoomEvent::MembersChanged {
            room_id: id.clone(),
        },
    )
    .await;
    ok(())
}

pub async fn my_rooms(State(s): State<AppState>, AuthUser(c): AuthUser) -> ApiResult<Vec<String>> {
    ok(s.store.my_rooms(&c.user_id).await?)
}

pub async fn my_chats(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<PageReq>,
) -> ApiResult<Vec<ChatRoom>> {
    ok(s.store.my_chats(&c.user_id, page(r.page, r.size)?).await?)
}
