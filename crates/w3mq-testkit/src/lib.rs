//! Helpers for tests and benchmarks that talk to a real `w3mq-server`:
//! the server as a child process, Ethereum wallets, SIWE sign-in over REST,
//! and MQTT-over-WebSocket connections with rumqttc.

pub mod raw;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use k256::ecdsa::SigningKey;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS, SubscribeReasonCode, Transport};
use serde_json::{json, Value};
use sha3::{Digest, Keccak256};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use w3mq_protocol::login::{eip191_hash, siwe_message, SiweFields};

/// A boxed error for test code.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// A result for test code.
pub type Result<T> = std::result::Result<T, Error>;

/// How long helpers wait for an event before failing.
pub const WAIT: Duration = Duration::from_secs(15);

/// A `w3mq-server` child process on free loopback ports.
pub struct ServerProcess {
    bin: PathBuf,
    /// Its data directory (kept across restarts).
    pub data_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    args: Vec<String>,
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub http: String,
    /// `ws://127.0.0.1:PORT/mqtt`.
    pub mqtt_ws: String,
    /// `127.0.0.1:PORT` of the plain TCP listener.
    pub mqtt_tcp: String,
    /// The chat-socket URLs of the ready line (`chat=`, `chat2=`, …), in
    /// order; empty for a server without channels.
    pub chat: Vec<String>,
    /// `http://HOST:PORT/metrics` of the `--metrics-listen` listener, if any.
    pub metrics: Option<String>,
}

impl ServerProcess {
    /// Starts `bin` with a fresh data directory and `extra` arguments.
    pub async fn start(bin: impl AsRef<Path>, extra: &[&str]) -> Result<ServerProcess> {
        let tmp = tempfile::tempdir()?;
        let mut s = ServerProcess {
            bin: bin.as_ref().to_path_buf(),
            data_dir: tmp.path().to_path_buf(),
            _tmp: Some(tmp),
            args: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
            http: String::new(),
            mqtt_ws: String::new(),
            mqtt_tcp: String::new(),
            chat: Vec::new(),
            metrics: None,
        };
        s.spawn("127.0.0.1:0").await?;
        Ok(s)
    }

