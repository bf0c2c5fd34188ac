//! The outbox: messages I sent that have no ACK yet, or were rejected.
//!
//! Every write here is a committed transaction on the `synchronous = FULL`
//! writer, so an entry is on disk (WAL fsynced) when `outbox_add` returns.

use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{Cache, CacheError};
use crate::model::{OutboxEntry, SendStatus};

fn status_str(s: SendStatus) -> &'static str {
    match s {
        SendStatus::Pending => "pending",
        SendStatus::Sent => "sent",
        SendStatus::Failed => "failed",
    }
}

fn parse_status(s: &str) -> SendStatus {
    match s {
        "failed" => SendStatus::Failed,
        "sent" => SendStatus::Sent,
        // Unknown: sending again is safe (the server de-duplicates by client_msg_id).
        _ => SendStatus::Pending,
    }
}

fn row_entry(r: &SqliteRow) -> Result<OutboxEntry, CacheError> {
    let message: String = r.try_get(2)?;
    let status: String = r.try_get(3)?;
    Ok(OutboxEntry {
        client_msg_id: r.try_get(0)?,
        room_id: r.try_get(1)?,
        message: serde_json::from_str(&message)?,
        status: parse_status(&status),
        error: r.try_get(4)?,
        created_at: r.try_get(5)?,
        attempts: r.try_get(6)?,
    })
}

fn rows_entries(rows: &[SqliteRow]) -> Result<Vec<OutboxEntry>, CacheError> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        match row_entry(r) {
            Ok(e) => out.push(e),
            Err(CacheError::Corrupt(e)) => {
                let id: Option<String> = r.try_get(0).ok();
                tracing::warn!(client_msg_id = id, error = %e, "corrupt outbox entry skipped");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

impl Cache {
    /// Queues a message (or replaces the entry with the same
    /// `client_msg_id`, keeping its place in the queue). Durable when it
    /// returns.
    pub async fn outbox_add(&self, e: &OutboxEntry) -> Result<(), CacheError> {
        sqlx::query(
            "INSERT INTO outbox (client_msg_id, room_id, message, status, error, created_at, attempts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (client_msg_id) DO UPDATE SET room_id = excluded.room_id,
                message = excluded.message, status = excluded.status, error = excluded.error,
                created_at = excluded.created_at, attempts = excluded.attempts",
        )
        .bind(&e.client_msg_id)
        .bind(&e.room_id)
        .bind(serde_json::to_string(&e.message)?)
        .bind(status_str(e.status))
        .bind(&e.error)
        .bind(e.created_at)
        .bind(e.attempts)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Every pending entry, oldest first.
    pub async fn outbox_pending(&self) -> Result<Vec<OutboxEntry>, CacheError> {
        let rows = sqlx::query(
            "SELECT client_msg_id, room_id, message, status, error, created_at, attempts
             FROM outbox WHERE status = 'pending' ORDER BY created_at, rowid",
        )
        .fetch_all(&self.read)
        .await?;
        rows_entries(&rows)
    }

    /// A room's pending and failed entries, oldest first.
    pub async fn outbox_room(&self, room_id: &str) -> Result<Vec<OutboxEntry>, CacheError> {
        let rows = sqlx::query(
            "SELECT client_msg_id, room_id, message, status, error, created_at, attempts
             FROM outbox WHERE room_id = ?1 AND status IN ('pending', 'failed')
             ORDER BY created_at, rowid",
        )
        .bind(room_id)
        .fetch_all(&self.read)
        .await?;
        rows_entries(&rows)
    }

    /// An entry by its client_msg_id.
    pub async fn outbox_get(&self, client_msg_id: &str) -> Result<Option<OutboxEntry>, CacheError> {
        let row = sqlx::query(
            "SELECT client_msg_id, room_id, message, status, error, created_at, attempts
             FROM outbox WHERE client_msg_id = ?1",
        )
        .bind(client_msg_id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(row_entry).transpose()
    }

    /// Counts one more publish of the entry.
    pub async fn outbox_attempted(&self, client_msg_id: &str) -> Result<(), CacheError> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE client_msg_id = ?1")
            .bind(client_msg_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The ACK came: removes the entry. True if it was there.
    pub async fn outbox_ack(&self, client_msg_id: &str) -> Result<bool, CacheError> {
        self.outbox_remove(client_msg_id).await
    }

    /// The server rejected the entry: it becomes Failed with the reason.
    /// True if it was there.
    pub async fn outbox_fail(&self, client_msg_id: &str, reason: &str) -> Result<bool, CacheError> {
        let done =
            sqlx::query("UPDATE outbox SET status = 'failed', error = ?2 WHERE client_msg_id = ?1")
                .bind(client_msg_id)
                .bind(reason)
                .execute(&self.write)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Makes an entry Pending again (clearing its error) and returns it, or
    /// `None` when there is no such entry.
    pub async fn outbox_retry(
        &self,
        client_msg_id: &str,
    ) -> Result<Option<OutboxEntry>, CacheError> {
        let row = sqlx::query(
            "UPDATE outbox SET status = 'pending', error = NULL WHERE client_msg_id = ?1
             RETURNING client_msg_id, room_id, message, status, error, created_at, attempts",
        )
        .bind(client_msg_id)
        .fetch_optional(&self.write)
        .await?;
        row.as_ref().map(row_entry).transpose()
    }

    /// Drops an entry (the user gave up on it). True if it was there.
    pub async fn outbox_discard(&self, client_msg_id: &str) -> Result<bool, CacheError> {
        self.outbox_remove(client_msg_id).await
    }

    async fn outbox_remove(&self, client_msg_id: &str) -> Result<bool, CacheError> {
        let done = sqlx::query("DELETE FROM outbox WHERE client_msg_id = ?1")
            .bind(client_msg_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
