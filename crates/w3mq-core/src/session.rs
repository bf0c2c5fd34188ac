//! The MQTT session: connect with backoff and endpoint failover, subscribe,
//! catch up, resend the outbox, and take in what arrives.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rumqttc::{
    AsyncClient, ConnectReturnCode, Event as MqttEvent, MqttOptions, Packet, QoS, Transport,
};
use tokio::sync::mpsc;
use w3mq_protocol::{is_object_id, validate_message, Message, Room, RoomEvent, Topic, UserEvent};

use crate::backoff::Backoff;
use crate::engine::Active;
use crate::error::{CoreError, Result};
use crate::events::{ConnectionState, Event};
use crate::key::Key;
use crate::model::SendStatus;
use crate::policy::decide;
use crate::rest::token_expiry;

/// Largest frame taken from the network.
const MAX_FRAME: usize = 256 * 1024;
/// Messages fetched per catch-up request.
const CATCH_UP_PAGE: i64 = 100;
/// Most frames taken into one cache transaction.
const MAX_BATCH: usize = 2000;

fn stopped(a: &Active) -> bool {
    let s = *a.stop.borrow();
    s
}

/// Resolves once the account is stopped.
async fn until_stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await.map(|_| ());
}

async fn sleep_or_stop(a: &Active, d: Duration) -> bool {
    let mut rx = a.stop.subscribe();
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = until_stopped(&mut rx) => true,
    }
}

/// Makes sure the token is valid for at least a day: refreshes it, or signs
/// in again with the key from the keychain when it cannot be refreshed.
async fn fresh_token(a: &Active, force: bool) -> Result<String> {
    let current = a.secrets.get(&format!("token:{}", a.address)).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if let Some(t) = &current {
        let exp = token_expiry(t).unwrap_or(0);
        if !force && exp > now + 24 * 3600 {
            a.rest.set_token(Some(t.clone()));
            return Ok(t.clone());
        }
        a.rest.set_token(Some(t.clone()));
        if let Ok(t2) = a.rest.refresh().await {
            a.secrets.set(&format!("token:{}", a.address), &t2).await?;
            return Ok(t2);
        }
    }
    let key_hex = a
        .secrets
        .get(&format!("key:{}", a.address))
        .await?
        .ok_or(CoreError::NotSignedIn)?;
    let key = Key::import(&key_hex)?;
    let login = a.rest.login(&key).await?;
    a.secrets
        .set(&format!("token:{}", a.address), &login.access_token)
        .await?;
    Ok(login.access_token)
}

fn options(a: &Active, endpoint: &str, token: &str) -> MqttOptions {
    let mut o = MqttOptions::new(format!("{}-{}", a.me, a.device), endpoint, 0);
    if endpoint.starts_with("wss://") {
        o.set_transport(Transport::wss_with_default_config());
    } else {
        o.set_transport(Transport::Ws);
    }
    o.set_credentials(a.me.clone(), token.to_owned());
    o.set_keep_alive(Duration::from_secs(30));
    o.set_clean_session(true);
    o.set_max_packet_size(MAX_FRAME, MAX_FRAME);
    o
}

/// Runs the session until the account is stopped.
pub(crate) async fn run(a: Arc<Active>) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    let n = a.env.mqtt.len().max(1);
    let mut idx = rand::random::<usize>() % n;
    let mut force_login = false;
    while !stopped(&a) {
        let endpoint = a.env.mqtt.get(idx % n).cloned().unwrap_or_default();
        a.emit(Event::Connection {
            state: ConnectionState::Connecting {
                endpoint: endpoint.clone(),
            },
        });
        let reason = match connect_once(&a, &endpoint, force_login).await {
            Ok(Connected { lasted, reason }) => {
                force_login = false;
                if lasted > Duration::from_secs(30) {
                    backoff.reset();
                }
                reason
            }
            Err((reason, auth)) => {
                force_login = auth;
                reason
            }
        };
        if stopped(&a) {
            break;
        }
        let delay = backoff.next_delay();
        tracing::info!(%reason, retry_in_ms = delay.as_millis() as u64, "offline");
        a.emit(Event::Connection {
            state: ConnectionState::Offline {
                reason,
                retry_in_ms: delay.as_millis() as u64,
            },
        });
        idx += 1;
        if sleep_or_stop(&a, delay).await {
            break;
        }
    }
    let last = a.client.lock().ok().and_then(|mut c| c.take());
    if let Some(c) = last {
        let _ = c.disconnect().await;
    }
}

