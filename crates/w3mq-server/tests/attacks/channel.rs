//! Public channels: a timeout holds on MQTT too, names resolve ids first and
//! refuse ambiguity, and a socket's memory is bounded.

use serde_json::json;
use w3mq_testkit::{Account, ChannelSocket, Result, World};

use super::*;

/// A chat socket of `who` in `room`.
async fn socket(who: &Account, room: &str) -> Result<ChannelSocket> {
    let r = who.api.get(&format!("/api/v1/chats/{room}")).await?;
    let key = r.body["authkey"].as_str().ok_or("no authkey")?;
    let url = r.body["endpoints"][0].as_str().ok_or("no endpoint")?;
    let (mut s, _) = ChannelSocket::connect(url).await?;
    s.ok("auth", json!([room, who.user_id, key])).await?;
    Ok(s)
}

async fn nick(a: &Account, n: &str) -> Result<u16> {
    Ok(a.api
        .post("/profile", json!({"nick_name": n}))
        .await?
        .status)
}

async fn members(w: &World, slug: &str) -> Result<(Account, Vec<Account>, String)> {
    let owner = w.api.new_account().await?;
    let room = collection(&owner, slug).await?;
    let mut others = Vec::new();
    for _ in 0..3 {
        let a = w.api.new_account().await?;
        join_collection(&a, slug).await?;
        others.push(a);
    }
    Ok((owner, others, room))
}

#[tokio::test]
async fn a_timed_out_member_cannot_keep_posting_over_mqtt() -> Result<()> {
    let w = world(&[]).await?;
    let (owner, others, room) = members(&w, "timeouts").await?;
    let (bob, alice) = (&others[0], &others[1]);
    let mut obs = observer(&w, alice, &[chat(&room)]).await?;
    let mut mb = observer(&w, bob, &[notif(&bob.user_id)]).await?;
    let mo = owner.mqtt(&w.server.mqtt_ws).await?;
    let mut mod_socket = socket(&owner, &room).await?;
    mod_socket.ok("timeout", json!([bob.user_id, "5m"])).await?;

    say(&mb, bob, &room, "posted while timed out").await?;
    let ev = mb.recv_on(&notif(&bob.user_id)).await?;
    assert_eq!(ev["code"], "timed_out", "{ev}");
    say(&mo, &owner, &room, "honest, from the owner").await?;
    next_is(&mut obs, &chat(&room), "honest, from the owner").await?;

    // Lifted: bob posts again.
    mod_socket.ok("timeout", json!([bob.user_id, 0])).await?;
    say(&mb, bob, &room, "bob is back").await?;
    next_is(&mut obs, &chat(&room), "bob is back").await?;
    Ok(())
}

#[tokio::test]
async fn names_find_ids_first_and_an_ambiguous_nick_finds_nobody() -> Result<()> {
    let w = world(&[]).await?;
    let (owner, others, room) = members(&w, "names").await?;
    let (sam1, sam2, carol) = (&others[0], &others[1], &others[2]);
    assert_eq!(nick(sam1, "sam").await?, 200);
    assert_eq!(nick(sam2, "SAM").await?, 200);
    // A nick that reads as someone's id or address is refused.
    assert_eq!(nick(carol, &sam1.user_id).await?, 400);
    assert_eq!(nick(carol, &sam1.wallet.address).await?, 400);
    assert_eq!(nick(carol, &sam1.wallet.address[..10]).await?, 400);

    let mut s = socket(&owner, &room).await?;
    assert_eq!(s.err("timeout", json!(["sam", "5m"])).await?, "4004");
    assert_eq!(s.err("purge", json!(["@Sam"])).await?, "4004");
    assert_eq!(s.err("whisper", json!(["sam", "psst"])).await?, "4004");
    // "@sam" in a message mentions nobody.
    let m = s.ok("msg", json!(["@sam are you there?"])).await?;
    let id = m["id"].as_str().ok_or("no id")?;
    let stored = owner.api.get(&format!("/messages/{id}")).await?;
    assert_eq!(stored.data()?["at_user_ids"], json!([]));

    // Nobody was timed out or purged: sam1 still posts.
    let mut obs = observer(&w, carol, &[chat(&room)]).await?;
    let m1 = sam1.mqtt(&w.server.mqtt_ws).await?;
    say(&m1, sam1, &room, "sam1 still posts").await?;
    next_is(&mut obs, &chat(&room), "sam1 still posts").await?;

    // By address, sam1 alone is timed out.
    s.ok("timeout", json!([sam1.wallet.address, "5m"])).await?;
    say(&m1, sam1, &room, "sam1 while timed out").await?;
    let m2 = sam2.mqtt(&w.server.mqtt_ws).await?;
    say(&m2, sam2, &room, "sam2 is not timed out").await?;
    next_is(&mut obs, &chat(&room), "sam2 is not timed out").await?;
    Ok(())
}

#[tokio::test]
async fn a_socket_holds_bounded_state_and_an_idle_one_is_closed() -> Result<()> {
    let w = world(&["--chat-idle-secs", "1"]).await?;
    let (owner, _, room) = members(&w, "bounded").await?;
    let mut s = socket(&owner, &room).await?;
    let names: Vec<String> = (0..33).map(|i| format!("Event{i}")).collect();
    assert_eq!(s.err("optOutEvents", json!(names)).await?, "4004");
    assert_eq!(
        s.err("optOutEvents", json!(["x".repeat(65)])).await?,
        "4004"
    );
    s.ok("optOutEvents", json!(names[..32])).await?;
    assert!(s.ok("ping", json!([])).await?.is_null(), "still serving");

    // A socket that says nothing is closed after the idle time.
    let (mut idle, _) = ChannelSocket::connect(&w.server.chat[0]).await?;
    let closed = idle.read().await;
    assert!(closed.is_err(), "an idle socket stayed open: {closed:?}");
    Ok(())
}
