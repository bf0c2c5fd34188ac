//! The sync task: the one owner of the MQTT client and of the subscription
//! bookkeeping, reached only through [`SyncHandle`] (its mailbox), the way
//! rumqttd's router is reached.
//!
//! It connects to the environment's endpoints in turn (failover) with
//! exponential backoff and full jitter, keeps the token fresh, and after each
//! CONNACK subscribes (my topics, every room), resends the outbox, refreshes
//! the room list and catches each room up once its SUBACK is back. Frames go
//! to the ingest worker ([`crate::ingest`]) through a bounded queue.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rumqttc::{
    AsyncClient, ConnectReturnCode, Event as MqttEvent, MqttOptions, Packet, QoS, Transport,
};
use tokio::sync::mpsc;
use w3mq_protocol::{is_object_id, Topic};

use crate::account::{until_stopped, Account};
use crate::backoff::Backoff;
use crate::events::{ConnectionState, Event};
use crate::ingest::{self, MAX_FRAME};
use progress::CatchUp;

pub(crate) mod mailbox;
pub mod progress;

use mailbox::{room_topics, SyncCmd, SyncInbox};

fn options(a: &Account, endpoint: &str, token: &str) -> MqttOptions {
    let mut o = MqttOptions::new(format!("{}-{}", a.me, a.client_suffix), endpoint, 0);
    if endpoint.starts_with("wss://") {
        crate::tls::install_crypto_provider();
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
pub(crate) async fn run(
    a: Arc<Account>,
    mut inbox: SyncInbox,
    frames: mpsc::Sender<(String, Bytes)>,
) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    let n = a.env.mqtt.len().max(1);
    let mut idx = rand::random::<usize>() % n;
    let mut force_login = false;
    while !a.stopped() {
        let endpoint = a.env.mqtt.get(idx % n).cloned().unwrap_or_default();
        a.emit(Event::Connection {
            state: ConnectionState::Connecting {
                endpoint: endpoint.clone(),
            },
        });
        let reason = match connect_once(&a, &endpoint, force_login, &mut inbox, &frames).await {
            Ok(Connected {
                lasted,
                reason,
                woke,
            }) => {
                force_login = false;
                if lasted > Duration::from_secs(30) || woke {
                    backoff.reset();
                }
                if woke {
                    tracing::info!(%reason, "reconnecting now");
                    continue;
                }
                reason
            }
            Err((reason, auth)) => {
                force_login = auth;
                reason
            }
        };
        if a.stopped() {
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
        if offline_for(&a, delay, &mut inbox).await {
            break;
        }
    }
}

/// Waits `d` offline, answering the mailbox ("not connected"); true when
/// the account stopped meanwhile.
async fn offline_for(a: &Account, d: Duration, inbox: &mut SyncInbox) -> bool {
    let mut stop = a.stop_signal();
    let sleep = tokio::time::sleep(d);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return false,
            _ = until_stopped(&mut stop) => return true,
            cmd = inbox.recv() => match cmd {
                // "Retry now", the network back, a resume: no more waiting.
                Some(SyncCmd::Wake { .. }) => return false,
                Some(cmd) => refuse(cmd),
                None => return true,
            },
        }
    }
}

/// Answers a command while there is no client.
fn refuse(cmd: SyncCmd) {
    match cmd {
        SyncCmd::Publish { done, .. } | SyncCmd::Subscribe { done, .. } => {
            let _ = done.send(false);
        }
        SyncCmd::Unsubscribe { .. } | SyncCmd::Wake { .. } => {}
    }
}

struct Connected {
    lasted: Duration,
    reason: String,
    /// Ended by a wake-up: reconnect at once.
    woke: bool,
}

/// Which rooms each SUBSCRIBE covers: queued in the order they were handed
/// to the client, then by packet id once the event loop wrote them, until
/// their SUBACK.
#[derive(Default)]
struct Subscriptions {
    queued: VecDeque<Vec<String>>,
    written: HashMap<u16, Vec<String>>,
}

