//! Sign-in and sessions: SIWE bound to this server, the 2022 form behind a
//! flag, a stranger's failures burn nothing, failures are capped, and a
//! session ends on sign-out and rotates on refresh.

use serde_json::{json, Value};
use w3mq_protocol::login::{siwe_message, SiweFields};
use w3mq_testkit::{Api, Mqtt, Reply, Result, Seen, Wallet};

use super::*;

fn siwe(wallet: &Wallet, domain: &str, uri: &str, nonce: &str) -> String {
    let fmt = time::format_description::well_known::Rfc3339;
    let now = time::OffsetDateTime::now_utc();
    siwe_message(&SiweFields {
        domain,
        address: &wallet.address,
        uri,
        nonce,
        issued_at: &now.format(&fmt).unwrap_or_default(),
        expiration_time: &(now + time::Duration::minutes(5))
            .format(&fmt)
            .unwrap_or_default(),
    })
}

async fn login_with(api: &Api, wallet: &Wallet, text: Option<String>) -> Result<Reply> {
    let secret = api.secret(wallet).await?;
    let (sig, message) = match text {
        Some(t) => {
            let t = t.replace("{nonce}", &secret);
            (wallet.personal_sign(t.as_bytes()), Value::String(t))
        }
        None => (wallet.personal_sign(secret.as_bytes()), Value::Null),
    };
    api.post(
        "/login",
        json!({"wallet_address": wallet.address, "login_random_secret": secret,
               "signature": sig, "message": message}),
    )
    .await
}

#[tokio::test]
async fn a_siwe_text_must_name_this_server() -> Result<()> {
    let w = world(&[]).await?;
    let here = w.server.http.trim_start_matches("http://").to_owned();
    let base = w.server.http.clone();
    let me = Wallet::random();
    for (domain, uri) in [
        ("evil.example", base.as_str()),
        (here.as_str(), "https://evil.example/login"),
        ("evil.example", "https://evil.example"),
    ] {
        let r = login_with(&w.api, &me, Some(siwe(&me, domain, uri, "{nonce}"))).await?;
        assert_eq!(r.status, 401, "{domain} / {uri} was accepted: {}", r.body);
    }
    let r = login_with(&w.api, &me, Some(siwe(&me, &here, &base, "{nonce}"))).await?;
    r.data()?;

    // Behind a proxy, the names the operator gives replace the listener's.
    let w = world(&["--siwe-domain", "chat.example.com"]).await?;
    let here = w.server.http.trim_start_matches("http://").to_owned();
    let r = login_with(
        &w.api,
        &me,
        Some(siwe(
            &me,
            "chat.example.com",
            "https://chat.example.com",
            "{nonce}",
        )),
    )
    .await?;
    r.data()?;
    let r = login_with(
        &w.api,
        &me,
        Some(siwe(&me, &here, &w.server.http, "{nonce}")),
    )
    .await?;
    assert_eq!(r.status, 401);
    Ok(())
}

#[tokio::test]
async fn the_2022_form_works_until_it_is_turned_off() -> Result<()> {
    let w = world(&[]).await?;
    let me = Wallet::random();
    login_with(&w.api, &me, None).await?.data()?;
    let w = world(&["--no-legacy-login"]).await?;
    let r = login_with(&w.api, &me, None).await?;
    assert_eq!(r.status, 401, "{}", r.body);
    w.api.login(&me).await?;
    Ok(())
}

#[tokio::test]
async fn a_strangers_failed_login_leaves_the_owners_secret_and_failures_are_capped() -> Result<()> {
    let w = world(&[]).await?;
    let alice = Wallet::random();
    let mallory = Wallet::random();
    let secret = w.api.secret(&alice).await?;
    // Mallory asks for secrets of alice's wallet and fails logins with hers.
    for _ in 0..5 {
        w.api.secret(&alice).await?;
    }
    let bad = json!({"wallet_address": alice.address, "login_random_secret": secret,
                     "signature": mallory.personal_sign(secret.as_bytes())});
    assert_eq!(w.api.post("/login", bad.clone()).await?.status, 401);
    let good = json!({"wallet_address": alice.address, "login_random_secret": secret,
                      "signature": alice.personal_sign(secret.as_bytes())});
    w.api.post("/login", good.clone()).await?.data()?;
    assert_eq!(w.api.post("/login", good).await?.status, 401, "single use");

    // Ten failures from one address, then 429 even for a right signature.
    for _ in 0..8 {
        assert_eq!(w.api.post("/login", bad.clone()).await?.status, 401);
    }
    let secret = w.api.secret(&alice).await?;
    let right = json!({"wallet_address": alice.address, "login_random_secret": secret,
                       "signature": alice.personal_sign(secret.as_bytes())});
    assert_eq!(w.api.post("/login", right).await?.status, 429);
    Ok(())
}

/// Waits for `m`'s connection to end.
async fn closed(m: &mut Mqtt) -> Result<()> {
    loop {
        match m.next().await? {
            Seen::Down(_) => return Ok(()),
            _ => continue,
        }
    }
}

#[tokio::test]
async fn sign_out_ends_the_session_everywhere_and_refresh_rotates() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let t1 = alice.token.clone();
    let r = alice.api.get("/refresh").await?;
    let t2 = r.data()?["access_token"]
        .as_str()
        .ok_or("token")?
        .to_owned();
    let api = |t: &str| w.api.with_token(t);
    assert_eq!(
        api(&t1).get("/my_rooms").await?.status,
        401,
        "the refreshed token lives"
    );
    assert_eq!(
        api(&t1).get("/refresh").await?.status,
        401,
        "and refreshes again"
    );
    assert!(Mqtt::connect(
        &w.server.mqtt_ws,
        &alice.user_id,
        &t1,
        &format!("{}-old", alice.user_id)
    )
    .await
    .is_err());
    let mut live = Mqtt::connect(
        &w.server.mqtt_ws,
        &alice.user_id,
        &t2,
        &format!("{}-live", alice.user_id),
    )
    .await?;
    assert!(live.subscribe(&notif(&alice.user_id)).await?);

    // Another session of alice's survives her signing out of this one.
    let other = w.api.login(&alice.wallet).await?;
    let mut other_mq = other.mqtt(&w.server.mqtt_ws).await?;
    assert!(other_mq.subscribe(&notif(&alice.user_id)).await?);

    api(&t2).post("/logout", json!({})).await?.data()?;
    closed(&mut live).await?;
    assert_eq!(api(&t2).get("/my_rooms").await?.status, 401);
    assert_eq!(api(&t2).get("/refresh").await?.status, 401);
    assert_eq!(api(&t2).post("/logout", json!({})).await?.status, 401);
    assert!(Mqtt::connect(
        &w.server.mqtt_ws,
        &alice.user_id,
        &t2,
        &format!("{}-again", alice.user_id)
    )
    .await
    .is_err());
    assert_eq!(other.api.get("/my_rooms").await?.status, 200);
    let bob = w.api.new_account().await?;
    let room = bob.create_room(&[&other]).await?;
    let ev = other_mq.recv_on(&notif(&alice.user_id)).await?;
    assert_eq!(ev, json!({"type": "room_added", "room_id": room}));
    Ok(())
}
