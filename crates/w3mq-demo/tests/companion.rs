//! The companion against a real `w3mq-server`: a user signs in with their
//! own engine, sets a nick name, and sees the whole tour arrive, then gets
//! answers to what they write, and finds the collection room by its slug.
//!
//! Needs the server binary (`cargo build -p w3mq-server`, or
//! `W3MQ_SERVER_BIN`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, oneshot};
use w3mq_core::model::{Cursor, SendStatus};
use w3mq_core::policy::NotifyReason;
use w3mq_core::secrets::FileSecretStore;
use w3mq_core::{Draft, Engine, EngineConfig, EnvKind, Environment, Event, Key};
use w3mq_demo::content::{COLLECTION_COVER, COLLECTION_NAME, COLLECTION_SLUG};
use w3mq_protocol::{Message, MsgContents};
use w3mq_testkit::ServerProcess;

/// The failure bound of each wait (the machine may be busy).
const WAIT: Duration = Duration::from_secs(60);

/// What the user has seen of the companion so far.
#[derive(Debug, Default)]
struct Tour {
    room: Option<String>,
    companion: Option<String>,
    greeting: Option<String>,
    greeting_notified: bool,
    card: bool,
    /// The thread the companion replied in.
    thread: Option<String>,
    self_reply: bool,
    /// Every message by the companion, by id (later versions replace earlier).
    by_companion: Vec<Message>,
}

impl Tour {
    fn take(&mut self, e: &Event, me: &str) {
        match e {
            Event::Notify {
                message, reason, ..
            } if *reason == NotifyReason::Mention
                && message.at_user_ids.iter().any(|u| u == me)
                && text(message).is_some_and(|t| t.starts_with("Hi @Alice!")) =>
            {
                self.greeting_notified = true;
                self.greeting = message.id.clone();
                self.room = Some(message.to_room_id.clone());
                self.companion = Some(message.from_uid.clone());
            }
            Event::Messages { messages } => {
                for m in messages.iter().filter(|m| m.from_uid != me) {
                    self.by_companion.retain(|x| x.id != m.id);
                    self.by_companion.push(m.clone());
                }
            }
            _ => {}
        }
        let (Some(room), Some(companion)) = (&self.room, &self.companion) else {
            return;
        };
        let mine: Vec<&Message> = self
            .by_companion
            .iter()
            .filter(|m| &m.to_room_id == room && &m.from_uid == companion)
            .collect();
        self.card = mine.iter().any(|m| match m.contents() {
            Some(MsgContents::SudoSwapCard(c)) => {
                !c.asset1_data.is_empty()
                    && !c.asset2_data.is_empty()
                    && c.jump_url.starts_with("https://sudoswap.xyz/")
                    && c.asset1_data
                        .iter()
                        .chain(&c.asset2_data)
                        .all(|a| a.img_url.starts_with("https://"))
            }
            _ => false,
        });
        self.thread = mine
            .iter()
            .find(|m| !m.belong_to_thread_id.is_empty() && text(m).is_some())
            .map(|m| m.belong_to_thread_id.clone());
        self.self_reply = self
            .greeting
            .as_ref()
            .is_some_and(|g| mine.iter().any(|m| &m.reply_to_msg_id == g));
    }

    fn done(&self) -> bool {
        self.greeting_notified && self.card && self.thread.is_some() && self.self_reply
    }
}

fn text(m: &Message) -> Option<&str> {
    match m.msg_type.as_str() {
        "text" => m.msg_contents.as_str(),
        _ => None,
    }
}

/// The next event (a lagging receiver skips ahead).
async fn next(rx: &mut broadcast::Receiver<Event>) -> Event {
    loop {
        match rx.recv().await {
            Ok(e) => return e,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => panic!("event stream closed"),
        }
    }
}

/// Waits for an event for which `f` gives a value.
async fn until<T>(
    rx: &mut broadcast::Receiver<Event>,
    what: &str,
    mut f: impl FnMut(&Event) -> Option<T>,
) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(t) = f(&next(rx).await) {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} did not come within {WAIT:?}"))
}

