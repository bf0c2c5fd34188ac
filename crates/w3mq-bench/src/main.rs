//! `w3mq-bench`: w3mq-server against Mosquitto, in one run.
//!
//! 1. send→ACK latency: closed-loop senders in one room, QoS 1 over
//!    WebSocket; w3mq-server's ACK is the sender's own copy on
//!    `chat/<room>`, Mosquitto's the own copy on the topic it publishes to.
//! 2. fan-out: one publisher, one room of many subscribed members.
//! 3. memory: RSS of the broker with many idle, subscribed connections.
//!
//! Every broker is a fresh process on free loopback ports: w3mq-server via
//! the testkit (with `--rate-per-sec 0 --rest-rate-per-sec 0`), Mosquitto
//! with a generated config (TCP and WebSocket listeners, anonymous).
//! Run it through `scripts/bench.sh`.

mod mqtt;
mod procs;
mod report;
mod scenarios;
mod stats;

use std::path::PathBuf;

use clap::Parser;
use w3mq_testkit::Result;

use crate::mqtt::Wire;
use crate::procs::CpuUse;
use crate::procs::{mosquitto_version, raise_nofile, wait_quiet, Server, W3MQ_ARGS};
use crate::report::Results;
use crate::scenarios::{fanout, idle, latency, log, FanoutCfg, IdleCfg, LatencyCfg};

#[derive(Debug, Parser)]
#[command(about = "Benchmark w3mq-server against Mosquitto")]
struct Args {
    /// The w3mq-server binary (default: next to this one, or $W3MQ_SERVER_BIN).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// The mosquitto binary.
    #[arg(long, default_value = "/usr/sbin/mosquitto")]
    mosquitto_bin: PathBuf,
    /// Concurrent senders of the latency runs.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    senders: Vec<usize>,
    /// Measured messages per sender, one per entry of --senders.
    #[arg(long, value_delimiter = ',', default_value = "2000,500,100")]
    per_sender: Vec<usize>,
    /// Warm-up messages per sender, one per entry of --senders.
    #[arg(long, value_delimiter = ',', default_value = "200,20,5")]
    warmup: Vec<usize>,
    /// Transport of the latency runs (ws, tcp).
    #[arg(long, default_value = "ws")]
    latency_wire: String,
    /// Subscribed members of the fan-out room.
    #[arg(long, default_value_t = 1000)]
    fanout_members: usize,
    /// Messages published into the fan-out room.
    #[arg(long, default_value_t = 200)]
    fanout_messages: usize,
    /// Transports of the fan-out runs (ws, tcp).
    #[arg(long, value_delimiter = ',', default_value = "ws")]
    fanout_wires: Vec<String>,
    /// Idle connections of the memory run.
    #[arg(long, default_value_t = 10_000)]
    idle_connections: usize,
    /// Transports of the idle-connection runs (ws, tcp).
    #[arg(long, value_delimiter = ',', default_value = "ws,tcp")]
    idle_wires: Vec<String>,
    /// Accounts the idle connections sign in with (tokens are reused).
    #[arg(long, default_value_t = 100)]
    idle_accounts: usize,
    /// Which measurements to run.
    #[arg(long, value_delimiter = ',', default_value = "latency,fanout,idle")]
    only: Vec<String>,
    /// Before each broker starts, wait up to this many seconds for other
    /// processes to leave the CPUs alone (0: do not wait).
    #[arg(long, default_value_t = 120)]
    wait_quiet: u64,
    /// Runs a latency or fan-out measurement again (up to this many times)
    /// when other processes used more than a quarter of a CPU during it; the
    /// least disturbed run is kept.
    #[arg(long, default_value_t = 3)]
    retries: usize,
    /// Skip Mosquitto.
    #[arg(long)]
    no_mosquitto: bool,
    /// Write the results as JSON here.
    #[arg(long)]
    json_out: Option<PathBuf>,
    /// Write the markdown tables here.
    #[arg(long)]
    md_out: Option<PathBuf>,
}

