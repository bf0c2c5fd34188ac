//! Storage: the narrow seam between the server's rules and its database.
//!
//! [`Store`] is everything the REST handlers and the router need from a
//! database. [`sqlite::SqliteStore`] implements it; a Postgres store for
//! several nodes can implement the same trait without touching the rules,
//! which come in from the router as a [`Rules`] function.

pub mod sqlite;

use async_trait::async_trait;
use thiserror::Error;
use w3mq_protocol::{ChatRoom, Message, OpenSeaItem, Rejection, Room, User};

/// A storage failure.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON column did not parse.
    #[error("stored data is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// The actor may not make this change.
    #[error("{0}")]
    Forbidden(&'static str),
}

/// What the rules need to know about a message's place before it is stored.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The sender is a member of the room (false when the room does not exist).
    pub is_member: bool,
    /// The message this sender already stored with the same `client_msg_id`.
    pub duplicate: Option<Message>,
    /// `belong_to_thread_id`'s message: (its room, whether it is a thread root).
    pub thread: Option<(String, bool)>,
    /// `reply_to_msg_id`'s message: its room.
    pub reply_room: Option<String>,
}

/// The router's acceptance rules, applied by the store inside its write
/// transaction so that facts cannot change between check and commit.
pub type Rules = fn(&Message, &Facts) -> Result<(), Rejection>;

/// The outcome of appending one message.
#[derive(Debug, Clone)]
pub struct Appended {
    /// The stored message, with `id`, `seq` and filtered `at_user_ids`.
    pub message: Message,
    /// It had been stored before (same sender and `client_msg_id`).
    pub duplicate: bool,
}

/// What kind of room to create.
#[derive(Debug, Clone)]
pub enum NewRoom {
    /// Creator and members (the creator is added if missing). One other
    /// member makes a 1v1 room, which is returned if it exists already.
    Users {
        /// The creating user.
        creator: String,
        /// The other members.
        members: Vec<String>,
    },
    /// A collection room, one per slug: returned (and joined) if it exists.
    Collection {
        /// The creating (or joining) user.
        creator: String,
        /// Unique slug.
        slug: String,
        /// Display name.
        name: String,
        /// Cover image URL.
        cover: String,
    },
}

/// The outcome of creating a room.
#[derive(Debug, Clone)]
pub struct Created {
    /// The room's id.
    pub room_id: String,
    /// Users who became members by this call (to be told `room_added`).
    pub added: Vec<String>,
}

/// Query of `POST /messages` and `GET /threads`.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// 1-based page.
    pub page: i64,
    /// Page size (1..=100).
    pub size: i64,
}

/// Where a message listing starts.
#[derive(Debug, Clone, Copy)]
pub enum After {
    /// The newest messages, paged backwards, each page ascending.
    Latest,
    /// Messages with a greater `seq`, ascending.
    Seq(i64),
    /// Messages with a greater `created_at`, ascending.
    Time(i64),
}

/// A change to a message (edits, deletions for everyone, reactions).
#[derive(Debug, Clone)]
pub enum Change {
    /// New text and mentions (a text message, not deleted).
    Edit {
        /// The text (checked by the caller: non-empty, bounded).
        text: String,
        /// Mentions (non-members are dropped here).
        at_user_ids: Vec<String>,
    },
    /// Deleted for everyone: contents, mentions and reactions go.
    Delete,
    /// The actor adds (`on`) or removes a reaction (checked: one of `REACTIONS`).
    React {
        /// The emoji.
        emoji: String,
        /// Add or remove.
        on: bool,
    },
}

/// The outcome of moving a read marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    /// The marker now.
    pub seq: i64,
    /// It moved.
    pub moved: bool,
    /// The shared marker now, when it moved.
    pub receipt: Option<i64>,
}

/// Which of a room's messages a moderator deletes.
#[derive(Debug, Clone)]
pub enum Deletion {
    /// These messages (ids of other rooms are ignored).
    Ids(Vec<String>),
    /// Every message of this sender.
    Sender(String),
    /// Every message of the room.
    All,
}