struct Connected {
    lasted: Duration,
    reason: String,
}

/// One connection: CONNACK, then subscriptions and catch-up in the
/// background while the event loop is polled until it fails.
async fn connect_once(
    a: &Arc<Active>,
    endpoint: &str,
    force_login: bool,
) -> std::result::Result<Connected, (String, bool)> {
    let token = fresh_token(a, force_login)
        .await
        .map_err(|e| (e.to_string(), false))?;
    let (client, mut ev) = AsyncClient::new(options(a, endpoint, &token), 4096);
    // Without it a QoS 1 PUBACK and the next PUBLISH wait on delayed ACKs (~40 ms).
    let mut net = rumqttc::NetworkOptions::new();
    net.set_tcp_nodelay(true);
    ev.set_network_options(net);
    let connack = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match ev.poll().await {
                Ok(MqttEvent::Incoming(Packet::ConnAck(c))) => return Ok(c.code),
                Ok(_) => continue,
                Err(e) => return Err(e),
            }
        }
    })
    .await;
    match connack {
        Err(_) => return Err(("no answer from the server".into(), false)),
        Ok(Err(rumqttc::ConnectionError::ConnectionRefused(code))) => {
            let auth = matches!(
                code,
                ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized
            );
            return Err((format!("refused: {code:?}"), auth));
        }
        Ok(Err(e)) => return Err((e.to_string(), false)),
        Ok(Ok(ConnectReturnCode::Success)) => {}
        Ok(Ok(code)) => return Err((format!("refused: {code:?}"), true)),
    }
    let started = Instant::now();
    a.sub_queue.lock().await.clear();
    if let Ok(mut p) = a.sub_pkids.lock() {
        p.clear();
    }
    if let Ok(mut c) = a.client.lock() {
        *c = Some(client.clone());
    }
    a.online_since.store(
        w3mq_protocol::now_nanos(),
        std::sync::atomic::Ordering::Relaxed,
    );
    a.emit(Event::Connection {
        state: ConnectionState::Online {
            endpoint: endpoint.to_owned(),
        },
    });
    let setup = tokio::spawn(on_connect(a.clone(), client.clone()));
    let mut stop = a.stop.subscribe();
    // Long sessions keep their token fresh (it is refreshed when under a day).
    let mut refresh = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(3600),
        Duration::from_secs(3600),
    );
    let reason = loop {
        tokio::select! {
            _ = refresh.tick() => {
                if let Err(e) = fresh_token(a, false).await {
                    tracing::info!(error = %e, "token refresh failed; will retry");
                }
            }
            _ = until_stopped(&mut stop) => {
                let _ = client.disconnect().await;
                break "stopped".to_owned();
            }
            r = ev.poll() => match r {
                Ok(MqttEvent::Incoming(Packet::Publish(p))) => {
                    if a.incoming.send((p.topic, p.payload)).await.is_err() {
                        break "stopped".to_owned();
                    }
                }
                Ok(MqttEvent::Outgoing(rumqttc::Outgoing::Subscribe(pkid))) => {
                    let rooms = a.sub_queue.lock().await.pop_front().unwrap_or_default();
                    if let Ok(mut p) = a.sub_pkids.lock() {
                        p.insert(pkid, rooms);
                    }
                }
                Ok(MqttEvent::Incoming(Packet::SubAck(ack))) => {
                    let rooms = a.sub_pkids.lock().ok().and_then(|mut p| p.remove(&ack.pkid)).unwrap_or_default();
                    for room in rooms {
                        let a = a.clone();
                        tokio::spawn(async move { backfill(&a, &room).await });
                    }
                }
                Ok(_) => {}
                Err(e) => break e.to_string(),
            }
        }
    };
    setup.abort();
    if let Ok(mut c) = a.client.lock() {
        *c = None;
    }
    Ok(Connected {
        lasted: started.elapsed(),
        reason,
    })
}

