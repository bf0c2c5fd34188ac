//! The REST client of PROTOCOL.md section 1.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use w3mq_protocol::login::{siwe_message, SiweFields};
use w3mq_protocol::rest::{
    path, AddMembersReq, ChangesReq, ChangesResp, CreateRoomReq, DeleteReq, EditReq, ExistingReq,
    LoginReq, LoginResp, MarkersReq, MessagesReq, PageReq, ProfileReq, ReactReq, ReadMarker,
    ReadReq, RefreshResp, RoomReq, SearchReq, ThreadReq, WalletReq,
};
use w3mq_protocol::{ChatRoom, Envelope, Message, OpenSeaItem, Room, User};

/// An empty JSON object, the body of routes that take none.
#[derive(Serialize)]
struct Empty {}

use crate::error::{CoreError, Result};
use crate::key::Key;

/// What `POST /login` returns.
pub type LoginResult = LoginResp;

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
        crate::tls::install_crypto_provider();
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

    /// The bearer token now (it changes on refresh and sign-in).
    pub fn current_token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    async fn call<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let req = match self.current_token() {
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

    async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T> {
        self.call(self.http.post(format!("{}{path}", self.base)).json(body))
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
            .post(
                path::LOGIN_RANDOM_SECRET,
                &WalletReq {
                    wallet_address: address.clone(),
                },
            )
            .await?;
        let fmt = time::format_description::well_known::Rfc3339;
        let now = time::OffsetDateTime::now_utc();
        let issued = now
            .format(&fmt)
            .map_err(|e| CoreError::Protocol(e.to_string()))?;
        let exp = (now + time::Duration::minutes(5))
            .format(&fmt)
            .map_err(|e| CoreError::Protocol(e.to_string()))?;
        // The SIWE domain is the server's authority (host and port).
        let domain = url::Url::parse(&self.base)
            .ok()
            .and_then(|u| {
                let host = u.host_str()?.to_owned();
                Some(match u.port() {
                    Some(p) => format!("{host}:{p}"),
                    None => host,
                })
            })
            .unwrap_or_else(|| self.base.clone());
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
                path::LOGIN,
                &LoginReq {
                    wallet_address: address,
                    login_random_secret: secret,
                    signature,
                    message: Some(text),
                },
            )
            .await?;
        self.set_token(Some(r.access_token.clone()));
        Ok(r)
    }

    /// Exchanges the token for a fresh one and remembers it.
    pub async fn refresh(&self) -> Result<String> {
        let r: RefreshResp = self.get(path::REFRESH).await?;
        self.set_token(Some(r.access_token.clone()));
        Ok(r.access_token)
    }

    /// `POST /logout` (extension): ends this token's session on the server.
    pub async fn logout(&self) -> Result<()> {
        let _: Value = self.post(path::LOGOUT, &Empty {}).await?;
        Ok(())
    }

    /// `POST /messages/existing` (extension): which of `ids` (at most 1,000)
    /// are messages of the room now.
    pub async fn existing_messages(&self, room_id: &str, ids: &[String]) -> Result<Vec<String>> {
        self.post(
            path::MESSAGES_EXISTING,
            &ExistingReq {
                room_id: room_id.into(),
                ids: ids.to_vec(),
            },
        )
        .await
    }

    /// `GET /my_rooms`.
    pub async fn my_rooms(&self) -> Result<Vec<String>> {
        self.get(path::MY_ROOMS).await
    }

    /// `POST /my_chats`.
    pub async fn my_chats(&self, page: i64, size: i64) -> Result<Vec<ChatRoom>> {
        self.post(path::MY_CHATS, &PageReq { page, size }).await
    }

    /// `GET /rooms/<id>`.
    pub async fn room(&self, room_id: &str) -> Result<Room> {
        self.get(&path::room(room_id)).await
    }

    /// `POST /messages` after a `seq`, ascending.
    pub async fn messages_after(
        &self,
        room_id: &str,
        after_seq: i64,
        size: i64,
    ) -> Result<Vec<Message>> {
        self.post(
            path::MESSAGES,
            &MessagesReq {
                include_deleted: true,
                room_id: room_id.into(),
                page: 1,
                size,
                after_time_stamp: None,
                after_seq: Some(after_seq),
            },
        )
        .await
    }

    /// `POST /messages/changes`: a room's changed messages after `after_rev`.
    pub async fn changes(&self, room_id: &str, after_rev: i64) -> Result<ChangesResp> {
        let req = ChangesReq {
            room_id: room_id.into(),
            after_rev,
            size: 100,
        };
        self.post(path::MESSAGES_CHANGES, &req).await
    }

    /// `POST /messages/edit`: my message's new text and mentions.
    pub async fn edit(&self, msg_id: &str, text: &str, at_user_ids: &[String]) -> Result<Message> {
        let req = EditReq {
            msg_id: msg_id.into(),
            text: text.into(),
            at_user_ids: at_user_ids.to_vec(),
        };
        self.post(path::MESSAGES_EDIT, &req).await
    }

    /// `POST /messages/delete`: deletes a message for everyone.
    pub async fn delete(&self, msg_id: &str) -> Result<Message> {
        let req = DeleteReq {
            msg_id: msg_id.into(),
        };
        self.post(path::MESSAGES_DELETE, &req).await
    }

    /// `POST /reactions`: adds (`on`) or removes my reaction.
    pub async fn react(&self, msg_id: &str, emoji: &str, on: bool) -> Result<Message> {
        let req = ReactReq {
            msg_id: msg_id.into(),
            emoji: emoji.into(),
            on,
        };
        self.post(path::REACTIONS, &req).await
    }

    /// `POST /read`: my marker in a room moves forward (a receipt too, with `receipt`).
    pub async fn read(&self, room_id: &str, seq: i64, receipt: bool) -> Result<ReadMarker> {
        let req = ReadReq {
            room_id: room_id.into(),
            seq,
            receipt,
        };
        self.post(path::READ, &req).await
    }

    /// `POST /read/markers`: my markers in these rooms.
    pub async fn read_markers(&self, room_ids: &[String]) -> Result<Vec<ReadMarker>> {
        let req = MarkersReq {
            room_ids: room_ids.to_vec(),
        };
        self.post(path::READ_MARKERS, &req).await
    }

    /// `POST /read/receipts`: the other members' shared markers in a room.
    pub async fn read_receipts(&self, room_id: &str) -> Result<Vec<ReadMarker>> {
        let req = RoomReq {
            room_id: room_id.into(),
        };
        self.post(path::READ_RECEIPTS, &req).await
    }

    /// `POST /typing`: I am typing in a room (whether the server told it).
    pub async fn typing(&self, room_id: &str) -> Result<bool> {
        let req = RoomReq {
            room_id: room_id.into(),
        };
        self.post(path::TYPING, &req).await
    }

    /// `GET /messages/<id>`.
    pub async fn message(&self, id: &str) -> Result<Message> {
        self.get(&path::message(id)).await
    }

    /// `POST /rooms` with users: a 1v1 room for one, a group for several.
    pub async fn create_room(&self, user_ids: &[String]) -> Result<String> {
        let req = CreateRoomReq {
            user_id: user_ids.to_vec(),
            ..Default::default()
        };
        self.post(path::ROOMS, &req).await
    }

    /// `POST /rooms` for a collection room (joins it if it exists).
    pub async fn join_collection(&self, slug: &str, name: &str, cover: &str) -> Result<String> {
        let req = CreateRoomReq {
            is_opensea_coll: true,
            opensea_coll_slug: slug.into(),
            opensea_coll_name: name.into(),
            opensea_coll_cover: cover.into(),
            ..Default::default()
        };
        self.post(path::ROOMS, &req).await
    }

    /// `POST /rooms/<id>/members`.
    pub async fn add_members(&self, room_id: &str, user_ids: &[String]) -> Result<Room> {
        let req = AddMembersReq {
            target_user_ids: user_ids.to_vec(),
        };
        self.post(&path::room_members(room_id), &req).await
    }

    /// `POST /rooms/<id>/leave`.
    pub async fn leave(&self, room_id: &str) -> Result<()> {
        let _: Value = self.post(&path::room_leave(room_id), &Empty {}).await?;
        Ok(())
    }

    /// `POST /search`.
    pub async fn search_users(&self, keyword: &str) -> Result<Vec<User>> {
        let req = SearchReq {
            keyword: keyword.into(),
        };
        self.post(path::SEARCH, &req).await
    }

    /// `POST /profile`.
    pub async fn set_profile(
        &self,
        nick_name: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<User> {
        let req = ProfileReq {
            nick_name: nick_name.map(str::to_owned),
            avatar_url: avatar_url.map(str::to_owned),
        };
        self.post(path::PROFILE, &req).await
    }

    /// `POST /threads`: makes a message a thread root (optionally an OpenSea item thread).
    pub async fn create_thread(&self, msg_id: &str, item: Option<&OpenSeaItem>) -> Result<Message> {
        let mut req = ThreadReq {
            msg_id: msg_id.into(),
            ..Default::default()
        };
        if let Some(i) = item {
            req.is_opensea_item_thread = true;
            req.opensea_item_contract_address = i.contract_address.clone();
            req.opensea_item_token_id = i.token_id.clone();
            req.opensea_item_name = i.name.clone();
            req.opensea_item_description = i.description.clone();
            req.opensea_item_image_url = i.image_url.clone();
        }
        self.post(path::THREADS, &req).await
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
