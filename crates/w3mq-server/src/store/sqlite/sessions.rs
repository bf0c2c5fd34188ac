//! [`Sessions`] on SQLite: the `sessions` table of migration 0002.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use w3mq_protocol::ObjectId;

use super::SqliteStore;
use crate::store::{SessionRow, Sessions, StoreError};

fn row(r: &SqliteRow) -> SessionRow {
    SessionRow {
        sid: r.get(0),
        user_id: r.get(1),
        generation: r.get(2),
        expires_at: r.get(3),
        revoked: r.get::<i64, _>(4) != 0,
    }
}

#[async_trait]
impl Sessions for SqliteStore {
    async fn create_session(
        &self,
        user_id: &str,
        expires_at: i64,
    ) -> Result<SessionRow, StoreError> {
        // 24 hex digits of which 5 bytes are random, and 16 more random
        // bytes: a session id cannot be guessed from another.
        let sid = format!(
            "{}{}",
            ObjectId::new(),
            hex::encode(rand::random::<[u8; 16]>())
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let r = sqlx::query(
            "INSERT INTO sessions (sid, user_id, generation, created_at, expires_at)
             VALUES (?, ?, 1, ?, ?) RETURNING sid, user_id, generation, expires_at, revoked",
        )
        .bind(&sid)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&self.write)
        .await?;
        Ok(row(&r))
    }

    async fn session(&self, sid: &str) -> Result<Option<SessionRow>, StoreError> {
        let r = sqlx::query(
            "SELECT sid, user_id, generation, expires_at, revoked FROM sessions WHERE sid = ?",
        )
        .bind(sid)
        .fetch_optional(&self.read)
        .await?;
        Ok(r.as_ref().map(row))
    }

    async fn rotate_session(
        &self,
        sid: &str,
        from: i64,
        now: i64,
    ) -> Result<Option<SessionRow>, StoreError> {
        let r = sqlx::query(
            "UPDATE sessions SET generation = generation + 1
             WHERE sid = ? AND generation = ? AND revoked = 0 AND expires_at > ?
             RETURNING sid, user_id, generation, expires_at, revoked",
        )
        .bind(sid)
        .bind(from)
        .bind(now)
        .fetch_optional(&self.write)
        .await?;
        Ok(r.as_ref().map(row))
    }

    async fn revoke_session(&self, sid: &str) -> Result<bool, StoreError> {
        let n = sqlx::query("UPDATE sessions SET revoked = 1 WHERE sid = ? AND revoked = 0")
            .bind(sid)
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    async fn sweep_sessions(&self, now: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.write)
            .await?
            .rows_affected())
    }
}
