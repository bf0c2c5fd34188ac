//! Threads: making a thread root, a room's roots and a thread's messages.

use w3mq_protocol::{Message, OpenSeaItem};

use super::{page_bounds, row_message, SqliteStore};
use crate::store::{Page, StoreError};

pub(super) async fn make_thread(
    store: &SqliteStore,
    msg_id: &str,
    item: Option<OpenSeaItem>,
) -> Result<Message, StoreError> {
    let mut tx = store.write.begin().await?;
    let r = sqlx::query("SELECT body FROM messages WHERE id = ?")
        .bind(msg_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("message"))?;
    let mut m = row_message(&r)?;
    m.is_thread = true;
    if let Some(i) = item {
        if m.is_opensea_item_thread || !m.opensea_item_contract_address.is_empty() {
            return Err(StoreError::Conflict(
                "this message already has an item".into(),
            ));
        }
        m.set_item(i);
    }
    sqlx::query("UPDATE messages SET is_thread = 1, body = ? WHERE id = ?")
        .bind(serde_json::to_string(&m)?)
        .bind(msg_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(m)
}

pub(super) async fn thread_roots(
    store: &SqliteStore,
    room_id: &str,
    page: Page,
) -> Result<Vec<Message>, StoreError> {
    let (size, offset) = page_bounds(&page);
    let rows = sqlx::query("SELECT body FROM messages WHERE room_id = ? AND is_thread = 1 ORDER BY seq ASC LIMIT ? OFFSET ?")
        .bind(room_id)
        .bind(size)
        .bind(offset)
        .fetch_all(&store.read)
        .await?;
    rows.iter().map(row_message).collect()
}

pub(super) async fn thread_messages(
    store: &SqliteStore,
    thread_id: &str,
    page: Page,
) -> Result<Vec<Message>, StoreError> {
    let (size, offset) = page_bounds(&page);
    let rows = sqlx::query(
        "SELECT body FROM messages WHERE belong_to_thread_id = ? AND deleted = 0 ORDER BY seq ASC LIMIT ? OFFSET ?",
    )
    .bind(thread_id)
    .bind(size)
    .bind(offset)
    .fetch_all(&store.read)
    .await?;
    rows.iter().map(row_message).collect()
}
