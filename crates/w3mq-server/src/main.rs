//! The `w3mq-server` binary.

use std::io::Write;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use w3mq_server::config::Config;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cfg = Config::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,rmqtt=warn,rmqtt_net=error,sqlx=warn"));
    let sub = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_json {
        sub.json().init();
    } else {
        sub.init();
    }
    let result = w3mq_server::run(
        cfg,
        |b| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", b.ready_line());
            let _ = out.flush();
        },
        shutdown_signal(),
    )
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("w3mq-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot watch SIGTERM");
            std::future::pending::<()>().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
