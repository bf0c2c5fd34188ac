//! Rooms: creation, members, a user's rooms and chats.

use sqlx::{Row, SqliteConnection};
use w3mq_protocol::{now_nanos, ChatRoom, ObjectId, Room};

use super::users::{load_user, user_exists};
use super::{page_bounds, parse_user, row_message, SqliteStore};
use crate::store::{Created, NewRoom, Page, StoreError};

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

pub(super) async fn create_room(store: &SqliteStore, new: NewRoom) -> Result<Created, StoreError> {
    let mut tx = store.write.begin().await?;
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

pub(super) async fn room(store: &SqliteStore, room_id: &str) -> Result<Option<Room>, StoreError> {
    let mut c = store.read.acquire().await?;
    room_with_members(&mut c, room_id).await
}

pub(super) async fn collection_room_id(
    store: &SqliteStore,
    slug: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query("SELECT room_id FROM rooms WHERE coll_slug = ?")
        .bind(slug.to_ascii_lowercase())
        .fetch_optional(&store.read)
        .await?
        .map(|r| r.get::<String, _>(0)))
}

pub(super) async fn is_member(
    store: &SqliteStore,
    room_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?")
            .bind(room_id)
            .bind(user_id)
            .fetch_optional(&store.read)
            .await?
            .is_some(),
    )
}

pub(super) async fn add_members(
    store: &SqliteStore,
    room_id: &str,
    user_ids: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut tx = store.write.begin().await?;
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

pub(super) async fn remove_member(
    store: &SqliteStore,
    room_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let mut tx = store.write.begin().await?;
    let done = sqlx::query("DELETE FROM room_members WHERE room_id = ? AND user_id = ?")
        .bind(room_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    // Their read marker goes with them: a member added again starts unread, and shares
    // no receipt from before.
    sqlx::query("DELETE FROM read_markers WHERE room_id = ? AND user_id = ?")
        .bind(room_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn my_rooms(
    store: &SqliteStore,
    user_id: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT room_id FROM room_members WHERE user_id = ? ORDER BY room_id")
        .bind(user_id)
        .fetch_all(&store.read)
        .await?;
    Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
}

pub(super) async fn my_chats(
    store: &SqliteStore,
    user_id: &str,
    page: Page,
) -> Result<Vec<ChatRoom>, StoreError> {
    let (size, offset) = page_bounds(&page);
    let mut c = store.read.acquire().await?;
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
            "SELECT body FROM messages WHERE room_id = ? AND deleted = 0 ORDER BY seq DESC LIMIT 1",
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
