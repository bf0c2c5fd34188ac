//! Read markers: how far each member has read each room, moved forward only,
//! in the write transaction that checks the membership.

use sqlx::Row;

use super::SqliteStore;
use crate::store::{Moved, StoreError};

pub(super) async fn mark_read(
    store: &SqliteStore,
    room_id: &str,
    user_id: &str,
    seq: i64,
    receipt: bool,
) -> Result<Moved, StoreError> {
    let mut tx = store.write.begin().await?;
    let last: Option<i64> = sqlx::query(
        "SELECT r.last_seq FROM rooms r JOIN room_members m ON m.room_id = r.room_id
          WHERE r.room_id = ? AND m.user_id = ?",
    )
    .bind(room_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.get(0));
    // A stranger learns nothing, not even that the room exists.
    let last = last.ok_or(StoreError::NotFound("room"))?;
    let seq = seq.clamp(0, last);
    let before: Option<(i64, i64)> =
        sqlx::query("SELECT seq, receipt_seq FROM read_markers WHERE room_id = ? AND user_id = ?")
            .bind(room_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| (r.get(0), r.get(1)));
    let (old, old_receipt) = before.unwrap_or((0, 0));
    let new = old.max(seq);
    let new_receipt = if receipt {
        old_receipt.max(seq)
    } else {
        old_receipt
    };
    if new != old || new_receipt != old_receipt {
        sqlx::query(
            "INSERT INTO read_markers (room_id, user_id, seq, receipt_seq) VALUES (?, ?, ?, ?)
             ON CONFLICT (room_id, user_id) DO UPDATE SET seq = excluded.seq,
                 receipt_seq = excluded.receipt_seq",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(new)
        .bind(new_receipt)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Moved {
        seq: new,
        moved: new != old,
        receipt: (new_receipt != old_receipt).then_some(new_receipt),
    })
}

pub(super) async fn read_markers(
    store: &SqliteStore,
    user_id: &str,
    room_ids: &[String],
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut c = store.read.acquire().await?;
    let mut out = Vec::new();
    for room in room_ids {
        // Only rooms I am a member of now.
        let row = sqlx::query(
            "SELECT r.seq FROM read_markers r JOIN room_members m
                 ON m.room_id = r.room_id AND m.user_id = r.user_id
              WHERE r.room_id = ? AND r.user_id = ? AND r.seq > 0",
        )
        .bind(room)
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await?;
        if let Some(r) = row {
            out.push((room.clone(), r.get(0)));
        }
    }
    Ok(out)
}

pub(super) async fn receipts(
    store: &SqliteStore,
    room_id: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.user_id, r.receipt_seq FROM read_markers r JOIN room_members m
             ON m.room_id = r.room_id AND m.user_id = r.user_id
          WHERE r.room_id = ? AND r.receipt_seq > 0 ORDER BY r.user_id",
    )
    .bind(room_id)
    .fetch_all(&store.read)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