    async fn spawn(&mut self, http: &str) -> Result<()> {
        let mut child = Command::new(&self.bin)
            .arg("--http")
            .arg(http)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(&self.args)
            .env(
                "RUST_LOG",
                std::env::var("W3MQ_SERVER_LOG").unwrap_or_else(|_| "warn,rmqtt_net=error".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .map_err(|_| "server did not print its ready line within 60 s")??
            .ok_or("server exited before it was ready")?;
        let field = |k: &str| -> Result<String> {
            line.split(' ')
                .find_map(|p| p.strip_prefix(&format!("{k}=")))
                .map(str::to_owned)
                .ok_or_else(|| format!("ready line lacks {k}: {line}").into())
        };
        if !line.starts_with("w3mq-server ready ") {
            return Err(format!("unexpected first line: {line}").into());
        }
        self.http = field("http")?;
        self.mqtt_ws = field("mqtt")?;
        self.mqtt_tcp = field("mqtt_tcp")?.trim_start_matches("tcp://").to_owned();
        self.chat = std::iter::once("chat".to_owned())
            .chain((2..).map(|i| format!("chat{i}")))
            .map_while(|k| field(&k).ok())
            .collect();
        self.metrics = field("metrics").ok();
        self.child = Some(child);
        Ok(())
    }

    /// Sends SIGTERM and waits for the exit; returns its exit code.
    pub async fn stop(&mut self) -> Result<i32> {
        let Some(mut child) = self.child.take() else {
            return Err("not running".into());
        };
        if let Some(pid) = child.id() {
            // SAFETY: kill(2) on our own child's pid has no memory effects.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .map_err(|_| "server did not exit within 30 s of SIGTERM")??;
        Ok(status.code().unwrap_or(-1))
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(|c| c.id())
    }

    /// Kills the process at once (SIGKILL).
    pub async fn kill(&mut self) -> Result<()> {
        if let Some(mut c) = self.child.take() {
            c.kill().await?;
        }
        Ok(())
    }

    /// Stops (SIGTERM) and starts again on the same ports and data directory.
    pub async fn restart(&mut self) -> Result<()> {
        let code = self.stop().await?;
        if code != 0 {
            return Err(format!("server exited with {code}").into());
        }
        self.restart_after_stop().await
    }

    /// Starts again on the same ports and data directory after a stop or kill.
    pub async fn restart_after_stop(&mut self) -> Result<()> {
        let http = self.http.trim_start_matches("http://").to_owned();
        let tcp = self.mqtt_tcp.clone();
        self.args
            .retain(|a| !a.starts_with("--mqtt-") && !a.starts_with("--chat-listen"));
        self.args.push(format!("--mqtt-tcp={tcp}"));
        // The extra chat listeners (chat2=, chat3=, …) keep their ports too.
        for url in self.chat.iter().skip(1) {
            let addr = url.trim_start_matches("ws://").trim_end_matches("/chat");
            self.args.push(format!("--chat-listen={addr}"));
        }
        self.spawn(&http).await
    }
}

/// A server process and a REST client of it: what most tests start with.
pub struct World {
    /// The server.
    pub server: ServerProcess,
    /// A client of its REST API, without a token.
    pub api: Api,
}

impl World {
    /// Starts `bin` with `extra` arguments (see [`ServerProcess::start`]).
    pub async fn start(bin: impl AsRef<Path>, extra: &[&str]) -> Result<World> {
        let server = ServerProcess::start(bin, extra).await?;
        let api = Api::new(&server.http);
        Ok(World { server, api })
    }
}

/// An Ethereum key.
#[derive(Clone)]
pub struct Wallet {
    key: SigningKey,
    /// Lowercase `0x` address.
    pub address: String,
}

impl Wallet {
    /// A new random key.
    pub fn random() -> Wallet {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let h = Keccak256::digest(&key.verifying_key().to_encoded_point(false).as_bytes()[1..]);
        Wallet {
            key,
            address: format!("0x{}", hex::encode(&h[12..])),
        }
    }

    /// The key of `hex_key` (64 hex digits, `0x` optional).
    pub fn from_hex(hex_key: &str) -> Result<Wallet> {
        let bytes = hex::decode(hex_key.trim().trim_start_matches("0x"))?;
        let key = SigningKey::from_slice(&bytes)?;
        let h = Keccak256::digest(&key.verifying_key().to_encoded_point(false).as_bytes()[1..]);
        Ok(Wallet {
            key,
            address: format!("0x{}", hex::encode(&h[12..])),
        })
    }

    /// EIP-191 `personal_sign`, as `0x` + 130 hex digits.
    pub fn personal_sign(&self, msg: &[u8]) -> String {
        let (sig, rid) = self
            .key
            .sign_prehash_recoverable(&eip191_hash(msg))
            .expect("signing a 32-byte digest cannot fail");
        let mut b = sig.to_bytes().to_vec();
        b.push(rid.to_byte() + 27);
        format!("0x{}", hex::encode(b))
    }
}

/// A REST response: HTTP status and the envelope.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The whole body.
    pub body: Value,
}

impl Reply {
    /// `data` of a successful reply; fails with the envelope otherwise.
    pub fn data(&self) -> Result<&Value> {
        if self.status == 200 && self.body["code"] == 0 {
            Ok(&self.body["data"])
        } else {
            Err(format!("request failed: {} {}", self.status, self.body).into())
        }
    }
}

/// A REST client, signed in or not.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    /// Base URL.
    pub base: String,
    /// Bearer token.
    pub token: Option<String>,
}

/// A signed-in user.
#[derive(Clone)]
pub struct Account {
    /// The key.
    pub wallet: Wallet,
    /// User id.
    pub user_id: String,
    /// Access token.
    pub token: String,
    /// REST client with the token.
    pub api: Api,
}

/// A plain HTTP client. reqwest takes rustls' process-wide crypto provider (the root
/// `Cargo.toml` says why), so this installs ring first.
pub fn http_client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::new()
}

