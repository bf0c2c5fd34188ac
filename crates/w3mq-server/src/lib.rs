//! `w3mq-server`: a self-hostable server for the Web3MQ protocol.
//!
//! REST (axum) and MQTT over WebSocket and TCP (an embedded rmqtt broker)
//! over one SQLite database. See `docs/protocol.md` and `PROTOCOL.md`.

pub mod auth;
pub mod broker;
pub mod bus;
pub mod channel;
pub mod config;
pub mod http;
pub mod metrics;
pub mod ratelimit;
pub mod router;
pub mod store;
pub mod timeouts;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::auth::Auth;
use crate::broker::{BrokerConfig, RmqttBus};
use crate::bus::Bus;
use crate::channel::{Hub, HubConfig};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::router::{RouterConfig, RouterHandle};
use crate::store::sqlite::SqliteStore;
use crate::store::Store;
use crate::timeouts::Timeouts;

/// The addresses the server listens on, as bound.
#[derive(Debug, Clone)]
pub struct Bound {
    /// REST, and MQTT over WebSocket at `/mqtt`.
    pub http: SocketAddr,
    /// MQTT over TCP.
    pub mqtt_tcp: SocketAddr,
    /// The extra chat-socket listeners (the socket is also at `/chat` on `http`).
    pub chat: Vec<SocketAddr>,
    /// The `--metrics-listen` listener.
    pub metrics: Option<SocketAddr>,
}

impl Bound {
    /// The ready line of PROTOCOL.md section 4: `chat=` is the chat socket
    /// on the REST port, `chat2=`, `chat3=`, … those of the chat listeners.
    pub fn ready_line(&self) -> String {
        let mut line = format!(
            "w3mq-server ready http=http://{http} mqtt=ws://{http}/mqtt mqtt_tcp=tcp://{}",
            shown(self.mqtt_tcp),
            http = shown(self.http)
        );
        for (i, url) in self.chat_urls().iter().enumerate() {
            let n = if i == 0 {
                String::new()
            } else {
                (i + 1).to_string()
            };
            line.push_str(&format!(" chat{n}={url}"));
        }
        if let Some(m) = self.metrics {
            line.push_str(&format!(" metrics=http://{}/metrics", shown(m)));
        }
        line
    }

    /// The chat socket URLs, the REST port's first.
    pub fn chat_urls(&self) -> Vec<String> {
        std::iter::once(self.http)
            .chain(self.chat.iter().copied())
            .map(|a| format!("ws://{}/chat", shown(a)))
            .collect()
    }
}

/// An address as clients should dial it (an unspecified IP becomes loopback).
fn shown(a: SocketAddr) -> SocketAddr {
    if a.ip().is_unspecified() {
        let ip = match a {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        };
        SocketAddr::new(ip, a.port())
    } else {
        a
    }
}

/// Serves `app` on `listener` (with `TCP_NODELAY`) until `stop` turns true.
fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    // MQTT over WebSocket arrives here: without TCP_NODELAY the PUBACK and the
    // ACK copy, two small writes, wait ~40 ms on the client's delayed ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await
    })
}