fn room_topics(room: &str) -> [String; 2] {
    [
        Topic::Chat(room.into()).name(),
        Topic::Notification(room.into()).name(),
    ]
}

/// Subscribes to topics, remembering which rooms each SUBSCRIBE covers: a
/// room is caught up over REST once its SUBACK is back, so that nothing sent
/// between the catch-up and the subscription is missed.
async fn subscribe_tracked(
    a: &Active,
    client: &AsyncClient,
    topics: Vec<String>,
    rooms: Vec<String>,
) {
    let mut q = a.sub_queue.lock().await;
    let filters: Vec<rumqttc::SubscribeFilter> = topics
        .into_iter()
        .map(|t| rumqttc::SubscribeFilter::new(t, QoS::AtLeastOnce))
        .collect();
    q.push_back(rooms);
    if let Err(e) = client.subscribe_many(filters).await {
        q.pop_back();
        tracing::warn!(error = %e, "subscribe failed");
    }
}

async fn subscribe_rooms(a: &Active, client: &AsyncClient, rooms: &[String]) {
    for chunk in rooms.chunks(32) {
        let topics = chunk.iter().flat_map(|r| room_topics(r)).collect();
        subscribe_tracked(a, client, topics, chunk.to_vec()).await;
    }
}

/// After each connect: subscribe, refresh the room list, resend the outbox,
/// catch every room up.
async fn on_connect(a: Arc<Active>, client: AsyncClient) {
    let own = vec![
        Topic::Notification(a.me.clone()).name(),
        Topic::Chat(a.me.clone()).name(),
    ];
    subscribe_tracked(&a, &client, own, Vec::new()).await;
    let known: Vec<String> = a
        .rooms
        .lock()
        .map(|r| r.iter().cloned().collect())
        .unwrap_or_default();
    subscribe_rooms(&a, &client, &known).await;

    // The outbox goes out first: its rooms are subscribed, so ACKs arrive.
    match a.cache.outbox_pending().await {
        Ok(pending) => {
            for e in pending {
                if let Ok(body) = serde_json::to_vec(&e.message) {
                    if client
                        .publish(format!("msg/{}", a.me), QoS::AtLeastOnce, false, body)
                        .await
                        .is_ok()
                    {
                        let _ = a.cache.outbox_attempted(&e.client_msg_id).await;
                    }
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "outbox unreadable"),
    }

    // The room list: join new rooms, drop the ones I left meanwhile.
    match a.rest.my_rooms().await {
        Ok(server_rooms) => {
            let server: HashSet<String> = server_rooms
                .into_iter()
                .filter(|r| is_object_id(r))
                .collect();
            let fresh: Vec<String> = server
                .iter()
                .filter(|r| !known.contains(r))
                .cloned()
                .collect();
            for r in known.iter().filter(|r| !server.contains(*r)) {
                drop_room(&a, r).await;
            }
            for r in &fresh {
                if let Err(e) = fetch_room(&a, r).await {
                    tracing::warn!(room = %r, error = %e, "room info failed");
                }
            }
            subscribe_rooms(&a, &client, &fresh).await;
            let all: Vec<String> = server.into_iter().collect();
            // Room info (names, members) may have changed while away.
            for r in known.iter().filter(|r| all.contains(r)) {
                let _ = fetch_room(&a, r).await;
            }
            a.emit_rooms(&all.into_iter().collect()).await;
        }
        Err(e) => tracing::warn!(error = %e, "room list failed"),
    }
}

async fn fetch_room(a: &Active, room_id: &str) -> Result<Room> {
    let room = a.rest.room(room_id).await?;
    if room.room_id != room_id {
        return Err(CoreError::Protocol("room info for another room".into()));
    }
    a.store_room(&room).await?;
    Ok(room)
}

/// Takes in a room I was added to or created: info, subscription, history.
pub(crate) async fn adopt_room(a: &Arc<Active>, room_id: &str) -> Result<Room> {
    let room = fetch_room(a, room_id).await?;
    let client = a.client.lock().ok().and_then(|c| c.clone());
    match client {
        // Caught up once the SUBACK is back.
        Some(c) => subscribe_rooms(a, &c, &[room_id.to_owned()]).await,
        None => backfill(a, room_id).await,
    }
    a.emit_rooms(&HashSet::from([room_id.to_owned()])).await;
    Ok(room)
}

/// Forgets a room I left or was removed from (its history stays searchable).
pub(crate) async fn drop_room(a: &Active, room_id: &str) {
    if let Ok(mut r) = a.rooms.lock() {
        r.remove(room_id);
    }
    if let Err(e) = a.cache.remove_room(room_id).await {
        tracing::warn!(error = %e, "remove room failed");
    }
    let client = a.client.lock().ok().and_then(|c| c.clone());
    if let Some(c) = client {
        for t in room_topics(room_id) {
            let _ = c.unsubscribe(t).await;
        }
    }
    a.emit(Event::RoomRemoved {
        room_id: room_id.to_owned(),
    });
}

/// Fetches everything after the room's contiguous cached seq.
pub(crate) async fn backfill(a: &Active, room_id: &str) {
    let first = a
        .backfilling
        .lock()
        .map(|mut b| b.insert(room_id.to_owned()))
        .unwrap_or(false);
    if !first {
        return;
    }
    loop {
        let after = match a.cache.synced_seq(room_id).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "synced_seq failed");
                break;
            }
        };
        let page = match a.rest.messages_after(room_id, after, CATCH_UP_PAGE).await {
            Ok(p) => p,
            Err(e) => {
                tracing::info!(room = room_id, error = %e, "catch-up failed");
                break;
            }
        };
        let full = page.len() as i64 >= CATCH_UP_PAGE;
        let valid: Vec<Message> = page
            .into_iter()
            .filter(|m| m.to_room_id == room_id && well_formed(m))
            .collect();
        absorb(a, valid, false).await;
        let now = a.cache.synced_seq(room_id).await.unwrap_or(after);
        if !full || now <= after {
            break;
        }
    }
    if let Ok(mut b) = a.backfilling.lock() {
        b.remove(room_id);
    }
}