/// Installs ring as rustls' default provider, once (see [`http_client`]).
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // `Err` means a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Api {
    /// A client of `base` without a token.
    pub fn new(base: &str) -> Api {
        Api {
            // A request that hangs fails the test instead of hanging it.
            http: {
                install_crypto_provider();
                reqwest::Client::builder()
            }
            .timeout(2 * WAIT)
            .build()
            .unwrap_or_default(),
            base: base.trim_end_matches('/').to_owned(),
            token: None,
        }
    }

    /// POSTs `body` (raw bytes) to `path`.
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> Result<Reply> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        self.send(r).await
    }

    async fn send(&self, mut r: reqwest::RequestBuilder) -> Result<Reply> {
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await?;
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        Ok(Reply { status, body })
    }

    /// POSTs JSON.
    pub async fn post(&self, path: &str, body: Value) -> Result<Reply> {
        self.post_raw(path, serde_json::to_vec(&body)?).await
    }

    /// GETs.
    pub async fn get(&self, path: &str) -> Result<Reply> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// The same client with a token.
    pub fn with_token(&self, token: &str) -> Api {
        Api {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The EIP-4361 text this project signs in with.
    pub fn siwe_text(&self, wallet: &Wallet, nonce: &str, valid_for: time::Duration) -> String {
        let fmt = time::format_description::well_known::Rfc3339;
        let now = time::OffsetDateTime::now_utc();
        let issued = now.format(&fmt).unwrap_or_default();
        let exp = (now + valid_for).format(&fmt).unwrap_or_default();
        let domain = self
            .base
            .trim_start_matches("http://")
            .trim_start_matches("https://");
        siwe_message(&SiweFields {
            domain,
            address: &wallet.address,
            uri: &self.base,
            nonce,
            issued_at: &issued,
            expiration_time: &exp,
        })
    }

    /// Signs in with SIWE: secret, EIP-4361 text, signature.
    pub async fn login(&self, wallet: &Wallet) -> Result<Account> {
        let secret = self.secret(wallet).await?;
        let text = self.siwe_text(wallet, &secret, time::Duration::minutes(5));
        let sig = wallet.personal_sign(text.as_bytes());
        let r = self
            .post(
                "/login",
                json!({"wallet_address": wallet.address, "login_random_secret": secret, "signature": sig, "message": text}),
            )
            .await?;
        let d = r.data()?;
        let token = d["access_token"]
            .as_str()
            .ok_or("no access_token")?
            .to_owned();
        let user_id = d["user_info"]["user_id"]
            .as_str()
            .ok_or("no user_id")?
            .to_owned();
        Ok(Account {
            wallet: wallet.clone(),
            user_id,
            api: self.with_token(&token),
            token,
        })
    }

    /// Asks for a login secret.
    pub async fn secret(&self, wallet: &Wallet) -> Result<String> {
        let r = self
            .post(
                "/login_random_secret",
                json!({"wallet_address": wallet.address}),
            )
            .await?;
        Ok(r.data()?
            .as_str()
            .ok_or("secret is not a string")?
            .to_owned())
    }

    /// Signs in a new random wallet.
    pub async fn new_account(&self) -> Result<Account> {
        self.login(&Wallet::random()).await
    }
}

impl Account {
    /// Creates a room with `others`; returns its id.
    pub async fn create_room(&self, others: &[&Account]) -> Result<String> {
        let ids: Vec<&str> = others.iter().map(|a| a.user_id.as_str()).collect();
        let r = self.api.post("/rooms", json!({ "user_id": ids })).await?;
        Ok(r.data()?
            .as_str()
            .ok_or("room id is not a string")?
            .to_owned())
    }

    /// Connects over MQTT-over-WebSocket (MQTT 3.1.1).
    pub async fn mqtt(&self, ws_url: &str) -> Result<Mqtt> {
        Mqtt::connect(
            ws_url,
            &self.user_id,
            &self.token,
            &format!("{}-{}", self.user_id, rand::random::<u32>()),
        )
        .await
    }
}

/// What an MQTT connection saw.
#[derive(Debug, Clone)]
pub enum Seen {
    /// A PUBLISH: topic and payload.
    Publish(String, bytes::Bytes),
    /// A SUBACK: per-filter success.
    SubAck(Vec<bool>),
    /// The connection ended or failed.
    Down(String),
}

/// A live rumqttc connection whose event loop runs in a task.
pub struct Mqtt {
    /// The client.
    pub client: AsyncClient,
    rx: mpsc::UnboundedReceiver<Seen>,
    task: tokio::task::JoinHandle<()>,
}

impl Mqtt {
    /// Connects and waits for the CONNACK; fails if the server refuses.
    pub async fn connect(
        ws_url: &str,
        user: &str,
        password: &str,
        client_id: &str,
    ) -> Result<Mqtt> {
        let mut o = MqttOptions::new(client_id, ws_url, 0);
        o.set_transport(Transport::Ws);
        o.set_credentials(user, password);
        o.set_keep_alive(Duration::from_secs(30));
        o.set_max_packet_size(1 << 20, 1 << 20);
        Self::connect_with(o).await
    }

    /// Connects with prepared options.
    pub async fn connect_with(o: MqttOptions) -> Result<Mqtt> {
        let (client, mut ev) = AsyncClient::new(o, 1024);
        let mut net = rumqttc::NetworkOptions::new();
        net.set_tcp_nodelay(true);
        ev.set_network_options(net);
        // Wait for the CONNACK before handing the connection out.
        loop {
            match tokio::time::timeout(WAIT, ev.poll())
                .await
                .map_err(|_| "no CONNACK")?
            {
                Ok(Event::Incoming(Packet::ConnAck(_))) => break,
                Ok(_) => continue,
                Err(e) => return Err(format!("connect failed: {e}").into()),
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                match ev.poll().await {
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let topic = p.topic.clone();
                        let _ = tx.send(Seen::Publish(topic, p.payload));
                    }
                    Ok(Event::Incoming(Packet::SubAck(s))) => {
                        let ok = s
                            .return_codes
                            .iter()
                            .map(|c| matches!(c, SubscribeReasonCode::Success(_)))
                            .collect();
                        let _ = tx.send(Seen::SubAck(ok));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let _ = tx.send(Seen::Down(e.to_string()));
                        break;
                    }
                }
            }
        });
        Ok(Mqtt { client, rx, task })
    }

    /// Subscribes (QoS 1) and returns whether the SUBACK granted it.
    pub async fn subscribe(&mut self, topic: &str) -> Result<bool> {
        self.client.subscribe(topic, QoS::AtLeastOnce).await?;
        loop {
            match self.next().await? {
                Seen::SubAck(v) => return Ok(v.first().copied().unwrap_or(false)),
                Seen::Down(e) => return Err(format!("connection lost: {e}").into()),
                Seen::Publish(..) => continue,
            }
        }
    }

    /// Publishes `body` on `topic` with QoS 1.
    pub async fn publish(&self, topic: &str, body: impl Into<Vec<u8>>) -> Result<()> {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, body.into())
            .await?;
        Ok(())
    }

    /// The next thing seen, within [`WAIT`].
    pub async fn next(&mut self) -> Result<Seen> {
        tokio::time::timeout(WAIT, self.rx.recv())
            .await
            .map_err(|_| "nothing arrived in time")?
            .ok_or_else(|| "connection task ended".into())
    }

    /// The next PUBLISH on `topic` (others are skipped), parsed as JSON.
    pub async fn recv_on(&mut self, topic: &str) -> Result<Value> {
        loop {
            match self.next().await? {
                Seen::Publish(t, p) if t == topic => return Ok(serde_json::from_slice(&p)?),
                Seen::Down(e) => return Err(format!("connection lost: {e}").into()),
                _ => continue,
            }
        }
    }

    /// Waits `d` and returns every PUBLISH seen meanwhile. For asserting that
    /// something did *not* arrive, after a later event proved the server
    /// had processed it.
    pub async fn drain(&mut self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        while let Ok(s) = self.rx.try_recv() {
            if let Seen::Publish(t, p) = s {
                out.push((t, serde_json::from_slice(&p).unwrap_or(Value::Null)));
            }
        }
        out
    }

    /// Disconnects.
    pub async fn close(self) {
        let _ = self.client.disconnect().await;
        self.task.abort();
    }
}

