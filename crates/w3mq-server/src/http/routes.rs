//! The handlers of section 1.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use w3mq_protocol::room::PLATFORMS;
use w3mq_protocol::validate::{is_address, is_http_url};
use w3mq_protocol::{
    is_object_id, ChatRoom, Envelope, Message, OpenSeaItem, Room, RoomEvent, User, UserEvent,
};

use super::extract::{ApiError, AuthUser, JsonBody};
use super::AppState;
use crate::router::{announce_added, send_room_event, send_user_event};
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

#[derive(Deserialize)]
pub struct WalletReq {
    wallet_address: String,
}

pub async fn login_random_secret(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<WalletReq>,
) -> ApiResult<String> {
    let w = wallet(&r.wallet_address)?;
    ok(s.auth.issue_secret(&w))
}

#[derive(Deserialize)]
pub struct LoginReq {
    wallet_address: String,
    login_random_secret: String,
    signature: String,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Serialize)]
pub struct LoginResp {
    access_token: String,
    user_info: User,
}

pub async fn login(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<LoginReq>,
) -> ApiResult<LoginResp> {
    let w = wallet(&r.wallet_address)?;
    let message = r.message.as_deref().filter(|m| !m.is_empty());
    s.auth
        .verify_login(&w, &r.login_random_secret, &r.signature, message)
        .map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()))?;
    let user = s.store.user_for_wallet(&w, true).await?;
    tracing::info!(user_id = %user.user_id, "signed in");
    ok(LoginResp {
        access_token: s.auth.issue_token(&user.user_id),
        user_info: user,
    })
}

#[derive(Serialize)]
pub struct RefreshResp {
    access_token: String,
}

pub async fn refresh(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> ApiResult<RefreshResp> {
    let token = super::extract::bearer(&headers)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing bearer token"))?;
    let c = s
        .auth
        .check_refreshable(token)
        .map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()))?;
    if s.store.user(&c.user_id).await?.is_none() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "user no longer exists",
        ));
    }
    ok(RefreshResp {
        access_token: s.auth.issue_token(&c.user_id),
    })
}

#[derive(Deserialize)]
pub struct RegisterReq {
    wallet_address: String,
    platform: String,
    user_name: String,
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

pub async fn register(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<RegisterReq>,
) -> ApiResult<User> {
    let w = wallet(&r.wallet_address)?;
    platform_name(&r.platform, &r.user_name)?;
    ok(s.store.register(&w, &r.platform, &r.user_name).await?)
}

#[derive(Deserialize)]
pub struct InfoReq {
    platform: String,
    user_name: String,
}

pub async fn info(State(s): State<AppState>, JsonBody(r): JsonBody<InfoReq>) -> ApiResult<User> {
    platform_name(&r.platform, &r.user_name)?;
    let u = s.store.user_by_platform(&r.platform, &r.user_name).await?;
    ok(u.ok_or_else(|| ApiError::not_found("user not found"))?)
}

#[derive(Deserialize)]
pub struct SearchReq {
    keyword: String,
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

#[derive(Deserialize)]
pub struct ProfileReq {
    #[serde(default)]
    nick_name: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

pub async fn profile(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<ProfileReq>,
) -> ApiResult<User> {
    if let Some(n) = &r.nick_name {
        if n.chars().count() > 64 || n.chars().any(char::is_control) {
            return Err(ApiError::bad(
                "nick_name must be at most 64 characters, without control characters",
            ));
        }
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

#[derive(Deserialize)]
pub struct CreateRoomReq {
    #[serde(default)]
    user_id: Vec<String>,
    #[serde(default)]
    is_opensea_coll: bool,
    #[serde(default)]
    opensea_coll_slug: String,
    #[serde(default)]
    opensea_coll_name: String,
    #[serde(default)]
    opensea_coll_cover: String,
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

#[derive(Deserialize)]
pub struct AddMembersReq {
    target_user_ids: Vec<String>,
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

#[derive(Deserialize)]
pub struct PageReq {
    #[serde(default = "one")]
    page: i64,
    #[serde(default = "twenty")]
    size: i64,
}

fn one() -> i64 {
    1
}
fn twenty() -> i64 {
    20
}

pub async fn my_chats(
    State(s): State<AppState>,
    AuthUser(c): AuthUser,
    JsonBody(r): JsonBody<PageReq>,
) -> ApiResult<Vec<ChatRoom>> {
    ok(s.store.my_chats(&c.user_id, page(r.page, r.size)?).await?)
}

#[derive(Deserialize)]
pub struct MessagesReq {
    room_id: String,
    #[serde(default = "one")]
    page: i64,
    #[serde(default = "twenty")]
    size: i64,
    #[serde(default)]
    after_time_stamp: Option<i64>,
    #[serde(default)]
    after_seq: Option<i64>,
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

#[derive(Deserialize)]
pub struct ThreadReq {
    msg_id: String,
    #[serde(default)]
    is_opensea_item_thread: bool,
    #[serde(default)]
    opensea_item_contract_address: String,
    #[serde(default)]
    opensea_item_token_id: String,
    #[serde(default)]
    opensea_item_name: String,
    #[serde(default)]
    opensea_item_description: String,
    #[serde(default)]
    opensea_item_image_url: String,
}

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
    if !s.store.is_member(&m.to_room_id, &c.user_id).await? {
        return Err(ApiError::forbidden("not a member of this room"));
    }
    let item = if r.is_opensea_item_thread {
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

#[derive(Deserialize)]
pub struct ThreadQuery {
    #[serde(default)]
    belong_to_thread_id: Option<String>,
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

#[derive(Deserialize)]
pub struct ContactReq {
    user_id: String,
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

pub async fn metrics(State(s): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.metrics.render(),
    )
        .into_response()
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}
