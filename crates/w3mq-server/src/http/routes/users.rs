//! Users: lookup by platform name, search, profile and contacts.

use axum::extract::{Path, State};
use w3mq_protocol::check_nick_name;
use w3mq_protocol::rest::{ContactReq, InfoReq, ProfileReq, SearchReq};
use w3mq_protocol::validate::is_http_url;
use w3mq_protocol::User;

use super::{object_id, ok, page, platform_name, ApiResult};
use crate::http::extract::{ApiError, AuthUser, JsonBody};
use crate::http::AppState;

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
