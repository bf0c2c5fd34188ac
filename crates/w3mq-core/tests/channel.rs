//! The public-channel connector against a real `w3mq-server`: anonymous
//! reading, signed-in writing, the same messages over the channel and over
//! MQTT (same ids), moderation into the cache, the engine's forwarding, and
//! failover to another endpoint when one goes away, with nothing missing.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use w3mq_core::cache::Cache;
use w3mq_core::channel::{ChannelClient, ChannelConfig, ChannelError, ChannelEvent, ChannelState};
use w3mq_core::model::Cursor;
use w3mq_core::{Event, Key};
use w3mq_testkit::{text_message, Account, Api, Mqtt, ServerProcess};

async fn server(extra: &[&str]) -> ServerProcess {
    let mut args = vec!["--rate-per-sec", "0"];
    args.extend_from_slice(extra);
    ServerProcess::start(common::server_bin(), &args)
        .await
        .expect("server starts")
}

/// A collection room created by `owner` (its moderator).
async fn collection(owner: &Account, slug: &str) -> String {
    let r = owner
        .api
        .post(
            "/rooms",
            json!({"is_opensea_coll": true, "opensea_coll_slug": slug, "opensea_coll_name": slug}),
        )
        .await
        .expect("request");
    r.data()
        .expect("room created")
        .as_str()
        .expect("room id")
        .to_owned()
}

