//! A client process killed with SIGKILL in the middle of sending sends every
//! queued message exactly once after it restarts.
//!
//! The child is this same test binary, re-run with `W3MQ_CRASH_CHILD` set so
//! that only `crash_child` runs: it signs in, then queues messages in a loop,
//! printing `queued <i>` after each `send` returns. The parent kills it with
//! SIGKILL mid-loop, then starts an engine over the same data dir.

mod common;

use std::collections::HashMap;
use std::process::Stdio;

use common::{engine_in, local, online, until};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use w3mq_core::model::SendStatus;
use w3mq_core::{Draft, Event, Key};
use w3mq_testkit::{Api, ServerProcess};

const MESSAGES: usize = 400;

/// Runs only as the child process (ignored in normal runs).
#[tokio::test]
#[ignore = "the child process of sigkill_mid_send_then_restart_sends_exactly_once"]
async fn crash_child() {
    let spec = std::env::var("W3MQ_CRASH_CHILD").expect("run by the parent test");
    let v: serde_json::Value = serde_json::from_str(&spec).expect("spec");
    let dir = std::path::PathBuf::from(v["dir"].as_str().expect("dir"));
    let engine = engine_in(&dir, "crashy");
    let mut ev = engine.events();
    engine.resume().await.expect("resume").expect("signed in");
    online(&mut ev).await;
    let room = v["room"].as_str().expect("room").to_owned();
    println!("ready");
    for i in 0..MESSAGES {
        engine
            .send(Draft {
                room_id: room.clone(),
                text: Some(format!("crash {i}")),
                ..Default::default()
            })
            .await
            .expect("queued");
        println!("queued {i}");
    }
    // Killed before this.
    std::future::pending::<()>().await;
}

#[tokio::test]
async fn sigkill_mid_send_then_restart_sends_exactly_once() {
    let s = ServerProcess::start(common::server_bin(), &["--rate-per-sec", "0"])
        .await
        .expect("server");
    let env = local(&s.http, &s.mqtt_ws);
    let dir = tempfile::tempdir().expect("dir");
    // Sign in and make a room in this process, then hand the install over.
    let room = {
        let e = engine_in(dir.path(), "crashy");
        let mut ev = e.events();
        e.sign_in(env.clone(), Key::generate())
            .await
            .expect("sign in");
        online(&mut ev).await;
        let peer = Api::new(&s.http).new_account().await.expect("peer");
        let room = e
            .create_room(std::slice::from_ref(&peer.user_id))
            .await
            .expect("room");
        e.shutdown().await;
        (room.room_id, peer)
    };
    let spec = json!({"dir": dir.path(), "room": room.0}).to_string();
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("exe"))
        .args([
            "--exact",
            "crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("W3MQ_CRASH_CHILD", spec)
        .env("W3MQ_SERVER_BIN", common::server_bin())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("child starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut queued = 0usize;
    while let Some(l) = lines.next_line().await.expect("read") {
        if let Some(i) = l.strip_prefix("queued ") {
            queued = i.parse::<usize>().expect("index") + 1;
            if queued >= 120 {
                break;
            }
        }
    }
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("reaped");
    assert!(queued >= 120, "the child queued {queued}");

    // Restart the install: every queued message goes out, once.
    let e = engine_in(dir.path(), "crashy");
    let mut ev = e.events();
    e.resume().await.expect("resume").expect("signed in");
    loop {
        if e.outbox(&room.0)
            .await
            .expect("outbox")
            .iter()
            .all(|o| o.status != SendStatus::Pending)
        {
            break;
        }
        until(&mut ev, |e| {
            matches!(
                e,
                Event::SendStatus {
                    status: SendStatus::Sent,
                    ..
                }
            )
        })
        .await;
    }
    let peer = room.1;
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut after = 0;
    loop {
        let r = peer
            .api
            .post(
                "/messages",
                json!({"room_id": room.0, "size": 100, "after_seq": after}),
            )
            .await
            .expect("history");
        let page = r
            .data()
            .expect("ok")
            .as_array()
            .cloned()
            .unwrap_or_default();
        if page.is_empty() {
            break;
        }
        for m in &page {
            *counts
                .entry(m["msg_contents"].as_str().unwrap_or("").to_owned())
                .or_default() += 1;
            after = m["seq"].as_i64().unwrap_or(after);
        }
    }
    for i in 0..queued {
        assert_eq!(
            counts.get(&format!("crash {i}")),
            Some(&1),
            "message {i} stored exactly once"
        );
    }
    assert!(counts.values().all(|c| *c == 1), "no message twice");
    // At most the one being queued at the kill can be there beyond those printed.
    assert!(
        counts.len() <= queued + 1,
        "{} stored, {queued} queued",
        counts.len()
    );
    e.shutdown().await;
}
