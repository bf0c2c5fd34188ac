//! The client cache under load: `cargo bench -p w3mq-core --bench cache`.
//!
//! In one run, on real files in a temporary directory:
//! 1. ingest throughput through `Cache::ingest` in batches of 1,000, against a
//!    plain batched insert of the same rows into a simple table (same driver,
//!    same settings: WAL, `synchronous = NORMAL` as `Cache::ingest` commits,
//!    one transaction per 1,000 rows, one prepared statement);
//! 2. page latency (50 messages, `Latest` and `Before` a random seq) on the
//!    1,000,000-message cache;
//! 3. full-text search latency (1-2 words) on it;
//! 4. its size on disk.
//!
//! Messages: 100 rooms, 50 senders (one in ten messages is mine), texts of
//! 20-200 characters from the 2,048-word BIP-39 English list drawn with a
//! Zipf (s = 1) frequency like natural language, 5% mentioning me and 5%
//! someone else. `W3MQ_BENCH_MESSAGES` sets another count (for a quick run);
//! `W3MQ_BENCH_DIR` keeps the files in that directory, and a second run there
//! measures the reads again on the cache already built.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use w3mq_core::cache::Cache;
use w3mq_core::model::Cursor;
use w3mq_protocol::Message;

const WORDS: &str = include_str!("words.txt");
const ROOMS: usize = 100;
const USERS: usize = 50;
const BATCH: usize = 1_000;
const PAGE: i64 = 50;
const PAGES: usize = 2_000;
const SEARCHES: usize = 200;
const SEARCH_LIMIT: i64 = 20;

struct Gen {
    rng: StdRng,
    words: Vec<&'static str>,
    /// Cumulative Zipf weights of `words`.
    cdf: Vec<f64>,
    rooms: Vec<String>,
    users: Vec<String>,
    seqs: Vec<i64>,
    counter: u32,
    now: i64,
}

fn hex_id(rng: &mut StdRng, secs: u32, counter: u32) -> String {
    let r: u64 = rng.gen();
    format!(
        "{secs:08x}{:010x}{:06x}",
        r & 0xff_ffff_ffff,
        counter & 0xff_ffff
    )
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut rng = StdRng::seed_from_u64(seed);
        let words: Vec<&str> = WORDS.split_whitespace().collect();
        let mut cdf = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for r in 1..=words.len() {
            acc += 1.0 / r as f64;
            cdf.push(acc);
        }
        let rooms = (0..ROOMS)
            .map(|i| hex_id(&mut rng, 0x6280_0000, i as u32))
            .collect();
        let users = (0..USERS)
            .map(|i| hex_id(&mut rng, 0x6270_0000, i as u32))
            .collect();
        Gen {
            rng,
            words,
            cdf,
            rooms,
            users,
            seqs: vec![0; ROOMS],
            counter: 0,
            now: 1_653_400_000 * 1_000_000_000,
        }
    }

    fn me(&self) -> &str {
        &self.users[0]
    }

    fn word(&mut self) -> &'static str {
        let total = self.cdf[self.cdf.len() - 1];
        let x = self.rng.gen::<f64>() * total;
        let i = self
            .cdf
            .partition_point(|&c| c < x)
            .min(self.words.len() - 1);
        self.words[i]
    }

    /// A word drawn uniformly (what people search for: not "the").
    fn any_word(&mut self) -> &'static str {
        self.words[self.rng.gen_range(0..self.words.len())]
    }

    fn text(&mut self) -> String {
        let len = self.rng.gen_range(20..=200);
        let mut t = String::with_capacity(len + 12);
        while t.len() < len {
            if !t.is_empty() {
                t.push(' ');
            }
            let w = self.word();
            t.push_str(w);
        }
        t
    }

    fn message(&mut self) -> Message {
        let room = self.rng.gen_range(0..ROOMS);
        self.seqs[room] += 1;
        self.counter += 1;
        self.now += self.rng.gen_range(1..2_000_000_000);
        let from = if self.rng.gen_bool(0.1) {
            0
        } else {
            self.rng.gen_range(1..USERS)
        };
        let text = self.text();
        let mut m = Message::text(&self.users[from], &self.rooms[room], &text);
        let secs = (self.now / 1_000_000_000) as u32;
        let counter = self.counter;
        m.id = Some(hex_id(&mut self.rng, secs, counter));
        m.seq = Some(self.seqs[room]);
        m.created_at = self.now;
        let p: f64 = self.rng.gen();
        if p < 0.05 {
            m.at_user_ids = vec![self.users[0].clone()];
        } else if p < 0.10 {
            m.at_user_ids = vec![self.users[self.rng.gen_range(1..USERS)].clone()];
        }
        m
    }

    fn batch(&mut self, n: usize) -> Vec<Message> {
        (0..n).map(|_| self.message()).collect()
    }
}