fn well_formed(m: &Message) -> bool {
    m.id.as_deref().is_some_and(is_object_id)
        && m.seq.is_some_and(|s| s >= 1)
        && is_object_id(&m.from_uid)
}

/// Parses a message frame from `chat/<room>`: every acceptance rule of the
/// protocol, plus the server's `id` and `seq`, and the room of the topic.
fn parse_chat(room: &str, payload: &[u8]) -> Option<Message> {
    if payload.len() > MAX_FRAME {
        return None;
    }
    let raw: Message = serde_json::from_slice(payload).ok()?;
    if raw.to_room_id != room || !well_formed(&raw) {
        return None;
    }
    let mut m = validate_message(payload, &raw.from_uid).ok()?;
    m.id = raw.id;
    m.seq = raw.seq;
    m.created_at = raw.created_at;
    Some(m)
}

/// Stores messages, settles the outbox, emits one event per batch, and
/// (for live messages) decides notifications. Returns the rooms where live
/// messages jumped past what was cached: their gaps need a back-fill.
pub(crate) async fn absorb(a: &Active, msgs: Vec<Message>, live: bool) -> Vec<String> {
    if msgs.is_empty() {
        return Vec::new();
    }
    // What the user was looking at when these arrived.
    let focus = a.focus.lock().map(|f| f.clone()).unwrap_or_default();
    let mut before: BTreeMap<String, i64> = BTreeMap::new();
    for m in &msgs {
        if !before.contains_key(&m.to_room_id) {
            before.insert(
                m.to_room_id.clone(),
                a.cache.max_seq(&m.to_room_id).await.unwrap_or(0),
            );
        }
    }
    let new = match a.cache.ingest(&msgs).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "cache ingest failed");
            return Vec::new();
        }
    };
    if !new.is_empty() {
        a.emit(Event::Messages {
            messages: new.clone(),
        });
    }
    // Settle the outbox only now that the message is in the cache, so "sent"
    // never shows before the message does.
    for m in msgs.iter().filter(|m| m.from_uid == a.me) {
        let Some(cid) = &m.client_msg_id else {
            continue;
        };
        match a.cache.outbox_ack(cid).await {
            Ok(true) => a.emit(Event::SendStatus {
                client_msg_id: cid.clone(),
                room_id: m.to_room_id.clone(),
                status: SendStatus::Sent,
                id: m.id.clone(),
                seq: m.seq,
                error: None,
            }),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "outbox ack failed"),
        }
    }

    let touched: HashSet<String> = new.iter().map(|m| m.to_room_id.clone()).collect();
    a.emit_rooms(&touched).await;
    // Catch-up does not notify what was sent while we were away; it does
    // notify what was sent while we were online but not yet subscribed (the
    // first messages of a room we were just added to).
    let online_since = a.online_since.load(std::sync::atomic::Ordering::Relaxed);
    let new: Vec<Message> = if live {
        new
    } else {
        new.into_iter()
            .filter(|m| online_since > 0 && m.created_at >= online_since)
            .collect()
    };
    // A jump past what we had: the gap is fetched by the caller.
    let mut gaps = Vec::new();
    for (room, had) in before.into_iter().filter(|_| live) {
        let lowest = msgs
            .iter()
            .filter(|m| m.to_room_id == room)
            .filter_map(|m| m.seq)
            .min()
            .unwrap_or(0);
        if lowest > had + 1 {
            tracing::info!(room = %room, had, got = lowest, "seq gap: back-filling");
            gaps.push(room);
        }
    }
    let list = if new.iter().any(|m| m.from_uid != a.me) {
        a.cache.room_list().await.unwrap_or_default()
    } else {
        Vec::new()
    };
    for m in new {
        let Some(s) = list.iter().find(|s| s.room.room_id == m.to_room_id) else {
            continue;
        };
        if let Some(reason) = decide(&a.me, &m, s.room.is_1v1, s.notify, &focus) {
            a.emit(Event::Notify {
                room_id: m.to_room_id.clone(),
                message: Box::new(m),
                reason,
            });
        }
    }
    gaps
}

