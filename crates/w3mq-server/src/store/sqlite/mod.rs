//! The SQLite store: one file in `--data-dir`, WAL, migrations, a pool of
//! readers and a single writer connection (so writes never contend).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use w3mq_protocol::{now_nanos, ChatRoom, Message, ObjectId, OpenSeaItem, Rejection, Room, User};

mod sessions;

use super::{After, Appended, Created, Deletion, Facts, NewRoom, Page, Rules, Store, StoreError};

/// SQLite implementation of [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) `dir/w3mq.sqlite3` and runs the migrations.
    pub async fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join("w3mq.sqlite3");
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(SqliteStore { read, write })
    }

    /// Closes both pools, checkpointing the WAL.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

fn parse_user(profile: &str) -> Result<User, StoreError> {
    Ok(serde_json::from_str(profile)?)
}

fn page_bounds(p: &Page) -> (i64, i64) {
    let size = p.size.clamp(1, 100);
    let page = p.page.max(1);
    (size, (page - 1).saturating_mul(size))
}

async fn load_user(conn: &mut SqliteConnection, user_id: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT profile FROM users WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Some(parse_user(r.get::<&str, _>(0))?)),
        None => Ok(None),
    }
}

async fn save_user(
    conn: &mut SqliteConnection,
    u: &User,
    signed_in: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (user_id, wallet, nick_name, ens_name, signed_in, created_at, profile)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(user_id) DO UPDATE SET nick_name = excluded.nick_name,
             ens_name = excluded.ens_name, signed_in = MAX(users.signed_in, excluded.signed_in),
             profile = excluded.profile",
    )
    .bind(&u.user_id)
    .bind(&u.eth_wallet_address)
    .bind(&u.nick_name)
    .bind(&u.ens_name)
    .bind(signed_in as i64)
    .bind(u.created_at)
    .bind(serde_json::to_string(u)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn row_message(r: &sqlx::sqlite::SqliteRow) -> Result<Message, StoreError> {
    Ok(serde_json::from_str(r.get::<&str, _>("body"))?)
}

async fn room_with_members(
    conn: &mut SqliteConnection,
    room_id: &str,
) -> Result<Option<Room>, StoreError> {
    let Some(r) = sqlx::query(
        "SELECT room_id, name, description, creator_id, is_1v1, is_opensea_coll, coll_slug,
                coll_name, coll_cover, created_at, last_msg_time FROM rooms WHERE room_id = ?",
    )
    .bind(room_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut room = Room {
        room_id: r.get("room_id"),
        name: r.get("name"),
        description: r.get("description"),
        creator_id: r.get("creator_id"),
        is_1v1: r.get::<i64, _>("is_1v1") != 0,
        is_opensea_coll: r.get::<i64, _>("is_opensea_coll") != 0,
        opensea_coll_slug: r.get::<Option<String>, _>("coll_slug").unwrap_or_default(),
        opensea_coll_name: r.get("coll_name"),
        opensea_coll_cover: r.get("coll_cover"),
        created_at: r.get("created_at"),
        last_msg_time: r.get("last_msg_time"),
        ..Default::default()
    };
    let rows = sqlx::query(
        "SELECT u.profile FROM room_members m JOIN users u ON u.user_id = m.user_id
         WHERE m.room_id = ? ORDER BY m.joined_at, u.user_id",
    )
    .bind(room_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        room.members.push(parse_user(r.get::<&str, _>(0))?);
    }
    if let Some(c) = load_user(conn, &room.creator_id).await? {
        room.creator = c;
    }
    Ok(Some(room))
}

async fn insert_member(
    conn: &mut SqliteConnection,
    room_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)",
    )
    .bind(room_id)
    .bind(user_id)
    .bind(now_nanos())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn user_exists(conn: &mut SqliteConnection, user_id: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM users WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

async fn facts(conn: &mut SqliteConnection, m: &Message) -> Result<Facts, StoreError> {
    let mut f = Facts {
        is_member: sqlx::query("SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?")
            .bind(&m.to_room_id)
            .bind(&m.from_uid)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
        ..Default::default()
    };
    if let Some(cid) = &m.client_msg_id {
        if let Some(r) = sqlx::query(
            "SELECT body FROM messages WHERE sender = ? AND room_id = ? AND client_msg_id = ?",
        )
        .bind(&m.from_uid)
        .bind(&m.to_room_id)
        .bind(cid)
        .fetch_optional(&mut *conn)
        .await?
        {
            f.duplicate = Some(row_message(&r)?);
        }
    }
    if !m.belong_to_thread_id.is_empty() {
        f.thread = sqlx::query("SELECT room_id, is_thread FROM messages WHERE id = ?")
            .bind(&m.belong_to_thread_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) != 0));
    }
    if !m.reply_to_msg_id.is_empty() {
        f.reply_room = sqlx::query("SELECT room_id FROM messages WHERE id = ?")
            .bind(&m.reply_to_msg_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.get::<String, _>(0));
    }
    Ok(f)
}