/// CPU time of this process (all threads: the runtime's and SQLite's).
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

async fn plain_pool(path: &Path) -> sqlx::SqlitePool {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Like with like: `Cache::ingest` commits server messages at NORMAL
        // (crates/w3mq-core/src/cache/messages.rs), so the baseline does too
        // (at FULL it measured the disk's fsyncs, not the code).
        .synchronous(SqliteSynchronous::Normal)
        .pragma("cache_size", "-32768");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .expect("plain db");
    sqlx::query(
        "CREATE TABLE plain (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, seq INTEGER NOT NULL,
                             created_at INTEGER NOT NULL, body TEXT NOT NULL)",
    )
    .execute(&pool)
    .await
    .expect("plain table");
    pool
}

async fn plain_insert(pool: &sqlx::SqlitePool, batch: &[Message]) {
    let mut tx = pool.begin().await.expect("begin");
    for m in batch {
        let body = serde_json::to_string(m).expect("json");
        sqlx::query(
            "INSERT INTO plain (id, room_id, seq, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(m.id.as_deref())
        .bind(&m.to_room_id)
        .bind(m.seq)
        .bind(m.created_at)
        .bind(body)
        .execute(&mut *tx)
        .await
        .expect("plain insert");
    }
    tx.commit().await.expect("commit");
}

struct Ingest {
    total: usize,
    cache_rate: f64,
    plain_rate: f64,
    cache_cpu_rate: f64,
    plain_cpu_rate: f64,
    first_n: usize,
    cache_first: f64,
    plain_first: f64,
    last_n: usize,
    cache_last: f64,
    plain_last: f64,
    again: Duration,
    plain_bytes: u64,
}

/// Measure 1: ingests `total` messages in batches, each batch also into the
/// plain table right after, timing both (wall clock and CPU time).
async fn build(cache: &Cache, gen: &mut Gen, total: usize, plain_path: &Path) -> Ingest {
    let plain = plain_pool(plain_path).await;
    let (mut t_cache, mut t_plain, mut cpu_cache, mut cpu_plain) = Default::default();
    let (mut t_cache_first, mut t_plain_first, mut t_cache_last, mut t_plain_last) =
        Default::default();
    let first_n = (total / 10).max(BATCH).min(total);
    let mut last_n = 0usize;
    let mut done = 0usize;
    let started = Instant::now();
    while done < total {
        let n = BATCH.min(total - done);
        let batch = gen.batch(n);
        let (t, c) = (Instant::now(), cpu_time());
        let new = cache.ingest(&batch).await.expect("ingest");
        let dc = t.elapsed();
        cpu_cache += cpu_time().saturating_sub(c);
        assert_eq!(new.len(), n, "every generated message is new");
        let (t, c) = (Instant::now(), cpu_time());
        plain_insert(&plain, &batch).await;
        let dp = t.elapsed();
        cpu_plain += cpu_time().saturating_sub(c);
        t_cache += dc;
        t_plain += dp;
        if done < first_n {
            t_cache_first += dc;
            t_plain_first += dp;
        }
        if done >= total - first_n {
            t_cache_last += dc;
            t_plain_last += dp;
            last_n += n;
        }
        done += n;
        if done.is_multiple_of(100_000) {
            eprintln!(
                "  {done}: cache {:.0}/s ({:.0}/CPU-s), plain {:.0}/s ({:.0}/CPU-s), {:.0?}",
                rate(done, t_cache),
                rate(done, cpu_cache),
                rate(done, t_plain),
                rate(done, cpu_plain),
                started.elapsed()
            );
        }
    }
    // Ingesting a batch that is cached already (the overlap of a catch-up).
    let again = Gen::new(SEED).batch(BATCH);
    let t = Instant::now();
    let new = cache.ingest(&again).await.expect("re-ingest");
    let again = t.elapsed();
    assert!(new.is_empty());
    plain.close().await;
    Ingest {
        total,
        cache_rate: rate(total, t_cache),
        plain_rate: rate(total, t_plain),
        cache_cpu_rate: rate(total, cpu_cache),
        plain_cpu_rate: rate(total, cpu_plain),
        first_n,
        cache_first: rate(first_n, t_cache_first),
        plain_first: rate(first_n, t_plain_first),
        last_n,
        cache_last: rate(last_n, t_cache_last),
        plain_last: rate(last_n, t_plain_last),
        again,
        plain_bytes: file_size(plain_path) + file_size(&plain_path.with_extension("sqlite3-wal")),
    }
}

/// Bytes of the messages table, its indexes, the search index and the rest
/// (from SQLite's dbstat).
async fn size_parts(path: &Path) -> [i64; 4] {
    let opts = SqliteConnectOptions::new().filename(path).read_only(true);
    let Ok(pool) = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
    else {
        return [0; 4];
    };
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
            .fetch_all(&pool)
            .await
            .unwrap_or_default();
    pool.close().await;
    let mut parts = [0i64; 4];
    for (name, bytes) in rows {
        let i = match name.as_str() {
            "messages" => 0,
            "messages_id" | "messages_room_seq" | "messages_thread" => 1,
            n if n.starts_with("messages_fts") => 2,
            _ => 3,
        };
        parts[i] += bytes;
    }
    parts
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

const SEED: u64 = 42;

async fn run() {
    let total: usize = std::env::var("W3MQ_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // W3MQ_BENCH_DIR keeps the cache there and, when it is already built,
    // measures the reads on it again without building it.
    let tmp;
    let dir = match std::env::var_os("W3MQ_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            tmp = tempfile::tempdir().expect("temp dir");
            tmp.path().to_owned()
        }
    };
    std::fs::create_dir_all(&dir).expect("bench dir");
    let cache_path = dir.join("cache.sqlite3");
    let plain_path = dir.join("plain.sqlite3");
    let load_before = load();
    let mut gen = Gen::new(SEED);
    let cache = Cache::open(&cache_path, gen.me())
        .await
        .expect("open cache");
    let built = cache.max_seq(&gen.rooms[0]).await.expect("max_seq") > 0;
    let ingest = if built {
        eprintln!("measuring the cache already built in {}", dir.display());
        for (i, room) in gen.rooms.iter().enumerate() {
            gen.seqs[i] = cache.max_seq(room).await.expect("max_seq");
        }
        None
    } else {
        let _ = std::fs::remove_file(&plain_path);
        eprintln!("building a cache of {total} messages in {}", dir.display());
        Some(build(&cache, &mut gen, total, &plain_path).await)
    };
    let total: usize = gen.seqs.iter().map(|&s| s as usize).sum();

    // 4. Size on disk (after a checkpoint).
    cache.checkpoint().await.expect("checkpoint");
    // Let the kernel write back the files just written before measuring
    // reads (otherwise that write-back competes with them for the CPUs).
    // SAFETY: sync has no arguments and cannot fail.
    unsafe { libc::sync() };
    let size = file_size(&cache_path) + file_size(&cache_path.with_extension("sqlite3-wal"));

    // 2. Pages.
    let mut rng = StdRng::seed_from_u64(7);
    let mut lat = Vec::with_capacity(PAGES);
    for i in 0..PAGES {
        let room = rng.gen_range(0..ROOMS);
        let max = gen.seqs[room].max(1);
        let cursor = if i % 2 == 0 {
            Cursor::Latest
        } else {
            Cursor::Before(rng.gen_range(1..=max))
        };
        let t = Instant::now();
        let page = cache
            .page(&gen.rooms[room], cursor, PAGE)
            .await
            .expect("page");
        lat.push(t.elapsed());
        if let Cursor::Before(s) = cursor {
            assert_eq!(page.len() as i64, (s - 1).min(PAGE), "keyset page is full");
        }
    }
    lat.sort();
    let (page_p50, page_p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));

    // 3. Search: 1-2 words drawn uniformly from the list.
    let mut lat = Vec::with_capacity(SEARCHES);
    let mut found = 0usize;
    for i in 0..SEARCHES {
        let q = if i % 2 == 0 {
            gen.any_word().to_owned()
        } else {
            format!("{} {}", gen.any_word(), gen.any_word())
        };
        let t = Instant::now();
        let hits = cache.search(&q, SEARCH_LIMIT).await.expect("search");
        lat.push(t.elapsed());
        found += hits.len();
    }
    lat.sort();
    let (search_p50, search_p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    // The worst case: the most frequent word (in most messages), as a word,
    // as a prefix while typing, and a short prefix of it.
    let common = gen.words[0];
    let mut worst = Vec::new();
    for q in [
        format!("{common} "),
        common.to_owned(),
        common[..3].to_owned(),
    ] {
        let t = Instant::now();
        cache.search(&q, SEARCH_LIMIT).await.expect("search");
        worst.push((q, t.elapsed()));
    }
    // Ingest once more, alone this time (no plain insert between batches),
    // into the full cache: the rate at that size without the interleaving.
    // (Only right after building: a rerun's generator would repeat ids.)
    let more = if ingest.is_some() {
        (total / 10).max(BATCH)
    } else {
        0
    };
    let (mut t_alone, mut cpu_alone) = (Duration::ZERO, Duration::ZERO);
    let mut left = more;
    while left > 0 {
        let n = BATCH.min(left);
        let batch = gen.batch(n);
        let (t, c) = (Instant::now(), cpu_time());
        let new = cache.ingest(&batch).await.expect("ingest");
        t_alone += t.elapsed();
        assert_eq!(new.len(), n, "every generated message is new");
        cpu_alone += cpu_time().saturating_sub(c);
        left -= n;
    }
    let (alone, alone_cpu) = (rate(more, t_alone), rate(more, cpu_alone));
    cache.close().await;
    let load_after = load();
    let parts = size_parts(&cache_path).await;

    // Report.
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let ok = |b: bool| if b { "met" } else { "**missed**" };
    println!();
    println!(
        "machine: {cpus} CPUs (nproc), {}; load average before/after: {load_before} / {load_after}",
        cpu_model()
    );
    println!(
        "cache: {total} messages in {ROOMS} rooms; ingest and the plain baseline commit at synchronous = NORMAL (the cache's other writes at FULL)"
    );
    println!();
    println!("| measure | result | goal | |");
    println!("|---|---|---|---|");
    if let Some(i) = &ingest {
        let n = i.total;
        println!(
            "| ingest via `Cache::ingest`, batches of {BATCH}, {n} messages | {:.0} msg/s | ≥ 50,000 msg/s | {} |",
            i.cache_rate,
            ok(i.cache_rate >= 50_000.0)
        );
        println!(
            "| plain batched insert of the same rows, same run | {:.0} msg/s | | |",
            i.plain_rate
        );
        println!(
            "| ratio cache / plain | {:.2}× | ≥ 0.5× | {} |",
            i.cache_rate / i.plain_rate,
            ok(i.cache_rate / i.plain_rate >= 0.5)
        );
        println!(
            "| per CPU-second (all threads): cache / plain | {:.0} / {:.0} msg/CPU-s ({:.2}×) | | |",
            i.cache_cpu_rate,
            i.plain_cpu_rate,
            i.cache_cpu_rate / i.plain_cpu_rate
        );
        println!(
            "| first {} / last {} messages: cache | {:.0} / {:.0} msg/s | | |",
            i.first_n, i.last_n, i.cache_first, i.cache_last
        );
        println!(
            "| first {} / last {} messages: plain | {:.0} / {:.0} msg/s | | |",
            i.first_n, i.last_n, i.plain_first, i.plain_last
        );
        println!(
            "| re-ingest of {BATCH} messages already cached | {} | | |",
            ms(i.again)
        );
    }
    if more > 0 {
        println!(
            "| then {more} more into the full cache, without the plain inserts in between | {alone:.0} msg/s ({alone_cpu:.0} msg/CPU-s) | | |"
        );
    }
    println!(
        "| page of {PAGE} (Latest / Before a random seq), {PAGES} pages: p50 / p99 | {} / {} | p99 ≤ 2 ms | {} |",
        ms(page_p50),
        ms(page_p99),
        ok(page_p99 <= Duration::from_millis(2))
    );
    println!(
        "| search, 1-2 words, top {SEARCH_LIMIT}, {SEARCHES} queries: p50 / p99 | {} / {} | p50 ≤ 20 ms | {} |",
        ms(search_p50),
        ms(search_p99),
        ok(search_p50 <= Duration::from_millis(20))
    );
    for (q, d) in &worst {
        println!(
            "| search for the most frequent word, `{q}` | {} | | |",
            ms(*d)
        );
    }
    println!(
        "| size on disk (db + wal after a checkpoint) | {:.0} MB per million messages ({:.0} B/msg) | | |",
        size as f64 * 1e6 / total as f64 / 1e6,
        size as f64 / total as f64
    );
    println!(
        "| of which: messages table / its indexes / search index / rest | {} B/msg | | |",
        parts
            .iter()
            .map(|b| format!("{:.0}", *b as f64 / (total + more) as f64))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    if let Some(i) = &ingest {
        println!(
            "| size of the plain table, for comparison | {:.0} B/msg | | |",
            i.plain_bytes as f64 / total as f64
        );
    }
    println!();
    println!("({found} search hits in all)");
}

fn main() {
    // `cargo bench` passes `--bench`; this harness has no options.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}
