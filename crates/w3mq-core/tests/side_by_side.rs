//! Several accounts side by side against a real w3mq-server: two accounts
//! live at once, each with its own session and cache, never mixed; the same
//! account refused twice; "add account" cancelled; the deck across a
//! restart; sign-out of one leaves the other on screen.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{client, found, has_text, local, online, server, text, until};
use w3mq_core::accounts::Accounts;
use w3mq_core::secrets::FileSecretStore;
use w3mq_core::{Engine, EngineConfig, Key};

fn deck(dir: &Path) -> Accounts {
    Accounts::open(EngineConfig {
        data_dir: dir.to_path_buf(),
        secrets: Arc::new(FileSecretStore::new(dir.join("secrets.json"))),
        device: "desk".into(),
    })
}

async fn rooms_of(e: &Engine) -> Vec<String> {
    let rooms = e.room_list().await.expect("rooms");
    rooms.into_iter().map(|r| r.room.room_id).collect()
}

#[tokio::test]
async fn two_accounts_receive_at_once_and_each_cache_holds_only_its_own() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = deck(dir.path());

    // Account A in the first slot.
    let a = accounts.active();
    let mut a_events = a.events();
    let key_a = Key::generate();
    let a_info = a
        .sign_in(env.clone(), key_a.clone())
        .await
        .expect("a signs in");
    online(&mut a_events).await;

    // "Add account": a second slot on screen, then B signs in there.
    let (slot_b, b, created) = accounts.add().await.expect("add");
    assert!(created);
    assert_ne!(slot_b, a.slot());
    assert_eq!(accounts.active_slot(), slot_b);
    let mut b_events = b.events();
    let b_info = b
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("b signs in");
    online(&mut b_events).await;

    // A third slot cannot take A again: refused before anything changes, and cancelling
    // the add goes back to B and drops the empty slot.
    let (slot_c, c, _) = accounts.add().await.expect("add");
    let e = c.sign_in(env.clone(), key_a.clone()).await.unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e}");
    assert!(c.signed_in().await.is_none());
    assert_eq!(
        a.signed_in().await.map(|i| i.address),
        Some(a_info.address.clone()),
        "A is still signed in"
    );
    let back = accounts.cancel_add(|_| {}).await.expect("cancel");
    assert_eq!(back, Some(slot_b));
    assert!(accounts.engine(slot_c).is_none(), "the empty slot is gone");

    // A peer writes to each; both accounts receive live, at the same time.
    let mut peer = client("peer");
    peer.engine
        .sign_in(env.clone(), Key::generate())
        .await
        .expect("peer signs in");
    online(&mut peer.events).await;
    let room_a = peer
        .engine
        .create_room(std::slice::from_ref(&a_info.user_id))
        .await
        .expect("room with a");
    let room_b = peer
        .engine
        .create_room(std::slice::from_ref(&b_info.user_id))
        .await
        .expect("room with b");
    peer.engine
        .send(text(&room_a.room_id, "only for alpha"))
        .await
        .expect("send a");
    peer.engine
        .send(text(&room_b.room_id, "only for bravo"))
        .await
        .expect("send b");
    let (ea, eb) = tokio::join!(
        until(&mut a_events, |e| has_text(e, "only for alpha")),
        until(&mut b_events, |e| has_text(e, "only for bravo")),
    );
    drop((ea, eb));

    // Each cache holds its own room and message only.
    assert_eq!(rooms_of(&a).await, vec![room_a.room_id.clone()]);
    assert_eq!(rooms_of(&b).await, vec![room_b.room_id.clone()]);
    assert_eq!(found(&a, "only").await, vec!["only for alpha".to_string()]);
    assert_eq!(found(&b, "only").await, vec!["only for bravo".to_string()]);
    assert!(
        b.room(&room_a.room_id).await.is_err(),
        "B's engine does not know A's room"
    );
    // A strayed event cannot have gone the other way either: B never saw alpha's text.
    assert!(
        !std::iter::from_fn(|| b_events.try_recv().ok()).any(|e| has_text(&e, "only for alpha"))
    );

    // The totals: one unread each, two over both.
    for (slot, e) in accounts.engines() {
        accounts.note_total(slot, e.unread_total().await.expect("total"));
    }
    assert_eq!(accounts.total().unread, 2);
    let tabs = accounts.tabs().await;
    assert_eq!(tabs.len(), 2);
    assert_eq!(tabs.iter().filter(|t| t.active).count(), 1);
    assert!(
        tabs.iter().all(|t| t.signed_in && t.unread == 1),
        "{tabs:?}"
    );

    // Across a restart: both slots, B on screen, both resume.
    accounts.shutdown().await;
    drop((a, b, accounts));
    let accounts = deck(dir.path());
    assert_eq!(accounts.engines().len(), 2);
    assert_eq!(accounts.active_slot(), slot_b);
    let resumed = accounts.resume().await.expect("resume").expect("b resumed");
    assert_eq!(resumed.address, b_info.address);
    // (The shell notes the one on screen's totals at boot.)
    accounts.note_total(
        slot_b,
        accounts.active().unread_total().await.expect("total"),
    );
    accounts.resume_others().await;
    assert_eq!(
        accounts.total().unread,
        2,
        "A's count is known without showing it"
    );
    let a = accounts.engine(0).expect("slot 0");
    assert_eq!(
        a.signed_in().await.map(|i| i.address),
        Some(a_info.address.clone())
    );

    // B signs out: its slot goes, A comes on screen, A's key stays.
    let b = accounts.active();
    b.sign_out(None)
        .await
        .expect("b signs out (it brought its key: backed up)");
    let mut told = None;
    let now = accounts
        .signed_out(|s| told = Some(s))
        .await
        .expect("signed out");
    assert_eq!(now, Some(a.slot()));
    assert_eq!(told, Some(a.slot()));
    assert_eq!(accounts.engines().len(), 1);
    let secrets = std::fs::read_to_string(dir.path().join("secrets.json")).expect("secrets");
    assert!(secrets.contains(&format!("key:{}", a_info.address)));
    assert!(!secrets.contains(&format!("key:{}", b_info.address)));
    assert_eq!(a.room_list().await.expect("a rooms").len(), 1);
    accounts.shutdown().await;
}
