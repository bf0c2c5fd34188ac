//! Shared helpers of the engine tests: engines with file-backed secrets in
//! temp dirs, waiting for events, and a Mosquitto broker for frames that
//! `w3mq-server`'s ACL would never let through.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;
use w3mq_core::secrets::FileSecretStore;
use w3mq_core::{Draft, Engine, EngineConfig, EnvKind, Environment, Event};

/// How long a test waits for an event.
pub const WAIT: Duration = Duration::from_secs(30);

/// The path of the server binary built in this workspace.
pub fn server_bin() -> PathBuf {
    w3mq_testkit::server_bin()
}

/// An engine in its own data dir.
pub struct Client {
    pub engine: Engine,
    pub events: broadcast::Receiver<Event>,
    pub dir: tempfile::TempDir,
}

/// Logs to the test's output when `RUST_LOG` is set.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A new engine whose data (and secrets file) live in a fresh temp dir.
pub fn client(device: &str) -> Client {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = engine_in(dir.path(), device);
    let events = engine.events();
    Client {
        engine,
        events,
        dir,
    }
}

/// An engine over an existing data dir (a restart of the same install).
pub fn engine_in(dir: &Path, device: &str) -> Engine {
    Engine::new(EngineConfig {
        data_dir: dir.to_path_buf(),
        secrets: Arc::new(FileSecretStore::new(dir.join("secrets.json"))),
        device: device.into(),
    })
}

/// A server without the per-user send limit (the tests send in bursts).
pub async fn server() -> w3mq_testkit::ServerProcess {
    w3mq_testkit::ServerProcess::start(server_bin(), &["--rate-per-sec", "0"])
        .await
        .expect("server starts")
}

/// The environment of a local server.
pub fn local(http: &str, mqtt: &str) -> Environment {
    Environment {
        kind: EnvKind::Local,
        http: http.into(),
        mqtt: vec![mqtt.into()],
    }
}

/// Waits for an event matching `f`.
pub async fn until(
    rx: &mut broadcast::Receiver<Event>,
    mut f: impl FnMut(&Event) -> bool,
) -> Event {
    tokio::time::timeout(WAIT, async {
        loop {
            match rx.recv().await {
                Ok(e) if f(&e) => return e,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => panic!("event stream closed"),
            }
        }
    })
    .await
    .expect("the event came in time")
}

/// Waits until the engine is online.
pub async fn online(rx: &mut broadcast::Receiver<Event>) {
    until(rx, |e| {
        matches!(
            e,
            Event::Connection {
                state: w3mq_core::ConnectionState::Online { .. }
            }
        )
    })
    .await;
}

/// A Mosquitto broker with a WebSocket listener on a free port, anonymous.
pub struct Mosquitto {
    child: tokio::process::Child,
    pub ws: String,
    pub tcp_port: u16,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Mosquitto {
    /// Starts `mosquitto` (Debian's package, installed by scripts/setup.sh).
    pub async fn start() -> Mosquitto {
        let dir = tempfile::tempdir().expect("temp dir");
        let (tcp, ws) = (free_port(), free_port());
        let conf = dir.path().join("m.conf");
        std::fs::write(
            &conf,
            format!("listener {tcp} 127.0.0.1\nallow_anonymous true\nlistener {ws} 127.0.0.1\nprotocol websockets\n"),
        )
        .expect("config written");
        let child = tokio::process::Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("mosquitto is installed (scripts/setup.sh installs it)");
        // Wait until both listeners accept.
        for port in [tcp, ws] {
            let mut ok = false;
            for _ in 0..200 {
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
                {
                    ok = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            assert!(ok, "mosquitto did not listen on {port}");
        }
        Mosquitto {
            child,
            ws: format!("ws://127.0.0.1:{ws}/mqtt"),
            tcp_port: tcp,
            _dir: dir,
        }
    }

    /// A raw MQTT client on the TCP listener.
    pub async fn raw(&self) -> w3mq_testkit::Mqtt {
        let mut o = rumqttc::MqttOptions::new(
            format!("raw-{}", rand::random::<u32>()),
            "127.0.0.1",
            self.tcp_port,
        );
        o.set_max_packet_size(1 << 20, 1 << 20);
        w3mq_testkit::Mqtt::connect_with(o)
            .await
            .expect("raw client connects")
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A text draft into `room`.
pub fn text(room: &str, t: &str) -> Draft {
    Draft {
        room_id: room.into(),
        text: Some(t.into()),
        ..Default::default()
    }
}

/// A `Messages` event with a message whose text is `t`.
pub fn has_text(e: &Event, t: &str) -> bool {
    matches!(e, Event::Messages { messages } if messages.iter().any(|m| m.msg_contents == t))
}

/// The texts a search of `e`'s cache finds.
pub async fn found(e: &Engine, q: &str) -> Vec<String> {
    let hits = e.search(q, 10).await.expect("search");
    hits.into_iter()
        .map(|h| {
            h.message
                .msg_contents
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Two new accounts signed in on `env` and online, and A's 1v1 room with B,
/// which B has taken in.
pub async fn two_in_a_room(env: &Environment) -> (Client, Client, w3mq_protocol::Room) {
    let mut a = client("a");
    let mut b = client("b");
    a.engine
        .sign_in(env.clone(), w3mq_core::Key::generate())
        .await
        .expect("a signs in");
    let b_info = b
        .engine
        .sign_in(env.clone(), w3mq_core::Key::generate())
        .await
        .expect("b signs in");
    online(&mut a.events).await;
    online(&mut b.events).await;
    let room = a
        .engine
        .create_room(std::slice::from_ref(&b_info.user_id))
        .await
        .expect("room");
    until(
        &mut b.events,
        |e| matches!(e, Event::RoomUpdated { summary } if summary.room.room_id == room.room_id),
    )
    .await;
    (a, b, room)
}
