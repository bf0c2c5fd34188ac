//! The three measurements, each run the same way against w3mq-server and
//! against Mosquitto.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use serde::Serialize;
use serde_json::json;
use tokio::sync::{mpsc, Barrier, Notify, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use w3mq_testkit::{text_message, Account, Api, Result};

use crate::mqtt::{connect, connect_subscribed, connect_subscribed_within, Wire, STEP};
use crate::procs::{fd_limit, open_fds, CpuMeter, CpuUse, Server};
use crate::stats::{summarize, Summary};

/// Prints a progress line to standard error.
pub fn log(msg: impl AsRef<str>) {
    eprintln!("[w3mq-bench] {}", msg.as_ref());
}

/// Runs `f(0..n)` with at most `conc` running at once; results in index order.
pub async fn bounded<T, F, Fut>(n: usize, conc: usize, f: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let sem = Arc::new(Semaphore::new(conc.max(1)));
    let mut set = JoinSet::new();
    for i in 0..n {
        let permit = sem.clone().acquire_owned().await?;
        let fut = f(i);
        set.spawn(async move {
            let r = fut.await;
            drop(permit);
            (i, r)
        });
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(j) = set.join_next().await {
        let (i, r) = j?;
        out[i] = Some(r.map_err(|e| format!("item {i}: {e}"))?);
    }
    Ok(out
        .into_iter()
        .map(|x| x.expect("every task reported"))
        .collect())
}

/// Signs in `n` new accounts, `conc` at a time.
pub async fn sign_in(http: &str, n: usize, conc: usize) -> Result<Vec<Account>> {
    let api = Api::new(http);
    bounded(n, conc, move |_| {
        let api = api.clone();
        async move { api.new_account().await }
    })
    .await
}

/// Creates a room of `owner` and `others` (499 others in the creating call,
/// the rest added 500 at a time); returns its id.
pub async fn create_room(owner: &Account, others: &[&Account]) -> Result<String> {
    let ids: Vec<&str> = others.iter().map(|a| a.user_id.as_str()).collect();
    let first = ids.len().min(499);
    let r = owner
        .api
        .post("/rooms", json!({ "user_id": &ids[..first] }))
        .await?;
    let room = r
        .data()?
        .as_str()
        .ok_or("room id is not a string")?
        .to_owned();
    for chunk in ids[first..].chunks(500) {
        owner
            .api
            .post(
                &format!("/rooms/{room}/members"),
                json!({ "target_user_ids": chunk }),
            )
            .await?
            .data()?;
    }
    Ok(room)
}

/// A 24-hex-digit id for Mosquitto payloads, so that they are as long as
/// w3mq-server's.
fn fake_id(n: usize) -> String {
    format!("{n:024x}")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------
// 1. send -> ACK latency

/// Settings of one latency run.
#[derive(Debug, Clone, Copy)]
pub struct LatencyCfg {
    /// Concurrent senders, all in one room / on one topic.
    pub senders: usize,
    /// Measured messages per sender.
    pub per_sender: usize,
    /// Unmeasured messages per sender first.
    pub warmup: usize,
}

/// Result of one latency run.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyResult {
    /// Broker name.
    pub broker: String,
    /// Transport.
    pub wire: Wire,
    /// Concurrent senders.
    pub senders: usize,
    /// Measured messages per sender.
    pub per_sender: usize,
    /// Warm-up messages per sender.
    pub warmup: usize,
    /// Latency percentiles.
    pub latency: Summary,
    /// Measured messages a second, all senders together.
    pub msgs_per_s: f64,
    /// Deliveries a second (each message reaches every sender).
    pub deliveries_per_s: f64,
    /// CPU during the measured part.
    pub cpu: CpuUse,
}

struct SenderSpec {
    opts: MqttOptions,
    subs: Vec<String>,
    pub_topic: String,
    ack_topic: String,
    from: String,
    room: String,
}

/// Closed-loop senders: publish QoS 1, wait for the own copy (matched by
/// `client_msg_id`) on the room topic, next.
pub async fn latency(server: &Server, cfg: LatencyCfg, wire: Wire) -> Result<LatencyResult> {
    let b = &server.broker;
    let n = cfg.senders;
    let tag = format!("lat{n}");
    let specs: Vec<SenderSpec> = if let Some(http) = &b.http {
        // One extra silent member for a lone sender: a room needs another user.
        let accounts = sign_in(http, n.max(2), 32).await?;
        let others: Vec<&Account> = accounts[1..].iter().collect();
        let room = create_room(&accounts[0], &others).await?;
        accounts[..n]
            .iter()
            .map(|a| SenderSpec {
                opts: b.options(
                    wire,
                    &format!("{}-{tag}", a.user_id),
                    Some((&a.user_id, &a.token)),
                ),
                subs: vec![
                    format!("chat/{room}"),
                    format!("notification/{}", a.user_id),
                ],
                pub_topic: format!("msg/{}", a.user_id),
                ack_topic: format!("chat/{room}"),
                from: a.user_id.clone(),
                room: room.clone(),
            })
            .collect()
    } else {
        let room = fake_id(0xbe0c + n);
        let topic = format!("chat/{room}");
        (0..n)
            .map(|i| SenderSpec {
                opts: b.options(wire, &format!("bench-{tag}-{i}"), None),
                subs: vec![topic.clone()],
                pub_topic: topic.clone(),
                ack_topic: topic.clone(),
                from: fake_id(i + 1),
                room: room.clone(),
            })
            .collect()
    };

    let barrier = Arc::new(Barrier::new(n + 1));
    let mut senders = Vec::with_capacity(n);
    let mut loops = Vec::with_capacity(n);
    let specs: Vec<Arc<SenderSpec>> = specs.into_iter().map(Arc::new).collect();
    let conns = bounded(n, 32, |i| {
        let s = specs[i].clone();
        async move { connect_subscribed(s.opts.clone(), 1024, &s.subs).await }
    })
    .await?;
    for (i, (client, ev)) in conns.into_iter().enumerate() {
        let (tx, rx) = mpsc::unbounded_channel();
        loops.push(tokio::spawn(forward(ev, specs[i].ack_topic.clone(), tx)));
        senders.push(tokio::spawn(run_sender(
            i,
            specs[i].clone(),
            client,
            rx,
            barrier.clone(),
            cfg,
            tag.clone(),
        )));
    }
    barrier.wait().await; // warm-up starts
    barrier.wait().await; // measurement starts
    let meter = CpuMeter::start(server.pid);
    let mut samples = Vec::with_capacity(n * cfg.per_sender);
    let mut first_err = None;
    for s in senders {
        match s.await? {
            Ok(v) => samples.extend(v),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    let cpu = meter.stop();
    for l in loops {
        l.abort();
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    let count = samples.len();
    Ok(LatencyResult {
        broker: b.name.clone(),
        wire,
        senders: n,
        per_sender: cfg.per_sender,
        warmup: cfg.warmup,
        latency: summarize(&mut samples),
        msgs_per_s: count as f64 / cpu.wall_s,
        deliveries_per_s: (count * n) as f64 / cpu.wall_s,
        cpu,
    })
}

/// Polls a connection and hands every PUBLISH to the sender: `true` when it
/// came on the ACK topic, `false` (an error) otherwise.
async fn forward(mut ev: EventLoop, ack_topic: String, tx: mpsc::UnboundedSender<(bool, Bytes)>) {
    loop {
        match ev.poll().await {
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let on_ack = p.topic == ack_topic;
                let body = if on_ack {
                    p.payload
                } else {
                    Bytes::from(format!(
                        "on {}: {}",
                        p.topic,
                        String::from_utf8_lossy(&p.payload)
                    ))
                };
                if tx.send((on_ack, body)).is_err() {
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => {
                let _ = tx.send((false, Bytes::from(format!("connection lost: {e}"))));
                break;
            }
        }
    }
}

async fn run_sender(
    i: usize,
    spec: Arc<SenderSpec>,
    client: AsyncClient,
    mut rx: mpsc::UnboundedReceiver<(bool, Bytes)>,
    barrier: Arc<Barrier>,
    cfg: LatencyCfg,
    tag: String,
) -> Result<Vec<Duration>> {
    let mut out = Vec::with_capacity(cfg.per_sender);
    barrier.wait().await;
    for k in 0..cfg.warmup + cfg.per_sender {
        if k == cfg.warmup {
            barrier.wait().await;
        }
        let cid = format!("{tag}-{i}-{k}");
        let needle = format!("\"{cid}\"");
        let body = serde_json::to_vec(&text_message(
            &spec.from,
            &spec.room,
            "bench message",
            Some(&cid),
        ))?;
        let t0 = Instant::now();
        client
            .publish(spec.pub_topic.as_str(), QoS::AtLeastOnce, false, body)
            .await?;
        loop {
            let (on_ack, p) = tokio::time::timeout(STEP, rx.recv())
                .await
                .map_err(|_| format!("sender {i}: no ACK for {cid} within {STEP:?}"))?
                .ok_or("connection task ended")?;
            if !on_ack {
                return Err(format!("sender {i}: {}", String::from_utf8_lossy(&p)).into());
            }
            if contains(&p, needle.as_bytes()) {
                break;
            }
        }
        let dt = t0.elapsed();
        if k >= cfg.warmup {
            out.push(dt);
        }
    }
    let _ = client.disconnect().await;
    Ok(out)
}

// ---------------------------------------------------------------------------
// 2. fan-out into one room

/// Settings of a fan-out run.
#[derive(Debug, Clone, Copy)]
pub struct FanoutCfg {
    /// Subscribed members.
    pub members: usize,
    /// Messages published.
    pub messages: usize,
    /// Transport of every connection.
    pub wire: Wire,
}

/// Result of a fan-out run.
#[derive(Debug, Clone, Serialize)]
pub struct FanoutResult {
    /// Broker name.
    pub broker: String,
    /// Transport.
    pub wire: Wire,
    /// Subscribed members.
    pub members: usize,
    /// Messages published.
    pub messages: usize,
    /// members × messages.
    pub expected: u64,
    /// Deliveries counted by the deadline.
    pub received: u64,
    /// Deliveries beyond the expected (QoS 1 duplicates), counted 0.5 s after.
    pub excess: u64,
    /// First publish to last delivery, seconds.
    pub secs: f64,
    /// Deliveries a second.
    pub deliveries_per_s: f64,
    /// First publish to the last PUBACK of the publisher, seconds.
    pub acks_secs: f64,
    /// Sign-ins, room, connections and subscriptions, seconds.
    pub setup_secs: f64,
    /// Whether the run hit its deadline before all deliveries arrived.
    pub timed_out: bool,
    /// Connections that failed during the run.
    pub lost_connections: usize,
    /// CPU during the measured part.
    pub cpu: CpuUse,
}

#[derive(Default)]
struct Counter {
    total: AtomicU64,
    target: AtomicU64,
    end: Mutex<Option<Instant>>,
    done: Notify,
    down: AtomicUsize,
}

impl Counter {
    fn hit(&self) {
        let n = self.total.fetch_add(1, Ordering::AcqRel) + 1;
        if n == self.target.load(Ordering::Acquire) {
            *self.end.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            self.done.notify_one();
        }
    }

    fn arm(&self, target: u64) {
        *self.end.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.total.store(0, Ordering::Release);
        self.target.store(target, Ordering::Release);
    }
}

async fn count(mut ev: EventLoop, c: Arc<Counter>) {
    loop {
        match ev.poll().await {
            Ok(Event::Incoming(Packet::Publish(_))) => c.hit(),
            Ok(_) => {}
            Err(_) => {
                c.down.fetch_add(1, Ordering::Relaxed);
                break;
            }
        }
    }
}

/// One publisher, `members` subscribers of one room / topic: deliveries a second.
pub async fn fanout(server: &Server, cfg: FanoutCfg) -> Result<FanoutResult> {
    let b = &server.broker;
    let setup = Instant::now();
    let m = cfg.members;
    // (options, topics) of each subscriber; publisher options, topic, from, room.
    let (subs, pub_opts, pub_topic, from, room) = if let Some(http) = &b.http {
        log(format!("fan-out: signing in {m} accounts"));
        let accounts = sign_in(http, m, 32).await?;
        log(format!(
            "fan-out: {m} sign-ins took {:.1} s; creating the room",
            setup.elapsed().as_secs_f64()
        ));
        let others: Vec<&Account> = accounts[1..].iter().collect();
        let room = create_room(&accounts[0], &others).await?;
        let topic = format!("chat/{room}");
        let subs: Vec<(MqttOptions, Vec<String>)> = accounts
            .iter()
            .map(|a| {
                (
                    b.options(
                        cfg.wire,
                        &format!("{}-fan", a.user_id),
                        Some((&a.user_id, &a.token)),
                    ),
                    vec![topic.clone()],
                )
            })
            .collect();
        let a = &accounts[0];
        let po = b.options(
            cfg.wire,
            &format!("{}-fanpub", a.user_id),
            Some((&a.user_id, &a.token)),
        );
        (
            subs,
            po,
            format!("msg/{}", a.user_id),
            a.user_id.clone(),
            room,
        )
    } else {
        let room = fake_id(0xfa0);
        let topic = format!("chat/{room}");
        let subs = (0..m)
            .map(|i| {
                (
                    b.options(cfg.wire, &format!("bench-fan-{i}"), None),
                    vec![topic.clone()],
                )
            })
            .collect();
        let po = b.options(cfg.wire, "bench-fanpub", None);
        (subs, po, topic, fake_id(1), room)
    };

    log(format!(
        "fan-out: connecting {m} subscribers ({})",
        cfg.wire.label()
    ));
    let counter = Arc::new(Counter::default());
    let subs = Arc::new(subs);
    let conns = bounded(m, 64, |i| {
        let subs = subs.clone();
        async move { connect_subscribed(subs[i].0.clone(), 16, &subs[i].1).await }
    })
    .await?;
    let mut clients = Vec::with_capacity(m);
    let mut tasks: Vec<JoinHandle<()>> = Vec::with_capacity(m + 1);
    for (client, ev) in conns {
        clients.push(client);
        tasks.push(tokio::spawn(count(ev, counter.clone())));
    }

    let (publisher, mut pev) = connect(pub_opts, 4096).await?;
    let acks = Arc::new(AtomicU64::new(0));
    let ack_target = Arc::new(AtomicU64::new(u64::MAX));
    let last_ack: Arc<Mutex<Option<Instant>>> = Arc::default();
    {
        let (acks, ack_target, last_ack) = (acks.clone(), ack_target.clone(), last_ack.clone());
        tasks.push(tokio::spawn(async move {
            while let Ok(e) = pev.poll().await {
                if let Event::Incoming(Packet::PubAck(_)) = e {
                    let n = acks.fetch_add(1, Ordering::AcqRel) + 1;
                    if n == ack_target.load(Ordering::Acquire) {
                        *last_ack.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                    }
                }
            }
        }));
    }
    let body = |k: usize| {
        serde_json::to_vec(&text_message(
            &from,
            &room,
            "fan-out bench message",
            Some(&format!("fan-{k}")),
        ))
    };

    // Warm-up: one message must reach every member before the clock starts.
    counter.arm(m as u64);
    publisher
        .publish(pub_topic.as_str(), QoS::AtLeastOnce, false, body(0)?)
        .await?;
    tokio::time::timeout(STEP, counter.done.notified())
        .await
        .map_err(|_| {
            format!(
                "warm-up message reached {} of {m} members within {STEP:?}",
                counter.total.load(Ordering::Acquire)
            )
        })?;
    let t = Instant::now();
    while acks.load(Ordering::Acquire) < 1 && t.elapsed() < STEP {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let setup_secs = setup.elapsed().as_secs_f64();

    let n = cfg.messages;
    let expected = (m * n) as u64;
    let bodies: Vec<Vec<u8>> = (1..=n).map(body).collect::<serde_json::Result<_>>()?;
    acks.store(0, Ordering::Release);
    ack_target.store(n as u64, Ordering::Release);
    counter.arm(expected);
    log(format!(
        "fan-out: publishing {n} messages to {m} members ({expected} deliveries)"
    ));
    let meter = CpuMeter::start(server.pid);
    let t0 = Instant::now();
    for body in bodies {
        publisher
            .publish(pub_topic.as_str(), QoS::AtLeastOnce, false, body)
            .await?;
    }
    let deadline = Duration::from_secs(300);
    let timed_out = tokio::time::timeout(deadline, counter.done.notified())
        .await
        .is_err();
    let cpu = meter.stop();
    let end = counter
        .end
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_else(Instant::now);
    let received = counter.total.load(Ordering::Acquire);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let excess = counter
        .total
        .load(Ordering::Acquire)
        .saturating_sub(expected);
    let secs = end.duration_since(t0).as_secs_f64();
    let acks_secs = last_ack
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map(|a| a.duration_since(t0).as_secs_f64())
        .unwrap_or(f64::NAN);
    let lost_connections = counter.down.load(Ordering::Relaxed);
    for c in clients {
        let _ = c.try_disconnect();
    }
    let _ = publisher.try_disconnect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    for t in tasks {
        t.abort();
    }
    Ok(FanoutResult {
        broker: b.name.clone(),
        wire: cfg.wire,
        members: m,
        messages: n,
        expected,
        received: received.min(expected),
        excess,
        secs,
        deliveries_per_s: received.min(expected) as f64 / secs,
        acks_secs,
        setup_secs,
        timed_out,
        lost_connections,
        cpu,
    })
}

// ---------------------------------------------------------------------------
// 3. memory of idle connections

/// Settings of an idle-connections run.
#[derive(Debug, Clone, Copy)]
pub struct IdleCfg {
    /// Connections to open.
    pub connections: usize,
    /// Accounts signed in (w3mq-server); connections reuse their tokens
    /// with distinct client ids.
    pub accounts: usize,
    /// Transport.
    pub wire: Wire,
}

/// Result of an idle-connections run.
#[derive(Debug, Clone, Serialize)]
pub struct IdleResult {
    /// Broker name.
    pub broker: String,
    /// Transport.
    pub wire: Wire,
    /// Connections opened (each authenticated and subscribed).
    pub connections: usize,
    /// Accounts whose tokens they use (0 for Mosquitto: anonymous).
    pub accounts: usize,
    /// RSS right after start, KiB.
    pub rss_start_kib: u64,
    /// RSS before the connections (after the sign-ins), KiB.
    pub rss_before_kib: u64,
    /// RSS with every connection open and idle, KiB.
    pub rss_after_kib: u64,
    /// Peak RSS, KiB.
    pub hwm_kib: u64,
    /// (after - before) / connections, KiB.
    pub per_conn_kib: f64,
    /// Time to open all connections, seconds.
    pub connect_secs: f64,
    /// Connections still up when RSS was read.
    pub still_up: usize,
    /// Connections refused or failed (the run stops opening new ones at the
    /// first failure).
    pub failed: usize,
    /// First failure, if any.
    pub first_error: Option<String>,
    /// The broker's open-files limit.
    pub fd_limit: u64,
    /// The broker's open files before the connections.
    pub fds_before: u64,
    /// The broker's open files with the connections.
    pub fds_after: u64,
    /// RSS for all `connections`, KiB: measured when all came up, else
    /// extrapolated as before + per connection × connections.
    pub rss_for_all_kib: u64,
}

/// Opens `connections` idle, subscribed connections; RSS before and after.
pub async fn idle(server: &Server, cfg: IdleCfg) -> Result<IdleResult> {
    let b = &server.broker;
    let rss_start_kib = server.rss_kib();
    let n = cfg.connections;
    let specs: Vec<(MqttOptions, Vec<String>)> = if let Some(http) = &b.http {
        let accounts = sign_in(http, cfg.accounts, 32).await?;
        (0..n)
            .map(|i| {
                let a = &accounts[i % accounts.len()];
                (
                    b.options(
                        cfg.wire,
                        &format!("{}-idle-{i}", a.user_id),
                        Some((&a.user_id, &a.token)),
                    ),
                    vec![format!("notification/{}", a.user_id)],
                )
            })
            .collect()
    } else {
        (0..n)
            .map(|i| {
                (
                    b.options(cfg.wire, &format!("bench-idle-{i}"), None),
                    vec![format!("notification/{}", fake_id(i))],
                )
            })
            .collect()
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before_kib = server.rss_kib();
    log(format!(
        "idle: {}: RSS {} MiB before; opening {n} connections ({})",
        b.name,
        rss_before_kib / 1024,
        cfg.wire.label()
    ));
    let t0 = Instant::now();
    let specs = Arc::new(specs);
    let down = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let first_error: Arc<Mutex<Option<String>>> = Arc::default();
    let fds_before = open_fds(server.pid);
    let conns = bounded(n, 64, |i| {
        let specs = specs.clone();
        let down = down.clone();
        let stop = stop.clone();
        let first_error = first_error.clone();
        async move {
            if stop.load(Ordering::Acquire) {
                return Ok(Err(()));
            }
            let limit = Duration::from_secs(15);
            let (client, mut ev) =
                match connect_subscribed_within(specs[i].0.clone(), 4, &specs[i].1, limit).await {
                    Ok(c) => c,
                    Err(e) => {
                        if !stop.swap(true, Ordering::AcqRel) {
                            log(format!(
                                "idle: connection {i} failed: {e}; opening no more connections"
                            ));
                            *first_error.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some(format!("connection {i}: {e}"));
                        }
                        return Ok(Err(()));
                    }
                };
            let task = tokio::spawn(async move {
                loop {
                    if ev.poll().await.is_err() {
                        down.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            });
            Ok(Ok((client, task)))
        }
    })
    .await?;
    let failed = conns.iter().filter(|c| c.is_err()).count();
    let conns: Vec<(AsyncClient, JoinHandle<()>)> = conns.into_iter().flatten().collect();
    let connect_secs = t0.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after_kib = server.rss_kib();
    let hwm_kib = server.hwm_kib();
    let fds_after = open_fds(server.pid);
    let still_up = conns.len() - down.load(Ordering::Relaxed);
    log(format!(
        "idle: {}: {still_up} connections up after {connect_secs:.1} s ({failed} not opened or failed); RSS {} MiB; {} open files",
        b.name,
        rss_after_kib / 1024,
        fds_after
    ));
    for (client, _) in &conns {
        let _ = client.try_disconnect();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (_, task) in conns {
        task.abort();
    }
    let per_conn_kib = if still_up > 0 {
        (rss_after_kib as f64 - rss_before_kib as f64) / still_up as f64
    } else {
        f64::NAN
    };
    let rss_for_all_kib = if still_up == n {
        rss_after_kib
    } else {
        (rss_before_kib as f64 + per_conn_kib * n as f64) as u64
    };
    let first_error = first_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(IdleResult {
        broker: b.name.clone(),
        wire: cfg.wire,
        connections: n,
        accounts: if b.http.is_some() { cfg.accounts } else { 0 },
        rss_start_kib,
        rss_before_kib,
        rss_after_kib,
        hwm_kib,
        per_conn_kib,
        connect_secs,
        still_up,
        failed,
        first_error,
        fd_limit: fd_limit(server.pid),
        fds_before,
        fds_after,
        rss_for_all_kib,
    })
}