/// A chat socket of the Mixer-style channels (PROTOCOL.md section 3) over
/// tokio-tungstenite: method calls with their replies, and events.
pub struct ChannelSocket {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
    /// Events read while waiting for something else, oldest first.
    pending: std::collections::VecDeque<Value>,
}

impl ChannelSocket {
    /// Connects to `url` (a `ws://…/chat` endpoint) and returns the socket
    /// with the `WelcomeEvent` packet it must send first.
    pub async fn connect(url: &str) -> Result<(ChannelSocket, Value)> {
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .map_err(|_| "chat socket: no handshake")??;
        let mut s = ChannelSocket {
            ws,
            next_id: 0,
            pending: Default::default(),
        };
        let welcome = s.read().await?;
        Ok((s, welcome))
    }

    /// Sends raw text (for malformed packets).
    pub async fn send_text(&mut self, text: &str) -> Result<()> {
        use futures::SinkExt;
        self.ws
            .send(tokio_tungstenite::tungstenite::Message::text(text))
            .await?;
        Ok(())
    }

    /// The next packet, within [`WAIT`].
    pub async fn read(&mut self) -> Result<Value> {
        use futures::StreamExt;
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .map_err(|_| "chat socket: nothing arrived in time")?
                .ok_or("chat socket closed")??;
            match frame {
                tokio_tungstenite::tungstenite::Message::Text(t) => {
                    return Ok(serde_json::from_str(t.as_str())?)
                }
                tokio_tungstenite::tungstenite::Message::Close(c) => {
                    return Err(format!("chat socket closed: {c:?}").into())
                }
                _ => continue,
            }
        }
    }

    /// Calls `method` and returns the whole reply packet (events that
    /// arrive meanwhile are kept for [`ChannelSocket::event`]).
    pub async fn call(&mut self, method: &str, arguments: Value) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let packet = json!({"type": "method", "method": method, "arguments": arguments, "id": id});
        self.send_text(&packet.to_string()).await?;
        self.reply(&json!(id)).await
    }

    /// The reply with `id`, keeping events that arrive before it.
    pub async fn reply(&mut self, id: &Value) -> Result<Value> {
        loop {
            let p = self.read().await?;
            if p["type"] == "reply" && &p["id"] == id {
                return Ok(p);
            }
            if p["type"] == "event" {
                self.pending.push_back(p);
            } else {
                return Err(format!("unexpected packet: {p}").into());
            }
        }
    }

    /// `data` of a successful call; fails with the reply's error otherwise.
    pub async fn ok(&mut self, method: &str, arguments: Value) -> Result<Value> {
        let r = self.call(method, arguments).await?;
        if r["error"].is_null() {
            Ok(r["data"].clone())
        } else {
            Err(format!("{method} failed: {r}").into())
        }
    }

    /// The `error` of a call that must fail.
    pub async fn err(&mut self, method: &str, arguments: Value) -> Result<String> {
        let r = self.call(method, arguments).await?;
        r["error"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{method} should have failed: {r}").into())
    }

    /// `data` of the next event named `name` (earlier events of other names
    /// are skipped and dropped).
    pub async fn event(&mut self, name: &str) -> Result<Value> {
        while let Some(p) = self.pending.pop_front() {
            if p["event"] == name {
                return Ok(p["data"].clone());
            }
        }
        loop {
            let p = self.read().await?;
            if p["type"] == "event" && p["event"] == name {
                return Ok(p["data"].clone());
            }
        }
    }

    /// The names of the events received so far and not yet taken.
    pub fn pending_events(&self) -> Vec<String> {
        self.pending
            .iter()
            .filter_map(|p| p["event"].as_str().map(str::to_owned))
            .collect()
    }

    /// Closes the socket.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// A text message JSON as the protocol defines it.
pub fn text_message(from: &str, room: &str, text: &str, client_msg_id: Option<&str>) -> Value {
    let mut m = json!({
        "from_uid": from, "to_room_id": room, "msg_type": "text", "msg_contents": text,
        "is_thread": false, "is_opensea_item_thread": false,
        "opensea_item_contract_address": "", "opensea_item_token_id": "", "opensea_item_name": "",
        "opensea_item_description": "", "opensea_item_image_url": "",
        "belong_to_thread_id": "", "reply_to_msg_id": "", "created_at": w3mq_protocol::now_nanos(), "at_user_ids": []
    });
    if let Some(c) = client_msg_id {
        m["client_msg_id"] = json!(c);
    }
    m
}

/// The path of a workspace binary built by cargo, from `W3MQ_SERVER_BIN` or
/// next to the running executable (`target/<profile>/`).
pub fn server_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("W3MQ_SERVER_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join("w3mq-server")
}
