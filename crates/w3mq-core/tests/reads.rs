//! Read state and typing between engines over a real server: my read marker
//! reaches my other device live and after it was away; a read made while the
//! server was down goes out after the reconnect; a read receipt reaches the
//! sender (not when the reader keeps receipts to themselves); typing reaches
//! the other member and ends on its own.

mod common;

use std::time::Duration;

use common::{client, has_text, local, online, server, text, until, Client};
use tokio::sync::broadcast;
use w3mq_core::{Engine, Event, Key};

async fn unread(e: &Engine, room: &str) -> u32 {
    e.room_views()
        .await
        .expect("rooms")
        .into_iter()
        .find(|r| r.room_id == room)
        .map(|r| r.unread)
        .unwrap_or(99)
}

/// Waits until `e`'s unread count of `room` is `n`, event by event.
async fn until_unread(e: &Engine, rx: &mut broadcast::Receiver<Event>, room: &str, n: u32) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while unread(e, room).await != n {
        tokio::select! {
            r = rx.recv() => {
                if let Err(broadcast::error::RecvError::Closed) = r {
                    panic!("events closed");
                }
            }
            _ = tokio::time::sleep_until(deadline) => panic!("unread never became {n}"),
        }
    }
}

async fn signed_in(env: &w3mq_core::Environment, device: &str, key: &str) -> (Client, String) {
    let mut c = client(device);
    let info = c
        .engine
        .sign_in(env.clone(), Key::import(key).expect("key"))
        .await
        .expect("signs in");
    online(&mut c.events).await;
    (c, info.user_id)
}

#[tokio::test]
async fn my_reads_reach_my_other_device_and_receipts_and_typing_reach_the_sender() {
    let mut s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let b_key = Key::generate().to_hex();
    let (mut a, _) = signed_in(&env, "a", &Key::generate().to_hex()).await;
    let (mut b, b_id) = signed_in(&env, "b", &b_key).await;
    let room = a.engine.create_room(&[b_id]).await.expect("room");
    let room_id = room.room_id.clone();
    until(
        &mut b.events,
        |e| matches!(e, Event::RoomUpdated { summary } if summary.room.room_id == room_id),
    )
    .await;
    // B's second device, with B's key.
    let (mut b2, _) = signed_in(&env, "b2", &b_key).await;

    for t in ["one", "two", "three"] {
        a.engine.send(text(&room_id, t)).await.expect("send");
        until(&mut b2.events, |e| has_text(e, t)).await;
        until(&mut b.events, |e| has_text(e, t)).await;
    }
    assert_eq!(unread(&b2.engine, &room_id).await, 3);
    let first = b.engine.first_unread(&room_id).await.expect("first");
    let page = b
        .engine
        .page(&room_id, w3mq_core::model::Cursor::Latest, 10)
        .await
        .expect("page");
    assert_eq!(
        first, page[0].id,
        "the room opens at its first unread message"
    );

    // Live: B reads on one device with a receipt; the other device's count follows; A sees it.
    b.engine.mark_read(&room_id, 3, true).await.expect("read");
    until_unread(&b2.engine, &mut b2.events, &room_id, 0).await;
    until(
        &mut a.events,
        |e| matches!(e, Event::Receipts { room_id: r } if *r == room_id),
    )
    .await;
    while a.engine.seen(&room_id).await.expect("seen").is_none() {
        a.events.recv().await.expect("events");
    }
    let seen = a
        .engine
        .seen(&room_id)
        .await
        .expect("seen")
        .expect("someone read");
    assert_eq!((seen.count, seen.direct), (1, true));
    assert_eq!(Some(seen.msg_id), page[2].id, "my latest message was read");

    // Typing reaches A, and ends on its own.
    b.engine.typing(&room_id).await.expect("typing");
    until(
        &mut a.events,
        |e| matches!(e, Event::Typing { user_ids, .. } if user_ids.len() == 1),
    )
    .await;
    until(
        &mut a.events,
        |e| matches!(e, Event::Typing { user_ids, .. } if user_ids.is_empty()),
    )
    .await;

    // Away: B's second device stops; A writes; B reads privately (no receipt) on the first.
    b2.engine.shutdown().await;
    a.engine.send(text(&room_id, "four")).await.expect("send");
    until(&mut b.events, |e| has_text(e, "four")).await;
    b.engine.mark_read(&room_id, 4, false).await.expect("read");
    assert_eq!(unread(&b.engine, &room_id).await, 0);
    // The honest end of "no receipt": A's next receipt is B's read of "five", and "four"
    // never showed as read.
    a.engine.send(text(&room_id, "five")).await.expect("send");
    until(&mut b.events, |e| has_text(e, "five")).await;
    b.engine.mark_read(&room_id, 5, true).await.expect("read");
    // (A's own send told a `Receipts` too: its latest message changed.)
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while a.engine.seen(&room_id).await.expect("seen").is_none() {
        tokio::select! {
            _ = a.events.recv() => {}
            _ = tokio::time::sleep_until(deadline) => panic!("B's receipt never came"),
        }
    }

    // The second device comes back and knows what was read meanwhile.
    let mut ev = b2.engine.events();
    b2.engine
        .resume()
        .await
        .expect("resume")
        .expect("b2 resumed");
    until(&mut ev, |e| has_text(e, "five")).await;
    until_unread(&b2.engine, &mut ev, &room_id, 0).await;

    // Down: a read made while the server is unreachable goes out after the reconnect,
    // and B's first device learns it.
    a.engine.send(text(&room_id, "six")).await.expect("send");
    until(&mut ev, |e| has_text(e, "six")).await;
    until(&mut b.events, |e| has_text(e, "six")).await;
    assert_eq!(unread(&b.engine, &room_id).await, 1);
    s.stop().await.expect("stop");
    b2.engine
        .mark_read(&room_id, 6, true)
        .await
        .expect("read offline");
    assert_eq!(unread(&b2.engine, &room_id).await, 0);
    s.restart_after_stop().await.expect("restart");
    until_unread(&b.engine, &mut b.events, &room_id, 0).await;
}
