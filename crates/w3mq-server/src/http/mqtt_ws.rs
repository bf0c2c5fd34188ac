//! MQTT over WebSocket at `/mqtt` on the REST port, as the seed's
//! `wss://…/mqtt`: each WebSocket is bridged byte for byte to the embedded
//! broker's TCP listener on loopback.
//!
//! rmqtt's own WebSocket listener accepts with tungstenite's default 128 KiB
//! read buffer and no way to change it, which cost ~148 KiB per idle
//! connection; here the buffers are small and writes are flushed at once.

use std::net::SocketAddr;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::extract::ApiError;
use super::peers::ClientIp;
use super::AppState;

/// The largest WebSocket message taken: a little over the broker's packet limit.
const MAX_WS_MESSAGE: usize = 512 * 1024;

/// `GET /mqtt` with an upgrade to WebSocket (subprotocol `mqtt` or
/// `mqttv3.1`): 429 when the client address has as many WebSockets open as
/// it may.
pub async fn upgrade(
    State(s): State<AppState>,
    client: ClientIp,
    ws: WebSocketUpgrade,
) -> Response {
    let Some(guard) = s.peers.open_socket(client.0) else {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many open sockets from this address",
        )
        .into_response();
    };
    let target = s.broker_tcp;
    ws.protocols(["mqtt", "mqttv3.1"])
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(MAX_WS_MESSAGE)
        .on_upgrade(move |socket| async move {
            bridge(socket, target).await;
            drop(guard);
        })
}

async fn bridge(ws: WebSocket, target: SocketAddr) {
    let tcp = match TcpStream::connect(target).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "broker unreachable");
            return;
        }
    };
    let _ = tcp.set_nodelay(true);
    let (mut from_broker, mut to_broker) = tcp.into_split();
    let (mut to_client, mut from_client) = ws.split();
    let up = async move {
        while let Some(Ok(m)) = from_client.next().await {
            match m {
                Message::Binary(b) => {
                    if to_broker.write_all(&b).await.is_err() {
                        break;
                    }
                }
                Message::Close(_) | Message::Text(_) => break,
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
        let _ = to_broker.shutdown().await;
    };
    let down = async move {
        let mut buf = vec![0u8; 4096];
        loop {
            match from_broker.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let chunk = axum::body::Bytes::copy_from_slice(&buf[..n]);
                    if to_client.send(Message::Binary(chunk)).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to_client.close().await;
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}
