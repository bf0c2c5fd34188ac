//! The per-account SQLite cache: users, rooms with their counts and read
//! markers, every server message of the account's rooms (pages, threads,
//! full-text search), the outbox and a small key/value store.
//!
//! One file per account (the account is recorded in it; another account's
//! file is refused). WAL mode. All writes go through one connection, so they
//! never contend; reads use a pool of their own and never wait for writes.
//!
//! Durability: `synchronous = FULL`, so a write is on disk when its call
//! returns (the outbox survives a crash or a power loss), except the commits
//! of [`Cache::ingest`], which run at NORMAL: server messages can be fetched
//! again, and WAL at NORMAL never corrupts, it can only lose the last commits
//! on power loss (the next FULL commit syncs them too).
//!
//! Schema (`migrations/`):
//! - `messages`: one row per server message: the columns the queries need
//!   (`id` unique; `(rk, seq)` unique, the keyset index of pages; `thread_id`;
//!   `created_at`; `mine` and `mention` for the counts) and the message as
//!   compact JSON (`body`: no id, seq, room or time, no default-valued fields, and no
//!   text for a text message, whose text is the `txt` column: stored once,
//!   shared with the search index). Rooms are referred to by a small integer
//!   key `rk`, not the 24-character id.
//! - `messages_fts`: FTS5 over `txt` and `extra` (swap-card asset names and
//!   symbols and order status, OpenSea item name and description), external
//!   content (the text is not stored twice), `unicode61 remove_diacritics 2`.
//! - `rooms`: info JSON (members apart), `current` (a member now; a left room
//!   keeps its row and messages), notify mode, read marker, unread and mention
//!   counts (kept by ingest, recomputed by `mark_read` and deletes),
//!   `synced_seq` and `max_seq`. `room_members` (ordered) and `users`
//!   (profiles). `outbox` (rowid order = queue order). `meta`.
//!
//! See `messages.rs` for how ingest keeps the counts, `synced_seq` and the
//! search index right in one transaction per batch, with a fixed number of
//! statements.

mod codec;
mod messages;
mod outbox;
mod rooms;
mod search;

pub use messages::ThreadStats;
pub use search::{MAX_COUNTED, MAX_RESULTS, RANK_WINDOW};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// What can go wrong in the cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// SQLite said no (I/O, full disk, locked, …).
    #[error("cache database: {0}")]
    Db(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("cache migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON value does not parse (or a value does not serialize).
    #[error("corrupt cached data: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// The file was created for another account.
    #[error("the cache {path} belongs to account {found}, not {expected}")]
    WrongAccount {
        /// The file.
        path: PathBuf,
        /// The account it was opened for.
        expected: String,
        /// The account it belongs to.
        found: String,
    },
}

/// The most messages a page or a thread page returns.
pub const MAX_PAGE: i64 = 500;

/// The meta key that records which account the file belongs to.
const ME_KEY: &str = "cache.me";

/// A per-account cache. Cheap to clone; all clones share the connections.
#[derive(Clone)]
pub struct Cache {
    /// One connection: every write, in order.
    write: SqlitePool,
    /// Readers (WAL: they see the last committed state and never block).
    read: SqlitePool,
    me: Arc<str>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("me", &self.me)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// Opens or creates the cache file at `path` for the account `me` (a user
    /// id): WAL, `synchronous = FULL`, migrations. A file made for another
    /// account is refused ([`CacheError::WrongAccount`]).
    pub async fn open(path: &Path, me: &str) -> Result<Cache, CacheError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("mmap_size", "268435456")
            // Checkpoint every 8,000 pages (32 MB) rather than 1,000: pages
            // rewritten batch after batch (index segments being merged, the
            // tails of the b-trees) are copied into the file once, not each
            // time. The file is cut back to 64 MB after a checkpoint.
            .pragma("wal_autocheckpoint", "8000")
            .pragma("journal_size_limit", "67108864");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts.clone().pragma("cache_size", "-32768"))
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let found: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = ?1")
            .bind(ME_KEY)
            .fetch_optional(&write)
            .await?;
        match found {
            Some(found) if found != me => {
                write.close().await;
                return Err(CacheError::WrongAccount {
                    path: path.to_owned(),
                    expected: me.to_owned(),
                    found,
                });
            }
            Some(_) => {}
            None => {
                sqlx::query("INSERT INTO meta (key, value) VALUES (?1, ?2)")
                    .bind(ME_KEY)
                    .bind(me)
                    .execute(&write)
                    .await?;
            }
        }
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.pragma("cache_size", "-16384"))
            .await?;
        Ok(Cache {
            write,
            read,
            me: me.into(),
        })
    }

    /// Closes the connections (checkpointing the WAL into the main file).
    /// Calls after this fail.
    pub async fn close(&self) {
        self.read.close().await;
        // (No `PRAGMA optimize`: its ANALYZE could take seconds on a large
        // cache, and the queries are written to plan well without stats.)
        if !self.write.is_closed() {
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.write)
                .await;
        }
        self.write.close().await;
    }

    /// The account this cache belongs to.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// A value of the engine's key/value store.
    pub async fn get_meta(&self, key: &str) -> Result<Option<String>, CacheError> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.read)
            .await?)
    }

    /// Sets a value of the engine's key/value store.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), CacheError> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Removes a value of the engine's key/value store.
    pub async fn delete_meta(&self, key: &str) -> Result<(), CacheError> {
        sqlx::query("DELETE FROM meta WHERE key = ?1")
            .bind(key)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Every value whose key starts with `prefix`, by key.
    pub async fn metas_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, String)>, CacheError> {
        // `substr` rather than LIKE: the prefix is taken as it is, `%` and `_` included.
        Ok(sqlx::query_as(
            "SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
        )
        .bind(prefix)
        .fetch_all(&self.read)
        .await?)
    }

    /// Checks the database (`PRAGMA quick_check`) and that the search index
    /// matches the messages. Returns the problems found (none: empty).
    pub async fn integrity_check(&self) -> Result<Vec<String>, CacheError> {
        let mut problems: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&self.write)
            .await?
            .into_iter()
            .filter(|p: &String| p != "ok")
            .collect();
        if let Err(e) = sqlx::query(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
        )
        .execute(&self.write)
        .await
        {
            match e {
                sqlx::Error::Database(e) => problems.push(format!("search index: {e}")),
                e => return Err(e.into()),
            }
        }
        Ok(problems)
    }

    /// Writes the WAL back into the main file and truncates it (for the
    /// benchmark's size figure and for tests; SQLite also does this by itself).
    pub async fn checkpoint(&self) -> Result<(), CacheError> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
