//! Messages and threads: pages, one message, existing ids, thread roots;
//! edits, deletions for everyone, reactions and a room's changes (extensions).

use axum::extract::{Path, Query, State};
use w3mq_protocol::rest::{
    ChangesReq, ChangesResp, DeleteReq, EditReq, ExistingReq, MessagesReq, ReactReq, ThreadQuery,
    ThreadReq, MAX_EXISTING_IDS,
};
use w3mq_protocol::{is_object_id, Message, OpenSeaItem, RoomEvent, MAX_PAYLOAD_BYTES, REACTIONS};

use super::{object_id, ok, page, readable_room, ApiResult};
use crate::bus::send_room_event;
use crate::http::extract::{ApiError, AuthUser, JsonBody};
use crate::http::AppState;
use crate::store::{After, Change};

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
    ok(s.store
        .messages(&id, after, page(r.page, r.size)?, r.include_deleted)
        .await?)
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
    if m.deleted {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "the message was deleted",
        ));
    }
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

/// The message `msg_id` names, and its room, for a change by `user`: a
/// stranger (not a member) learns nothing, not even that it exists.
async fn message_to_change(
    s: &AppState,
    msg_id: &str,
    user: &str,
) -> Result<(Message, w3mq_protocol::Room), ApiError> {
    let id = object_id(msg_id, "msg_id")?;
    let m = s
        .store
        .message(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("message not found"))?;
    let room = s
        .store
        .room(&m.to_room_id)
        .await?
        .filter(|r| r.members.iter().any(|u| u.user_id == user))
        .ok_or_else(|| ApiError::not_found("message not found"))?;
    Ok((m, room))
}

/// Applies a change and tells the room's members (`message_changed` on
/// `notification/<room_id>`).
async fn apply(s: &AppState, m: &Message, actor: &str, change: Change) -> ApiResult<Message> {
    let id = m.id.clone().unwrap_or_default();
    let now = s.store.change_message(&id, actor, change).await?;
    if now.rev > m.rev {
        send_room_event(
            s.bus.as_ref(),
            &now.to_room_id,
            &RoomEvent::MessageChanged {
                room_id: now.to_room_id.clone(),
                message: Box::new(now.clone()),
            },
        )
        .await;
    }
    ok(now)
}

/// `POST /messages/edit` (extension): the author replaces a text message's text.
pub async fn edit_message(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<EditReq>,
) -> ApiResult<Message> {
    let (m, _) = message_to_change(&s, &r.msg_id, &c.user_id).await?;
    if m.from_uid != c.user_id {
        return Err(ApiError::forbidden("only its author edits a message"));
    }
    if r.text.trim().is_empty() {
        return Err(ApiError::bad("the text is empty"));
    }
    if r.text.len() > MAX_PAYLOAD_BYTES {
        return Err(ApiError::bad(format!(
            "the text is over {MAX_PAYLOAD_BYTES} bytes"
        )));
    }
    let at_user_ids = r
        .at_user_ids
        .iter()
        .filter(|u| is_object_id(u))
        .take(MAX_EDIT_MENTIONS)
        .cloned()
        .collect();
    let change = Change::Edit {
        text: r.text,
        at_user_ids,
    };
    apply(&s, &m, &c.user_id, change).await
}

/// The most mentions an edit keeps.
const MAX_EDIT_MENTIONS: usize = 100;

/// `POST /messages/delete` (extension): the author, or the room's owner,
/// deletes a message for everyone: a placeholder stays. The room's chat
/// sockets are told as of a moderator's deletion (`DeleteMessage`).
pub async fn delete_message(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<DeleteReq>,
) -> ApiResult<Message> {
    let (m, room) = message_to_change(&s, &r.msg_id, &c.user_id).await?;
    // The owner of a group or collection room moderates it; in a 1v1 room, whoever made it
    // does not own the other person's words.
    let owner = room.creator_id == c.user_id && !room.is_1v1;
    if m.from_uid != c.user_id && !owner {
        return Err(ApiError::forbidden(
            "only its author or the room's owner deletes a message",
        ));
    }
    let now = apply(&s, &m, &c.user_id, Change::Delete).await?;
    // Only collection rooms have chat sockets.
    if room.is_opensea_coll {
        s.hub.channel(&room.room_id).emit(
            "DeleteMessage",
            &serde_json::json!({ "id": m.id, "moderator": c.user_id }),
        );
    }
    Ok(now)
}

/// `POST /reactions` (extension): a member adds or removes a reaction.
pub async fn react(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ReactReq>,
) -> ApiResult<Message> {
    if !REACTIONS.contains(&r.emoji.as_str()) {
        return Err(ApiError::bad(format!(
            "a reaction is one of {}",
            REACTIONS.join(" ")
        )));
    }
    let (m, _) = message_to_change(&s, &r.msg_id, &c.user_id).await?;
    let change = Change::React {
        emoji: r.emoji,
        on: r.on,
    };
    apply(&s, &m, &c.user_id, change).await
}

/// `POST /messages/changes` (extension): a room's changed messages after a
/// change counter, for a client catching up.
pub async fn changes(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ChangesReq>,
) -> ApiResult<ChangesResp> {
    let id = object_id(&r.room_id, "room_id")?;
    readable_room(&s, &id, &c.user_id).await?;
    if !(1..=100).contains(&r.size) {
        return Err(ApiError::bad("size must be 1 to 100"));
    }
    let (messages, rev) = s.store.changes(&id, r.after_rev.max(0), r.size).await?;
    ok(ChangesResp { messages, rev })
}