/// Runs the server until `shutdown` resolves, calling `ready` once every
/// listener accepts connections. Finishes the messages it accepted before
/// returning.
pub async fn run(
    cfg: Config,
    ready: impl FnOnce(&Bound),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let dir = cfg.data_dir();
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating data dir {}", dir.display()))?;
    let sqlite = SqliteStore::open(&dir)
        .await
        .context("opening the database")?;
    let store: Arc<dyn Store> = Arc::new(sqlite.clone());
    let metrics = Arc::new(Metrics::new());

    let scx = broker::context().await;
    let rmqtt_bus = RmqttBus::new(scx.clone());
    let bus: Arc<dyn Bus> = Arc::new(rmqtt_bus.clone());
    let timeouts = Arc::new(Timeouts::default());
    let (router, writer) = RouterHandle::start(
        RouterConfig {
            rate: cfg.rate_per_sec,
            burst: cfg.rate_burst,
            queue: 4096,
            timeouts: timeouts.clone(),
        },
        store.clone(),
        bus.clone(),
        metrics.clone(),
    );
    let http_addr = cfg.http;
    let listener = tokio::net::TcpListener::bind(http_addr)
        .await
        .with_context(|| format!("binding {http_addr}"))?;
    let domains = if cfg.siwe_domain.is_empty() {
        auth::signin::default_domains(listener.local_addr()?, &cfg.chat_advertise)
    } else {
        cfg.siwe_domain.clone()
    };
    let policy = auth::SignInPolicy::new(domains, !cfg.no_legacy_login);
    tracing::info!(domains = ?policy.domains(), legacy = policy.legacy, "sign-in");
    let auth = Arc::new(
        Auth::open(&dir, Arc::new(sqlite.clone()), policy).context("loading the token key")?,
    );
    let broker_tcp = broker::start(
        scx,
        &rmqtt_bus,
        BrokerConfig {
            tcp: cfg.mqtt_tcp_addr(),
            max_connections: cfg.max_connections,
            // Larger than the payload limit, so that an oversized message gets a
            // clear `payload_too_large` event; far larger ones end the connection.
            max_packet_size: (4 * w3mq_protocol::MAX_PAYLOAD_BYTES) as u32,
            max_mqueue_len: 1000,
        },
        auth.clone(),
        store.clone(),
        router.clone(),
        metrics.clone(),
    )
    .await
    .context("starting the MQTT broker")?;

    let mut chat_listeners = Vec::new();
    for a in cfg.chat_listen_addrs() {
        let l = tokio::net::TcpListener::bind(a)
            .await
            .with_context(|| format!("binding the chat listener {a}"))?;
        chat_listeners.push(l);
    }
    let metrics_listener = match cfg.metrics_listen {
        Some(a) => Some(
            tokio::net::TcpListener::bind(a)
                .await
                .with_context(|| format!("binding the metrics listener {a}"))?,
        ),
        None => None,
    };
    let bound = Bound {
        metrics: match &metrics_listener {
            Some(l) => Some(l.local_addr()?),
            None => None,
        },
        http: listener.local_addr()?,
        mqtt_tcp: broker_tcp,
        chat: chat_listeners
            .iter()
            .map(|l| l.local_addr())
            .collect::<Result<_, _>>()?,
    };

    let peers = http::Peers::new(cfg.trusted_proxy.clone(), cfg.ws_per_address);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let hub = Hub::start(
        HubConfig {
            endpoints: if cfg.chat_advertise.is_empty() {
                bound.chat_urls()
            } else {
                cfg.chat_advertise.clone()
            },
            rate: cfg.rest_rate_per_sec,
            burst: cfg.rest_rate_burst,
            timeouts,
            peers: peers.clone(),
            idle_timeout: Duration::from_secs(cfg.chat_idle_secs.max(1)),
        },
        store.clone(),
        router.clone(),
        bus.clone(),
        stop_rx.clone(),
    );
    let state = http::AppState {
        store: store.clone(),
        auth,
        bus,
        metrics: metrics.clone(),
        limiter: Arc::new(RateLimiter::new(cfg.rest_rate_per_sec, cfg.rest_rate_burst)),
        // Half a second of slack for a client's timer.
        typing: Arc::new(RateLimiter::new(
            1000.0 / (w3mq_protocol::rest::TYPING_EVERY_MS - 500) as f64,
            1.0,
        )),
        broker_tcp,
        hub: hub.clone(),
        peers,
        metrics_token: cfg.metrics_token.as_deref().map(Arc::from),
    };
    let limiter = state.limiter.clone();
    let typing = state.typing.clone();
    let sweeper_auth = state.auth.clone();
    let mut servers = vec![serve(listener, http::router(state), stop_rx.clone())];
    if let Some(l) = metrics_listener {
        servers.push(serve(
            l,
            http::metrics_app(metrics.clone()),
            stop_rx.clone(),
        ));
    }
    for l in chat_listeners {
        let app = channel::http::listener_app(hub.clone());
        servers.push(serve(l, app, stop_rx.clone()));
    }
    let sweeper_router = router.clone();
    let sweeper_hub = hub.clone();
    let sweeper = tokio::spawn(async move {
        let mut t = tokio::time::interval(Duration::from_secs(60));
        loop {
            t.tick().await;
            sweeper_router.sweep();
            limiter.sweep();
            typing.sweep();
            sweeper_hub.sweep();
            sweeper_auth.sweep().await;
        }
    });

    ready(&bound);
    shutdown.await;
    tracing::info!("shutting down: finishing accepted messages");
    router.close();
    let _ = stop_tx.send(true);
    if let Err(e) = writer.await {
        tracing::error!(error = %e, "router writer failed");
    }
    for server in servers {
        match tokio::time::timeout(Duration::from_secs(10), server).await {
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "HTTP server stopped with an error"),
            Err(_) => tracing::warn!("HTTP server did not stop within 10 s"),
            _ => {}
        }
    }
    sweeper.abort();
    sqlite.close().await;
    tracing::info!("stopped");
    Ok(())
}
