//! REST: the request rate is keyed by who is verified, WebSockets have
//! their own cap, a proxy is believed only when trusted, metrics are not
//! public, and a platform name needs proof of the wallet.

use serde_json::json;
use w3mq_testkit::{ChannelSocket, Result, Wallet};

use super::*;

fn bearer_get(url: &str, token: &str) -> reqwest::RequestBuilder {
    w3mq_testkit::http_client().get(url).bearer_auth(token)
}

#[tokio::test]
async fn made_up_tokens_count_against_their_address_and_users_have_their_own_rate() -> Result<()> {
    let w = world(&["--rest-rate-per-sec", "0.01", "--rest-rate-burst", "8"]).await?;
    // Four requests of the address's eight.
    let alice = w.api.new_account().await?;
    let bob = w.api.new_account().await?;
    let url = format!("{}/my_rooms", w.server.http);
    let mut statuses = Vec::new();
    for i in 0..6 {
        let fake = format!(
            "eyJhbGciOiJIUzI1NiJ9.e30.made-up-{i}-{}",
            rand::random::<u64>()
        );
        statuses.push(bearer_get(&url, &fake).send().await?.status().as_u16());
    }
    assert_eq!(&statuses[..4], [401; 4], "{statuses:?}");
    assert_eq!(
        &statuses[4..],
        [429; 2],
        "made-up tokens were not limited: {statuses:?}"
    );
    // Verified users are counted by user, not by the exhausted address.
    for _ in 0..8 {
        assert_eq!(alice.api.get("/my_rooms").await?.status, 200);
    }
    assert_eq!(alice.api.get("/my_rooms").await?.status, 429);
    assert_eq!(
        bob.api.get("/my_rooms").await?.status,
        200,
        "bob has his own bucket"
    );
    // WebSocket upgrades are not REST requests.
    let mut m = alice.mqtt(&w.server.mqtt_ws).await?;
    assert!(m.subscribe(&notif(&alice.user_id)).await?);
    Ok(())
}

#[tokio::test]
async fn websockets_are_capped_per_address() -> Result<()> {
    let w = world(&["--ws-per-address", "2"]).await?;
    let alice = w.api.new_account().await?;
    let m1 = alice.mqtt(&w.server.mqtt_ws).await?;
    let (chat, _) = ChannelSocket::connect(&w.server.chat[0]).await?;
    assert!(
        alice.mqtt(&w.server.mqtt_ws).await.is_err(),
        "a third MQTT socket"
    );
    assert!(
        ChannelSocket::connect(&w.server.chat[0]).await.is_err(),
        "a third chat socket"
    );
    m1.close().await;
    chat.close().await;
    // Once closed, they no longer count (the bridge ends a moment later).
    let mut ok = false;
    for _ in 0..100 {
        if let Ok(mut m) = alice.mqtt(&w.server.mqtt_ws).await {
            assert!(m.subscribe(&notif(&alice.user_id)).await?);
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ok, "a closed socket still counts");
    Ok(())
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() -> Result<()> {
    for trusted in [false, true] {
        let mut args = vec!["--rest-rate-per-sec", "0.01", "--rest-rate-burst", "3"];
        if trusted {
            args.extend(["--trusted-proxy", "127.0.0.0/8"]);
        }
        let w = world(&args).await?;
        let url = format!("{}/login_random_secret", w.server.http);
        let body = json!({"wallet_address": Wallet::random().address});
        let mut statuses = Vec::new();
        for client in [
            "198.51.100.1",
            "198.51.100.1",
            "198.51.100.1",
            "198.51.100.1",
            "198.51.100.2",
        ] {
            let r = w3mq_testkit::http_client()
                .post(&url)
                .header("x-forwarded-for", client)
                .json(&body)
                .send()
                .await?;
            statuses.push(r.status().as_u16());
        }
        if trusted {
            assert_eq!(
                statuses,
                [200, 200, 200, 429, 200],
                "each client its own bucket"
            );
        } else {
            assert_eq!(
                statuses,
                [200, 200, 200, 429, 429],
                "the header was believed"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn metrics_are_not_public() -> Result<()> {
    let plain = world(&[]).await?;
    let r = reqwest::get(format!("{}/metrics", plain.server.http)).await?;
    assert_eq!(r.status(), 404);

    let w = world(&[
        "--metrics-token",
        "s3cret",
        "--metrics-listen",
        "127.0.0.1:0",
    ])
    .await?;
    let url = format!("{}/metrics", w.server.http);
    assert_eq!(reqwest::get(&url).await?.status(), 404);
    assert_eq!(bearer_get(&url, "wrong").send().await?.status(), 404);
    let r = bearer_get(&url, "s3cret").send().await?;
    assert_eq!(r.status(), 200);
    assert!(r.text().await?.contains("w3mq_mqtt_connections"));
    let own = w
        .server
        .metrics
        .clone()
        .ok_or("no metrics= in the ready line")?;
    let r = reqwest::get(&own).await?;
    assert_eq!(r.status(), 200);
    assert!(r.text().await?.contains("w3mq_messages_accepted_total"));
    Ok(())
}

#[tokio::test]
async fn a_platform_name_needs_proof_of_the_wallet() -> Result<()> {
    let w = world(&[]).await?;
    let alice = w.api.new_account().await?;
    let mallory = w.api.new_account().await?;
    let claim = |wallet: &str| json!({"wallet_address": wallet, "platform": "twitter", "user_name": "alice_real"});
    let r = w
        .api
        .post("/register", claim(&alice.wallet.address))
        .await?;
    assert_eq!(r.status, 401, "no proof");
    let r = mallory
        .api
        .post("/register", claim(&alice.wallet.address))
        .await?;
    assert_eq!(r.status, 401, "another user's token");
    // A secret of alice's wallet signed by mallory is no proof either.
    let secret = w.api.secret(&alice.wallet).await?;
    let mut body = claim(&alice.wallet.address);
    body["login_random_secret"] = json!(secret);
    body["signature"] = json!(mallory.wallet.personal_sign(secret.as_bytes()));
    assert_eq!(w.api.post("/register", body.clone()).await?.status, 401);
    // Alice's own signature of that same secret is (it survived the failure).
    body["signature"] = json!(alice.wallet.personal_sign(secret.as_bytes()));
    let r = w.api.post("/register", body).await?;
    assert_eq!(r.data()?["twitter_username"], "alice_real");
    let found = w
        .api
        .post(
            "/info",
            json!({"platform": "twitter", "user_name": "alice_real"}),
        )
        .await?;
    assert_eq!(found.data()?["user_id"], alice.user_id.as_str());
    // Mallory's honest request about her own wallet works.
    let r = mallory.api.post("/register", json!({"wallet_address": mallory.wallet.address, "platform": "discord", "user_name": "m#1"})).await?;
    assert_eq!(r.data()?["discord_username"], "m#1");
    Ok(())
}