/// Absorbs live messages and back-fills any gap in the background, so the
/// session keeps taking frames meanwhile.
async fn absorb_live(a: &Arc<Active>, msgs: Vec<Message>) {
    for room in absorb(a, msgs, true).await {
        let a = a.clone();
        tokio::spawn(async move { backfill(&a, &room).await });
    }
}

/// Takes frames off the session in batches: one cache transaction and one
/// event per batch, however fast they come.
pub(crate) async fn ingest_worker(a: Arc<Active>, mut rx: mpsc::Receiver<(String, Bytes)>) {
    let mut stop = a.stop.subscribe();
    loop {
        let first = tokio::select! {
            f = rx.recv() => match f { Some(f) => f, None => break },
            _ = until_stopped(&mut stop) => break,
        };
        let mut frames = vec![first];
        while frames.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(f) => frames.push(f),
                Err(_) => break,
            }
        }
        let mut chat = Vec::new();
        for (topic, payload) in frames {
            match Topic::parse(&topic) {
                Some(Topic::Chat(room))
                    if a.rooms.lock().map(|r| r.contains(&room)).unwrap_or(false) =>
                {
                    match parse_chat(&room, &payload) {
                        Some(m) => chat.push(m),
                        None => drop_frame(&a, &topic, "malformed or foreign message"),
                    }
                }
                Some(Topic::Notification(id)) if id == a.me => {
                    absorb_live(&a, std::mem::take(&mut chat)).await;
                    match serde_json::from_slice::<UserEvent>(&payload) {
                        Ok(ev) => on_user_event(&a, ev).await,
                        Err(_) => drop_frame(&a, &topic, "unknown user event"),
                    }
                }
                Some(Topic::Notification(room))
                    if a.rooms.lock().map(|r| r.contains(&room)).unwrap_or(false) =>
                {
                    absorb_live(&a, std::mem::take(&mut chat)).await;
                    match serde_json::from_slice::<RoomEvent>(&payload) {
                        Ok(ev) => on_room_event(&a, &room, ev).await,
                        Err(_) => drop_frame(&a, &topic, "unknown room event"),
                    }
                }
                _ => drop_frame(&a, &topic, "unexpected topic"),
            }
        }
        absorb_live(&a, chat).await;
    }
}

