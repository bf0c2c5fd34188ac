//! Every REST route of section 1 and its errors, over real HTTP against a
//! real `w3mq-server` process.

use serde_json::json;
use w3mq_testkit::{Api, Reply, Result, ServerProcess, Wallet};

const BIN: &str = env!("CARGO_BIN_EXE_w3mq-server");

fn assert_err(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(
        r.body["code"], status as i64,
        "envelope code mirrors the status: {}",
        r.body
    );
    assert!(r.body["msg"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(r.body["data"].is_null());
}

#[tokio::test]
async fn login_with_siwe_and_with_the_stock_2022_signature() -> Result<()> {
    let server = ServerProcess::start(BIN, &[]).await?;
    let api = Api::new(&server.http);
    let w = Wallet::random();

    // SIWE.
    let a = api.login(&w).await?;
    assert_eq!(a.user_id.len(), 24);
    let me = a.api.post("/search", json!({"keyword": w.address})).await?;
    assert_eq!(me.data()?[0]["user_id"], a.user_id.as_str());

    // Stock 2022 clients: personal_sign of the secret itself, address uppercased.
    let secret = api.secret(&w).await?;
    let r = api
        .post(
            "/login",
            json!({"wallet_address": w.address.to_uppercase().replace("0X", "0x"), "login_random_secret": secret,
                   "signature": w.personal_sign(secret.as_bytes())}),
        )
        .await?;
    assert_eq!(
        r.data()?["user_info"]["user_id"],
        a.user_id.as_str(),
        "same wallet, same user"
    );

    // The secret is single use.
    let r = api
        .post("/login", json!({"wallet_address": w.address, "login_random_secret": secret, "signature": w.personal_sign(secret.as_bytes())}))
        .await?;
    assert_err(&r, 401);

    // A signature by another key.
    let secret = api.secret(&w).await?;
    let text = api.siwe_text(&w, &secret, time::Duration::minutes(5));
    let r = api
        .post("/login", json!({"wallet_address": w.address, "login_random_secret": secret,
                               "signature": Wallet::random().personal_sign(text.as_bytes()), "message": text}))
        .await?;
    assert_err(&r, 401);

    // An expired SIWE text.
    let secret = api.secret(&w).await?;
    let text = api.siwe_text(&w, &secret, time::Duration::minutes(-1));
    let r = api
        .post(
            "/login",
            json!({"wallet_address": w.address, "login_random_secret": secret,
                               "signature": w.personal_sign(text.as_bytes()), "message": text}),
        )
        .await?;
    assert_err(&r, 401);
    assert!(r.body["msg"].as_str().unwrap_or("").contains("expired"));

    // A SIWE text whose nonce is not the secret.
    let secret = api.secret(&w).await?;
    let text = api.siwe_text(&w, "0123456789abcdef", time::Duration::minutes(5));
    let r = api
        .post(
            "/login",
            json!({"wallet_address": w.address, "login_random_secret": secret,
                               "signature": w.personal_sign(text.as_bytes()), "message": text}),
        )
        .await?;
    assert_err(&r, 401);

    // Bad inputs.
    assert_err(
        &api.post("/login_random_secret", json!({"wallet_address": "0x12"}))
            .await?,
        400,
    );
    assert_err(&api.post_raw("/login", b"{nope".to_vec()).await?, 400);
    assert_err(
        &api.post("/login", json!({"wallet_address": w.address}))
            .await?,
        400,
    );
    Ok(())
}

#[tokio::test]
async fn tokens_refresh_and_bad_tokens_are_401() -> Result<()> {
    let server = ServerProcess::start(BIN, &[]).await?;
    let api = Api::new(&server.http);
    let a = api.new_account().await?;
    let r = a.api.get("/refresh").await?;
    let t2 = r.data()?["access_token"]
        .as_str()
        .ok_or("no token")?
        .to_owned();
    assert!(api.with_token(&t2).get("/my_rooms").await?.data().is_ok());
    assert_err(&api.get("/my_rooms").await?, 401);
    assert_err(&api.with_token("garbage").get("/my_rooms").await?, 401);
    assert_err(
        &api.with_token(&format!("{}x", a.token))
            .get("/my_rooms")
            .await?,
        401,
    );
    assert_err(&api.get("/refresh").await?, 401);
    Ok(())
}

#[tokio::test]
async fn register_info_profile_search_and_contacts() -> Result<()> {
    let server = ServerProcess::start(BIN, &[]).await?;
    let api = Api::new(&server.http);
    // Register an unverified name for a wallet that never signed in: the
    // caller proves the wallet with a login secret and its signature.
    let w = Wallet::random();
    let unproven = api
        .post(
            "/register",
            json!({"wallet_address": w.address, "platform": "twitter", "user_name": "xujava"}),
        )
        .await?;
    assert_err(&unproven, 401);
    let secret = api.secret(&w).await?;
    let r = api
        .post(
            "/register",
            json!({"wallet_address": w.address, "platform": "twitter", "user_name": "xujava",
                   "login_random_secret": secret, "signature": w.personal_sign(secret.as_bytes())}),
        )
        .await?;
    let reg = r.data()?.clone();
    assert_eq!(reg["twitter_username"], "xujava");
    assert_eq!(reg["status"], "00000", "unverified");
    let info = api
        .post(
            "/info",
            json!({"platform": "twitter", "user_name": "xujava"}),
        )
        .await?;
    assert_eq!(info.data()?["user_id"], reg["user_id"]);
    assert_err(
        &api.post(
            "/info",
            json!({"platform": "twitter", "user_name": "nobody"}),
        )
        .await?,
        404,
    );
    assert_err(
        &api.post("/info", json!({"platform": "myspace", "user_name": "x"}))
            .await?,
        400,
    );
    // The name is taken for another wallet.
    let other = api.new_account().await?;
    let r = other.api.post("/register", json!({"wallet_address": other.wallet.address, "platform": "twitter", "user_name": "xujava"})).await?;
    assert_err(&r, 409);

    // Signing in with that wallet gives the same user; its token proves the
    // wallet from then on, and no other user's token does.
    let a = api.login(&w).await?;
    assert_eq!(a.user_id, reg["user_id"].as_str().unwrap_or(""));
    let r = other
        .api
        .post(
            "/register",
            json!({"wallet_address": w.address, "platform": "discord", "user_name": "x#1"}),
        )
        .await?;
    assert_err(&r, 401);
    let r = a
        .api
        .post(
            "/register",
            json!({"wallet_address": w.address, "platform": "discord", "user_name": "x#1"}),
        )
        .await?;
    assert_eq!(r.data()?["discord_username"], "x#1");

    // Profile (extension).
    let p = a
        .api
        .post(
            "/profile",
            json!({"nick_name": "Alice <b>", "avatar_url": "https://example.org/a.png"}),
        )
        .await?;
    assert_eq!(p.data()?["nick_name"], "Alice <b>");
    assert_err(
        &a.api
            .post("/profile", json!({"avatar_url": "javascript:alert(1)"}))
            .await?,
        400,
    );
    assert_err(
        &a.api
            .post("/profile", json!({"nick_name": "x".repeat(65)}))
            .await?,
        400,
    );

    // Search by nick name, wallet and id.
    let b = api.new_account().await?;
    let found = b.api.post("/search", json!({"keyword": "lice <"})).await?;
    assert_eq!(found.data()?[0]["user_id"], a.user_id.as_str());
    let found = b.api.post("/search", json!({"keyword": a.user_id})).await?;
    assert_eq!(found.data()?.as_array().map(Vec::len), Some(1));
    let found = b.api.post("/search", json!({"keyword": "%"})).await?;
    assert_eq!(
        found.data()?.as_array().map(Vec::len),
        Some(0),
        "LIKE wildcards are literal"
    );
    // The start of an address (6 hex digits or more), in any case, as pasted.
    let start = format!("0X{}", a.wallet.address[2..10].to_uppercase());
    let found = b.api.post("/search", json!({"keyword": start})).await?;
    assert!(
        found
            .data()?
            .as_array()
            .is_some_and(|v| v.iter().any(|u| u["user_id"] == a.user_id.as_str())),
        "{found:?}"
    );
    let short = format!("0x{}", &a.wallet.address[2..7]);
    let found = b.api.post("/search", json!({"keyword": short})).await?;
    assert!(
        !found
            .data()?
            .as_array()
            .is_some_and(|v| v.iter().any(|u| u["user_id"] == a.user_id.as_str())),
        "5 hex digits are not a prefix search"
    );
    assert_err(&b.api.post("/search", json!({"keyword": ""})).await?, 400);
    assert_err(&api.post("/search", json!({"keyword": "a"})).await?, 401);

    // Contacts.
    b.api
        .post("/contacts", json!({"user_id": a.user_id}))
        .await?
        .data()?;
    b.api
        .post("/contacts", json!({"user_id": a.user_id}))
        .await?
        .data()?;
    let c = b.api.get("/contacts/1/10").await?;
    assert_eq!(c.data()?.as_array().map(Vec::len), Some(1));
    assert_err(
        &b.api
            .post("/contacts", json!({"user_id": "61f1007e604cc5be5f7a3c30"}))
            .await?,
        404,
    );
    assert_err(
        &b.api
            .post("/contacts", json!({"user_id": b.user_id}))
            .await?,
        400,
    );
    assert_err(&b.api.get("/contacts/0/10").await?, 400);
    Ok(())
}

#[tokio::test]
async fn rooms_members_leave_and_chats() -> Result<()> {
    let server = ServerProcess::start(BIN, &[]).await?;
    let api = Api::new(&server.http);
    let a = api.new_account().await?;
    let b = api.new_account().await?;
    let c = api.new_account().await?;

    // 1v1: created once, returned again, cannot grow.
    let one = a.create_room(&[&b]).await?;
    assert_eq!(b.create_room(&[&a]).await?, one);
    let room = a.api.get(&format!("/rooms/{one}")).await?;
    let room = room.data()?;
    assert_eq!(room["is_1v1"], true);
    assert_eq!(room["members"].as_array().map(Vec::len), Some(2));
    assert_eq!(room["creator"]["user_id"], a.user_id.as_str());
    let r = a
        .api
        .post(
            &format!("/rooms/{one}/members"),
            json!({"target_user_ids": [c.user_id]}),
        )
        .await?;
    assert_err(&r, 409);
    assert_err(&c.api.get(&format!("/rooms/{one}")).await?, 403);

    // Group.
    let g = a.create_room(&[&b, &c]).await?;
    assert_ne!(g, one);
    let d = api.new_account().await?;
    let r = d
        .api
        .post(
            &format!("/rooms/{g}/members"),
            json!({"target_user_ids": [d.user_id]}),
        )
        .await?;
    assert_err(&r, 403);
    let r = c
        .api
        .post(
            &format!("/rooms/{g}/members"),
            json!({"target_user_ids": [d.user_id]}),
        )
        .await?;
    assert_eq!(r.data()?["members"].as_array().map(Vec::len), Some(4));
    assert_err(
        &a.api
            .post(
                &format!("/rooms/{g}/members"),
                json!({"target_user_ids": ["nope"]}),
            )
            .await?,
        400,
    );
    assert_err(
        &a.api
            .post(
                &format!("/rooms/{g}/members"),
                json!({"target_user_ids": ["61f1007e604cc5be5f7a3c30"]}),
            )
            .await?,
        404,
    );

    // my_rooms, leave.
    let mine = d.api.get("/my_rooms").await?;
    assert_eq!(mine.data()?, &json!([g]));
    d.api
        .post(&format!("/rooms/{g}/leave"), json!({}))
        .await?
        .data()?;
    assert_eq!(d.api.get("/my_rooms").await?.data()?, &json!([]));
    assert_err(
        &d.api.post(&format!("/rooms/{g}/leave"), json!({})).await?,
        404,
    );

    // Creating with unknown users or nobody.
    assert_err(
        &a.api
            .post("/rooms", json!({"user_id": ["61f1007e604cc5be5f7a3c30"]}))
            .await?,
        404,
    );
    assert_err(&a.api.post("/rooms", json!({"user_id": []})).await?, 400);
    assert_err(
        &a.api
            .post("/rooms", json!({"user_id": [a.user_id]}))
            .await?,
        409,
    );
    assert_err(&a.api.get("/rooms/61f1007e604cc5be5f7a3c30").await?, 404);
    assert_err(&a.api.get("/rooms/not-an-id").await?, 400);

    // Collection rooms: one per slug, anyone may read and join.
    let coll = json!({"is_opensea_coll": true, "opensea_coll_slug": "pixel-llamas", "opensea_coll_name": "Pixel Llamas",
                      "opensea_coll_cover": "https://example.org/c.png"});
    let r1 = a.api.post("/rooms", coll.clone()).await?.data()?.clone();
    let r2 = b.api.post("/rooms", coll).await?.data()?.clone();
    assert_eq!(r1, r2);
    let cid = r1.as_str().unwrap_or_default();
    let info = d.api.get(&format!("/rooms/{cid}")).await?;
    assert_eq!(info.data()?["is_opensea_coll"], true);
    assert_eq!(info.data()?["opensea_coll_slug"], "pixel-llamas");
    let r = d
        .api
        .post(
            &format!("/rooms/{cid}/members"),
            json!({"target_user_ids": [d.user_id]}),
        )
        .await?;
    assert_eq!(r.data()?["members"].as_array().map(Vec::len), Some(3));
    assert_err(
        &a.api
            .post(
                "/rooms",
                json!({"is_opensea_coll": true, "opensea_coll_slug": "../x"}),
            )
            .await?,
        400,
    );
    assert_err(
        &a.api.post("/rooms", json!({"is_opensea_coll": true, "opensea_coll_slug": "ok", "opensea_coll_cover": "data:x"})).await?,
        400,
    );

    // my_chats: most recent activity first, with latest_msg.
    let chats = a
        .api
        .post("/my_chats", json!({"page": 1, "size": 10}))
        .await?;
    let ids: Vec<&str> = chats
        .data()?
        .as_array()
        .map(|v| v.iter().filter_map(|r| r["room_id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], cid, "newest room first");
    assert!(chats.data()?[0].get("latest_msg").is_some());
    assert_err(
        &a.api
            .post("/my_chats", json!({"page": 1, "size": 1000}))
            .await?,
        400,
    );
    Ok(())
}

#[tokio::test]
async fn messages_paging_single_message_and_threads_over_rest() -> Result<()> {
    let server = ServerProcess::start(BIN, &["--rate-per-sec", "0"]).await?;
    let api = Api::new(&server.http);
    let a = api.new_account().await?;
    let b = api.new_account().await?;
    let c = api.new_account().await?;
    let room = a.create_room(&[&b]).await?;
    let mut m = a.mqtt(&server.mqtt_ws).await?;
    assert!(m.subscribe(&format!("chat/{room}")).await?);
    for i in 1..=25 {
        m.publish(
            &format!("msg/{}", a.user_id),
            w3mq_testkit::text_message(&a.user_id, &room, &format!("m{i}"), None).to_string(),
        )
        .await?;
    }
    let mut last = serde_json::Value::Null;
    for _ in 0..25 {
        last = m.recv_on(&format!("chat/{room}")).await?;
    }
    assert_eq!(last["seq"], 25);
    let seqs = |r: &Reply| -> Vec<i64> {
        r.body["data"]
            .as_array()
            .map(|v| v.iter().filter_map(|m| m["seq"].as_i64()).collect())
            .unwrap_or_default()
    };
    // Latest page, then the one before, each ascending.
    let p1 = a
        .api
        .post("/messages", json!({"room_id": room, "page": 1, "size": 10}))
        .await?;
    assert_eq!(seqs(&p1), (16..=25).collect::<Vec<_>>());
    let p2 = a
        .api
        .post("/messages", json!({"room_id": room, "page": 2, "size": 10}))
        .await?;
    assert_eq!(seqs(&p2), (6..=15).collect::<Vec<_>>());
    // Catching up after a seq.
    let after = a
        .api
        .post(
            "/messages",
            json!({"room_id": room, "page": 1, "size": 100, "after_seq": 20}),
        )
        .await?;
    assert_eq!(seqs(&after), vec![21, 22, 23, 24, 25]);
    let t = last["created_at"].as_i64().unwrap_or(0);
    let by_time = a
        .api
        .post(
            "/messages",
            json!({"room_id": room, "after_time_stamp": t - 1}),
        )
        .await?;
    assert_eq!(seqs(&by_time), vec![25]);
    // Not a member: 403; bad id: 400.
    assert_err(
        &c.api.post("/messages", json!({"room_id": room})).await?,
        403,
    );
    assert_err(
        &a.api.post("/messages", json!({"room_id": "x"})).await?,
        400,
    );
    assert_err(
        &a.api
            .post("/messages", json!({"room_id": room, "size": 0}))
            .await?,
        400,
    );

    // One message.
    let id = last["id"].as_str().unwrap_or_default();
    let one = b.api.get(&format!("/messages/{id}")).await?;
    assert_eq!(one.data()?["msg_contents"], "m25");
    assert_err(&c.api.get(&format!("/messages/{id}")).await?, 403);
    assert_err(&a.api.get("/messages/61f1007e604cc5be5f7a3c30").await?, 404);

    // An OpenSea item thread started over REST.
    let r = a
        .api
        .post("/threads", json!({"msg_id": id, "is_opensea_item_thread": true,
            "opensea_item_contract_address": "0x9df8aa7c681f33e442a0d57b838555da863504f3", "opensea_item_token_id": "1086",
            "opensea_item_name": "Pixelated Llama #1086", "opensea_item_image_url": "https://example.org/1086.png"}))
        .await?;
    assert_eq!(r.data()?["is_opensea_item_thread"], true);
    assert_eq!(r.data()?["opensea_item_token_id"], "1086");
    let bad = a.api.post("/threads", json!({"msg_id": id, "is_opensea_item_thread": true,
        "opensea_item_contract_address": "0x9df8aa7c681f33e442a0d57b838555da863504f3", "opensea_item_token_id": "x"})).await?;
    assert_err(&bad, 400);
    assert_err(&c.api.post("/threads", json!({"msg_id": id})).await?, 403);
    let roots = b.api.get(&format!("/threads/{room}/1/10")).await?;
    assert_eq!(roots.data()?[0]["id"], id);
    Ok(())
}

#[tokio::test]
async fn limits_health_metrics_and_unknown_routes() -> Result<()> {
    let server = ServerProcess::start(
        BIN,
        &[
            "--rest-rate-per-sec",
            "1",
            "--rest-rate-burst",
            "5",
            "--metrics-token",
            "m3tr1cs",
        ],
    )
    .await?;
    let api = Api::new(&server.http);
    let h = api.get("/healthz").await?;
    assert_eq!(h.data()?, "ok");
    assert_err(&api.get("/no/such/route").await?, 404);
    // A body over the limit.
    let big = format!("{{\"keyword\": \"{}\"}}", "a".repeat(300 * 1024));
    assert_err(
        &api.post_raw("/login_random_secret", big.into_bytes())
            .await?,
        413,
    );
    // The REST rate limit: a burst of 5, then 429 (healthz is exempt).
    let w = Wallet::random();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            api.post("/login_random_secret", json!({"wallet_address": w.address}))
                .await?
                .status,
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let r = api
        .post("/login_random_secret", json!({"wallet_address": w.address}))
        .await?;
    assert_err(&r, 429);
    assert_eq!(api.get("/healthz").await?.status, 200);
    let metrics = w3mq_testkit::http_client()
        .get(format!("{}/metrics", server.http))
        .bearer_auth("m3tr1cs")
        .send()
        .await?
        .text()
        .await?;
    for name in [
        "w3mq_mqtt_connections",
        "w3mq_messages_accepted_total",
        "w3mq_send_to_ack_seconds_bucket",
    ] {
        assert!(metrics.contains(name), "{name} missing from {metrics}");
    }
    Ok(())
}
