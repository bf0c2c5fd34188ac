//! The desktop benchmark's fixture (scripts/bench-desktop.sh): an account of
//! the desktop app, signed in for real against a running w3mq-server, whose
//! cache then holds a large history.
//!
//! 1. The account signs in through `w3mq_core::Engine` with the OS keychain
//!    (`KeyringStore::new("w3mq-desktop")`, the app's service), so the
//!    keychain holds its key and token and `--data-dir` its `accounts.json`,
//!    exactly as after a sign-in in the app.
//! 2. Two other accounts (their secrets in memory) sign in; the first creates
//!    a 1v1 room with the account and `--rooms - 1` groups of three, and the
//!    account adopts each one (real rooms with real members and profiles).
//! 3. The engines stop, and the account's `cache.sqlite3` gets `--messages`
//!    messages through `w3mq_core::cache::Cache::ingest` in batches of 1,000
//!    (like crates/w3mq-core/benches/cache.rs): `--big-room` of them in the
//!    1v1 room, the rest spread over the groups, over the last year up to a
//!    minute ago, texts of 20-200 characters from the BIP-39 list drawn with a
//!    Zipf frequency, one in ten mine, 5% mentioning me. Everything is then
//!    read except the last 3 messages of one room in ten.
//!
//! The last line on standard output is a JSON object: `address`, `user_id`,
//! `big_room` (the 1v1 room's id), `rooms`, `room_ids`, `peer_key` (the first
//! peer's key, a throwaway of the benchmark, for desktop-burst), `messages`,
//! `cache_bytes`, `fill_secs`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use w3mq_core::cache::Cache;
use w3mq_core::secrets::{KeyringStore, SecretStore};
use w3mq_core::{Engine, EngineConfig, EnvKind, Environment, Key};
use w3mq_protocol::Message;

const WORDS: &str = include_str!("../../../w3mq-core/benches/words.txt");
const BATCH: usize = 1_000;
/// The desktop app's keychain service (src-tauri/src/lib.rs, KEYRING_SERVICE).
const SERVICE: &str = "w3mq-desktop";

#[derive(Parser, Debug)]
#[command(about = "Builds the desktop benchmark's signed-in account with a large cache")]
struct Args {
    /// The app's data directory (`w3mq-desktop --data-dir`).
    #[arg(long)]
    data_dir: PathBuf,
    /// REST base URL of a running w3mq-server.
    #[arg(long)]
    http: String,
    /// Its MQTT-over-WebSocket URL.
    #[arg(long)]
    mqtt: String,
    /// Messages in the cache.
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    /// Rooms (one 1v1, the rest groups of three).
    #[arg(long, default_value_t = 50)]
    rooms: usize,
    /// Messages of the 1v1 room.
    #[arg(long, default_value_t = 100_000)]
    big_room: usize,
    /// Seed of the generated history.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// Secrets of the other accounts: they need no keychain.
#[derive(Default)]
struct MemStore(Mutex<std::collections::HashMap<String, String>>);

#[async_trait]
impl SecretStore for MemStore {
    async fn get(&self, key: &str) -> w3mq_core::Result<Option<String>> {
        Ok(self.0.lock().expect("secrets").get(key).cloned())
    }
    async fn set(&self, key: &str, value: &str) -> w3mq_core::Result<()> {
        self.0
            .lock()
            .expect("secrets")
            .insert(key.into(), value.into());
        Ok(())
    }
    async fn delete(&self, key: &str) -> w3mq_core::Result<()> {
        self.0.lock().expect("secrets").remove(key);
        Ok(())
    }
}

fn engine(data_dir: &Path, secrets: Arc<dyn SecretStore>, device: &str) -> Engine {
    Engine::new(EngineConfig {
        data_dir: data_dir.to_path_buf(),
        secrets,
        device: device.into(),
    })
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("desktop-fixture: {what}: {e}");
    std::process::exit(1)
}

struct Gen {
    rng: StdRng,
    words: Vec<&'static str>,
    cdf: Vec<f64>,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let words: Vec<&str> = WORDS.split_whitespace().collect();
        // Cumulative Zipf (s = 1) weights, as in crates/w3mq-core/benches/cache.rs.
        let cdf = (1..=words.len())
            .scan(0.0, |acc, r| {
                *acc += 1.0 / r as f64;
                Some(*acc)
            })
            .collect();
        Gen {
            rng: StdRng::seed_from_u64(seed),
            words,
            cdf,
        }
    }

