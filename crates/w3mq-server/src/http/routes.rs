//! The handlers of section 1.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use w3mq_protocol::rest::{
    AddMembersReq, ContactReq, CreateRoomReq, ExistingReq, InfoReq, LoginReq, LoginResp,
    MessagesReq, PageReq, ProfileReq, RefreshResp, RegisterReq, SearchReq, ThreadQuery, ThreadReq,
    WalletReq, MAX_EXISTING_IDS,
};
use w3mq_protocol::room::PLATFORMS;
use w3mq_protocol::validate::{is_address, is_http_url};
use w3mq_protocol::{
    is_object_id, ChatRoom, Envelope, Message, OpenSeaItem, Room, RoomEvent, User, UserEvent,
};

use std::sync::Arc;

use subtle::ConstantTimeEq;
use w3mq_protocol::check_nick_name;

use super::extract::{token_error, ApiError, AuthUser, JsonBody, MaybeUser};
use super::peers::ClientIp;
use super::AppState;
use crate::auth::AuthError;
use crate::bus::{announce_added, send_room_event, send_user_event};
use crate::metrics::Metrics;
use crate::store::{After, NewRoom, Page};

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
    let token = super::extract::bearer(&headers)
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
    let token = super::extract::bearer(&headers)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing bearer token"))?;
    let c = s.auth.sign_out(token).await.map_err(token_error)?;
    s.bus.end_session(&c.sid).await;
    tracing::info!(user_id = %c.user_id, "signed out");
    ok(())
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

pub async fn info(State(s): State<AppState>, JsonBody(r): JsonBody<InfoReq>) -> ApiResult<User> {
    platform_name(&r.platform, &r.user_name)?;
    let u = s.store.user_by_platform(&r.platform, &r.user_name).await?;
    ok(u.ok_or_else(|| ApiError::not_found("user not found"))?)
}

pub async fn search(
    State(s): State<AppState>,
    _u: AuthUser,
    JsonBody(r): JsonBody<SearchReq>,
) -> ApiResult<Vec<User>> {
    let k = r.keyword.trim();
    if k.is_empty() || k.chars().count() > 128 {
        return Err(ApiError::bad("keyword must be 1 to 128 characters"));
    }
    ok(s.store.search_users(k, 50).await?)
}

pub async fn profile(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ProfileReq>,
) -> ApiResult<User> {
    if let Some(n) = &r.nick_name {
        check_nick_name(n).map_err(|e| ApiError::bad(e.to_string()))?;
    }
    if let Some(a) = &r.avatar_url {
        if !a.is_empty() && !is_http_url(a) {
            return Err(ApiError::bad("avatar_url must be an http(s) URL"));
        }
    }
    ok(s.store
        .update_profile(&c.user_id, r.nick_name.as_deref(), r.avatar_url.as_deref())
        .await?)
}

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

pub async fn add_contact(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ContactReq>,
) -> ApiResult<()> {
    let id = object_id(&r.user_id, "user_id")?;
    if id == c.user_id {
        return Err(ApiError::bad("you cannot add yourself"));
    }
    s.store.add_contact(&c.user_id, &id).await?;
    ok(())
}

pub async fn contacts(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    Path((pg, size)): Path<(i64, i64)>,
) -> ApiResult<Vec<User>> {
    ok(s.store.contacts(&c.user_id, page(pg, size)?).await?)
}

pub async fn healthz() -> ApiResult<&'static str> {
    ok("ok")
}

/// `GET /metrics` on its own listener.
pub async fn metrics(State(m): State<Arc<Metrics>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.render(),
    )
        .into_response()
}

/// `GET /metrics` on the REST port: only with `--metrics-token`, and only
/// to a request bearing it; otherwise there is no such route.
pub async fn metrics_with_token(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let given = super::extract::bearer(&headers).unwrap_or("");
    match &s.metrics_token {
        Some(t) if bool::from(t.as_bytes().ct_eq(given.as_bytes())) => {
            metrics(State(s.metrics.clone())).await
        }
        _ => ApiError::not_found("no such route").into_response(),
    }
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}