#[async_trait]
impl Store for SqliteStore {
    async fn user_for_wallet(&self, wallet: &str, signed_in: bool) -> Result<User, StoreError> {
        let wallet = wallet.to_ascii_lowercase();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query("SELECT profile, signed_in FROM users WHERE wallet = ?")
            .bind(&wallet)
            .fetch_optional(&mut *tx)
            .await?;
        let user = match row {
            Some(r) => {
                let was = r.get::<i64, _>(1) != 0;
                let u = parse_user(r.get::<&str, _>(0))?;
                if signed_in && !was {
                    sqlx::query("UPDATE users SET signed_in = 1 WHERE user_id = ?")
                        .bind(&u.user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                u
            }
            None => {
                let u = User {
                    user_id: ObjectId::new().to_string(),
                    eth_wallet_address: wallet.clone(),
                    status: "00000".into(),
                    created_at: now_nanos(),
                    ..Default::default()
                };
                save_user(&mut tx, &u, signed_in).await?;
                u
            }
        };
        tx.commit().await?;
        Ok(user)
    }

    async fn user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        let mut c = self.read.acquire().await?;
        load_user(&mut c, user_id).await
    }

    async fn register(
        &self,
        wallet: &str,
        platform: &str,
        user_name: &str,
    ) -> Result<User, StoreError> {
        let wallet = wallet.to_ascii_lowercase();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query("SELECT profile, signed_in FROM users WHERE wallet = ?")
            .bind(&wallet)
            .fetch_optional(&mut *tx)
            .await?;
        let (mut user, signed_in) = match row {
            Some(r) => (parse_user(r.get::<&str, _>(0))?, r.get::<i64, _>(1) != 0),
            None => (
                User {
                    user_id: ObjectId::new().to_string(),
                    eth_wallet_address: wallet.clone(),
                    status: "00000".into(),
                    created_at: now_nanos(),
                    ..Default::default()
                },
                false,
            ),
        };
        {
            let taken = sqlx::query(
                "SELECT user_id FROM platform_names WHERE platform = ? AND user_name = ?",
            )
            .bind(platform)
            .bind(user_name)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.get::<String, _>(0));
            if let Some(owner) = taken {
                if owner != user.user_id {
                    return Err(StoreError::Conflict(format!(
                        "{platform} name {user_name:?} is registered to another user"
                    )));
                }
            }
            match platform {
                "opensea" => user.opensea_username = user_name.into(),
                "instagram" => user.instagram_username = user_name.into(),
                "twitter" => user.twitter_username = user_name.into(),
                "facebook" => user.facebook_username = user_name.into(),
                "discord" => user.discord_username = user_name.into(),
                _ => {
                    return Err(StoreError::Conflict(format!(
                        "unknown platform {platform:?}"
                    )))
                }
            }
            if user.nick_name.is_empty() && w3mq_protocol::check_nick_name(user_name).is_ok() {
                user.nick_name = user_name.into();
            }
            save_user(&mut tx, &user, signed_in).await?;
            sqlx::query("INSERT OR IGNORE INTO platform_names (platform, user_name, user_id) VALUES (?, ?, ?)")
                .bind(platform)
                .bind(user_name)
                .bind(&user.user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_platform(
        &self,
        platform: &str,
        user_name: &str,
    ) -> Result<Option<User>, StoreError> {
        let mut c = self.read.acquire().await?;
        let id =
            sqlx::query("SELECT user_id FROM platform_names WHERE platform = ? AND user_name = ?")
                .bind(platform)
                .bind(user_name)
                .fetch_optional(&mut *c)
                .await?
                .map(|r| r.get::<String, _>(0));
        match id {
            Some(id) => load_user(&mut c, &id).await,
            None => Ok(None),
        }
    }

    async fn search_users(&self, keyword: &str, limit: i64) -> Result<Vec<User>, StoreError> {
        let like = format!(
            "%{}%",
            keyword
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let exact = keyword.to_ascii_lowercase();
        let rows = sqlx::query(
            "SELECT profile FROM users
             WHERE nick_name LIKE ?1 ESCAPE '\\' OR ens_name LIKE ?1 ESCAPE '\\'
                OR wallet = ?2 OR user_id = ?2
             ORDER BY nick_name LIMIT ?3",
        )
        .bind(&like)
        .bind(&exact)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| parse_user(r.get::<&str, _>(0)))
            .collect()
    }

    async fn update_profile(
        &self,
        user_id: &str,
        nick_name: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<User, StoreError> {
        let mut tx = self.write.begin().await?;
        let mut u = load_user(&mut tx, user_id)
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        if let Some(n) = nick_name {
            u.nick_name = n.into();
        }
        if let Some(a) = avatar_url {
            u.avatar_url = a.into();
        }
        save_user(&mut tx, &u, false).await?;
        tx.commit().await?;
        Ok(u)
    }

    async fn create_room(&self, new: NewRoom) -> Result<Created, StoreError> {
        let mut tx = self.write.begin().await?;
        let now = now_nanos();
        let created = match new {
            NewRoom::Users { creator, members } => {
                let mut all = vec![creator.clone()];
                for m in members {
                    let m = m.to_ascii_lowercase();
                    if !all.contains(&m) {
                        all.push(m);
                    }
                }
                for u in &all {
                    if !user_exists(&mut tx, u).await? {
                        return Err(StoreError::NotFound("user"));
                    }
                }
                if all.len() < 2 {
                    return Err(StoreError::Conflict(
                        "a room needs at least one other member".into(),
                    ));
                }
                let pair_key = (all.len() == 2).then(|| {
                    let mut p = [all[0].clone(), all[1].clone()];
                    p.sort();
                    format!("{}:{}", p[0], p[1])
                });
                if let Some(k) = &pair_key {
                    if let Some(r) = sqlx::query("SELECT room_id FROM rooms WHERE pair_key = ?")
                        .bind(k)
                        .fetch_optional(&mut *tx)
                        .await?
                    {
                        let room_id: String = r.get(0);
                        let mut added = Vec::new();
                        for u in &all {
                            if insert_member(&mut tx, &room_id, u).await? {
                                added.push(u.clone());
                            }
                        }
                        tx.commit().await?;
                        return Ok(Created { room_id, added });
                    }
                }
                let room_id = ObjectId::new().to_string();
                sqlx::query(
                    "INSERT INTO rooms (room_id, description, creator_id, is_1v1, pair_key, created_at, last_msg_time)
                     VALUES (?, 'ChatRoom', ?, ?, ?, ?, ?)",
                )
                .bind(&room_id)
                .bind(&creator)
                .bind(pair_key.is_some() as i64)
                .bind(&pair_key)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                for u in &all {
                    insert_member(&mut tx, &room_id, u).await?;
                }
                Created {
                    room_id,
                    added: all,
                }
            }
            NewRoom::Collection {
                creator,
                slug,
                name,
                cover,
            } => {
                let existing = sqlx::query("SELECT room_id FROM rooms WHERE coll_slug = ?")
                    .bind(&slug)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.get::<String, _>(0));
                let room_id = match existing {
                    Some(id) => id,
                    None => {
                        let id = ObjectId::new().to_string();
                        sqlx::query(
                            "INSERT INTO rooms (room_id, name, description, creator_id, is_opensea_coll, coll_slug,
                                                coll_name, coll_cover, created_at, last_msg_time)
                             VALUES (?, ?, 'OpenSea collection', ?, 1, ?, ?, ?, ?, ?)",
                        )
                        .bind(&id)
                        .bind(&name)
                        .bind(&creator)
                        .bind(&slug)
                        .bind(&name)
                        .bind(&cover)
                        .bind(now)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        id
                    }
                };
                let added = if insert_member(&mut tx, &room_id, &creator).await? {
                    vec![creator]
                } else {
                    vec![]
                };
                Created { room_id, added }
            }
        };
        tx.commit().await?;
        Ok(created)
    }

    async fn room(&self, room_id: &str) -> Result<Option<Room>, StoreError> {
        let mut c = self.read.acquire().await?;
        room_with_members(&mut c, room_id).await
    }

    async fn collection_room_id(&self, slug: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query("SELECT room_id FROM rooms WHERE coll_slug = ?")
            .bind(slug.to_ascii_lowercase())
            .fetch_optional(&self.read)
            .await?
            .map(|r| r.get::<String, _>(0)))
    }

    async fn is_member(&self, room_id: &str, user_id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?")
                .bind(room_id)
                .bind(user_id)
                .fetch_optional(&self.read)
                .await?
                .is_some(),
        )
    }

