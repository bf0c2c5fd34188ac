//! Users, rooms, the room list, notification modes and read markers.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::Row;
use w3mq_protocol::{Room, User};

use super::{codec, Cache, CacheError};
use crate::model::{NotifyMode, RoomSummary};

/// A user list as JSON, skipping users without an id.
fn users_json(users: &[&User]) -> Result<String, CacheError> {
    let list: Vec<&User> = users
        .iter()
        .copied()
        .filter(|u| !u.user_id.is_empty())
        .collect();
    Ok(serde_json::to_string(&list)?)
}

const UPSERT_USERS: &str = "INSERT INTO users (user_id, profile)
     SELECT value ->> 'user_id', value FROM json_each(?1) WHERE true
     ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile";

/// Recomputes a room's unread and mention counts from the cached messages.
pub(crate) const RECOUNT: &str = "UPDATE rooms SET
       unread = (SELECT count(*) FROM messages m
                 WHERE m.rk = rooms.rk AND m.seq > rooms.read_seq AND m.mine = 0),
       mentions = (SELECT count(*) FROM messages m
                   WHERE m.rk = rooms.rk AND m.seq > rooms.read_seq AND m.mine = 0 AND m.mention = 1)
     WHERE rk = ?1";

fn parse_user(user_id: &str, profile: Option<&str>) -> User {
    match profile.map(serde_json::from_str::<User>) {
        Some(Ok(u)) => u,
        Some(Err(e)) => {
            tracing::warn!(user_id, error = %e, "corrupt cached profile");
            User {
                user_id: user_id.to_owned(),
                ..Default::default()
            }
        }
        None => User {
            user_id: user_id.to_owned(),
            ..Default::default()
        },
    }
}

