//! Messages: ingest, pages, threads, deletes.
//!
//! Ingest is set-based, so that a batch costs a fixed handful of statements
//! rather than a few per message, all in one transaction: the batch is
//! checked and de-duplicated in Rust; its rows go into `messages` up to 512
//! per statement, a conflict (a cached id, or a (room, seq) taken) leaving a
//! row out; the rows that went in (their `mid` is above the watermark taken
//! before) are indexed for search by one statement, counted into their rooms
//! by another, and `synced_seq` is advanced by a third. Only when some rows
//! were left out are they looked at again, to update the bodies of cached
//! ids. Triggers keep the search index right when messages are deleted or
//! updated.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Acquire, Row, Sqlite};
use w3mq_protocol::Message;

use super::{codec, rooms::RECOUNT, Cache, CacheError, MAX_PAGE};
use crate::model::Cursor;

/// The columns [`row_message`] reads, first in a row, in this order.
pub(crate) const MSG_COLS: usize = 6;

/// A message from a row of `m.id, m.seq, r.room_id, m.created_at, m.txt,
/// m.body`.
pub(crate) fn row_message(r: &SqliteRow) -> Result<Message, CacheError> {
    let body: String = r.try_get(5)?;
    Ok(codec::decode(
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        &body,
    )?)
}

/// Rows to messages, leaving out (and logging) the ones that do not parse.
fn rows_messages(rows: &[SqliteRow]) -> Result<Vec<Message>, CacheError> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        match row_message(r) {
            Ok(m) => out.push(m),
            Err(CacheError::Corrupt(e)) => {
                let id: Option<String> = r.try_get(0).ok();
                tracing::warn!(id, error = %e, "corrupt cached message skipped");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// A message kept for the batch after the checks.
struct Kept<'a> {
    /// The latest version of the message in the batch.
    msg: &'a Message,
    id: &'a str,
    room: &'a str,
    seq: i64,
}

/// The writer connection while it is at `synchronous = NORMAL`. Unless it was
/// set back to FULL (an error, or the caller dropped the future half-way),
/// it is closed instead of going back to the pool, so that no other write
/// ever runs at NORMAL.
struct NormalSync {
    conn: PoolConnection<Sqlite>,
    restored: bool,
}

impl Drop for NormalSync {
    fn drop(&mut self) {
        if !self.restored {
            self.conn.close_on_drop();
        }
    }
}

/// The columns a batch row binds, in order.
const ROW_COLS: &str = "id, rk, seq, created_at, thread_id, mine, mention, txt, extra, body";
const ROW_COL_COUNT: usize = 10;

/// The most rows one insert statement binds (10 parameters each).
const MAX_CHUNK: usize = 512;

/// `INSERT INTO <table> (ROW_COLS) VALUES` with `rows` rows of parameters,
/// `rows` a power of two up to [`MAX_CHUNK`] (each statement is built once,
/// and any batch takes at most one statement per bit of its size).
fn values_sql(into_messages: bool, rows: usize) -> &'static str {
    const SIZES: usize = MAX_CHUNK.trailing_zeros() as usize + 1;
    static SQL: [[OnceLock<String>; SIZES]; 2] = [const { [const { OnceLock::new() }; SIZES] }; 2];
    let rows = rows.clamp(1, MAX_CHUNK);
    let rows: usize = 1 << (usize::BITS - 1 - rows.leading_zeros()); // round down to a power of two
    let slot = rows.trailing_zeros() as usize;
    SQL[usize::from(into_messages)][slot].get_or_init(|| {
        let row = format!("({})", ["?"; ROW_COL_COUNT].join(", "));
        let (table, tail) = if into_messages {
            // A cached id or a taken (room, seq) is left alone.
            ("messages", " ON CONFLICT DO NOTHING")
        } else {
            ("temp.ingest", "")
        };
        format!(
            "INSERT INTO {table} ({ROW_COLS}) VALUES {}{tail}",
            vec![row; rows].join(", ")
        )
    })
}

/// Indexes the rows inserted by this batch (mid above the watermark ?1) for
/// search, in one statement (see the migration).
const BATCH_FTS: &str = "INSERT INTO messages_fts (rowid, txt, extra)
     SELECT mid, txt, extra FROM messages WHERE mid > ?1";