    async fn add_members(
        &self,
        room_id: &str,
        user_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.write.begin().await?;
        let mut added = Vec::new();
        for u in user_ids {
            if !user_exists(&mut tx, u).await? {
                return Err(StoreError::NotFound("user"));
            }
            if insert_member(&mut tx, room_id, u).await? {
                added.push(u.clone());
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn remove_member(&self, room_id: &str, user_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM room_members WHERE room_id = ? AND user_id = ?")
            .bind(room_id)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn my_rooms(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT room_id FROM room_members WHERE user_id = ? ORDER BY room_id")
                .bind(user_id)
                .fetch_all(&self.read)
                .await?;
        Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
    }

    async fn my_chats(&self, user_id: &str, page: Page) -> Result<Vec<ChatRoom>, StoreError> {
        let (size, offset) = page_bounds(&page);
        let mut c = self.read.acquire().await?;
        let ids: Vec<String> = sqlx::query(
            "SELECT r.room_id FROM room_members m JOIN rooms r ON r.room_id = m.room_id
             WHERE m.user_id = ? ORDER BY r.last_msg_time DESC, r.room_id LIMIT ? OFFSET ?",
        )
        .bind(user_id)
        .bind(size)
        .bind(offset)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(room) = room_with_members(&mut c, &id).await? else {
                continue;
            };
            let latest_msg = match sqlx::query(
                "SELECT body FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT 1",
            )
            .bind(&id)
            .fetch_optional(&mut *c)
            .await?
            {
                Some(r) => Some(row_message(&r)?),
                None => None,
            };
            out.push(ChatRoom { room, latest_msg });
        }
        Ok(out)
    }

    async fn append(
        &self,
        batch: Vec<Message>,
        rules: Rules,
    ) -> Result<Vec<Result<Appended, Rejection>>, StoreError> {
        let mut tx = self.write.begin().await?;
        let mut out = Vec::with_capacity(batch.len());
        for mut m in batch {
            let f = facts(&mut tx, &m).await?;
            if let Err(r) = rules(&m, &f) {
                out.push(Err(r));
                continue;
            }
            if let Some(d) = f.duplicate {
                out.push(Ok(Appended {
                    message: d,
                    duplicate: true,
                }));
                continue;
            }
            if !m.at_user_ids.is_empty() {
                let mut kept = Vec::with_capacity(m.at_user_ids.len());
                for a in m.at_user_ids.drain(..) {
                    let member =
                        sqlx::query("SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?")
                            .bind(&m.to_room_id)
                            .bind(&a)
                            .fetch_optional(&mut *tx)
                            .await?
                            .is_some();
                    if member {
                        kept.push(a);
                    }
                }
                m.at_user_ids = kept;
            }
            let seq: i64 = sqlx::query("UPDATE rooms SET last_seq = last_seq + 1, last_msg_time = MAX(last_msg_time, ?) WHERE room_id = ? RETURNING last_seq")
                .bind(m.created_at)
                .bind(&m.to_room_id)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
            let id = ObjectId::new().to_string();
            m.id = Some(id.clone());
            m.seq = Some(seq);
            sqlx::query(
                "INSERT INTO messages (id, room_id, seq, sender, client_msg_id, created_at, is_thread, belong_to_thread_id, body)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(&m.to_room_id)
            .bind(seq)
            .bind(&m.from_uid)
            .bind(&m.client_msg_id)
            .bind(m.created_at)
            .bind(m.is_thread as i64)
            .bind(&m.belong_to_thread_id)
            .bind(serde_json::to_string(&m)?)
            .execute(&mut *tx)
            .await?;
            out.push(Ok(Appended {
                message: m,
                duplicate: false,
            }));
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn existing_messages(
        &self,
        room_id: &str,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut c = self.read.acquire().await?;
        let mut out = Vec::new();
        for id in ids {
            let hit = sqlx::query("SELECT 1 FROM messages WHERE room_id = ? AND id = ?")
                .bind(room_id)
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
                .is_some();
            if hit {
                out.push(id.clone());
            }
        }
        Ok(out)
    }

    async fn message(&self, id: &str) -> Result<Option<Message>, StoreError> {
        match sqlx::query("SELECT body FROM messages WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
        {
            Some(r) => Ok(Some(row_message(&r)?)),
            None => Ok(None),
        }
    }

    async fn messages(
        &self,
        room_id: &str,
        after: After,
        page: Page,
    ) -> Result<Vec<Message>, StoreError> {
        let (size, offset) = page_bounds(&page);
        let rows = match after {
            After::Latest => {
                sqlx::query(
                    "SELECT body FROM (SELECT body, seq FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?)
                     ORDER BY seq ASC",
                )
                .bind(room_id)
                .bind(size)
                .bind(offset)
                .fetch_all(&self.read)
                .await?
            }
            After::Seq(from) | After::Time(from) => {
                let sql = if matches!(after, After::Time(_)) {
                    "SELECT body FROM messages WHERE room_id = ? AND created_at > ? ORDER BY seq ASC LIMIT ? OFFSET ?"
                } else {
                    "SELECT body FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ? OFFSET ?"
                };
                sqlx::query(sql)
                    .bind(room_id)
                    .bind(from)
                    .bind(size)
                    .bind(offset)
                    .fetch_all(&self.read)
                    .await?
            }
        };
        rows.iter().map(row_message).collect()
    }

    async fn delete_messages(
        &self,
        room_id: &str,
        which: Deletion,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.write.begin().await?;
        let rows = match which {
            Deletion::Ids(ids) => {
                let mut rows = Vec::with_capacity(ids.len());
                for id in ids {
                    rows.extend(
                        sqlx::query(
                            "DELETE FROM messages WHERE room_id = ? AND id = ? RETURNING id",
                        )
                        .bind(room_id)
                        .bind(id.to_ascii_lowercase())
                        .fetch_optional(&mut *tx)
                        .await?,
                    );
                }
                rows
            }
            Deletion::Sender(sender) => {
                sqlx::query("DELETE FROM messages WHERE room_id = ? AND sender = ? RETURNING id")
                    .bind(room_id)
                    .bind(sender)
                    .fetch_all(&mut *tx)
                    .await?
            }
            Deletion::All => {
                sqlx::query("DELETE FROM messages WHERE room_id = ? RETURNING id")
                    .bind(room_id)
                    .fetch_all(&mut *tx)
                    .await?
            }
        };
        tx.commit().await?;
        Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
    }

    async fn make_thread(
        &self,
        msg_id: &str,
        item: Option<OpenSeaItem>,
    ) -> Result<Message, StoreError> {
        let mut tx = self.write.begin().await?;
        let r = sqlx::query("SELECT body FROM messages WHERE id = ?")
            .bind(msg_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("message"))?;
        let mut m = row_message(&r)?;
        m.is_thread = true;
        if let Some(i) = item {
            if m.is_opensea_item_thread || !m.opensea_item_contract_address.is_empty() {
                return Err(StoreError::Conflict(
                    "this message already has an item".into(),
                ));
            }
            m.set_item(i);
        }
        sqlx::query("UPDATE messages SET is_thread = 1, body = ? WHERE id = ?")
            .bind(serde_json::to_string(&m)?)
            .bind(msg_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(m)
    }

    async fn thread_roots(&self, room_id: &str, page: Page) -> Result<Vec<Message>, StoreError> {
        let (size, offset) = page_bounds(&page);
        let rows = sqlx::query("SELECT body FROM messages WHERE room_id = ? AND is_thread = 1 ORDER BY seq ASC LIMIT ? OFFSET ?")
            .bind(room_id)
            .bind(size)
            .bind(offset)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(row_message).collect()
    }

    async fn thread_messages(
        &self,
        thread_id: &str,
        page: Page,
    ) -> Result<Vec<Message>, StoreError> {
        let (size, offset) = page_bounds(&page);
        let rows = sqlx::query("SELECT body FROM messages WHERE belong_to_thread_id = ? ORDER BY seq ASC LIMIT ? OFFSET ?")
            .bind(thread_id)
            .bind(size)
            .bind(offset)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(row_message).collect()
    }

    async fn add_contact(&self, owner: &str, contact: &str) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        if !user_exists(&mut tx, contact).await? {
            return Err(StoreError::NotFound("user"));
        }
        sqlx::query("INSERT OR IGNORE INTO contacts (owner, contact, added_at) VALUES (?, ?, ?)")
            .bind(owner)
            .bind(contact)
            .bind(now_nanos())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn contacts(&self, owner: &str, page: Page) -> Result<Vec<User>, StoreError> {
        let (size, offset) = page_bounds(&page);
        let rows = sqlx::query(
            "SELECT u.profile FROM contacts c JOIN users u ON u.user_id = c.contact
             WHERE c.owner = ? ORDER BY c.added_at, c.contact LIMIT ? OFFSET ?",
        )
        .bind(owner)
        .bind(size)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| parse_user(r.get::<&str, _>(0)))
            .collect()
    }
}
