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
    raise_open_files_limit();
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

/// Every MQTT-over-WebSocket connection holds three descriptors (the
/// WebSocket, and both ends of its bridge to the broker): take the hard limit.
fn raise_open_files_limit() {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < l.rlim_max {
            let before = l.rlim_cur;
            l.rlim_cur = l.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &l) == 0 {
                tracing::info!(before, now = l.rlim_cur, "raised the open-files limit");
            }
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
