//! Messages and threads: pages, one message, existing ids, thread roots.

use axum::extract::{Path, Query, State};
use w3mq_protocol::rest::{ExistingReq, MessagesReq, ThreadQuery, ThreadReq, MAX_EXISTING_IDS};
use w3mq_protocol::{Message, OpenSeaItem, RoomEvent};

use super::{object_id, ok, page, readable_room, ApiResult};
use crate::bus::send_room_event;
use crate::http::extract::{ApiError, AuthUser, JsonBody};
use crate::http::AppState;
use crate::store::After;

pub async fn messages(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<MessagesReq>,
) -> ApiResult<Vec<Message>> {
    let id = object_id(&r.room_id, "room_id")?;
    readable_room(&s, &id, &c.user_id).await?;
    let after = match (r.after_seq, r.after_time_stamp) {
        (Some(seq), _) => After::Seq(seq),
        (None, Some(t)) => After::Time(w3mq_protocol::ids::normalize_timestamp(t).unwrap_or(0)),
        (None, None) => After::Latest,
    };
    ok(s.store.messages(&id, after, page(r.page, r.size)?).await?)
}

pub async fn get_message(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    Path(msg_id): Path<String>,
) -> ApiResult<Message> {
    let id = object_id(&msg_id, "msg_id")?;
    let m = s
        .store
        .message(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("message not found"))?;
    readable_room(&s, &m.to_room_id, &c.user_id).await?;
    ok(m)
}

/// `POST /messages/existing` (extension): which of `ids` are messages of
/// the room now, so that a client can confirm a deletion before it deletes
/// its copies (ids of other rooms are never listed).
pub async fn existing_messages(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ExistingReq>,
) -> ApiResult<Vec<String>> {
    let room = object_id(&r.room_id, "room_id")?;
    readable_room(&s, &room, &c.user_id).await?;
    if r.ids.len() > MAX_EXISTING_IDS {
        return Err(ApiError::bad(format!(
            "ids must list at most {MAX_EXISTING_IDS}"
        )));
    }
    let ids = r
        .ids
        .iter()
        .map(|i| object_id(i, "ids"))
        .collect::<Result<Vec<_>, _>>()?;
    ok(s.store.existing_messages(&room, &ids).await?)
}

/// `POST /threads`: any member makes a message a thread root; only its
/// author or the room's owner attaches an OpenSea item, and never over one
/// that is there.
pub async fn create_thread(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ThreadReq>,
) -> ApiResult<Message> {
    let id = object_id(&r.msg_id, "msg_id")?;
    let m = s
        .store
        .message(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("message not found"))?;
    let room = s
        .store
        .room(&m.to_room_id)
        .await?
        .ok_or_else(|| ApiError::not_found("message not found"))?;
    if !room.members.iter().any(|u| u.user_id == c.user_id) {
        return Err(ApiError::forbidden("not a member of this room"));
    }
    let item = if r.is_opensea_item_thread {
        if m.from_uid != c.user_id && room.creator_id != c.user_id {
            return Err(ApiError::forbidden(
                "only the message's author or the room's owner may attach an item",
            ));
        }
        let item = OpenSeaItem {
            contract_address: r.opensea_item_contract_address.to_ascii_lowercase(),
            token_id: r.opensea_item_token_id,
            name: r.opensea_item_name,
            description: r.opensea_item_description,
            image_url: r.opensea_item_image_url,
        };
        item.check().map_err(|e| ApiError::bad(e.to_string()))?;
        if item.name.len() + item.description.len() > 16 * 1024 {
            return Err(ApiError::bad(
                "opensea item name and description are too long",
            ));
        }
        Some(item)
    } else {
        None
    };
    let root = s.store.make_thread(&id, item).await?;
    send_room_event(
        s.bus.as_ref(),
        &root.to_room_id,
        &RoomEvent::ThreadCreated {
            room_id: root.to_room_id.clone(),
            msg_id: id,
        },
    )
    .await;
    ok(root)
}

pub async fn threads(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    Path((room_id, pg, size)): Path<(String, i64, i64)>,
    Query(q): Query<ThreadQuery>,
) -> ApiResult<Vec<Message>> {
    let id = object_id(&room_id, "room_id")?;
    readable_room(&s, &id, &c.user_id).await?;
    let p = page(pg, size)?;
    match q.belong_to_thread_id.filter(|t| !t.is_empty()) {
        Some(t) => {
            let t = object_id(&t, "belong_to_thread_id")?;
            let msgs = s.store.thread_messages(&t, p).await?;
            ok(msgs.into_iter().filter(|m| m.to_room_id == id).collect())
        }
        None => ok(s.store.thread_roots(&id, p).await?),
    }
}
