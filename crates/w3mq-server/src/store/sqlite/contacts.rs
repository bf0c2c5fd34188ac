//! Contacts: adding one, and a user's page of them.

use sqlx::Row;
use w3mq_protocol::{now_nanos, User};

use super::users::user_exists;
use super::{page_bounds, parse_user, SqliteStore};
use crate::store::{Page, StoreError};

pub(super) async fn add_contact(
    store: &SqliteStore,
    owner: &str,
    contact: &str,
) -> Result<(), StoreError> {
    let mut tx = store.write.begin().await?;
    if !user_exists(&mut tx, contact).await? {
        return Err(StoreError::NotFound("user"));
    }
    sqlx::query("INSERT OR IGNORE INTO contacts (owner, contact, added_at) VALUES (?, ?, ?)")
        .bind(owner)
        .bind(contact)
        .bind(now_nanos())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn contacts(
    store: &SqliteStore,
    owner: &str,
    page: Page,
) -> Result<Vec<User>, StoreError> {
    let (size, offset) = page_bounds(&page);
    let rows = sqlx::query(
        "SELECT u.profile FROM contacts c JOIN users u ON u.user_id = c.contact
             WHERE c.owner = ? ORDER BY c.added_at, c.contact LIMIT ? OFFSET ?",
    )
    .bind(owner)
    .bind(size)
    .bind(offset)
    .fetch_all(&store.read)
    .await?;
    rows.iter()
        .map(|r| parse_user(r.get::<&str, _>(0)))
        .collect()
}
