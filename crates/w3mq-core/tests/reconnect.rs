//! After a connect the session says how far the catch-up is; "Retry now"
//! (the network back) ends the backoff wait at once; a resume from suspend
//! redials a live connection. Against a real `w3mq-server` over loopback.

mod common;

use std::time::{Duration, Instant};

use common::{client, local, online, server, until};
use w3mq_core::CatchUp;
use w3mq_core::{ConnectionState, Event, Key};

fn catching_up(e: &Event) -> Option<Option<CatchUp>> {
    match e {
        Event::Connection {
            state: ConnectionState::Online { catching_up, .. },
        } => Some(*catching_up),
        _ => None,
    }
}

#[tokio::test]
async fn the_catch_up_after_a_connect_counts_rooms_until_all_are_in() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut a = client("a");
    let mut b = client("b");
    a.engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("a");
    let b_id = {
        let info = b
            .engine
            .sign_in(env.clone(), Key::generate())
            .await
            .expect("b");
        online(&mut b.events).await;
        b.engine.shutdown().await;
        info.user_id
    };
    online(&mut a.events).await;
    // Three rooms B does not know yet: B's next connect catches each one up.
    let mut rooms = Vec::new();
    for _ in 0..3 {
        let third = common::client("c");
        let c = third
            .engine
            .sign_in(env.clone(), Key::generate())
            .await
            .expect("c");
        let r = a
            .engine
            .create_room(&[b_id.clone(), c.user_id.clone()])
            .await
            .expect("room");
        a.engine
            .send(w3mq_core::Draft {
                room_id: r.room_id.clone(),
                text: Some("hello".into()),
                ..Default::default()
            })
            .await
            .expect("send");
        third.engine.shutdown().await;
        rooms.push(r.room_id);
    }
    let b2 = common::engine_in(b.dir.path(), "b");
    let mut ev = b2.events();
    b2.resume().await.expect("resume").expect("signed in");
    // Online, then catching up (some rooms not in), then Online with nothing pending.
    let first = until(&mut ev, |e| matches!(catching_up(e), Some(Some(_)))).await;
    let Some(Some(c)) = catching_up(&first) else {
        unreachable!()
    };
    assert!(c.done < c.total && c.total >= 3, "{c:?}");
    until(&mut ev, |e| catching_up(e) == Some(None)).await;
    // And the rooms' messages are in by then.
    for r in &rooms {
        let page = b2
            .page(r, w3mq_core::model::Cursor::Latest, 10)
            .await
            .expect("page");
        assert!(page.iter().any(|m| m.msg_contents == "hello"), "room {r}");
    }
    b2.shutdown().await;
    a.engine.shutdown().await;
}

#[tokio::test]
async fn wake_ends_the_backoff_wait_and_a_resume_redials() {
    let mut s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut a = client("a");
    a.engine.sign_in(env, Key::generate()).await.expect("a");
    online(&mut a.events).await;
    s.kill().await.expect("kill");
    // Offline until a wait of several seconds is announced (the backoff grows, jittered).
    let wait_ms = loop {
        let e = until(&mut a.events, |e| {
            matches!(
                e,
                Event::Connection {
                    state: ConnectionState::Offline { .. }
                }
            )
        })
        .await;
        if let Event::Connection {
            state: ConnectionState::Offline { retry_in_ms, .. },
        } = e
        {
            if retry_in_ms >= 5_000 {
                break retry_in_ms;
            }
        }
    };
    let announced = Instant::now();
    s.restart_after_stop().await.expect("restart");
    a.engine.wake(false).await;
    online(&mut a.events).await;
    let took = announced.elapsed();
    assert!(
        took < Duration::from_millis(wait_ms) - Duration::from_secs(2),
        "online after {took:?}, the wait was {wait_ms} ms"
    );

    // A resume from suspend drops a connection older than a few seconds and dials again at once.
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    a.engine.wake(true).await;
    until(&mut a.events, |e| {
        matches!(
            e,
            Event::Connection {
                state: ConnectionState::Offline { .. }
            } | Event::Connection {
                state: ConnectionState::Connecting { .. }
            }
        )
    })
    .await;
    let redial = Instant::now();
    online(&mut a.events).await;
    assert!(
        redial.elapsed() < Duration::from_secs(5),
        "redialled in {:?}",
        redial.elapsed()
    );
    a.engine.shutdown().await;
}
