//! The REST client of PROTOCOL.md section 1.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use w3mq_protocol::login::{siwe_message, SiweFields};
use w3mq_protocol::{ChatRoom, Envelope, Message, OpenSeaItem, Room, User};

use crate::error::{CoreError, Result};
use crate::key::Key;

/// What `POST /login` returns.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LoginResult {
    /// The JWT.
    pub access_token: String,
    /// The signed-in user.
    pub user_info: User,
}

/// A REST client of one server, with the current token.
#[derive(Clone)]
pub struct Rest {
    http: reqwest::Client,
    base: String,
    token: Arc<RwLock<Option<String>>>,
}

impl Rest {
    /// A client of `base` (e.g. `http://127.0.0.1:8780`).
    pub fn new(base: &str) -> Result<Rest> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Rest {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: Arc::new(RwLock::new(None)),
        })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sets the bearer token.
    pub fn set_token(&self, token: Option<String>) {
        if let Ok(mut t) = self.token.write() {
            *t = token;
        }
    }

    fn token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    async fn call<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let req = match self.token() {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let env: Envelope<Value> = serde_json::from_slice(&bytes)
            .map_err(|e| CoreError::Protocol(format!("HTTP {status}: not an envelope: {e}")))?;
        if status != 200 || env.code != 0 {
            return Err(CoreError::Api {
                status,
                msg: env.msg,
            });
        }
        serde_json::from_value(env.data.unwrap_or(Value::Null))
            .map_err(|e| CoreError::Protocol(e.to_string()))
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: Value) -> Result<T> {
        self.call(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.call(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// Signs in with SIWE and remembers the token.
    pub async fn login(&self, key: &Key) -> Result<LoginResult> {
        let address = key.address();
        let secret: String = self
            .post("/login_random_secret", json!({ "wallet_address": address }))
            .await?;
        let fmt = time::format_description::well_known::Rfc3339;
        let now = time::OffsetDateTime::now_utc();
        let issued = now
            .format(&fmt)
            .map_err(|e| CoreError::Protocol(e.to_string()))?;
        let exp = (now + time::Duration::minutes(5))
            .format(&fmt)
            .map_err(|e| CoreError::Protocol(e.to_string()))?;
        let domain = self
            .base
            .split("://")
            .nth(1)
            .unwrap_or(&self.base)
            .to_owned();
        let text = siwe_message(&SiweFields {
            domain: &domain,
            address: &address,
            uri: &self.base,
            nonce: &secret,
            issued_at: &issued,
            expiration_time: &exp,
        });
        let signature = key.personal_sign(text.as_bytes())?;
        let r: LoginResult = self
            .post(
                "/login",
                json!({"wallet_address": address, "login_random_secret": secret, "signature": signature, "message": text}),
            )
            .await?;
        self.set_token(Some(r.access_token.clone()));
        Ok(r)
    }

    /// Exchanges the token for a fresh one and remembers it.
    pub async fn refresh(&self) -> Result<String> {
        #[derive(Deserialize)]
        struct R {
            access_token: String,
        }
        let r: R = self.get("/refresh").await?;
        self.set_token(Some(r.access_token.clone()));
        Ok(r.access_token)
    }

    /// `GET /my_rooms`.
    pub async fn my_rooms(&self) -> Result<Vec<String>> {
        self.get("/my_rooms").await
    }

    /// `POST /my_chats`.
    pub async fn my_chats(&self, page: i64, size: i64) -> Result<Vec<ChatRoom>> {
        self.post("/my_chats", json!({"page": page, "size": size}))
            .await
    }

    /// `GET /rooms/<id>`.
    pub async fn room(&self, room_id: &str) -> Result<Room> {
        self.get(&format!("/rooms/{room_id}")).await
    }

    /// `POST /messages` after a `seq`, ascending.
    pub async fn messages_after(
        &self,
        room_id: &str,
        after_seq: i64,
        size: i64,
    ) -> Result<Vec<Message>> {
        self.post(
            "/messages",
            json!({"room_id": room_id, "page": 1, "size": size, "after_seq": after_seq}),
        )
        .await
    }

    /// `GET /messages/<id>`.
    pub async fn message(&self, id: &str) -> Result<Message> {
        self.get(&format!("/messages/{id}")).await
    }

    /// `POST /rooms` with users: a 1v1 room for one, a group for several.
    pub async fn create_room(&self, user_ids: &[String]) -> Result<String> {
        self.post("/rooms", json!({ "user_id": user_ids })).await
    }

    /// `POST /rooms` for a collection room (joins it if it exists).
    pub async fn join_collection(&self, slug: &str, name: &str, cover: &str) -> Result<String> {
        self.post(
            "/rooms",
            json!({"is_opensea_coll": true, "opensea_coll_slug": slug, "opensea_coll_name": name, "opensea_coll_cover": cover}),
        )
        .await
    }

    /// `POST /rooms/<id>/members`.
    pub async fn add_members(&self, room_id: &str, user_ids: &[String]) -> Result<Room> {
        self.post(
            &format!("/rooms/{room_id}/members"),
            json!({ "target_user_ids": user_ids }),
        )
        .await
    }

    /// `POST /rooms/<id>/leave`.
    pub async fn leave(&self, room_id: &str) -> Result<()> {
        let _: Value = self
            .post(&format!("/rooms/{room_id}/leave"), json!({}))
            .await?;
        Ok(())
    }

    /// `POST /search`.
    pub async fn search_users(&self, keyword: &str) -> Result<Vec<User>> {
        self.post("/search", json!({ "keyword": keyword })).await
    }

    /// `POST /profile`.
    pub async fn set_profile(
        &self,
        nick_name: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<User> {
        self.post(
            "/profile",
            json!({"nick_name": nick_name, "avatar_url": avatar_url}),
        )
        .await
    }

    /// `POST /threads`: makes a message a thread root (optionally an OpenSea item thread).
    pub async fn create_thread(&self, msg_id: &str, item: Option<&OpenSeaItem>) -> Result<Message> {
        let mut body = json!({ "msg_id": msg_id });
        if let Some(i) = item {
            body["is_opensea_item_thread"] = json!(true);
            body["opensea_item_contract_address"] = json!(i.contract_address);
            body["opensea_item_token_id"] = json!(i.token_id);
            body["opensea_item_name"] = json!(i.name);
            body["opensea_item_description"] = json!(i.description);
            body["opensea_item_image_url"] = json!(i.image_url);
        }
        self.post("/threads", body).await
    }
}

/// The `exp` (seconds) of a JWT, read without verifying it (the server does).
pub fn token_expiry(token: &str) -> Option<u64> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("exp")?.as_u64()
}