/// Where the messages of a batch that were cached already wait for
/// [`BATCH_UPDATE`].
const BATCH_TABLE: &str = "CREATE TEMP TABLE IF NOT EXISTS ingest (
       id TEXT NOT NULL, rk INTEGER NOT NULL, seq INTEGER NOT NULL, created_at INTEGER NOT NULL,
       thread_id TEXT, mine INTEGER NOT NULL, mention INTEGER NOT NULL,
       txt TEXT, extra TEXT, body TEXT NOT NULL)";

/// The ids of the rows inserted by this batch (mid above the watermark ?1).
const BATCH_NEW: &str = "SELECT json_group_array(id) FROM messages WHERE mid > ?1";

/// A message cached before this batch (mid at or below the watermark ?1)
/// takes the batch's body, when it differs and is not older: its change
/// counter (`rev`) is at least the cached one, and a placeholder stays one
/// (a copy from `chat/`, a resend or an earlier page carries no later change).
const BATCH_UPDATE: &str = "UPDATE messages SET body = b.body, txt = b.txt, extra = b.extra,
         thread_id = b.thread_id, created_at = b.created_at, mention = b.mention
     FROM temp.ingest b
     WHERE messages.id = b.id AND messages.mid <= ?1
       AND coalesce(json_extract(b.body, '$.rev'), 0) >= coalesce(json_extract(messages.body, '$.rev'), 0)
       AND (coalesce(json_extract(b.body, '$.deleted'), 0) OR NOT coalesce(json_extract(messages.body, '$.deleted'), 0))
       AND (messages.body IS NOT b.body OR messages.txt IS NOT b.txt
            OR messages.extra IS NOT b.extra OR messages.thread_id IS NOT b.thread_id
            OR messages.created_at IS NOT b.created_at OR messages.mention IS NOT b.mention)";

/// Recounts the rooms of the batch's updated rows (an edit may add or drop a
/// mention of me; a deletion drops it) over the rows cached before the batch
/// (mid at or below ?1): [`BATCH_COUNT`] adds the new ones after.
const BATCH_RECOUNT: &str = "UPDATE rooms SET
       unread = (SELECT count(*) FROM messages m
                 WHERE m.rk = rooms.rk AND m.seq > rooms.read_seq AND m.mine = 0 AND m.mid <= ?1),
       mentions = (SELECT count(*) FROM messages m
                   WHERE m.rk = rooms.rk AND m.seq > rooms.read_seq AND m.mine = 0 AND m.mention = 1
                     AND m.mid <= ?1)
     WHERE rk IN (SELECT DISTINCT m.rk FROM temp.ingest b JOIN messages m ON m.id = b.id)";

/// Counts the new rows (mid above ?1) into their rooms. (NOT INDEXED: the
/// rowid range is what finds them; an index on rk would scan the table.)
const BATCH_COUNT: &str = "UPDATE rooms SET unread = unread + a.u, mentions = mentions + a.n,
         max_seq = max(max_seq, a.mx)
     FROM (SELECT m.rk AS rk,
                  sum(m.mine = 0 AND m.seq > r.read_seq) AS u,
                  sum(m.mine = 0 AND m.mention = 1 AND m.seq > r.read_seq) AS n,
                  max(m.seq) AS mx
           FROM messages m NOT INDEXED JOIN rooms r ON r.rk = m.rk
           WHERE m.mid > ?1 GROUP BY m.rk) AS a
     WHERE rooms.rk = a.rk";

/// Advances synced_seq of the rooms with new rows (mid above ?1): to max_seq
/// when everything between is cached (one index range count), else over the
/// run of consecutive seqs that follows it (the first cached seq after it
/// whose successor is not cached). Nothing moves while synced_seq + 1 is
/// missing.
const BATCH_SYNCED: &str = "UPDATE rooms SET synced_seq = CASE
         WHEN (SELECT count(*) FROM messages m
               WHERE m.rk = rooms.rk AND m.seq > rooms.synced_seq AND m.seq <= rooms.max_seq)
              = rooms.max_seq - rooms.synced_seq THEN rooms.max_seq
         ELSE (SELECT m.seq FROM messages m
               WHERE m.rk = rooms.rk AND m.seq > rooms.synced_seq
                 AND NOT EXISTS (SELECT 1 FROM messages n WHERE n.rk = m.rk AND n.seq = m.seq + 1)
               ORDER BY m.seq LIMIT 1)
         END
     WHERE rk IN (SELECT rk FROM messages NOT INDEXED WHERE mid > ?1)
       AND EXISTS (SELECT 1 FROM messages m WHERE m.rk = rooms.rk AND m.seq = rooms.synced_seq + 1)";