fn drop_frame(a: &Active, topic: &str, why: &str) {
    a.dropped.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(topic = %topic.chars().take(100).collect::<String>(), why, "frame dropped");
}

async fn on_user_event(a: &Arc<Active>, ev: UserEvent) {
    match ev {
        UserEvent::Error {
            code,
            reason,
            client_msg_id,
        } => {
            tracing::info!(%code, %reason, "server rejected a message");
            let Some(cid) = client_msg_id else { return };
            let Ok(Some(entry)) = a.cache.outbox_get(&cid).await else {
                return;
            };
            // A rate limit is temporary: stay pending, the next connect resends.
            if code == "rate_limited" {
                return;
            }
            if let Ok(true) = a.cache.outbox_fail(&cid, &reason).await {
                a.emit(Event::SendStatus {
                    client_msg_id: cid,
                    room_id: entry.room_id,
                    status: SendStatus::Failed,
                    id: None,
                    seq: None,
                    error: Some(reason),
                });
            }
        }
        UserEvent::RoomAdded { room_id } if is_object_id(&room_id) => {
            if let Err(e) = adopt_room(a, &room_id).await {
                tracing::warn!(room = %room_id, error = %e, "adopting room failed");
            }
        }
        UserEvent::RoomRemoved { room_id } => {
            if crate::confirm::room_is_gone(&a.rest, &room_id, &a.me).await {
                drop_room(a, &room_id).await
            } else {
                drop_frame(
                    a,
                    "notification",
                    "room_removed the server does not confirm",
                );
            }
        }
        UserEvent::RoomAdded { .. } => drop_frame(a, "notification", "bad room id"),
    }
}

pub(crate) async fn on_room_event(a: &Arc<Active>, room: &str, ev: RoomEvent) {
    match ev {
        RoomEvent::ThreadCreated { msg_id, .. } => match a.rest.message(&msg_id).await {
            Ok(m) if m.to_room_id == room && well_formed(&m) => {
                absorb(a, vec![m.clone()], false).await;
                // The root was cached before: tell the shell it changed.
                a.emit(Event::Messages { messages: vec![m] });
            }
            Ok(_) => drop_frame(a, "notification", "thread root of another room"),
            Err(e) => tracing::info!(error = %e, "thread root fetch failed"),
        },
        RoomEvent::MessagesDeleted { ids, .. } => {
            let cached = a.cache.cached_ids(room, &ids).await.unwrap_or_default();
            let gone = crate::confirm::deleted_on_server(&a.rest, room, &cached).await;
            if gone.len() < cached.len() {
                drop_frame(
                    a,
                    "notification",
                    "deletion the server does not confirm in full",
                );
            }
            if !gone.is_empty() && a.cache.delete_messages(room, &gone).await.is_ok() {
                a.emit(Event::MessagesDeleted {
                    room_id: room.to_owned(),
                    ids: gone,
                });
                a.emit_rooms(&HashSet::from([room.to_owned()])).await;
            }
        }
        RoomEvent::RoomCleared { .. } => {
            let cached = a.cache.message_ids(room).await.unwrap_or_default();
            let gone = crate::confirm::deleted_on_server(&a.rest, room, &cached).await;
            if gone.is_empty() || a.cache.delete_messages(room, &gone).await.is_err() {
                if !cached.is_empty() {
                    drop_frame(
                        a,
                        "notification",
                        "room_cleared the server does not confirm",
                    );
                }
                return;
            }
            if gone.len() == cached.len() {
                a.emit(Event::RoomCleared {
                    room_id: room.to_owned(),
                });
            } else {
                drop_frame(
                    a,
                    "notification",
                    "room_cleared the server confirms in part",
                );
                a.emit(Event::MessagesDeleted {
                    room_id: room.to_owned(),
                    ids: gone,
                });
            }
            a.emit_rooms(&HashSet::from([room.to_owned()])).await;
        }
        RoomEvent::MembersChanged { .. } => {
            let _ = fetch_room(a, room).await;
            a.emit_rooms(&HashSet::from([room.to_owned()])).await;
        }
    }
}
