//! Command-line settings.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// `w3mq-server`: a self-hostable Web3MQ server.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// REST address. Port 0 picks a free port, and then every MQTT listener
    /// left unset takes a free port too.
    #[arg(long, default_value = "127.0.0.1:8780")]
    pub http: SocketAddr,
    /// MQTT over TCP address (default: the REST port + 1). MQTT over
    /// WebSocket is served at `/mqtt` on the REST port.
    #[arg(long)]
    pub mqtt_tcp: Option<SocketAddr>,
    /// An extra listener for the chat sockets of the channels (repeatable).
    /// The socket is also at `/chat` on the REST port. Default: one on the
    /// REST port + 2 (a free port when the REST port is 0).
    #[arg(long = "chat-listen", value_name = "ADDR")]
    pub chat_listen: Vec<SocketAddr>,
    /// A chat socket URL for `GET /api/v1/chats` to advertise (repeatable),
    /// e.g. `wss://chat.example.com/chat` behind a proxy. Default: the
    /// REST port's `/chat` and each chat listener's `/chat`.
    #[arg(long = "chat-advertise", value_name = "URL")]
    pub chat_advertise: Vec<String>,
    /// Where the database and the token key live (default: the platform's
    /// data directory, e.g. ~/.local/share/w3mq-server).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Messages a second each user may send (0: no limit).
    #[arg(long, default_value_t = 20.0)]
    pub rate_per_sec: f64,
    /// Messages a user may send in a burst.
    #[arg(long, default_value_t = 50.0)]
    pub rate_burst: f64,
    /// REST requests a second per token or client address (0: no limit).
    #[arg(long, default_value_t = 100.0)]
    pub rest_rate_per_sec: f64,
    /// REST requests in a burst.
    #[arg(long, default_value_t = 200.0)]
    pub rest_rate_burst: f64,
    /// Most MQTT connections per listener.
    #[arg(long, default_value_t = 100_000)]
    pub max_connections: usize,
    /// Seconds after which a chat socket that sent nothing (not even a
    /// `ping`) is closed.
    #[arg(long, default_value_t = 60)]
    pub chat_idle_secs: u64,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    pub log_json: bool,
    /// A name a SIWE sign-in text may give as its `domain` and `URI`
    /// authority (`host` or `host:port`; repeatable). Default: the REST
    /// listener (with `localhost` when it is loopback, every interface
    /// address when it listens on all) and the hosts of `--chat-advertise`.
    #[arg(long = "siwe-domain", value_name = "HOST[:PORT]")]
    pub siwe_domain: Vec<String>,
    /// Refuse the 2022 sign-in form (the signature of the bare secret,
    /// without a SIWE text), which the 2022 SDKs send.
    #[arg(long)]
    pub no_legacy_login: bool,
    /// A reverse proxy (an address or a CIDR block; repeatable) whose
    /// `X-Forwarded-For` names the client, for the per-address limits.
    #[arg(long = "trusted-proxy", value_name = "IP|CIDR")]
    pub trusted_proxy: Vec<ipnet::IpNet>,
    /// Most open WebSocket connections (MQTT and chat sockets) per client
    /// address (0: no limit).
    #[arg(long, default_value_t = 256)]
    pub ws_per_address: usize,
    /// Serve `GET /metrics` on this extra listener (and not on the REST port).
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// Serve `GET /metrics` on the REST port to requests with
    /// `Authorization: Bearer <TOKEN>`. Without this or `--metrics-listen`,
    /// there are no metrics.
    #[arg(long, value_name = "TOKEN", env = "W3MQ_METRICS_TOKEN")]
    pub metrics_token: Option<String>,
}

impl Config {
    /// The data directory to use.
    pub fn data_dir(&self) -> PathBuf {
        match &self.data_dir {
            Some(d) => d.clone(),
            None => {
                let base = std::env::var_os("XDG_DATA_HOME")
                    .map(PathBuf::from)
                    .or_else(|| {
                        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share"))
                    })
                    .unwrap_or_else(|| PathBuf::from("."));
                base.join("w3mq-server")
            }
        }
    }

    /// The chat listeners with their default filled in.
    pub fn chat_listen_addrs(&self) -> Vec<SocketAddr> {
        if !self.chat_listen.is_empty() {
            return self.chat_listen.clone();
        }
        let mut a = self.http;
        if a.port() != 0 {
            a.set_port(a.port().saturating_add(2));
        }
        vec![a]
    }

    /// The MQTT-over-TCP address with its default filled in.
    pub fn mqtt_tcp_addr(&self) -> SocketAddr {
        self.mqtt_tcp.unwrap_or_else(|| {
            let mut a = self.http;
            if a.port() != 0 {
                a.set_port(a.port().saturating_add(1));
            }
            a
        })
    }
}