/// Everything the server stores.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The user of a wallet, created if it has none. `signed_in` marks it as
    /// having proven the key.
    async fn user_for_wallet(&self, wallet: &str, signed_in: bool) -> Result<User, StoreError>;
    /// A user by id.
    async fn user(&self, user_id: &str) -> Result<Option<User>, StoreError>;
    /// Records an unverified platform name for a wallet's user (creating the
    /// user) unless the name is another user's; the caller has proven the
    /// wallet. It becomes the nick name when there is none (and it may be one).
    async fn register(
        &self,
        wallet: &str,
        platform: &str,
        user_name: &str,
    ) -> Result<User, StoreError>;
    /// The user a platform name was registered for.
    async fn user_by_platform(
        &self,
        platform: &str,
        user_name: &str,
    ) -> Result<Option<User>, StoreError>;
    /// Users whose nick name or ENS name contains `keyword`, or whose wallet or id is it.
    async fn search_users(&self, keyword: &str, limit: i64) -> Result<Vec<User>, StoreError>;
    /// Updates a user's nick name and avatar.
    async fn update_profile(
        &self,
        user_id: &str,
        nick_name: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<User, StoreError>;

    /// Creates (or finds) a room.
    async fn create_room(&self, new: NewRoom) -> Result<Created, StoreError>;
    /// A room with its members.
    async fn room(&self, room_id: &str) -> Result<Option<Room>, StoreError>;
    /// The id of the collection room with this slug (lowercase).
    async fn collection_room_id(&self, slug: &str) -> Result<Option<String>, StoreError>;
    /// Whether `user_id` is a member of `room_id`.
    async fn is_member(&self, room_id: &str, user_id: &str) -> Result<bool, StoreError>;
    /// Adds members; returns the ones that were not members before.
    async fn add_members(
        &self,
        room_id: &str,
        user_ids: &[String],
    ) -> Result<Vec<String>, StoreError>;
    /// Removes a member; false if it was not one.
    async fn remove_member(&self, room_id: &str, user_id: &str) -> Result<bool, StoreError>;
    /// Rooms of a user.
    async fn my_rooms(&self, user_id: &str) -> Result<Vec<String>, StoreError>;
    /// Rooms of a user with their latest message, most recent activity first.
    async fn my_chats(&self, user_id: &str, page: Page) -> Result<Vec<ChatRoom>, StoreError>;

    /// Appends messages in one transaction, in order, applying `rules` to each.
    async fn append(
        &self,
        batch: Vec<Message>,
        rules: Rules,
    ) -> Result<Vec<Result<Appended, Rejection>>, StoreError>;
    /// Which of `ids` are messages of `room_id`, in their order.
    async fn existing_messages(
        &self,
        room_id: &str,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError>;
    /// A message by id.
    async fn message(&self, id: &str) -> Result<Option<Message>, StoreError>;
    /// A page of a room's messages, ascending by `seq`; the placeholders of
    /// deleted messages only with `deleted`.
    async fn messages(
        &self,
        room_id: &str,
        after: After,
        page: Page,
        deleted: bool,
    ) -> Result<Vec<Message>, StoreError>;
    /// Changes a message of `room_id` as `actor` (who must be a member,
    /// checked in the same transaction) and returns it as it is now, with
    /// the room's next change counter as its `rev`. Who may make which
    /// change (the author edits; the author or the owner deletes) is the
    /// caller's check.
    async fn change_message(
        &self,
        msg_id: &str,
        actor: &str,
        change: Change,
    ) -> Result<Message, StoreError>;
    /// The messages of a room changed after `after_rev`, ascending by
    /// `rev`, at most `size`, and the room's latest change counter.
    async fn changes(
        &self,
        room_id: &str,
        after_rev: i64,
        size: i64,
    ) -> Result<(Vec<Message>, i64), StoreError>;
    /// Deletes messages of a room; returns the ids deleted. `seq` numbers are
    /// never reused: the room's later messages continue after the gap.
    async fn delete_messages(
        &self,
        room_id: &str,
        which: Deletion,
    ) -> Result<Vec<String>, StoreError>;
    /// Makes a message a thread root (optionally an OpenSea item thread) and returns it.
    async fn make_thread(
        &self,
        msg_id: &str,
        item: Option<OpenSeaItem>,
    ) -> Result<Message, StoreError>;
    /// Thread roots of a room, ascending by `seq`.
    async fn thread_roots(&self, room_id: &str, page: Page) -> Result<Vec<Message>, StoreError>;
    /// Messages of one thread, ascending by `seq`.
    async fn thread_messages(
        &self,
        thread_id: &str,
        page: Page,
    ) -> Result<Vec<Message>, StoreError>;

    /// Moves `user_id`'s read marker in `room_id` forward to `seq` (cut to
    /// the room's last `seq`), and the marker the other members see too
    /// with `receipt`. A non-member gets `NotFound`, checked in the same
    /// transaction.
    async fn mark_read(
        &self,
        room_id: &str,
        user_id: &str,
        seq: i64,
        receipt: bool,
    ) -> Result<Moved, StoreError>;
    /// `user_id`'s markers in those of `room_ids` it is a member of.
    async fn read_markers(
        &self,
        user_id: &str,
        room_ids: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError>;
    /// The shared markers (read receipts) of a room's current members.
    async fn receipts(&self, room_id: &str) -> Result<Vec<(String, i64)>, StoreError>;
    /// Adds a contact (idempotent).
    async fn add_contact(&self, owner: &str, contact: &str) -> Result<(), StoreError>;
    /// A page of contacts.
    async fn contacts(&self, owner: &str, page: Page) -> Result<Vec<User>, StoreError>;
}

/// A signed-in session, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The session id (in the token's `sid`).
    pub sid: String,
    /// Whose session it is.
    pub user_id: String,
    /// The generation of its only live token (in the token's `gen`).
    pub generation: i64,
    /// When it ends, whatever its tokens say (Unix seconds).
    pub expires_at: i64,
    /// Ended by sign-out.
    pub revoked: bool,
}

/// Signed-in sessions: what makes a token revocable. Every node of a
/// deployment reads the same rows, so a sign-out or a refresh on one node
/// holds on all.
#[async_trait]
pub trait Sessions: Send + Sync + 'static {
    /// A new session of `user_id` (generation 1) ending at `expires_at`.
    async fn create_session(
        &self,
        user_id: &str,
        expires_at: i64,
    ) -> Result<SessionRow, StoreError>;
    /// A session by id.
    async fn session(&self, sid: &str) -> Result<Option<SessionRow>, StoreError>;
    /// Moves a live session from generation `from` to the next one; `None`
    /// when it is not at `from` (its token was refreshed already), revoked
    /// or ended at `now`.
    async fn rotate_session(
        &self,
        sid: &str,
        from: i64,
        now: i64,
    ) -> Result<Option<SessionRow>, StoreError>;
    /// Ends a session; false if there was no live one.
    async fn revoke_session(&self, sid: &str) -> Result<bool, StoreError>;
    /// Deletes sessions that ended before `now`; returns how many.
    async fn sweep_sessions(&self, now: i64) -> Result<u64, StoreError>;
}
