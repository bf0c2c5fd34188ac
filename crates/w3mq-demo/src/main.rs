//! `w3mq-demo`: the demo companion next to a local `w3mq-server` (see the
//! crate docs of `w3mq_demo`). Logs to standard error (`RUST_LOG` filters);
//! SIGINT or SIGTERM stops it.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// The demo companion: a second account that greets every new user of a
/// local w3mq-server with a mention, a trade card, an OpenSea item thread and
/// a quoted reply, and answers what they write.
#[derive(Parser, Debug)]
#[command(name = "w3mq-demo", version)]
struct Args {
    /// The server's REST base URL.
    #[arg(long, default_value = "http://127.0.0.1:8780")]
    http: String,
    /// The server's MQTT-over-WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8780/mqtt")]
    mqtt: String,
    /// Where the engine keeps its data (default: a temporary directory,
    /// removed on exit; the companion is a new account at every start anyway).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The companion's nick name.
    #[arg(long, value_name = "NAME", default_value = "Demo Companion")]
    nick: String,
    /// Seconds between user searches.
    #[arg(long, value_name = "SECS", default_value_t = 2.0)]
    poll_secs: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,rumqttc=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if !(args.poll_secs.is_finite() && args.poll_secs >= 0.1) {
        anyhow::bail!("--poll-secs must be at least 0.1");
    }
    let nick = args.nick.trim();
    if nick.is_empty() {
        anyhow::bail!("--nick must not be empty");
    }
    // Kept alive until the end of main, then removed.
    let (data_dir, _tmp) = match args.data_dir {
        Some(d) => (d, None),
        None => {
            let t = tempfile::Builder::new().prefix("w3mq-demo-").tempdir()?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let mut cfg = w3mq_demo::Config::new(&args.http, &args.mqtt, data_dir);
    cfg.nick = nick.to_owned();
    cfg.poll_every = Duration::from_secs_f64(args.poll_secs);
    tracing::info!(http = %cfg.http, mqtt = %cfg.mqtt, data_dir = %cfg.data_dir.display(), "w3mq-demo starting");
    w3mq_demo::run(cfg, shutdown_signal()).await?;
    tracing::info!("w3mq-demo stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "no SIGTERM handler; only Ctrl-C stops it");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
