//! One channel socket: `WelcomeEvent` first, then method packets in and
//! replies and events out, until the client leaves or the server stops.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::ws::{Message as Frame, WebSocket};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::broadcast::{self, error::RecvError};

use super::packet::{self, Fail};
use super::session::{leave, Session};
use super::{methods, Hub, Outgoing};

/// Serves one socket until it closes or the server stops.
pub async fn run(hub: Arc<Hub>, ws: WebSocket) {
    let (mut tx, mut rx) = ws.split();
    let welcome = packet::event("WelcomeEvent", &json!({ "server": hub.server_id }));
    if tx.send(Frame::Text(welcome.into())).await.is_err() {
        return;
    }
    let mut s = Session {
        conn: hub.next_conn(),
        joined: None,
        events: None,
        opted_out: HashSet::new(),
    };
    let mut stop = hub.stop_signal();
    let idle_for = hub.idle_timeout;
    let idle = tokio::time::sleep(idle_for);
    tokio::pin!(idle);
    loop {
        tokio::select! {
            frame = rx.next() => {
                idle.as_mut().reset(tokio::time::Instant::now() + idle_for);
                let text = match frame {
                    Some(Ok(Frame::Text(t))) => t.as_str().to_owned(),
                    Some(Ok(Frame::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Frame::Ping(_) | Frame::Pong(_))) => continue,
                    Some(Ok(Frame::Close(_)) | Err(_)) | None => break,
                };
                let out = answer(&hub, &mut s, &text).await;
                if tx.send(Frame::Text(out.into())).await.is_err() {
                    break;
                }
            }
            ev = next_event(&mut s.events) => match ev {
                Ok(o) => {
                    if s.wants(&o) && tx.send(Frame::Text(o.text.clone().into())).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(conn = s.conn, skipped = n, "channel socket too slow: events skipped");
                }
                Err(RecvError::Closed) => s.events = None,
            },
            _ = stopped(&mut stop) => break,
            _ = &mut idle => {
                tracing::debug!(conn = s.conn, "channel socket idle: closed");
                break;
            }
        }
    }
    leave(&mut s);
    let _ = tx.close().await;
}

/// The reply to one packet.
async fn answer(hub: &Hub, s: &mut Session, text: &str) -> String {
    let m = match packet::parse_method(text) {
        Ok(m) => m,
        Err((fail, id)) => return packet::reply(&id, &Err(fail)),
    };
    if !hub.allow_call(s.conn) {
        return packet::reply(&m.id, &Err(Fail::RateLimited));
    }
    let out = methods::dispatch(hub, s, &m).await;
    packet::reply(&m.id, &out)
}

/// Resolves when the server stops.
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

async fn next_event(
    rx: &mut Option<broadcast::Receiver<Arc<Outgoing>>>,
) -> Result<Arc<Outgoing>, RecvError> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