    fn text(&mut self) -> String {
        let len = self.rng.gen_range(20..=200);
        let total = self.cdf[self.cdf.len() - 1];
        let mut t = String::with_capacity(len + 12);
        while t.len() < len {
            if !t.is_empty() {
                t.push(' ');
            }
            let x = self.rng.gen::<f64>() * total;
            let i = self
                .cdf
                .partition_point(|&c| c < x)
                .min(self.words.len() - 1);
            t.push_str(self.words[i]);
        }
        t
    }
}

struct Out {
    address: String,
    user_id: String,
    big_room: String,
    rooms: Vec<String>,
    /// The first peer's key (a member of every room): desktop-burst signs in with it.
    peer_key: String,
}

/// Steps 1 and 2: the signed-in account and its rooms.
async fn accounts(a: &Args, env: &Environment) -> (Out, [String; 2]) {
    let me = engine(&a.data_dir, Arc::new(KeyringStore::new(SERVICE)), "bench");
    let info = me
        .sign_in(env.clone(), Key::generate())
        .await
        .unwrap_or_else(|e| fail("sign-in (is the keychain unlocked?)", e));
    eprintln!("signed in as {} ({})", info.address, info.user_id);
    let peers_dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));
    let mut peers = Vec::new();
    let mut peer_ids = Vec::new();
    let mut peer_key = String::new();
    for (i, nick) in ["Bench Peer", "Bench Third"].into_iter().enumerate() {
        let p = engine(
            &peers_dir.path().join(format!("peer{i}")),
            Arc::new(MemStore::default()),
            "bench",
        );
        let key = Key::generate();
        if i == 0 {
            peer_key = key.to_hex().to_string();
        }
        let pi = p
            .sign_in(env.clone(), key)
            .await
            .unwrap_or_else(|e| fail("peer sign-in", e));
        p.set_profile(Some(nick), None)
            .await
            .unwrap_or_else(|e| fail("peer profile", e));
        peer_ids.push(pi.user_id);
        peers.push(p);
    }
    me.set_profile(Some("Bench Me"), None)
        .await
        .unwrap_or_else(|e| fail("profile", e));
    let mut rooms = Vec::new();
    for i in 0..a.rooms {
        let members = if i == 0 {
            vec![info.user_id.clone()]
        } else {
            vec![info.user_id.clone(), peer_ids[1].clone()]
        };
        let r = peers[0]
            .create_room(&members)
            .await
            .unwrap_or_else(|e| fail("create room", e));
        me.refresh_room(&r.room_id)
            .await
            .unwrap_or_else(|e| fail("adopt room", e));
        rooms.push(r.room_id);
    }
    let listed = me.room_list().await.map(|l| l.len()).unwrap_or(0);
    if listed != rooms.len() {
        fail(
            "room list",
            format!("{listed} rooms, {} created", rooms.len()),
        );
    }
    for p in &peers {
        p.shutdown().await;
    }
    me.shutdown().await;
    let out = Out {
        address: info.address,
        user_id: info.user_id,
        big_room: rooms[0].clone(),
        rooms,
        peer_key,
    };
    let [p0, p1]: [String; 2] = peer_ids.try_into().expect("two peers");
    (out, [p0, p1])
}