impl Cache {
    /// Stores (or replaces) users' profiles.
    pub async fn upsert_users(&self, users: &[User]) -> Result<(), CacheError> {
        let refs: Vec<&User> = users.iter().collect();
        sqlx::query(UPSERT_USERS)
            .bind(users_json(&refs)?)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// A user's cached profile.
    pub async fn user(&self, user_id: &str) -> Result<Option<User>, CacheError> {
        let p: Option<String> = sqlx::query_scalar("SELECT profile FROM users WHERE user_id = ?1")
            .bind(user_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(p.map(|p| serde_json::from_str(&p)).transpose()?)
    }

    /// Stores a room's info and its member list (replacing the old list) and
    /// the members' profiles, and makes it one of the account's current rooms.
    /// Counts, read marker, notify mode and messages are kept.
    pub async fn upsert_room(&self, room: &Room) -> Result<(), CacheError> {
        let mut info = serde_json::to_value(room)?;
        if let Value::Object(map) = &mut info {
            map.remove("members");
        }
        let member_ids: Vec<&str> = room.members.iter().map(|u| u.user_id.as_str()).collect();
        // The member list's profiles win over the creator's copy.
        let profiles: Vec<&User> = std::iter::once(&room.creator)
            .chain(&room.members)
            .collect();

        let mut tx = self.write.begin().await?;
        let rk: i64 = sqlx::query_scalar(
            "INSERT INTO rooms (room_id, info, current, created_at, last_msg_time)
             VALUES (?1, ?2, 1, ?3, ?4)
             ON CONFLICT (room_id) DO UPDATE SET info = excluded.info, current = 1,
                created_at = excluded.created_at, last_msg_time = excluded.last_msg_time
             RETURNING rk",
        )
        .bind(&room.room_id)
        .bind(info.to_string())
        .bind(room.created_at)
        .bind(room.last_msg_time)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM room_members WHERE rk = ?1")
            .bind(rk)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO room_members (rk, pos, user_id)
             SELECT ?1, key, value FROM json_each(?2) WHERE value != ''",
        )
        .bind(rk)
        .bind(serde_json::to_string(&member_ids)?)
        .execute(&mut *tx)
        .await?;
        sqlx::query(UPSERT_USERS)
            .bind(users_json(&profiles)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The room left the account: it is no longer listed, but its info,
    /// counts and messages stay (browsable and searchable).
    pub async fn remove_room(&self, room_id: &str) -> Result<(), CacheError> {
        sqlx::query("UPDATE rooms SET current = 0 WHERE room_id = ?1")
            .bind(room_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The account's current rooms.
    pub async fn room_ids(&self) -> Result<Vec<String>, CacheError> {
        Ok(
            sqlx::query_scalar("SELECT room_id FROM rooms WHERE current = 1 ORDER BY room_id")
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// A room's stored info with its members, also for a room the account
    /// has left; `None` when the room's info was never stored.
    pub async fn room(&self, room_id: &str) -> Result<Option<Room>, CacheError> {
        let mut conn = self.read.acquire().await?;
        let row = sqlx::query("SELECT rk, info FROM rooms WHERE room_id = ?1 AND info IS NOT NULL")
            .bind(room_id)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let rk: i64 = row.try_get(0)?;
        let info: String = row.try_get(1)?;
        let mut room: Room = serde_json::from_str(&info)?;
        room.room_id = room_id.to_owned();
        let members = sqlx::query(
            "SELECT rm.user_id, u.profile FROM room_members rm
             LEFT JOIN users u ON u.user_id = rm.user_id
             WHERE rm.rk = ?1 ORDER BY rm.pos",
        )
        .bind(rk)
        .fetch_all(&mut *conn)
        .await?;
        for r in members {
            let id: String = r.try_get(0)?;
            let profile: Option<String> = r.try_get(1)?;
            room.members.push(parse_user(&id, profile.as_deref()));
        }
        Ok(Some(room))
    }

    /// Every current room with its latest message, counts and notify mode,
    /// most recent activity first (the latest cached message's `created_at`,
    /// else the room's `last_msg_time` or `created_at`). A room whose stored
    /// info does not parse is left out (and logged).
    pub async fn room_list(&self) -> Result<Vec<RoomSummary>, CacheError> {
        let mut conn = self.read.acquire().await?;
        let rows = sqlx::query(
            "SELECT r.rk, r.room_id, r.info, r.notify, r.unread, r.mentions,
                    max(r.created_at, r.last_msg_time), m.id, m.seq, m.txt, m.body, m.created_at
             FROM rooms r
             LEFT JOIN messages m ON m.mid =
                 (SELECT mid FROM messages WHERE rk = r.rk ORDER BY seq DESC LIMIT 1)
             WHERE r.current = 1 AND r.info IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        let member_rows = sqlx::query(
            "SELECT rm.rk, rm.user_id, u.profile FROM room_members rm
             JOIN rooms r ON r.rk = rm.rk AND r.current = 1
             LEFT JOIN users u ON u.user_id = rm.user_id
             ORDER BY rm.rk, rm.pos",
        )
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let mut members: HashMap<i64, Vec<User>> = HashMap::new();
        for r in member_rows {
            let rk: i64 = r.try_get(0)?;
            let id: String = r.try_get(1)?;
            let profile: Option<String> = r.try_get(2)?;
            members
                .entry(rk)
                .or_default()
                .push(parse_user(&id, profile.as_deref()));
        }

        let mut list = Vec::with_capacity(rows.len());
        for r in rows {
            let rk: i64 = r.try_get(0)?;
            let room_id: String = r.try_get(1)?;
            let info: String = r.try_get(2)?;
            let mut room: Room = match serde_json::from_str(&info) {
                Ok(room) => room,
                Err(e) => {
                    tracing::warn!(room_id, error = %e, "corrupt cached room");
                    continue;
                }
            };
            room.room_id = room_id.clone();
            room.members = members.remove(&rk).unwrap_or_default();
            let notify: String = r.try_get(3)?;
            let room_time: i64 = r.try_get(6)?;
            let latest = match r.try_get::<Option<String>, _>(7)? {
                Some(id) => {
                    let body: String = r.try_get(10)?;
                    let (seq, created_at, txt) = (r.try_get(8)?, r.try_get(11)?, r.try_get(9)?);
                    match codec::decode(id, seq, room_id.clone(), created_at, txt, &body) {
                        Ok(m) => Some(m),
                        Err(e) => {
                            tracing::warn!(room_id, error = %e, "corrupt cached message");
                            None
                        }
                    }
                }
                None => None,
            };
            let last_activity = match &latest {
                Some(m) if m.created_at > 0 => m.created_at,
                _ => room_time,
            };
            list.push(RoomSummary {
                room,
                latest,
                unread: r.try_get(4)?,
                mentions: r.try_get(5)?,
                notify: NotifyMode::parse(&notify),
                last_activity,
            });
        }
        list.sort_by(|a, b| {
            b.last_activity
                .cmp(&a.last_activity)
                .then_with(|| a.room.room_id.cmp(&b.room.room_id))
        });
        Ok(list)
    }

    /// Sets a room's notification mode (a room not seen yet is remembered).
    pub async fn set_notify_mode(&self, room_id: &str, mode: NotifyMode) -> Result<(), CacheError> {
        sqlx::query(
            "INSERT INTO rooms (room_id, notify) VALUES (?1, ?2)
             ON CONFLICT (room_id) DO UPDATE SET notify = excluded.notify",
        )
        .bind(room_id)
        .bind(mode.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Moves the read marker forward to `seq` (never backwards; it may be
    /// ahead of the cache: the server's marker for history not fetched yet)
    /// and recomputes the unread and mention counts. Returns whether the
    /// counts changed.
    pub async fn mark_read(&self, room_id: &str, seq: i64) -> Result<bool, CacheError> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query("SELECT rk, unread, mentions FROM rooms WHERE room_id = ?1")
            .bind(room_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let rk: i64 = row.try_get(0)?;
        let before: (i64, i64) = (row.try_get(1)?, row.try_get(2)?);
        sqlx::query("UPDATE rooms SET read_seq = ?2 WHERE rk = ?1 AND read_seq < ?2")
            .bind(rk)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        sqlx::query(RECOUNT).bind(rk).execute(&mut *tx).await?;
        let after: (i64, i64) = sqlx::query_as("SELECT unread, mentions FROM rooms WHERE rk = ?1")
            .bind(rk)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(before != after)
    }

    /// A room's unread and mention counts (0, 0 for an unknown room).
    pub async fn counts(&self, room_id: &str) -> Result<(i64, i64), CacheError> {
        let c: Option<(i64, i64)> =
            sqlx::query_as("SELECT unread, mentions FROM rooms WHERE room_id = ?1")
                .bind(room_id)
                .fetch_optional(&self.read)
                .await?;
        Ok(c.unwrap_or((0, 0)))
    }

    /// The first message by another member after my read marker that the
    /// room's timeline shows (not a thread reply), if any.
    pub async fn first_unread(&self, room_id: &str) -> Result<Option<String>, CacheError> {
        Ok(sqlx::query_scalar(
            "SELECT m.id FROM rooms r JOIN messages m ON m.rk = r.rk
              WHERE r.room_id = ?1 AND m.seq > r.read_seq AND m.mine = 0
                AND (m.thread_id IS NULL OR m.thread_id = m.id)
              ORDER BY m.seq ASC LIMIT 1",
        )
        .bind(room_id)
        .fetch_optional(&self.read)
        .await?)
    }

    /// My latest message in the room's timeline, among its last 500: (id, seq).
    pub async fn my_latest(&self, room_id: &str) -> Result<Option<(String, i64)>, CacheError> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.seq FROM rooms r JOIN messages m ON m.rk = r.rk
              WHERE r.room_id = ?1 AND m.mine = 1 AND m.seq > r.max_seq - 500
                AND (m.thread_id IS NULL OR m.thread_id = m.id)
              ORDER BY m.seq DESC LIMIT 1",
        )
        .bind(room_id)
        .fetch_optional(&self.read)
        .await?)
    }

    /// Whether `user_id` is a member of `room_id` as cached.
    pub async fn is_member(&self, room_id: &str, user_id: &str) -> Result<bool, CacheError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT EXISTS (SELECT 1 FROM rooms r JOIN room_members m ON m.rk = r.rk
                             WHERE r.room_id = ?1 AND m.user_id = ?2)",
        )
        .bind(room_id)
        .bind(user_id)
        .fetch_one(&self.read)
        .await?
            == 1)
    }

    /// A room's read marker (0 for an unknown room).
    pub async fn read_seq(&self, room_id: &str) -> Result<i64, CacheError> {
        let s: Option<i64> = sqlx::query_scalar("SELECT read_seq FROM rooms WHERE room_id = ?1")
            .bind(room_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(s.unwrap_or(0))
    }
}
