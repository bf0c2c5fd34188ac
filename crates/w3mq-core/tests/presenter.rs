//! The presenter against a real `w3mq-server`: a burst across several rooms
//! reaches the UI as a few batches, each reading the room list once and
//! telling each changed room and the totals once.

mod common;

use std::collections::HashSet;

use common::{client, local, online};
use w3mq_core::present::UiEvent;
use w3mq_core::Key;
use w3mq_testkit::{Api, ServerProcess};

#[tokio::test]
async fn a_burst_over_rooms_is_presented_in_batches_with_one_room_list_read_each() {
    let s = ServerProcess::start(common::server_bin(), &["--rate-per-sec", "0"])
        .await
        .expect("server starts");
    let mut b = client("b");
    let mut ui = b.engine.ui_events();
    b.engine
        .sign_in(local(&s.http, &s.mqtt_ws), Key::generate())
        .await
        .expect("b");
    online(&mut b.events).await;
    let api = Api::new(&s.http);
    let mut senders = Vec::new();
    for _ in 0..5 {
        let a = api.new_account().await.expect("a");
        let room = b
            .engine
            .create_room(std::slice::from_ref(&a.user_id))
            .await
            .expect("room");
        let m = a.mqtt(&s.mqtt_ws).await.expect("a connects");
        senders.push((a, room.room_id, m));
    }
    // Whatever the room creation produced is presented before the burst.
    while let Ok(Ok(_)) =
        tokio::time::timeout(std::time::Duration::from_millis(300), ui.recv()).await
    {}
    let (reads_before, batches_before) = b.engine.presenter_stats();

    const PER_ROOM: usize = 400;
    for i in 0..PER_ROOM {
        for (a, room, m) in &senders {
            m.publish(
                &format!("msg/{}", a.user_id),
                w3mq_testkit::text_message(&a.user_id, room, &format!("m{i}"), None).to_string(),
            )
            .await
            .expect("publish");
        }
    }
    let total = PER_ROOM * senders.len();
    let (mut seen, mut batches) = (0usize, 0u64);
    while seen < total {
        let batch = tokio::time::timeout(w3mq_testkit::WAIT, ui.recv())
            .await
            .expect("a batch in time")
            .expect("presenter alive");
        batches += 1;
        let mut rooms = HashSet::new();
        let mut totals = 0;
        for e in &batch.events {
            match e {
                UiEvent::Messages { messages } => seen += messages.len(),
                UiEvent::RoomUpdated { room } => {
                    assert!(
                        rooms.insert(room.room_id.clone()),
                        "a room told twice in a batch"
                    )
                }
                UiEvent::UnreadTotal { .. } => totals += 1,
                UiEvent::Resync => panic!("the presenter fell behind"),
                _ => {}
            }
        }
        assert!(totals <= 1, "the totals told {totals} times in a batch");
    }
    assert_eq!(seen, total, "every message once");
    let (reads, presented) = b.engine.presenter_stats();
    let (reads, presented) = (reads - reads_before, presented - batches_before);
    assert!(
        reads <= presented,
        "{reads} room list reads for {presented} batches"
    );
    assert!(
        batches * 4 < total as u64,
        "{batches} batches for {total} messages"
    );
    b.engine.shutdown().await;
}
