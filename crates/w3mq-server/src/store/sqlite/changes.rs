//! Changes to stored messages: edits, deletions for everyone and reactions,
//! each taking the room's next change counter (`rooms.rev`) in the
//! transaction that makes it, and the room's changes read back by counter.

use sqlx::{Row, SqliteConnection};
use w3mq_protocol::{Message, Reaction, MAX_REACTION_USERS};

use super::{row_message, SqliteStore};
use crate::store::{Change, StoreError};

pub(super) async fn change_message(
    store: &SqliteStore,
    msg_id: &str,
    actor: &str,
    change: Change,
) -> Result<Message, StoreError> {
    let mut tx = store.write.begin().await?;
    let row = sqlx::query("SELECT room_id, body FROM messages WHERE id = ?")
        .bind(msg_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("message"))?;
    let room_id: String = row.get(0);
    let mut m = row_message(&row)?;
    if !member(&mut tx, &room_id, actor).await? {
        // As for a message that does not exist: a stranger learns nothing.
        return Err(StoreError::NotFound("message"));
    }
    if m.deleted {
        return Err(StoreError::Conflict("the message was deleted".into()));
    }
    match change {
        Change::Edit { text, at_user_ids } => {
            if m.msg_type != "text" {
                return Err(StoreError::Conflict(
                    "only a text message can be edited".into(),
                ));
            }
            let mut kept: Vec<String> = Vec::new();
            for u in at_user_ids {
                let u = u.to_ascii_lowercase();
                if !kept.contains(&u) && member(&mut tx, &room_id, &u).await? {
                    kept.push(u);
                }
            }
            m.msg_contents = serde_json::Value::String(text);
            m.at_user_ids = kept;
            m.edited_at = w3mq_protocol::now_nanos();
        }
        Change::Delete => {
            m.deleted = true;
            m.msg_contents = serde_json::Value::String(String::new());
            m.at_user_ids.clear();
            m.reactions.clear();
            m.edited_at = 0;
            // An item thread's item goes with its words (the thread stays).
            m.is_opensea_item_thread = false;
            m.opensea_item_contract_address.clear();
            m.opensea_item_token_id.clear();
            m.opensea_item_name.clear();
            m.opensea_item_description.clear();
            m.opensea_item_image_url.clear();
            sqlx::query("DELETE FROM reactions WHERE msg_id = ?")
                .bind(msg_id)
                .execute(&mut *tx)
                .await?;
        }
        Change::React { emoji, on } => {
            let done = if on {
                sqlx::query(
                    "INSERT OR IGNORE INTO reactions (msg_id, user_id, emoji, at) VALUES (?, ?, ?, ?)",
                )
                .bind(msg_id)
                .bind(actor)
                .bind(&emoji)
                .bind(w3mq_protocol::now_nanos())
                .execute(&mut *tx)
                .await?
            } else {
                sqlx::query("DELETE FROM reactions WHERE msg_id = ? AND user_id = ? AND emoji = ?")
                    .bind(msg_id)
                    .bind(actor)
                    .bind(&emoji)
                    .execute(&mut *tx)
                    .await?
            };
            if done.rows_affected() == 0 {
                // Nothing changed (given twice, or removed when not given): no new counter.
                tx.commit().await?;
                return Ok(m);
            }
            m.reactions = reactions(&mut tx, msg_id).await?;
        }
    }
    let rev: i64 = sqlx::query("UPDATE rooms SET rev = rev + 1 WHERE room_id = ? RETURNING rev")
        .bind(&room_id)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    m.rev = rev;
    sqlx::query("UPDATE messages SET body = ?, rev = ?, deleted = ? WHERE id = ?")
        .bind(serde_json::to_string(&m)?)
        .bind(rev)
        .bind(m.deleted as i64)
        .bind(msg_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(m)
}

async fn member(c: &mut SqliteConnection, room: &str, user: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?")
            .bind(room)
            .bind(user)
            .fetch_optional(&mut *c)
            .await?
            .is_some(),
    )
}

/// A message's reactions: per emoji in the order first given, the first
/// [`MAX_REACTION_USERS`] users of each.
async fn reactions(c: &mut SqliteConnection, msg_id: &str) -> Result<Vec<Reaction>, StoreError> {
    let rows =
        sqlx::query("SELECT emoji, user_id FROM reactions WHERE msg_id = ? ORDER BY at, user_id")
            .bind(msg_id)
            .fetch_all(&mut *c)
            .await?;
    let mut out: Vec<Reaction> = Vec::new();
    for r in rows {
        let emoji: String = r.get(0);
        let user: String = r.get(1);
        let i = match out.iter().position(|x| x.emoji == emoji) {
            Some(i) => i,
            None => {
                out.push(Reaction {
                    emoji,
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        let e = &mut out[i];
        e.count += 1;
        if e.user_ids.len() < MAX_REACTION_USERS {
            e.user_ids.push(user);
        }
    }
    Ok(out)
}

pub(super) async fn changes(
    store: &SqliteStore,
    room_id: &str,
    after_rev: i64,
    size: i64,
) -> Result<(Vec<Message>, i64), StoreError> {
    let mut c = store.read.acquire().await?;
    let rev: i64 = sqlx::query("SELECT rev FROM rooms WHERE room_id = ?")
        .bind(room_id)
        .fetch_optional(&mut *c)
        .await?
        .map(|r| r.get(0))
        .unwrap_or(0);
    let rows = sqlx::query(
        "SELECT body FROM messages WHERE room_id = ? AND rev > ? ORDER BY rev ASC LIMIT ?",
    )
    .bind(room_id)
    .bind(after_rev)
    .bind(size.clamp(1, 100))
    .fetch_all(&mut *c)
    .await?;
    let msgs = rows
        .iter()
        .map(row_message)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((msgs, rev))
}
