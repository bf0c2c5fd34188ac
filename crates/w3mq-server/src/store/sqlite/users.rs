//! Users: by wallet, id or platform name, registration, search and profile.

use sqlx::{Row, SqliteConnection};
use w3mq_protocol::{now_nanos, ObjectId, User};

use super::{parse_user, SqliteStore};
use crate::store::StoreError;

pub(super) async fn load_user(
    conn: &mut SqliteConnection,
    user_id: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT profile FROM users WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Some(parse_user(r.get::<&str, _>(0))?)),
        None => Ok(None),
    }
}

async fn save_user(
    conn: &mut SqliteConnection,
    u: &User,
    signed_in: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (user_id, wallet, nick_name, ens_name, signed_in, created_at, profile)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(user_id) DO UPDATE SET nick_name = excluded.nick_name,
             ens_name = excluded.ens_name, signed_in = MAX(users.signed_in, excluded.signed_in),
             profile = excluded.profile",
    )
    .bind(&u.user_id)
    .bind(&u.eth_wallet_address)
    .bind(&u.nick_name)
    .bind(&u.ens_name)
    .bind(signed_in as i64)
    .bind(u.created_at)
    .bind(serde_json::to_string(u)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn user_exists(
    conn: &mut SqliteConnection,
    user_id: &str,
) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM users WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

pub(super) async fn user_for_wallet(
    store: &SqliteStore,
    wallet: &str,
    signed_in: bool,
) -> Result<User, StoreError> {
    let wallet = wallet.to_ascii_lowercase();
    let mut tx = store.write.begin().await?;
    let row = sqlx::query("SELECT profile, signed_in FROM users WHERE wallet = ?")
        .bind(&wallet)
        .fetch_optional(&mut *tx)
        .await?;
    let user = match row {
        Some(r) => {
            let was = r.get::<i64, _>(1) != 0;
            let u = parse_user(r.get::<&str, _>(0))?;
            if signed_in && !was {
                sqlx::query("UPDATE users SET signed_in = 1 WHERE user_id = ?")
                    .bind(&u.user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            u
        }
        None => {
            let u = User {
                user_id: ObjectId::new().to_string(),
                eth_wallet_address: wallet.clone(),
                status: "00000".into(),
                created_at: now_nanos(),
                ..Default::default()
            };
            save_user(&mut tx, &u, signed_in).await?;
            u
        }
    };
    tx.commit().await?;
    Ok(user)
}

pub(super) async fn user(store: &SqliteStore, user_id: &str) -> Result<Option<User>, StoreError> {
    let mut c = store.read.acquire().await?;
    load_user(&mut c, user_id).await
}

pub(super) async fn register(
    store: &SqliteStore,
    wallet: &str,
    platform: &str,
    user_name: &str,
) -> Result<User, StoreError> {
    let wallet = wallet.to_ascii_lowercase();
    let mut tx = store.write.begin().await?;
    let row = sqlx::query("SELECT profile, signed_in FROM users WHERE wallet = ?")
        .bind(&wallet)
        .fetch_optional(&mut *tx)
        .await?;
    let (mut user, signed_in) = match row {
        Some(r) => (parse_user(r.get::<&str, _>(0))?, r.get::<i64, _>(1) != 0),
        None => (
            User {
                user_id: ObjectId::new().to_string(),
                eth_wallet_address: wallet.clone(),
                status: "00000".into(),
                created_at: now_nanos(),
                ..Default::default()
            },
            false,
        ),
    };
    {
        let taken =
            sqlx::query("SELECT user_id FROM platform_names WHERE platform = ? AND user_name = ?")
                .bind(platform)
                .bind(user_name)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get::<String, _>(0));
        if let Some(owner) = taken {
            if owner != user.user_id {
                return Err(StoreError::Conflict(format!(
                    "{platform} name {user_name:?} is registered to another user"
                )));
            }
        }
        match platform {
            "opensea" => user.opensea_username = user_name.into(),
            "instagram" => user.instagram_username = user_name.into(),
            "twitter" => user.twitter_username = user_name.into(),
            "facebook" => user.facebook_username = user_name.into(),
            "discord" => user.discord_username = user_name.into(),
            _ => {
                return Err(StoreError::Conflict(format!(
                    "unknown platform {platform:?}"
                )))
            }
        }
        if user.nick_name.is_empty() && w3mq_protocol::check_nick_name(user_name).is_ok() {
            user.nick_name = user_name.into();
        }
        save_user(&mut tx, &user, signed_in).await?;
        sqlx::query(
            "INSERT OR IGNORE INTO platform_names (platform, user_name, user_id) VALUES (?, ?, ?)",
        )
        .bind(platform)
        .bind(user_name)
        .bind(&user.user_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(user)
}

pub(super) async fn user_by_platform(
    store: &SqliteStore,
    platform: &str,
    user_name: &str,
) -> Result<Option<User>, StoreError> {
    let mut c = store.read.acquire().await?;
    let id = sqlx::query("SELECT user_id FROM platform_names WHERE platform = ? AND user_name = ?")
        .bind(platform)
        .bind(user_name)
        .fetch_optional(&mut *c)
        .await?
        .map(|r| r.get::<String, _>(0));
    match id {
        Some(id) => load_user(&mut c, &id).await,
        None => Ok(None),
    }
}

pub(super) async fn search_users(
    store: &SqliteStore,
    keyword: &str,
    limit: i64,
) -> Result<Vec<User>, StoreError> {
    let like = format!(
        "%{}%",
        keyword
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let exact = keyword.to_ascii_lowercase();
    // The start of a wallet address, as people paste what they see (`0x` and 6 to 40 hex
    // digits); hex has no LIKE wildcards, so the prefix needs no escaping.
    let prefix = match exact.strip_prefix("0x") {
        Some(h) if (6..=40).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{exact}%")
        }
        _ => String::new(),
    };
    let rows = sqlx::query(
        "SELECT profile FROM users
             WHERE nick_name LIKE ?1 ESCAPE '\\' OR ens_name LIKE ?1 ESCAPE '\\'
                OR wallet = ?2 OR user_id = ?2 OR (?4 != '' AND wallet LIKE ?4)
             ORDER BY nick_name LIMIT ?3",
    )
    .bind(&like)
    .bind(&exact)
    .bind(limit)
    .bind(&prefix)
    .fetch_all(&store.read)
    .await?;
    rows.iter()
        .map(|r| parse_user(r.get::<&str, _>(0)))
        .collect()
}

pub(super) async fn update_profile(
    store: &SqliteStore,
    user_id: &str,
    nick_name: Option<&str>,
    avatar_url: Option<&str>,
) -> Result<User, StoreError> {
    let mut tx = store.write.begin().await?;
    let mut u = load_user(&mut tx, user_id)
        .await?
        .ok_or(StoreError::NotFound("user"))?;
    if let Some(n) = nick_name {
        u.nick_name = n.into();
    }
    if let Some(a) = avatar_url {
        u.avatar_url = a.into();
    }
    save_user(&mut tx, &u, false).await?;
    tx.commit().await?;
    Ok(u)
}