/// A thread's replies, as [`Cache::thread_stats`] counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadStats {
    /// Replies (deleted ones left out).
    pub replies: i64,
    /// The latest reply's `created_at` (Unix ns).
    pub last_at: i64,
    /// The first three authors, in the order they first replied.
    pub authors: Vec<String>,
}

impl Cache {
    /// Inserts server messages; returns the ones that were new, in order.
    ///
    /// A message without an id, a room or a seq ≥ 1 is skipped (and logged). A
    /// message whose id is cached is not inserted again, but its body is
    /// replaced (e.g. it became a thread root); one whose (room, seq) is taken
    /// by another id is skipped. A new message by someone else above the read
    /// marker counts as unread, and as a mention if it mentions me. Rooms not
    /// seen yet are remembered (without info; they are listed once
    /// [`Cache::upsert_room`] stores them). One transaction per call.
    pub async fn ingest(&self, msgs: &[Message]) -> Result<Vec<Message>, CacheError> {
        // Check and de-duplicate the batch itself.
        let mut kept: Vec<Kept<'_>> = Vec::with_capacity(msgs.len());
        let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(msgs.len());
        let mut by_slot: HashMap<(&str, i64), usize> = HashMap::with_capacity(msgs.len());
        for m in msgs {
            let id = m.id.as_deref().unwrap_or("");
            let seq = m.seq.unwrap_or(0);
            if id.is_empty() || seq < 1 || m.to_room_id.is_empty() {
                tracing::warn!(id, seq, room = %m.to_room_id, "ingest: message without id, seq or room skipped");
                continue;
            }
            if let Some(&k) = by_id.get(id) {
                kept[k].msg = m;
                continue;
            }
            if by_slot.contains_key(&(m.to_room_id.as_str(), seq)) {
                tracing::warn!(id, seq, room = %m.to_room_id, "ingest: seq taken by another message in the batch");
                continue;
            }
            by_id.insert(id, kept.len());
            by_slot.insert((m.to_room_id.as_str(), seq), kept.len());
            kept.push(Kept {
                msg: m,
                id,
                room: &m.to_room_id,
                seq,
            });
        }
        if kept.is_empty() {
            return Ok(Vec::new());
        }
        let mut stored = Vec::with_capacity(kept.len());
        for k in &kept {
            stored.push(codec::encode(k.msg)?);
        }
        let mut room_ids: Vec<&str> = kept.iter().map(|k| k.room).collect();
        room_ids.sort_unstable();
        room_ids.dedup();
        let room_ids = serde_json::to_string(&room_ids)?;

        // Server messages can be fetched again: their commits need not wait
        // for the disk (WAL with synchronous = NORMAL never corrupts, it may
        // only lose the last commits on power loss). The connection goes
        // back to FULL for everything else, the outbox first of all.
        let mut conn = NormalSync {
            conn: self.write.acquire().await?,
            restored: false,
        };
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut *conn.conn)
            .await?;
        let res = write_batch(&mut conn.conn, self.me(), &kept, stored, &room_ids).await;
        sqlx::query("PRAGMA synchronous = FULL")
            .execute(&mut *conn.conn)
            .await?;
        conn.restored = true;
        drop(conn);
        let new = res?;