/// Step 3: the history.
async fn fill(a: &Args, out: &Out, peers: &[String; 2], path: &Path) -> Duration {
    let cache = Cache::open(path, &out.user_id)
        .await
        .unwrap_or_else(|e| fail("open cache", e));
    let mut gen = Gen::new(a.seed);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    let span: i64 = 365 * 86_400 * 1_000_000_000;
    let start_ns = now - 60 * 1_000_000_000 - span;
    let step = span / a.messages.max(1) as i64;
    let total = a.messages;
    let big = a.big_room.min(total);
    let groups = out.rooms.len().saturating_sub(1);
    let mut seqs = vec![0i64; out.rooms.len()];
    let started = Instant::now();
    let mut done = 0usize;
    let mut batch = Vec::with_capacity(BATCH);
    while done < total {
        batch.clear();
        for i in done..(done + BATCH).min(total) {
            // Exactly `big` of them in the 1v1 room, evenly over time.
            let in_big = (i + 1) * big / total > i * big / total;
            let room = if in_big || groups == 0 {
                0
            } else {
                1 + gen.rng.gen_range(0..groups)
            };
            seqs[room] += 1;
            let p: f64 = gen.rng.gen();
            let from = if p < 0.1 {
                out.user_id.as_str()
            } else if room == 0 || p < 0.55 {
                peers[0].as_str()
            } else {
                peers[1].as_str()
            };
            let text = gen.text();
            let mut m = Message::text(from, &out.rooms[room], &text);
            let created = start_ns + i as i64 * step + gen.rng.gen_range(0..step.max(1));
            m.id = Some(format!(
                "{:08x}{:016x}",
                (created / 1_000_000_000) as u32,
                0x00b3_0000_0000_0000u64 + i as u64
            ));
            m.seq = Some(seqs[room]);
            m.created_at = created;
            if from != out.user_id && gen.rng.gen_bool(0.05) {
                m.at_user_ids = vec![out.user_id.clone()];
            }
            batch.push(m);
        }
        let new = cache
            .ingest(&batch)
            .await
            .unwrap_or_else(|e| fail("ingest", e));
        if new.len() != batch.len() {
            fail("ingest", format!("{} of {} new", new.len(), batch.len()));
        }
        done += batch.len();
        if done.is_multiple_of(100_000) {
            eprintln!("  {done} messages, {:.0?}", started.elapsed());
        }
    }
    for (i, room) in out.rooms.iter().enumerate() {
        let keep_unread = if i % 10 == 3 { 3 } else { 0 };
        cache
            .mark_read(room, (seqs[i] - keep_unread).max(0))
            .await
            .unwrap_or_else(|e| fail("mark read", e));
    }
    cache
        .checkpoint()
        .await
        .unwrap_or_else(|e| fail("checkpoint", e));
    cache.close().await;
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let a = Args::parse();
    if a.rooms == 0 {
        fail("--rooms", "at least one room is needed");
    }
    std::fs::create_dir_all(&a.data_dir).unwrap_or_else(|e| fail("data dir", e));
    let env = Environment {
        kind: EnvKind::Local,
        http: a.http.trim_end_matches('/').to_owned(),
        mqtt: vec![a.mqtt.clone()],
    };
    let (out, peers) = accounts(&a, &env).await;
    let path = a
        .data_dir
        .join("accounts")
        .join(&out.address)
        .join("cache.sqlite3");
    let took = fill(&a, &out, &peers, &path).await;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "cache: {} messages in {} rooms, {:.0} MB, filled in {:.0?}",
        a.messages,
        out.rooms.len(),
        bytes as f64 / 1e6,
        took
    );
    println!(
        "{}",
        serde_json::json!({
            "address": out.address,
            "user_id": out.user_id,
            "big_room": out.big_room,
            "rooms": out.rooms.len(),
            "room_ids": out.rooms,
            "peer_key": out.peer_key,
            "messages": a.messages,
            "cache_bytes": bytes,
            "fill_secs": took.as_secs_f64(),
        })
    );
}