/// Waits for a channel event matching `f`.
async fn until_ch(
    rx: &mut broadcast::Receiver<ChannelEvent>,
    mut f: impl FnMut(&ChannelEvent) -> bool,
) -> ChannelEvent {
    tokio::time::timeout(common::WAIT, async {
        loop {
            match rx.recv().await {
                Ok(e) if f(&e) => return e,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => panic!("channel events closed"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "no channel event in time: {}",
            std::any::type_name_of_val(&f)
        )
    })
}

/// Waits until the channel is online; its endpoint and permissions.
async fn online(c: &ChannelClient) -> (String, Vec<String>) {
    let s = tokio::time::timeout(
        common::WAIT,
        c.wait_state(|s| matches!(s, ChannelState::Online { .. })),
    )
    .await
    .expect("online in time");
    match s {
        ChannelState::Online {
            endpoint,
            permissions,
            ..
        } => (endpoint, permissions),
        other => panic!("not online: {other:?}"),
    }
}

fn is_text(e: &ChannelEvent, text: &str) -> bool {
    matches!(e, ChannelEvent::Message { message, .. } if message.text() == text)
}

/// Publishes a text over MQTT and waits for its ACK on `chat/<room>`
/// (`m` must be subscribed there); the stored message.
async fn mqtt_send(m: &mut Mqtt, who: &Account, room: &str, text: &str) -> Value {
    let cid = format!("c{}", rand::random::<u32>());
    let body = text_message(&who.user_id, room, text, Some(&cid));
    m.publish(
        &format!("msg/{}", who.user_id),
        serde_json::to_vec(&body).expect("json"),
    )
    .await
    .expect("published");
    loop {
        let v = m.recv_on(&format!("chat/{room}")).await.expect("the ACK");
        if v["client_msg_id"] == cid.as_str() {
            return v;
        }
    }
}

#[tokio::test]
async fn anonymous_reads_live_and_may_not_write() {
    common::init_logs();
    let s = server(&[]).await;
    let api = Api::new(&s.http);
    let owner = api.new_account().await.expect("owner");
    let room = collection(&owner, "anon-read").await;

    let (anon, mut rx) = ChannelClient::open(&s.http, &room, None, None)
        .await
        .expect("opens anonymously");
    let (_, permissions) = online(&anon).await;
    assert_eq!(permissions, vec!["connect".to_owned()]);

    let mut m = owner.mqtt(&s.mqtt_ws).await.expect("mqtt");
    assert!(m.subscribe(&format!("chat/{room}")).await.expect("sub"));
    let stored = mqtt_send(&mut m, &owner, &room, "gm anonymous readers").await;
    let ChannelEvent::Message { message, missed } =
        until_ch(&mut rx, |e| is_text(e, "gm anonymous readers")).await
    else {
        unreachable!()
    };
    assert!(!missed);
    assert_eq!(Some(message.id.as_str()), stored["id"].as_str());
    assert_eq!(message.seq, stored["seq"].as_i64());
    assert_eq!(message.user_id, owner.user_id);
    assert_eq!(message.user_roles, vec!["Owner".to_owned()]);

    // Read only: writing is refused with the seed's code.
    let err = anon.send_text("let me in").await.expect_err("refused");
    assert_eq!(err.code(), "UACCESS", "{err}");
    // History works anonymously.
    let h = anon.history(10).await.expect("history");
    assert_eq!(
        h.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        vec![message.id.as_str()]
    );
    // An unknown channel is refused at once.
    let e = ChannelClient::open(&s.http, "0123456789abcdef01234567", None, None)
        .await
        .expect_err("no such channel");
    assert_eq!(e, ChannelError::NotFound);
    anon.close().await;
    assert_eq!(anon.state(), ChannelState::Closed);
    assert_eq!(anon.ping().await, Err(ChannelError::Closed));
}

#[tokio::test]
async fn signed_in_chat_is_the_same_room_as_mqtt_and_lands_in_the_cache() {
    common::init_logs();
    let s = server(&[]).await;
    let api = Api::new(&s.http);
    let owner = api.new_account().await.expect("owner");
    let bob = api.new_account().await.expect("bob");
    let room = collection(&owner, "same-room").await;
    let dir = tempfile::tempdir().expect("dir");
    let cache = Cache::open(&dir.path().join("c.sqlite3"), &bob.user_id)
        .await
        .expect("cache");

    let (ch, mut rx) =
        ChannelClient::open(&s.http, &room, Some(bob.token.clone()), Some(cache.clone()))
            .await
            .expect("opens signed in");
    let (_, permissions) = online(&ch).await;
    assert!(permissions.contains(&"chat".to_owned()), "{permissions:?}");

    // Channel → MQTT: the same id and seq.
    let mut m = owner.mqtt(&s.mqtt_ws).await.expect("mqtt");
    assert!(m.subscribe(&format!("chat/{room}")).await.expect("sub"));
    let sent = ch
        .send_text("hello from the channel, @nobody")
        .await
        .expect("sent");
    assert_eq!(sent.user_id, bob.user_id);
    let over_mqtt = m.recv_on(&format!("chat/{room}")).await.expect("delivered");
    assert_eq!(over_mqtt["id"].as_str(), Some(sent.id.as_str()));
    assert_eq!(over_mqtt["seq"].as_i64(), sent.seq);
    assert_eq!(over_mqtt["from_uid"], bob.user_id.as_str());
    assert_eq!(over_mqtt["msg_contents"], "hello from the channel, @nobody");

    // MQTT → channel: the same id.
    let stored = mqtt_send(&mut m, &owner, &room, "hello from mqtt").await;
    let ChannelEvent::Message { message, .. } =
        until_ch(&mut rx, |e| is_text(e, "hello from mqtt")).await
    else {
        unreachable!()
    };
    assert_eq!(Some(message.id.as_str()), stored["id"].as_str());

    // Both are in the cache, as messages of the room.
    let page = cache.page(&room, Cursor::Latest, 10).await.expect("page");
    let ids: Vec<_> = page.iter().filter_map(|m| m.id.clone()).collect();
    assert_eq!(ids, vec![sent.id.clone(), message.id.clone()]);
    assert_eq!(page[1].from_uid, owner.user_id);
    assert_eq!(page[1].msg_contents, "hello from mqtt");
    assert_eq!(cache.synced_seq(&room).await.expect("seq"), 2);

    // The moderator deletes Bob's message on the channel: Bob's channel is
    // told and his cache drops it; MQTT clients are told too. Bob may not.
    let (mods, _mrx) = ChannelClient::open(&s.http, &room, Some(owner.token.clone()), None)
        .await
        .expect("owner opens");
    online(&mods).await;
    let e = ch
        .delete_message(&message.id)
        .await
        .expect_err("not a moderator");
    assert_eq!(e.code(), "UACCESS");
    let mut mn = owner.mqtt(&s.mqtt_ws).await.expect("mqtt");
    assert!(mn
        .subscribe(&format!("notification/{room}"))
        .await
        .expect("sub"));
    mods.delete_message(&sent.id).await.expect("deleted");
    until_ch(
        &mut rx,
        |e| matches!(e, ChannelEvent::MessageDeleted { id } if *id == sent.id),
    )
    .await;
    let note = mn
        .recv_on(&format!("notification/{room}"))
        .await
        .expect("event");
    assert_eq!(note["type"], "messages_deleted");
    assert_eq!(note["ids"], json!([sent.id]));
    assert_eq!(cache.message(&sent.id).await.expect("read"), None);
    assert!(cache.message(&message.id).await.expect("read").is_some());

    // A poll: started by the moderator, a vote from Bob, the counts at the end.
    let answers = ["yes".to_owned(), "no".to_owned()];
    let poll = mods
        .vote_start("ship it?", &answers, Duration::from_secs(1))
        .await
        .expect("poll started");
    assert_eq!((poll.q.as_str(), poll.duration), ("ship it?", 1000));
    let ChannelEvent::PollStarted { poll } =
        until_ch(&mut rx, |e| matches!(e, ChannelEvent::PollStarted { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(poll.answers, answers);
    ch.vote_choose(1).await.expect("voted");
    let ChannelEvent::PollEnded { poll } =
        until_ch(&mut rx, |e| matches!(e, ChannelEvent::PollEnded { .. })).await
    else {
        unreachable!()
    };
    assert_eq!((poll.voters, poll.responses_by_index), (1, vec![0, 1]));
    mods.close().await;
    ch.close().await;
}

/// A TCP proxy in front of the server's chat socket, that the test can
/// pause (it drops new connections) and kill (listener and connections).
struct Proxy {
    url: String,
    accepting: watch::Sender<bool>,
    kill: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    async fn bind() -> (Proxy, TcpListener) {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        let p = Proxy {
            url: format!("ws://127.0.0.1:{port}/chat"),
            accepting: watch::channel(true).0,
            kill: None,
        };
        (p, l)
    }

    fn serve(&mut self, l: TcpListener, target: String) {
        let accepting = self.accepting.subscribe();
        self.kill = Some(tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((inbound, _)) = l.accept().await else {
                    break;
                };
                if !*accepting.borrow() {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                conns.spawn(async move {
                    let Ok(mut out) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let mut inbound = inbound;
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                });
            }
        }));
    }

    /// Closes the listener and every connection through it.
    fn kill(&mut self) {
        if let Some(t) = self.kill.take() {
            t.abort();
        }
    }
}

#[tokio::test]
async fn failover_to_the_other_endpoint_misses_nothing() {
    common::init_logs();
    let (mut p1, l1) = Proxy::bind().await;
    let (mut p2, l2) = Proxy::bind().await;
    let s = server(&["--chat-advertise", &p1.url, "--chat-advertise", &p2.url]).await;
    let target = s.http.trim_start_matches("http://").to_owned();
    p1.serve(l1, target.clone());
    p2.serve(l2, target);

    let api = Api::new(&s.http);
    let owner = api.new_account().await.expect("owner");
    let bob = api.new_account().await.expect("bob");
    let room = collection(&owner, "failover").await;
    let dir = tempfile::tempdir().expect("dir");
    let cache = Cache::open(&dir.path().join("c.sqlite3"), &bob.user_id)
        .await
        .expect("cache");

    // Short delays between attempts, so the test does not wait long.
    let cfg = ChannelConfig {
        backoff_max: Duration::from_secs(2),
        ..Default::default()
    };
    let (ch, mut rx) = ChannelClient::open_with(
        &s.http,
        &room,
        Some(bob.token.clone()),
        Some(cache.clone()),
        cfg,
    )
    .await
    .expect("opens");
    let (first, _) = online(&ch).await;
    assert!(first == p1.url || first == p2.url, "{first}");
    let (dead, other) = if first == p1.url {
        (&mut p1, &mut p2)
    } else {
        (&mut p2, &mut p1)
    };
    let before = ch.send_text("before the cut").await.expect("sent");
    // Seen live before the cut (so that the history after it must not tell it again).
    until_ch(&mut rx, |e| is_text(e, "before the cut")).await;

    // The endpoint goes away; the other one refuses for now, so the client
    // stays offline while others chat and Bob queues a message.
    other.accepting.send_replace(false);
    dead.kill();
    until_ch(&mut rx, |e| {
        matches!(
            e,
            ChannelEvent::State {
                state: ChannelState::Offline { .. }
            }
        )
    })
    .await;
    let mut m = owner.mqtt(&s.mqtt_ws).await.expect("mqtt");
    assert!(m.subscribe(&format!("chat/{room}")).await.expect("sub"));
    let mut missed_ids = BTreeSet::new();
    for i in 0..3 {
        let v = mqtt_send(&mut m, &owner, &room, &format!("while away {i}")).await;
        missed_ids.insert(v["id"].as_str().expect("id").to_owned());
    }
    let queued = {
        let ch = ch.clone();
        tokio::spawn(async move { ch.send_text("queued while offline").await })
    };
    assert!(!queued.is_finished());

    // Back through the other endpoint: the queued call goes out, the gap is
    // filled from history.
    other.accepting.send_replace(true);
    let (second, _) = online(&ch).await;
    assert_eq!(second, other.url, "reconnected to the other endpoint");
    let q = tokio::time::timeout(common::WAIT, queued)
        .await
        .expect("the queued call finished")
        .expect("task")
        .expect("sent after the reconnect");
    // Every message is told once: live, or as missed.
    let mut seen: BTreeSet<String> = BTreeSet::from([before.id.clone()]);
    let mut expected = missed_ids.clone();
    expected.insert(q.id.clone());
    while !expected.is_subset(&seen) {
        let next = tokio::time::timeout(common::WAIT, async {
            loop {
                match rx.recv().await {
                    Ok(e @ ChannelEvent::Message { .. }) => return e,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => panic!("channel events closed"),
                }
            }
        })
        .await;
        let Ok(next) = next else {
            panic!(
                "never told: {:?}",
                expected.difference(&seen).collect::<Vec<_>>()
            );
        };
        match next {
            ChannelEvent::Message { message, missed } => {
                if missed_ids.contains(&message.id) {
                    assert!(missed, "{} came as missed", message.text());
                }
                assert!(
                    seen.insert(message.id.clone()),
                    "told twice: {}",
                    message.text()
                );
            }
            _ => unreachable!(),
        }
    }

    // Nothing is missing: the cache holds every message of the room, in
    // order, without a gap; the server has no other.
    let all = owner
        .api
        .post(
            "/messages",
            json!({"room_id": room, "page": 1, "size": 100}),
        )
        .await
        .expect("request");
    let server_ids: BTreeSet<String> = all
        .data()
        .expect("messages")
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(server_ids.len(), 5);
    let page = cache.page(&room, Cursor::Latest, 100).await.expect("page");
    let cached: BTreeSet<String> = page.iter().filter_map(|m| m.id.clone()).collect();
    assert_eq!(cached, server_ids);
    assert_eq!(seen, server_ids);
    assert_eq!(cache.synced_seq(&room).await.expect("seq"), 5);
    ch.close().await;
}

/// Waits until every thread of `pid` is stopped (state `T` in /proc).
async fn wait_stopped(pid: i32) {
    let all_stopped = || -> bool {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return false;
        };
        tasks.filter_map(|t| t.ok()).all(|t| {
            std::fs::read_to_string(t.path().join("stat"))
                .ok()
                .and_then(|s| s.rsplit_once(") ").map(|(_, r)| r.starts_with('T')))
                .unwrap_or(false)
        })
    };
    tokio::time::timeout(common::WAIT, async {
        while !all_stopped() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the server stopped");
}

#[tokio::test]
async fn calls_time_out_when_the_server_stops_answering() {
    common::init_logs();
    // A proxy that is paused mid-connection cannot be made from TCP copies,
    // so stop the server process: the socket stays open (SIGSTOP) and the
    // call gets no reply.
    let s = server(&[]).await;
    let api = Api::new(&s.http);
    let owner = api.new_account().await.expect("owner");
    let room = collection(&owner, "timeouts").await;
    let cfg = ChannelConfig {
        method_timeout: Duration::from_millis(500),
        ping_every: Duration::from_secs(3600),
        ..Default::default()
    };
    let (ch, _rx) = ChannelClient::open_with(&s.http, &room, None, None, cfg)
        .await
        .expect("opens");
    online(&ch).await;
    ch.ping().await.expect("answered while running");
    let pid = s.pid().expect("running") as i32;
    // SAFETY: signals to our own child process.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    wait_stopped(pid).await;
    let r = ch.ping().await;
    unsafe { libc::kill(pid, libc::SIGCONT) };
    assert_eq!(r, Err(ChannelError::Timeout));
    ch.ping().await.expect("answered again");
    ch.close().await;
}

#[tokio::test]
async fn the_engine_forwards_channel_events_and_caches_them() {
    let s = server(&[]).await;
    let api = Api::new(&s.http);
    let owner = api.new_account().await.expect("owner");
    let room = collection(&owner, "engine-slug").await;

    // Anonymous, by slug, without an account.
    let mut anon = common::client("anon");
    let pc = anon
        .engine
        .open_public_channel(&s.http, "engine-slug")
        .await
        .expect("opens by slug");
    online(&pc).await;

    // Signed in: the engine's own account.
    let mut me = common::client("me");
    me.engine
        .sign_in(common::local(&s.http, &s.mqtt_ws), Key::generate())
        .await
        .expect("signs in");
    common::online(&mut me.events).await;
    let ch = me.engine.open_channel(&room).await.expect("opens");
    online(&ch).await;
    let sent = ch.send_text("through the engine").await.expect("sent");

    common::until(&mut me.events, |e| {
        matches!(e, Event::Messages { messages } if messages.iter().any(|m| m.id.as_deref() == Some(sent.id.as_str())))
    })
    .await;
    let page = me
        .engine
        .page(&room, Cursor::Latest, 10)
        .await
        .expect("page");
    assert!(page
        .iter()
        .any(|m| m.id.as_deref() == Some(sent.id.as_str())));
    common::until(&mut anon.events, |e| {
        matches!(e, Event::Channel { room_id, event } if *room_id == room
            && matches!(&**event, ChannelEvent::Message { message, .. } if message.id == sent.id))
    })
    .await;
    // Sign-out closes the account's channel.
    me.engine.sign_out(None).await.expect("signs out");
    let st = tokio::time::timeout(common::WAIT, ch.wait_state(|s| *s == ChannelState::Closed))
        .await
        .expect("closed in time");
    assert_eq!(st, ChannelState::Closed);
    pc.close().await;
}
