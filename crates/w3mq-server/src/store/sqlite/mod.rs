//! The SQLite store: one file in `--data-dir`, WAL, migrations, a pool of
//! readers and a single writer connection (so writes never contend).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use w3mq_protocol::{ChatRoom, Message, OpenSeaItem, Rejection, Room, User};

mod changes;
mod contacts;
mod messages;
mod reads;
mod rooms;
mod sessions;
mod threads;
mod users;

use super::{
    After, Appended, Change, Created, Deletion, Moved, NewRoom, Page, Rules, Store, StoreError,
};

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

fn row_message(r: &sqlx::sqlite::SqliteRow) -> Result<Message, StoreError> {
    Ok(serde_json::from_str(r.get::<&str, _>("body"))?)
}

#[async_trait]
impl Store for SqliteStore {
    async fn user_for_wallet(&self, wallet: &str, signed_in: bool) -> Result<User, StoreError> {
        users::user_for_wallet(self, wallet, signed_in).await
    }

    async fn user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        users::user(self, user_id).await
    }

    async fn register(
        &self,
        wallet: &str,
        platform: &str,
        user_name: &str,
    ) -> Result<User, StoreError> {
        users::register(self, wallet, platform, user_name).await
    }

    async fn user_by_platform(
        &self,
        platform: &str,
        user_name: &str,
    ) -> Result<Option<User>, StoreError> {
        users::user_by_platform(self, platform, user_name).await
    }

    async fn search_users(&self, keyword: &str, limit: i64) -> Result<Vec<User>, StoreError> {
        users::search_users(self, keyword, limit).await
    }

    async fn update_profile(
        &self,
        user_id: &str,
        nick_name: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<User, StoreError> {
        users::update_profile(self, user_id, nick_name, avatar_url).await
    }

    async fn create_room(&self, new: NewRoom) -> Result<Created, StoreError> {
        rooms::create_room(self, new).await
    }

    async fn room(&self, room_id: &str) -> Result<Option<Room>, StoreError> {
        rooms::room(self, room_id).await
    }

    async fn collection_room_id(&self, slug: &str) -> Result<Option<String>, StoreError> {
        rooms::collection_room_id(self, slug).await
    }

    async fn is_member(&self, room_id: &str, user_id: &str) -> Result<bool, StoreError> {
        rooms::is_member(self, room_id, user_id).await
    }

    async fn add_members(
        &self,
        room_id: &str,
        user_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        rooms::add_members(self, room_id, user_ids).await
    }

    async fn remove_member(&self, room_id: &str, user_id: &str) -> Result<bool, StoreError> {
        rooms::remove_member(self, room_id, user_id).await
    }

    async fn my_rooms(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        rooms::my_rooms(self, user_id).await
    }

    async fn my_chats(&self, user_id: &str, page: Page) -> Result<Vec<ChatRoom>, StoreError> {
        rooms::my_chats(self, user_id, page).await
    }

    async fn append(
        &self,
        batch: Vec<Message>,
        rules: Rules,
    ) -> Result<Vec<Result<Appended, Rejection>>, StoreError> {
        messages::append(self, batch, rules).await
    }

    async fn existing_messages(
        &self,
        room_id: &str,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        messages::existing_messages(self, room_id, ids).await
    }

    async fn message(&self, id: &str) -> Result<Option<Message>, StoreError> {
        messages::message(self, id).await
    }

    async fn messages(
        &self,
        room_id: &str,
        after: After,
        page: Page,
        deleted: bool,
    ) -> Result<Vec<Message>, StoreError> {
        messages::messages(self, room_id, after, page, deleted).await
    }

    async fn change_message(
        &self,
        msg_id: &str,
        actor: &str,
        change: Change,
    ) -> Result<Message, StoreError> {
        changes::change_message(self, msg_id, actor, change).await
    }

    async fn mark_read(
        &self,
        room_id: &str,
        user_id: &str,
        seq: i64,
        receipt: bool,
    ) -> Result<Moved, StoreError> {
        reads::mark_read(self, room_id, user_id, seq, receipt).await
    }

    async fn read_markers(
        &self,
        user_id: &str,
        room_ids: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        reads::read_markers(self, user_id, room_ids).await
    }

    async fn receipts(&self, room_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
        reads::receipts(self, room_id).await
    }

    async fn changes(
        &self,
        room_id: &str,
        after_rev: i64,
        size: i64,
    ) -> Result<(Vec<Message>, i64), StoreError> {
        changes::changes(self, room_id, after_rev, size).await
    }

    async fn delete_messages(
        &self,
        room_id: &str,
        which: Deletion,
    ) -> Result<Vec<String>, StoreError> {
        messages::delete_messages(self, room_id, which).await
    }

    async fn make_thread(
        &self,
        msg_id: &str,
        item: Option<OpenSeaItem>,
    ) -> Result<Message, StoreError> {
        threads::make_thread(self, msg_id, item).await
    }

    async fn thread_roots(&self, room_id: &str, page: Page) -> Result<Vec<Message>, StoreError> {
        threads::thread_roots(self, room_id, page).await
    }

    async fn thread_messages(
        &self,
        thread_id: &str,
        page: Page,
    ) -> Result<Vec<Message>, StoreError> {
        threads::thread_messages(self, thread_id, page).await
    }

    async fn add_contact(&self, owner: &str, contact: &str) -> Result<(), StoreError> {
        contacts::add_contact(self, owner, contact).await
    }

    async fn contacts(&self, owner: &str, page: Page) -> Result<Vec<User>, StoreError> {
        contacts::contacts(self, owner, page).await
    }
}