fn messages(e: &Event) -> &[Message] {
    match e {
        Event::Messages { messages } => messages,
        _ => &[],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn companion_greets_a_new_user_shows_the_tour_and_answers() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let mut server = ServerProcess::start(w3mq_testkit::server_bin(), &[])
        .await
        .expect("w3mq-server starts (cargo build -p w3mq-server)");
    let env = Environment {
        kind: EnvKind::Local,
        http: server.http.clone(),
        mqtt: vec![server.mqtt_ws.clone()],
    };

    // The user, with their own engine, signs in and names themselves.
    let dir = tempfile::tempdir().expect("temp dir");
    let user = Engine::new(EngineConfig {
        data_dir: dir.path().to_path_buf(),
        secrets: Arc::new(FileSecretStore::new(dir.path().join("secrets.json"))),
        device: "test".into(),
    });
    let mut rx = user.events();
    let me = user
        .sign_in(env, Key::generate())
        .await
        .expect("user signs in")
        .user_id;
    user.set_profile(Some("Alice"), None)
        .await
        .expect("nick set");

    // The companion, in this process.
    let bot_dir = tempfile::tempdir().expect("temp dir");
    let cfg = w3mq_demo::Config::new(&server.http, &server.mqtt_ws, bot_dir.path());
    let (stop, stopped) = oneshot::channel::<()>();
    let bot = tokio::spawn(w3mq_demo::run(cfg, async {
        let _ = stopped.await;
    }));

    // The tour: a greeting that mentions the user and notifies, a trade
    // card, a reply in a thread, a quoted reply.
    let mut tour = Tour::default();
    let finished = tokio::time::timeout(WAIT, async {
        while !tour.done() {
            let e = next(&mut rx).await;
            tour.take(&e, &me);
        }
    })
    .await;
    assert!(finished.is_ok(), "the tour did not finish: {tour:#?}");
    let room = tour.room.clone().expect("the tour's room");
    let companion = tour.companion.clone().expect("the companion's id");
    // The thread's root became an OpenSea item thread before the reply in it
    // was sent; the engine updated its cached copy from the `thread_created`
    // event, which came in before the reply (the engine emits no event for
    // an updated message, so the cache is read).
    let thread = tour.thread.clone().expect("the thread");
    let root = user
        .thread(&thread, Cursor::Latest, 10)
        .await
        .expect("thread read")
        .into_iter()
        .find(|m| m.id.as_deref() == Some(thread.as_str()))
        .expect("the thread root is cached");
    assert_eq!(root.from_uid, companion);
    assert!(root.is_thread && root.is_opensea_item_thread, "{root:?}");
    assert!(root.opensea_item_contract_address.starts_with("0x"));
    assert!(!root.opensea_item_token_id.is_empty() && !root.opensea_item_name.is_empty());
    assert!(root.opensea_item_image_url.starts_with("https://"));

    let r = user.room(&room).await.expect("room cached");
    assert!(r.is_1v1, "the tour is in a 1v1 room");
    assert!(r
        .members
        .iter()
        .any(|u| u.user_id == companion && u.nick_name == "Demo Companion"));

    // The user writes; the companion answers with a quoted reply and, as
    // the text says "card", another trade card.
    let sent = user
        .send(Draft {
            room_id: room.clone(),
            text: Some("hello companion, show me a card".into()),
            ..Default::default()
        })
        .await
        .expect("queued");
    let mine = until(&mut rx, "the ACK of the user's message", |e| match e {
        Event::SendStatus {
            client_msg_id,
            status: SendStatus::Sent,
            id,
            ..
        } if *client_msg_id == sent.client_msg_id => id.clone(),
        _ => None,
    })
    .await;
    let (mut answered, mut carded) = (false, false);
    tokio::time::timeout(WAIT, async {
        while !(answered && carded) {
            let e = next(&mut rx).await;
            for m in messages(&e)
                .iter()
                .filter(|m| m.from_uid == companion && m.reply_to_msg_id == mine)
            {
                match m.contents() {
                    Some(MsgContents::Text(t)) => {
                        assert!(t.contains("hello companion, show me a card"), "{t}");
                        answered = true;
                    }
                    Some(MsgContents::SudoSwapCard(_)) => carded = true,
                    None => {}
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no answer: text {answered}, card {carded}"));

    // The collection room is found by its slug, the companion in it.
    let coll = user
        .join_collection(COLLECTION_SLUG, COLLECTION_NAME, COLLECTION_COVER)
        .await
        .expect("collection room joined");
    assert!(coll.is_opensea_coll);
    assert_eq!(coll.opensea_coll_slug, COLLECTION_SLUG);
    assert!(coll.members.iter().any(|u| u.user_id == companion));
    // Its welcome comes in the room's catch-up (events are buffered since
    // the start, so it cannot be missed).
    until(
        &mut rx,
        "the companion's post in the collection room",
        |e| {
            messages(e)
                .iter()
                .any(|m| m.to_room_id == coll.room_id && m.from_uid == companion)
                .then_some(())
        },
    )
    .await;

    // Shutdown is clean.
    let _ = stop.send(());
    let res = tokio::time::timeout(WAIT, bot)
        .await
        .expect("the companion stops in time")
        .expect("the companion did not panic");
    assert!(res.is_ok(), "the companion failed: {res:?}");
    user.shutdown().await;
    assert_eq!(server.stop().await.expect("server stops"), 0);
}
