//! Messages: appending under the rules, pages, lookups and deletion.

use sqlx::{Row, SqliteConnection};
use w3mq_protocol::{Message, ObjectId, Rejection};

use super::{page_bounds, row_message, SqliteStore};
use crate::store::{After, Appended, Deletion, Facts, Page, Rules, StoreError};

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

pub(super) async fn append(
    store: &SqliteStore,
    batch: Vec<Message>,
    rules: Rules,
) -> Result<Vec<Result<Appended, Rejection>>, StoreError> {
    let mut tx = store.write.begin().await?;
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

pub(super) async fn existing_messages(
    store: &SqliteStore,
    room_id: &str,
    ids: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut c = store.read.acquire().await?;
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

pub(super) async fn message(store: &SqliteStore, id: &str) -> Result<Option<Message>, StoreError> {
    match sqlx::query("SELECT body FROM messages WHERE id = ?")
        .bind(id)
        .fetch_optional(&store.read)
        .await?
    {
        Some(r) => Ok(Some(row_message(&r)?)),
        None => Ok(None),
    }
}

pub(super) async fn messages(
    store: &SqliteStore,
    room_id: &str,
    after: After,
    page: Page,
    deleted: bool,
) -> Result<Vec<Message>, StoreError> {
    let (size, offset) = page_bounds(&page);
    // `deleted <= ?`: 0 leaves the placeholders of deleted messages out (what a 2022 client reads).
    let upto = deleted as i64;
    let rows = match after {
        After::Latest => {
            sqlx::query(
                "SELECT body FROM (SELECT body, seq FROM messages WHERE room_id = ? AND deleted <= ? ORDER BY seq DESC LIMIT ? OFFSET ?)
                     ORDER BY seq ASC",
            )
            .bind(room_id)
            .bind(upto)
            .bind(size)
            .bind(offset)
            .fetch_all(&store.read)
            .await?
        }
        After::Seq(from) | After::Time(from) => {
            let sql = if matches!(after, After::Time(_)) {
                "SELECT body FROM messages WHERE room_id = ? AND created_at > ? AND deleted <= ? ORDER BY seq ASC LIMIT ? OFFSET ?"
            } else {
                "SELECT body FROM messages WHERE room_id = ? AND seq > ? AND deleted <= ? ORDER BY seq ASC LIMIT ? OFFSET ?"
            };
            sqlx::query(sql)
                .bind(room_id)
                .bind(from)
                .bind(upto)
                .bind(size)
                .bind(offset)
                .fetch_all(&store.read)
                .await?
        }
    };
    rows.iter().map(row_message).collect()
}

pub(super) async fn delete_messages(
    store: &SqliteStore,
    room_id: &str,
    which: Deletion,
) -> Result<Vec<String>, StoreError> {
    let mut tx = store.write.begin().await?;
    let rows = match which {
        Deletion::Ids(ids) => {
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                rows.extend(
                    sqlx::query("DELETE FROM messages WHERE room_id = ? AND id = ? RETURNING id")
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
    let ids: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    for id in &ids {
        sqlx::query("DELETE FROM reactions WHERE msg_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(ids)
}