/// One connection: CONNACK, then the setup in the background while the
/// event loop is polled and the mailbox served, until either fails.
async fn connect_once(
    a: &Arc<Account>,
    endpoint: &str,
    force_login: bool,
    inbox: &mut SyncInbox,
    frames: &mpsc::Sender<(String, Bytes)>,
) -> std::result::Result<Connected, (String, bool)> {
    let token = crate::token::fresh_token(a, force_login)
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
    let mut subs = Subscriptions::default();
    a.mark_online();
    let online = |c: Option<CatchUp>| Event::Connection {
        state: ConnectionState::Online {
            endpoint: endpoint.to_owned(),
            catching_up: c,
        },
    };
    a.emit(online(None));
    let mut catch_up = CatchUp::default();
    let (caught_tx, mut caught) = mpsc::unbounded_channel::<()>();
    let setup = tokio::spawn(on_connect(a.clone()));
    let mut stop = a.stop_signal();
    // Long sessions keep their token fresh (it is refreshed when under a day).
    let mut refresh = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(3600),
        Duration::from_secs(3600),
    );
    let mut woke = false;
    let reason = loop {
        tokio::select! {
            _ = refresh.tick() => {
                if let Err(e) = crate::token::fresh_token(a, false).await {
                    tracing::info!(error = %e, "token refresh failed; will retry");
                }
            }
            _ = until_stopped(&mut stop) => {
                let _ = client.try_disconnect();
                break "stopped".to_owned();
            }
            Some(()) = caught.recv() => {
                if catch_up.finish_one() {
                    a.emit(online(catch_up.pending()));
                }
            }
            cmd = inbox.recv() => match cmd {
                // (A wake queued while dialling finds a connection seconds old: nothing to do.)
                Some(SyncCmd::Wake { reconnect: true }) if started.elapsed() > Duration::from_secs(5) => {
                    // Back from suspend: the socket may be dead without knowing it yet.
                    let _ = client.try_disconnect();
                    woke = true;
                    break "reconnecting after a suspend".to_owned();
                }
                Some(cmd) => serve(a, &client, &mut subs, cmd),
                None => break "stopped".to_owned(),
            },
            r = ev.poll() => match r {
                Ok(MqttEvent::Incoming(Packet::Publish(p))) => {
                    if frames.send((p.topic, p.payload)).await.is_err() {
                        break "stopped".to_owned();
                    }
                }
                Ok(MqttEvent::Outgoing(rumqttc::Outgoing::Subscribe(pkid))) => {
                    let rooms = subs.queued.pop_front().unwrap_or_default();
                    subs.written.insert(pkid, rooms);
                }
                Ok(MqttEvent::Incoming(Packet::SubAck(ack))) => {
                    let rooms = subs.written.remove(&ack.pkid).unwrap_or_default();
                    if !rooms.is_empty() {
                        catch_up.add(rooms.len());
                        a.emit(online(catch_up.pending()));
                    }
                    let mut fetched = Vec::with_capacity(rooms.len());
                    for room in rooms.clone() {
                        let a = a.clone();
                        let caught = caught_tx.clone();
                        fetched.push(tokio::spawn(async move {
                            ingest::backfill(&a, &room).await;
                            // Then what changed in it while away (edits, deletions, reactions).
                            if let Err(e) = crate::changes::catch_up(&a, &room, None).await {
                                tracing::info!(room, error = %e, "changes not caught up");
                            }
                            let _ = caught.send(());
                        }));
                    }
                    // Then, with the messages in, what I read on another device or here
                    // while offline (one request per thousand rooms).
                    let a = a.clone();
                    tokio::spawn(async move {
                        if rooms.is_empty() {
                            return;
                        }
                        for f in fetched {
                            let _ = f.await;
                        }
                        crate::reads::catch_up_rooms(&a, &rooms).await;
                    });
                }
                Ok(_) => {}
                Err(e) => break e.to_string(),
            }
        }
    };
    setup.abort();
    Ok(Connected {
        lasted: started.elapsed(),
        reason,
        woke,
    })
}

/// Serves one command with the live client. The client's request queue is
/// only written without waiting (the event loop that drains it is this
/// task's); a full queue fails the command, which its sender handles as
/// offline (the outbox resends, the next connect subscribes).
fn serve(a: &Account, client: &AsyncClient, subs: &mut Subscriptions, cmd: SyncCmd) {
    match cmd {
        SyncCmd::Publish { body, done } => {
            let topic = Topic::Msg(a.me.clone()).name();
            let ok = client
                .try_publish(topic, QoS::AtLeastOnce, false, body)
                .is_ok();
            let _ = done.send(ok);
        }
        SyncCmd::Subscribe {
            topics,
            rooms,
            done,
        } => {
            let filters: Vec<rumqttc::SubscribeFilter> = topics
                .into_iter()
                .map(|t| rumqttc::SubscribeFilter::new(t, QoS::AtLeastOnce))
                .collect();
            let ok = client.try_subscribe_many(filters).is_ok();
            if ok {
                subs.queued.push_back(rooms);
            } else {
                tracing::warn!("subscribe failed: the client's queue is full");
            }
            let _ = done.send(ok);
        }
        SyncCmd::Unsubscribe { room } => {
            for t in room_topics(&room) {
                let _ = client.try_unsubscribe(t);
            }
        }
        // Connected and not back from a suspend: nothing to wake.
        SyncCmd::Wake { .. } => {}
    }
}

/// After each connect: subscribe, resend the outbox, refresh the room list,
/// catch every room up.
async fn on_connect(a: Arc<Account>) {
    let own = vec![
        Topic::Notification(a.me.clone()).name(),
        Topic::Chat(a.me.clone()).name(),
    ];
    a.sync.subscribe(own, Vec::new()).await;
    let known = a.room_ids();
    a.sync.subscribe_rooms(&known).await;

    // The outbox goes out first: its rooms are subscribed, so ACKs arrive.
    match a.cache.outbox_pending().await {
        Ok(pending) => {
            for e in pending {
                if a.sync.publish(&e.message).await {
                    let _ = a.cache.outbox_attempted(&e.client_msg_id).await;
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
                ingest::drop_room(&a, r).await;
            }
            for r in &fresh {
                if let Err(e) = ingest::fetch_room(&a, r).await {
                    tracing::warn!(room = %r, error = %e, "room info failed");
                }
            }
            a.sync.subscribe_rooms(&fresh).await;
            let all: Vec<String> = server.into_iter().collect();
            // Room info (names, members) may have changed while away.
            for r in known.iter().filter(|r| all.contains(r)) {
                let _ = ingest::fetch_room(&a, r).await;
            }
            a.emit_rooms(&all.into_iter().collect()).await;
        }
        Err(e) => tracing::warn!(error = %e, "room list failed"),
    }
}