        Ok(new
            .into_iter()
            .map(|i| {
                let k = &kept[i];
                let mut m = k.msg.clone();
                m.id = Some(k.id.to_owned());
                m.seq = Some(k.seq);
                m.to_room_id = k.room.to_owned();
                m
            })
            .collect())
    }

    /// The highest seq s of a room such that all of 1..=s are cached.
    pub async fn synced_seq(&self, room_id: &str) -> Result<i64, CacheError> {
        let s: Option<i64> = sqlx::query_scalar("SELECT synced_seq FROM rooms WHERE room_id = ?1")
            .bind(room_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(s.unwrap_or(0))
    }

    /// The highest seq of a room ever cached.
    pub async fn max_seq(&self, room_id: &str) -> Result<i64, CacheError> {
        let s: Option<i64> = sqlx::query_scalar("SELECT max_seq FROM rooms WHERE room_id = ?1")
            .bind(room_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(s.unwrap_or(0))
    }

    /// Up to `limit` (clamped to 1..=500) messages of a room, ascending by
    /// seq: `Latest` the newest, `Before(s)` the newest below s, `After(s)`
    /// the oldest above s.
    pub async fn page(
        &self,
        room_id: &str,
        cursor: Cursor,
        limit: i64,
    ) -> Result<Vec<Message>, CacheError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (sql, bound, desc) = match cursor {
            Cursor::Latest => (PAGE_LATEST, i64::MAX, true),
            Cursor::Before(s) => (PAGE_LATEST, s, true),
            Cursor::After(s) => (PAGE_AFTER, s, false),
        };
        let rows = sqlx::query(sql)
            .bind(room_id)
            .bind(bound)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        let mut out = rows_messages(&rows)?;
        if desc {
            out.reverse();
        }
        Ok(out)
    }

    /// A thread: its root (by id) and the messages that belong to it, as one
    /// sequence ascending by seq, paged like [`Cache::page`] (so `Latest` of
    /// a long thread holds its newest messages, and paging back `Before`
    /// reaches the root first of all).
    pub async fn thread(
        &self,
        thread_id: &str,
        cursor: Cursor,
        limit: i64,
    ) -> Result<Vec<Message>, CacheError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (sql, bound, desc) = match cursor {
            Cursor::Latest => (THREAD_LATEST, i64::MAX, true),
            Cursor::Before(s) => (THREAD_LATEST, s, true),
            Cursor::After(s) => (THREAD_AFTER, s, false),
        };
        let rows = sqlx::query(sql)
            .bind(thread_id)
            .bind(bound)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        let mut out = rows_messages(&rows)?;
        if desc {
            out.reverse();
        }
        Ok(out)
    }

    /// The replies of thread roots (by id, at most a page of them): how
    /// many (placeholders of deleted ones left out), when the latest came,
    /// and the first three authors in the order they first replied. Roots
    /// without a reply are left out.
    pub async fn thread_stats(
        &self,
        roots: &[String],
    ) -> Result<HashMap<String, ThreadStats>, CacheError> {
        let mut out = HashMap::new();
        for id in roots.iter().take(MAX_PAGE as usize) {
            let (n, last): (i64, Option<i64>) = sqlx::query_as(THREAD_COUNT)
                .bind(id)
                .fetch_one(&self.read)
                .await?;
            if n == 0 {
                continue;
            }
            let authors: Vec<String> = sqlx::query_scalar(THREAD_AUTHORS)
                .bind(id)
                .fetch_all(&self.read)
                .await?;
            out.insert(
                id.clone(),
                ThreadStats {
                    replies: n,
                    last_at: last.unwrap_or(0),
                    authors,
                },
            );
        }
        Ok(out)
    }

    /// A room's thread roots, the most recently active first (by their
    /// latest reply, or their own time without one), at most `limit`.
    pub async fn thread_roots(
        &self,
        room_id: &str,
        limit: i64,
    ) -> Result<Vec<Message>, CacheError> {
        let rows = sqlx::query(THREAD_ROOTS)
            .bind(room_id)
            .bind(limit.clamp(1, MAX_PAGE))
            .fetch_all(&self.read)
            .await?;
        rows_messages(&rows)
    }

    /// A cached message by id.
    pub async fn message(&self, id: &str) -> Result<Option<Message>, CacheError> {
        let row = sqlx::query(MESSAGE_BY_ID)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(row_message).transpose()
    }

    /// The ids of a room's cached messages, oldest first.
    pub async fn message_ids(&self, room_id: &str) -> Result<Vec<String>, CacheError> {
        Ok(sqlx::query_scalar(
            "SELECT m.id FROM messages m JOIN rooms r ON r.rk = m.rk
             WHERE r.room_id = ?1 ORDER BY m.seq",
        )
        .bind(room_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Which of `ids` are cached messages of the room.
    pub async fn cached_ids(
        &self,
        room_id: &str,
        ids: &[String],
    ) -> Result<Vec<String>, CacheError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_scalar(
            "SELECT m.id FROM messages m JOIN rooms r ON r.rk = m.rk
             WHERE r.room_id = ?1 AND m.id IN (SELECT value FROM json_each(?2)) ORDER BY m.seq",
        )
        .bind(room_id)
        .bind(serde_json::to_string(ids)?)
        .fetch_all(&self.read)
        .await?)
    }

    /// Deletes messages of a room by id (and from the search index), and
    /// recounts the room's unread and mentions. `synced_seq` and `max_seq`
    /// stay: the server will not send the deleted messages again.
    pub async fn delete_messages(&self, room_id: &str, ids: &[String]) -> Result<(), CacheError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        let rk: Option<i64> = sqlx::query_scalar("SELECT rk FROM rooms WHERE room_id = ?1")
            .bind(room_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(rk) = rk else { return Ok(()) };
        sqlx::query(
            "DELETE FROM messages WHERE rk = ?1 AND id IN (SELECT value FROM json_each(?2))",
        )
        .bind(rk)
        .bind(serde_json::to_string(ids)?)
        .execute(&mut *tx)
        .await?;
        sqlx::query(RECOUNT).bind(rk).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes every cached message of a room (and from the search index);
    /// its unread and mention counts become 0.
    pub async fn clear_room(&self, room_id: &str) -> Result<(), CacheError> {
        let mut tx = self.write.begin().await?;
        let rk: Option<i64> = sqlx::query_scalar("SELECT rk FROM rooms WHERE room_id = ?1")
            .bind(room_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(rk) = rk else { return Ok(()) };
        sqlx::query("DELETE FROM messages WHERE rk = ?1")
            .bind(rk)
            .execute(&mut *tx)
            .await?;
        sqlx::query(RECOUNT).bind(rk).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One message of a batch as its row binds it.
struct BatchRow<'a> {
    id: &'a str,
    rk: i64,
    seq: i64,
    created_at: i64,
    thread_id: Option<&'a str>,
    mine: bool,
    mention: bool,
    stored: codec::Stored,
}

/// Inserts rows (into messages, or into the temporary table), up to
/// [`MAX_CHUNK`] per statement; returns how many went in.
async fn insert_rows(
    conn: &mut SqliteConnection,
    into_messages: bool,
    rows: &[BatchRow<'_>],
) -> Result<u64, CacheError> {
    let mut inserted = 0;
    let mut rest = rows;
    while !rest.is_empty() {
        // The largest power of two that fits.
        let n: usize = 1 << (usize::BITS - 1 - rest.len().min(MAX_CHUNK).leading_zeros());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        let mut q = sqlx::query(values_sql(into_messages, n));
        for r in chunk {
            q = q
                .bind(r.id)
                .bind(r.rk)
                .bind(r.seq)
                .bind(r.created_at)
                .bind(r.thread_id)
                .bind(r.mine)
                .bind(r.mention)
                .bind(r.stored.txt.as_deref())
                .bind(r.stored.extra.as_deref())
                .bind(r.stored.body.as_str());
        }
        inserted += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

/// The database half of [`Cache::ingest`]: one transaction. Returns the
/// positions in `kept` of the messages that were new.
async fn write_batch(
    conn: &mut SqliteConnection,
    me: &str,
    kept: &[Kept<'_>],
    stored: Vec<codec::Stored>,
    room_ids: &str,
) -> Result<Vec<usize>, CacheError> {
    let mut tx = conn.begin().await?;
    // Room keys (rooms not seen yet are added).
    sqlx::query(
        "INSERT INTO rooms (room_id) SELECT value FROM json_each(?1) WHERE true
         ON CONFLICT (room_id) DO NOTHING",
    )
    .bind(room_ids)
    .execute(&mut *tx)
    .await?;
    let rks: Vec<(i64, String)> = sqlx::query_as(
        "SELECT rk, room_id FROM rooms WHERE room_id IN (SELECT value FROM json_each(?1))",
    )
    .bind(room_ids)
    .fetch_all(&mut *tx)
    .await?;
    let rks: HashMap<String, i64> = rks.into_iter().map(|(rk, id)| (id, rk)).collect();

    // Every row, up to 512 per statement, straight into messages; the ones cached
    // already (or whose seq is taken) are left out by the conflict clause.
    let watermark: i64 = sqlx::query_scalar("SELECT coalesce(max(mid), 0) FROM messages")
        .fetch_one(&mut *tx)
        .await?;
    let mut rows: Vec<BatchRow<'_>> = kept
        .iter()
        .zip(stored)
        .map(|(k, s)| -> Result<BatchRow<'_>, CacheError> {
            let m = k.msg;
            Ok(BatchRow {
                id: k.id,
                // Inserted above in this transaction: always there.
                rk: *rks
                    .get(k.room)
                    .ok_or(CacheError::Db(sqlx::Error::RowNotFound))?,
                seq: k.seq,
                created_at: m.created_at,
                thread_id: Some(m.belong_to_thread_id.as_str()).filter(|t| !t.is_empty()),
                mine: m.from_uid == me,
                mention: m.at_user_ids.iter().any(|u| u == me),
                stored: s,
            })
        })
        .collect::<Result<_, _>>()?;
    let inserted = insert_rows(&mut tx, true, &rows).await?;

    let new: Vec<usize> = if inserted as usize == kept.len() {
        (0..kept.len()).collect()
    } else {
        // Some were there already: find the new ones, update the others.
        let ids: String = sqlx::query_scalar(BATCH_NEW)
            .bind(watermark)
            .fetch_one(&mut *tx)
            .await?;
        let ids: Vec<String> = serde_json::from_str(&ids)?;
        let new_ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let (new, old): (Vec<usize>, Vec<usize>) =
            (0..kept.len()).partition(|&i| new_ids.contains(kept[i].id));
        if !old.is_empty() {
            let old_rows: Vec<BatchRow<'_>> = {
                let mut old_set = old.iter().copied().peekable();
                let mut out = Vec::with_capacity(old.len());
                for (i, r) in rows.drain(..).enumerate() {
                    if old_set.peek() == Some(&i) {
                        old_set.next();
                        out.push(r);
                    }
                }
                out
            };
            sqlx::query(BATCH_TABLE).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM temp.ingest")
                .execute(&mut *tx)
                .await?;
            insert_rows(&mut tx, false, &old_rows).await?;
            let updated = sqlx::query(BATCH_UPDATE)
                .bind(watermark)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated > 0 {
                sqlx::query(BATCH_RECOUNT)
                    .bind(watermark)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM temp.ingest")
                .execute(&mut *tx)
                .await?;
        }
        new
    };
    if inserted > 0 {
        sqlx::query(BATCH_FTS)
            .bind(watermark)
            .execute(&mut *tx)
            .await?;
        sqlx::query(BATCH_COUNT)
            .bind(watermark)
            .execute(&mut *tx)
            .await?;
        sqlx::query(BATCH_SYNCED)
            .bind(watermark)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(new)
}

const PAGE_LATEST: &str = "SELECT m.id, m.seq, r.room_id, m.created_at, m.txt, m.body
     FROM rooms r JOIN messages m ON m.rk = r.rk
     WHERE r.room_id = ?1 AND m.seq < ?2
     ORDER BY m.seq DESC LIMIT ?3";

const PAGE_AFTER: &str = "SELECT m.id, m.seq, r.room_id, m.created_at, m.txt, m.body
     FROM rooms r JOIN messages m ON m.rk = r.rk
     WHERE r.room_id = ?1 AND m.seq > ?2
     ORDER BY m.seq ASC LIMIT ?3";

const THREAD_ROOTS: &str = "SELECT m.id, m.seq, r.room_id, m.created_at, m.txt, m.body
     FROM rooms r JOIN messages m ON m.rk = r.rk
     WHERE r.room_id = ?1 AND json_extract(m.body, '$.is_thread') = 1
     ORDER BY coalesce((SELECT max(t.created_at) FROM messages t
                         WHERE t.thread_id = m.id AND t.id <> m.id), m.created_at) DESC
     LIMIT ?2";

/// A thread's live replies (the root is in `thread_id` too, with its own id).
const THREAD_COUNT: &str = "SELECT count(*), max(created_at) FROM messages
     WHERE thread_id = ?1 AND id <> ?1 AND coalesce(json_extract(body, '$.deleted'), 0) = 0";

const THREAD_AUTHORS: &str = "SELECT u FROM (
       SELECT json_extract(body, '$.from_uid') AS u, min(seq) AS s FROM messages
        WHERE thread_id = ?1 AND id <> ?1 AND coalesce(json_extract(body, '$.deleted'), 0) = 0
        GROUP BY u)
     ORDER BY s LIMIT 3";

const THREAD_LATEST: &str = "SELECT m.id, m.seq, r.room_id, m.created_at, m.txt, m.body
     FROM messages m JOIN rooms r ON r.rk = m.rk
     WHERE m.mid IN (SELECT mid FROM messages WHERE thread_id = ?1
                     UNION ALL SELECT mid FROM messages WHERE id = ?1)
       AND m.seq < ?2
     ORDER BY m.seq DESC LIMIT ?3";

const THREAD_AFTER: &str = "SELECT m.id, m.seq, r.room_id, m.created_at, m.txt, m.body
     FROM messages m JOIN rooms r ON r.rk = m.rk
     WHERE m.mid IN (SELECT mid FROM messages WHERE thread_id = ?1
                     UNION ALL SELECT mid FROM messages WHERE id = ?1)
       AND m.seq > ?2
     ORDER BY m.seq ASC LIMIT ?3";

const MESSAGE_BY_ID: &str = "SELECT m.id, m.seq, r.room_id, m.created_at, m.txt, m.body
     FROM messages m JOIN rooms r ON r.rk = m.rk WHERE m.id = ?1";