fn wire(s: &str) -> Result<Wire> {
    match s {
        "ws" => Ok(Wire::Ws),
        "tcp" => Ok(Wire::Tcp),
        _ => Err(format!("unknown wire {s:?} (ws, tcp)").into()),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    // On SIGINT or SIGTERM, drop the run so that the brokers it started are killed.
    let stopped = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    let outcome = tokio::select! {
        r = run(args) => r,
        _ = stopped => Err("interrupted".into()),
    };
    match outcome {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(e) => {
            eprintln!("w3mq-bench: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Which broker a step runs against.
#[derive(Clone, Copy)]
enum Which {
    W3mq,
    Mosquitto,
}

async fn run(args: Args) -> Result<bool> {
    let nofile = raise_nofile();
    let server_bin = args
        .server_bin
        .clone()
        .unwrap_or_else(w3mq_testkit::server_bin);
    if !server_bin.exists() {
        return Err(format!("no server binary at {}", server_bin.display()).into());
    }
    if args.senders.len() != args.per_sender.len() || args.senders.len() != args.warmup.len() {
        return Err("--senders, --per-sender and --warmup need as many entries".into());
    }
    let wires = args
        .fanout_wires
        .iter()
        .map(|s| wire(s))
        .collect::<Result<Vec<_>>>()?;
    let latency_wire = wire(&args.latency_wire)?;
    let idle_wires = args
        .idle_wires
        .iter()
        .map(|s| wire(s))
        .collect::<Result<Vec<_>>>()?;
    let mut res = Results {
        w3mq_args: W3MQ_ARGS.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let mut brokers = vec![Which::W3mq];
    if !args.no_mosquitto {
        res.mosquitto_version = mosquitto_version(&args.mosquitto_bin).await;
        brokers.push(Which::Mosquitto);
    }
    log(format!(
        "server {} ({}), {}; open files limit {nofile}",
        server_bin.display(),
        W3MQ_ARGS.join(" "),
        if args.no_mosquitto {
            "no Mosquitto".to_owned()
        } else {
            res.mosquitto_version.clone()
        }
    ));
    let quiet = std::time::Duration::from_secs(args.wait_quiet);
    let start = |which: Which| {
        let (sb, mb) = (server_bin.clone(), args.mosquitto_bin.clone());
        async move {
            if !quiet.is_zero() {
                wait_quiet(quiet).await;
            }
            match which {
                Which::W3mq => Server::w3mq(&sb).await,
                Which::Mosquitto => Server::mosquitto(&mb).await,
            }
        }
    };
    let on = |what: &str| args.only.iter().any(|s| s == what);

    if on("latency") {
        for &which in &brokers {
            let server = start(which).await?;
            for (i, &n) in args.senders.iter().enumerate() {
                let cfg = LatencyCfg {
                    senders: n,
                    per_sender: args.per_sender[i],
                    warmup: args.warmup[i],
                };
                log(format!(
                    "latency: {}, {n} senders × {} messages (+{} warm-up)",
                    server.broker.name, cfg.per_sender, cfg.warmup
                ));
                let label = format!("latency, {}, {n} senders", server.broker.name);
                let run = || latency(&server, cfg, latency_wire);
                match least_disturbed(args.retries, quiet, &label, run, |r| r.cpu).await {
                    Ok(r) => {
                        log(format!(
                            "latency: {}, {n} senders: p50 {:.3} ms, p99 {:.3} ms, {:.0} msgs/s",
                            r.broker, r.latency.p50_ms, r.latency.p99_ms, r.msgs_per_s
                        ));
                        res.latency.push(r);
                    }
                    Err(e) => {
                        let e = format!("latency, {}, {n} senders: {e}", server.broker.name);
                        log(&e);
                        res.errors.push(e);
                    }
                }
            }
            server.stop().await?;
        }
    }

    if on("fanout") {
        for &w in &wires {
            for &which in &brokers {
                let server = start(which).await?;
                let cfg = FanoutCfg {
                    members: args.fanout_members,
                    messages: args.fanout_messages,
                    wire: w,
                };
                let label = format!("fan-out, {}", server.broker.name);
                let run = || fanout(&server, cfg);
                match least_disturbed(args.retries, quiet, &label, run, |r| r.cpu).await {
                    Ok(r) => {
                        log(format!(
                            "fan-out: {} ({}): {} deliveries in {:.2} s: {:.0}/s",
                            r.broker,
                            r.wire.label(),
                            r.received,
                            r.secs,
                            r.deliveries_per_s
                        ));
                        res.fanout.push(r);
                    }
                    Err(e) => {
                        let e = format!("fan-out, {}, {}: {e}", server.broker.name, w.label());
                        log(&e);
                        res.errors.push(e);
                    }
                }
                server.stop().await?;
            }
        }
    }

    if on("idle") {
        for &w in &idle_wires {
            for &which in &brokers {
                let server = start(which).await?;
                let cfg = IdleCfg {
                    connections: args.idle_connections,
                    accounts: args.idle_accounts,
                    wire: w,
                };
                match idle(&server, cfg).await {
                    Ok(r) => res.idle.push(r),
                    Err(e) => {
                        let e = format!("idle, {}, {}: {e}", server.broker.name, w.label());
                        log(&e);
                        res.errors.push(e);
                    }
                }
                server.stop().await?;
            }
        }
    }

    let md = res.markdown();
    if let Some(p) = &args.json_out {
        std::fs::write(p, serde_json::to_vec_pretty(&res)?)?;
    }
    if let Some(p) = &args.md_out {
        std::fs::write(p, &md)?;
    }
    println!("{md}");
    Ok(res.errors.is_empty())
}

/// Share of a CPU that other processes used during a measurement.
fn disturbance(c: &CpuUse) -> f64 {
    if c.wall_s > 0.0 {
        c.other_cpu_s / c.wall_s
    } else {
        0.0
    }
}

/// Runs `f` until a run is not disturbed by other processes (they used less
/// than a quarter of a CPU) or `retries` more runs were made; keeps the least
/// disturbed result.
async fn least_disturbed<T, F, Fut>(
    retries: usize,
    quiet: std::time::Duration,
    label: &str,
    mut f: F,
    cpu: impl Fn(&T) -> CpuUse,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut best: Option<T> = None;
    for attempt in 0..=retries {
        let r = f().await?;
        let d = disturbance(&cpu(&r));
        if best.as_ref().is_none_or(|b| d < disturbance(&cpu(b))) {
            best = Some(r);
        }
        if d < 0.25 {
            break;
        }
        if attempt < retries {
            log(format!(
                "{label}: other processes used {:.0}% of a CPU meanwhile: measuring again",
                100.0 * d
            ));
            if !quiet.is_zero() {
                wait_quiet(quiet).await;
            }
        }
    }
    Ok(best.expect("at least one run"))
}
