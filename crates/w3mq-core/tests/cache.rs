//! The per-account cache on real SQLite files in temporary directories.

use std::path::{Path, PathBuf};

use serde_json::json;
use w3mq_core::cache::{Cache, CacheError, MAX_RESULTS, RANK_WINDOW};
use w3mq_core::model::{Cursor, NotifyMode, OutboxEntry, SearchFilter, SendStatus};
use w3mq_protocol::{Message, Room, User};

const ME: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";
const BOB: &str = "bbbbbbbbbbbbbbbbbbbbbbbb";
const CAROL: &str = "cccccccccccccccccccccccc";

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    cache: Cache,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.sqlite3");
    let cache = Cache::open(&path, ME).await.expect("cache opens");
    Fixture {
        _dir: dir,
        path,
        cache,
    }
}

async fn reopen(f: &mut Fixture) {
    f.cache.close().await;
    f.cache = Cache::open(&f.path, ME).await.expect("cache reopens");
}

/// The id of message `seq` of `room`.
fn mid(room: &str, seq: i64) -> String {
    format!("{room}-{seq:06}")
}

fn msg(room: &str, seq: i64, from: &str, text: &str) -> Message {
    let mut m = Message::text(from, room, text);
    m.id = Some(mid(room, seq));
    m.seq = Some(seq);
    m.created_at = 1_000_000_000 * seq;
    m
}

fn seqs(ms: &[Message]) -> Vec<i64> {
    ms.iter().map(|m| m.seq.unwrap_or(-1)).collect()
}

fn user(id: &str, nick: &str) -> User {
    User {
        user_id: id.into(),
        nick_name: nick.into(),
        ..Default::default()
    }
}

fn room(id: &str, created_at: i64, members: &[&str]) -> Room {
    Room {
        room_id: id.into(),
        name: format!("room {id}"),
        members: members
            .iter()
            .map(|m| user(m, &format!("nick-{m}")))
            .collect(),
        creator_id: ME.into(),
        creator: user(ME, "me"),
        created_at,
        last_msg_time: created_at,
        ..Default::default()
    }
}

/// The database is sound and the search index matches the messages.
async fn assert_intact(c: &Cache) {
    assert_eq!(c.integrity_check().await.unwrap(), Vec::<String>::new());
}

async fn ingest_range(c: &Cache, room: &str, seqs: impl IntoIterator<Item = i64>) -> usize {
    let batch: Vec<Message> = seqs
        .into_iter()
        .map(|s| msg(room, s, BOB, &format!("message {s}")))
        .collect();
    c.ingest(&batch).await.expect("ingest").len()
}

/// The engine shares one cache between tasks: it and every future it returns
/// must be Send (checked at compile time).
#[allow(dead_code)]
fn the_cache_and_its_futures_are_send_and_sync(c: &Cache) {
    fn send<T: Send>(_: T) {}
    fn shared<T: Clone + Send + Sync + 'static>() {}
    shared::<Cache>();
    let e = entry("c", "r", 1);
    send(c.ingest(&[]));
    send(c.page("r", Cursor::Latest, 1));
    send(c.thread("t", Cursor::Latest, 1));
    send(c.search("q", 1));
    send(c.room_list());
    send(c.upsert_room(&Room::default()));
    send(c.mark_read("r", 1));
    send(c.delete_messages("r", &[]));
    send(c.outbox_add(&e));
    send(c.outbox_retry("c"));
    send(c.set_meta("k", "v"));
    send(c.close());
}

// ---- ingest -----------------------------------------------------------------

#[tokio::test]
async fn ingest_returns_only_new_messages_and_never_stores_twice() {
    let f = fixture().await;
    let c = &f.cache;
    let batch = vec![
        msg("r1", 1, BOB, "one"),
        msg("r1", 2, BOB, "two"),
        msg("r1", 3, ME, "three"),
    ];
    let new = c.ingest(&batch).await.unwrap();
    assert_eq!(seqs(&new), vec![1, 2, 3]);
    assert_eq!(new[0], batch[0]);

    // The same batch again: nothing new, nothing doubled, counts unchanged.
    assert!(c.ingest(&batch).await.unwrap().is_empty());
    assert_eq!(
        seqs(&c.page("r1", Cursor::Latest, 50).await.unwrap()),
        vec![1, 2, 3]
    );
    assert_eq!(c.counts("r1").await.unwrap(), (2, 0));

    // The same id twice in one batch: one message.
    let dup = vec![msg("r1", 4, BOB, "four"), msg("r1", 4, BOB, "four")];
    assert_eq!(seqs(&c.ingest(&dup).await.unwrap()), vec![4]);
    assert_eq!(c.counts("r1").await.unwrap(), (3, 0));

    // Another id on a taken (room, seq): skipped.
    let mut other = msg("r1", 2, BOB, "impostor");
    other.id = Some("someone-else".into());
    assert!(c.ingest(&[other]).await.unwrap().is_empty());
    assert!(c.message("someone-else").await.unwrap().is_none());
    assert_eq!(
        c.message(&mid("r1", 2))
            .await
            .unwrap()
            .unwrap()
            .msg_contents,
        "two"
    );

    // Without id or seq: skipped, the rest of the batch goes in.
    let mut no_id = msg("r1", 5, BOB, "x");
    no_id.id = None;
    let mut no_seq = msg("r1", 6, BOB, "y");
    no_seq.seq = None;
    let mut zero_seq = msg("r1", 7, BOB, "z");
    zero_seq.seq = Some(0);
    let new = c
        .ingest(&[no_id, no_seq, zero_seq, msg("r1", 8, BOB, "ok")])
        .await
        .unwrap();
    assert_eq!(seqs(&new), vec![8]);
    assert!(c.ingest(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_update_of_a_cached_id_replaces_its_body() {
    let f = fixture().await;
    let c = &f.cache;
    c.ingest(&[msg("r1", 1, BOB, "root")]).await.unwrap();
    let mut root = msg("r1", 1, BOB, "root, edited");
    root.is_thread = true;
    assert!(
        c.ingest(&[root.clone()]).await.unwrap().is_empty(),
        "an update is not new"
    );
    let got = c.message(&mid("r1", 1)).await.unwrap().unwrap();
    assert!(got.is_thread);
    assert_eq!(got, root);
    assert_eq!(
        c.counts("r1").await.unwrap(),
        (1, 0),
        "an update is not counted again"
    );
    // The search index follows the new text.
    assert_eq!(c.search("edited", 10).await.unwrap().len(), 1);
    // An update inside a batch that also inserts the message: the last version wins.
    let mut first = msg("r1", 2, BOB, "draft");
    let mut second = first.clone();
    second.msg_contents = json!("final");
    first.is_thread = false;
    second.is_thread = true;
    let new = c.ingest(&[first, second.clone()]).await.unwrap();
    assert_eq!(new, vec![second.clone()]);
    assert_eq!(c.message(&mid("r1", 2)).await.unwrap().unwrap(), second);
    assert!(c.search("draft", 10).await.unwrap().is_empty());
    assert_intact(c).await;
}

#[tokio::test]
async fn a_batch_overlapping_the_cache_inserts_the_new_and_updates_the_changed() {
    let f = fixture().await;
    let c = &f.cache;
    ingest_range(c, "r1", 1..=5).await;
    let mut batch: Vec<Message> = (3..=8)
        .map(|s| msg("r1", s, BOB, &format!("message {s}")))
        .collect();
    batch[1].msg_contents = json!("message 4, now a thread root");
    batch[1].is_thread = true;
    batch[4].at_user_ids = vec![ME.into()]; // seq 7, new, mentions me
    let mut taken = msg("r1", 2, BOB, "another id on a taken seq");
    taken.id = Some("other".into());
    batch.push(taken);
    let new = c.ingest(&batch).await.unwrap();
    assert_eq!(seqs(&new), vec![6, 7, 8]);
    assert_eq!(new, batch[3..6].to_vec());
    let four = c.message(&mid("r1", 4)).await.unwrap().unwrap();
    assert!(four.is_thread);
    assert_eq!(four.msg_contents, "message 4, now a thread root");
    assert!(c.message("other").await.unwrap().is_none());
    assert_eq!(c.counts("r1").await.unwrap(), (8, 1));
    assert_eq!(
        (
            c.synced_seq("r1").await.unwrap(),
            c.max_seq("r1").await.unwrap()
        ),
        (8, 8)
    );
    assert_eq!(
        seqs(&c.page("r1", Cursor::Latest, 100).await.unwrap()),
        (1..=8).collect::<Vec<_>>()
    );
    assert_eq!(c.search("root", 10).await.unwrap().len(), 1);
    // Large batches go in several statements; the positions still line up.
    let big: Vec<Message> = (1..=1500)
        .map(|s| msg("r2", s, BOB, &format!("big {s}")))
        .collect();
    let mut mixed = big[..700].to_vec();
    c.ingest(&mixed).await.unwrap();
    mixed = big.clone();
    mixed[10].is_thread = true;
    let new = c.ingest(&mixed).await.unwrap();
    assert_eq!(new, big[700..].to_vec());
    assert!(c.message(&mid("r2", 11)).await.unwrap().unwrap().is_thread);
    assert_eq!(c.synced_seq("r2").await.unwrap(), 1500);
    assert_eq!(c.counts("r2").await.unwrap(), (1500, 0));
    assert_intact(c).await;
}

#[tokio::test]
async fn messages_roundtrip_exactly() {
    let f = fixture().await;
    let c = &f.cache;
    let mut m = msg("r1", 1, BOB, "héllo \u{E000} wörld \"quoted\" 🎉");
    m.client_msg_id = Some("cid-1".into());
    m.at_user_ids = vec![ME.into(), CAROL.into()];
    m.reply_to_msg_id = "x".into();
    m.opensea_item_name = "Azuki #9".into();
    let mut odd = msg("r1", 2, BOB, "");
    odd.msg_contents = json!({"weird": [1, 2]});
    odd.msg_type = "future_type".into();
    let mut null = msg("r1", 3, BOB, "");
    null.msg_contents = serde_json::Value::Null;
    c.ingest(&[m.clone(), odd.clone(), null.clone()])
        .await
        .unwrap();
    assert_eq!(
        c.page("r1", Cursor::Latest, 10).await.unwrap(),
        vec![m, odd, null]
    );
}

// ---- counts -----------------------------------------------------------------

#[tokio::test]
async fn unread_and_mentions_count_others_messages_and_survive_reopen() {
    let mut f = fixture().await;
    let c = &f.cache;
    let mut mention = msg("r1", 3, BOB, "hey @me");
    mention.at_user_ids = vec![ME.into()];
    let mut my_mention = msg("r1", 4, ME, "note to self");
    my_mention.at_user_ids = vec![ME.into()];
    let mut carol_mention = msg("r1", 5, CAROL, "hey carol");
    carol_mention.at_user_ids = vec![CAROL.into()];
    c.ingest(&[
        msg("r1", 1, BOB, "a"),
        msg("r1", 2, ME, "mine"),
        mention,
        my_mention,
        carol_mention,
    ])
    .await
    .unwrap();
    assert_eq!(
        c.counts("r1").await.unwrap(),
        (3, 1),
        "bob's two and carol's one; one mentions me"
    );

    // Forward: lowers the counts.
    assert!(c.mark_read("r1", 3).await.unwrap());
    assert_eq!(c.read_seq("r1").await.unwrap(), 3);
    assert_eq!(c.counts("r1").await.unwrap(), (1, 0));
    // Backwards: nothing moves.
    assert!(!c.mark_read("r1", 1).await.unwrap());
    assert_eq!(c.read_seq("r1").await.unwrap(), 3);
    assert_eq!(c.counts("r1").await.unwrap(), (1, 0));
    // Unknown room: nothing to change.
    assert!(!c.mark_read("nowhere", 10).await.unwrap());

    // Older history arriving below the read marker is not unread.
    c.ingest(&[msg("r2", 1, BOB, "x")]).await.unwrap();
    c.mark_read("r2", 10).await.unwrap();
    let mut old = msg("r2", 2, BOB, "late");
    old.at_user_ids = vec![ME.into()];
    c.ingest(&[old, msg("r2", 11, BOB, "new")]).await.unwrap();
    assert_eq!(c.counts("r2").await.unwrap(), (1, 0));

    reopen(&mut f).await;
    let c = &f.cache;
    assert_eq!(c.counts("r1").await.unwrap(), (1, 0));
    assert_eq!(c.read_seq("r1").await.unwrap(), 3);
    assert_eq!(c.counts("r2").await.unwrap(), (1, 0));
    assert!(c.mark_read("r1", 5).await.unwrap());
    assert_eq!(c.counts("r1").await.unwrap(), (0, 0));
    assert!(!c.mark_read("r1", 5).await.unwrap(), "nothing changed");
}

// ---- synced_seq ---------------------------------------------------------------

#[tokio::test]
async fn synced_seq_stops_at_the_first_gap_and_advances_when_it_fills() {
    let f = fixture().await;
    let c = &f.cache;
    assert_eq!(c.synced_seq("r1").await.unwrap(), 0);
    ingest_range(c, "r1", [1, 2, 4]).await;
    assert_eq!(c.synced_seq("r1").await.unwrap(), 2);
    assert_eq!(c.max_seq("r1").await.unwrap(), 4);
    ingest_range(c, "r1", [3]).await;
    assert_eq!(c.synced_seq("r1").await.unwrap(), 4);
    ingest_range(c, "r1", [7, 6]).await;
    assert_eq!(c.synced_seq("r1").await.unwrap(), 4);
    assert_eq!(c.max_seq("r1").await.unwrap(), 7);
    ingest_range(c, "r1", [5]).await;
    assert_eq!(c.synced_seq("r1").await.unwrap(), 7);

    // History loaded newest first: nothing is synced until seq 1 is there.
    ingest_range(c, "r2", 50..=100).await;
    assert_eq!(c.synced_seq("r2").await.unwrap(), 0);
    ingest_range(c, "r2", 2..50).await;
    assert_eq!(c.synced_seq("r2").await.unwrap(), 0);
    ingest_range(c, "r2", [1]).await;
    assert_eq!(c.synced_seq("r2").await.unwrap(), 100);
    assert_eq!(
        c.synced_seq("r1").await.unwrap(),
        7,
        "rooms are independent"
    );
}

// ---- pages and threads ----------------------------------------------------------

#[tokio::test]
async fn pages_are_keyset_pages_in_ascending_order() {
    let f = fixture().await;
    let c = &f.cache;
    ingest_range(c, "r1", 1..=100).await;
    ingest_range(c, "r2", 1..=30).await;
    let page = |cur, n| c.page("r1", cur, n);
    assert_eq!(
        seqs(&page(Cursor::Latest, 10).await.unwrap()),
        (91..=100).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&page(Cursor::Before(91), 10).await.unwrap()),
        (81..=90).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&page(Cursor::Before(5), 10).await.unwrap()),
        vec![1, 2, 3, 4]
    );
    assert!(page(Cursor::Before(1), 10).await.unwrap().is_empty());
    assert_eq!(
        seqs(&page(Cursor::After(0), 3).await.unwrap()),
        vec![1, 2, 3]
    );
    assert_eq!(
        seqs(&page(Cursor::After(95), 10).await.unwrap()),
        vec![96, 97, 98, 99, 100]
    );
    assert!(page(Cursor::After(100), 10).await.unwrap().is_empty());
    assert_eq!(
        seqs(&page(Cursor::Before(1000), 2).await.unwrap()),
        vec![99, 100]
    );
    // Limits are clamped to 1..=500.
    assert_eq!(page(Cursor::Latest, 0).await.unwrap().len(), 1);
    assert_eq!(page(Cursor::Latest, -5).await.unwrap().len(), 1);
    assert_eq!(page(Cursor::Latest, 100_000).await.unwrap().len(), 100);
    assert!(c
        .page("nowhere", Cursor::Latest, 10)
        .await
        .unwrap()
        .is_empty());
    // Walking back page by page sees every message exactly once.
    let mut all = Vec::new();
    let mut cur = Cursor::Latest;
    loop {
        let p = page(cur, 7).await.unwrap();
        let Some(first) = p.first() else { break };
        cur = Cursor::Before(first.seq.unwrap());
        all.splice(0..0, seqs(&p));
    }
    assert_eq!(all, (1..=100).collect::<Vec<_>>());
    // With gaps, keyset pages still hold `limit` messages.
    ingest_range(c, "r3", [1, 2, 5, 9, 10, 20]).await;
    assert_eq!(
        seqs(&c.page("r3", Cursor::Before(10), 3).await.unwrap()),
        vec![2, 5, 9]
    );
    assert_eq!(
        seqs(&c.page("r3", Cursor::After(2), 3).await.unwrap()),
        vec![5, 9, 10]
    );
    for m in c.page("r2", Cursor::Latest, 500).await.unwrap() {
        assert_eq!(m.to_room_id, "r2");
    }
}

#[tokio::test]
async fn threads_are_the_root_then_its_messages() {
    let f = fixture().await;
    let c = &f.cache;
    let root_id = mid("r1", 5);
    let mut batch: Vec<Message> = (1..=12)
        .map(|s| msg("r1", s, BOB, &format!("m{s}")))
        .collect();
    batch[4].is_thread = true;
    for s in [7, 9, 12] {
        batch[s as usize - 1].belong_to_thread_id = root_id.clone();
    }
    // A message of another thread, and one in another room naming the root.
    batch[9].belong_to_thread_id = mid("r1", 2);
    c.ingest(&batch).await.unwrap();
    assert_eq!(
        seqs(&c.thread(&root_id, Cursor::Latest, 10).await.unwrap()),
        vec![5, 7, 9, 12]
    );
    assert_eq!(
        seqs(&c.thread(&root_id, Cursor::Latest, 2).await.unwrap()),
        vec![9, 12]
    );
    assert_eq!(
        seqs(&c.thread(&root_id, Cursor::Before(9), 10).await.unwrap()),
        vec![5, 7]
    );
    assert_eq!(
        seqs(&c.thread(&root_id, Cursor::After(5), 10).await.unwrap()),
        vec![7, 9, 12]
    );
    assert_eq!(
        seqs(&c.thread(&root_id, Cursor::After(0), 2).await.unwrap()),
        vec![5, 7]
    );
    assert_eq!(
        c.thread(&root_id, Cursor::Latest, 10).await.unwrap()[0]
            .id
            .as_deref(),
        Some(root_id.as_str())
    );
    assert_eq!(
        seqs(&c.thread(&mid("r1", 2), Cursor::Latest, 10).await.unwrap()),
        vec![2, 10]
    );
    assert!(c
        .thread("no-such-thread", Cursor::Latest, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_thread_root_counts_its_live_replies_and_their_first_authors() {
    let f = fixture().await;
    let c = &f.cache;
    let root = mid("r1", 1);
    let mut batch: Vec<Message> = (1..=7)
        .map(|s| {
            msg(
                "r1",
                s,
                if s % 2 == 0 { CAROL } else { BOB },
                &format!("t{s}"),
            )
        })
        .collect();
    batch[0].is_thread = true;
    for s in 2..=6 {
        batch[s - 1].belong_to_thread_id = root.clone();
    }
    // A placeholder of a deleted reply is not a reply.
    batch[5].deleted = true;
    batch[5].msg_contents = json!("");
    c.ingest(&batch).await.unwrap();
    let st = c.thread_stats(&[root.clone(), mid("r1", 7)]).await.unwrap();
    assert_eq!(st.len(), 1, "a message without replies has no summary");
    let s = &st[&root];
    assert_eq!(s.replies, 4, "replies 2 to 5");
    assert_eq!(s.authors, vec![CAROL.to_string(), BOB.to_string()]);
    assert_eq!(s.last_at, 1_000_000_000 * 5);
    assert_eq!(seqs(&c.thread_roots("r1", 10).await.unwrap()), vec![1]);
    assert!(c.thread_roots("r2", 10).await.unwrap().is_empty());
}

// ---- rooms ------------------------------------------------------------------------

#[tokio::test]
async fn room_list_is_ordered_by_activity_with_latest_message_and_counts() {
    let f = fixture().await;
    let c = &f.cache;
    c.upsert_room(&room("ra", 50, &[ME, BOB])).await.unwrap();
    c.upsert_room(&room("rb", 60, &[ME, BOB, CAROL]))
        .await
        .unwrap();
    c.upsert_room(&room("rc", 200_000_000_000, &[ME]))
        .await
        .unwrap();
    let mut a = msg("ra", 1, BOB, "old news");
    a.created_at = 100_000_000_000;
    let mut b1 = msg("rb", 1, CAROL, "hello");
    b1.created_at = 250_000_000_000;
    let mut b2 = msg("rb", 2, BOB, "newest");
    b2.created_at = 300_000_000_000;
    b2.at_user_ids = vec![ME.into()];
    // A room that only messages know of is not listed.
    c.ingest(&[a, b2.clone(), b1, msg("stub", 1, BOB, "hi")])
        .await
        .unwrap();
    c.set_notify_mode("ra", NotifyMode::Mute).await.unwrap();

    let list = c.room_list().await.unwrap();
    let order: Vec<&str> = list.iter().map(|s| s.room.room_id.as_str()).collect();
    assert_eq!(order, vec!["rb", "rc", "ra"]);
    assert_eq!(list[0].latest.as_ref(), Some(&b2));
    assert_eq!((list[0].unread, list[0].mentions), (2, 1));
    assert_eq!(list[0].last_activity, 300_000_000_000);
    assert_eq!(list[0].room.members.len(), 3);
    assert_eq!(list[0].room.members[2].nick_name, format!("nick-{CAROL}"));
    assert!(list[1].latest.is_none());
    assert_eq!(list[1].last_activity, 200_000_000_000);
    assert_eq!(list[2].notify, NotifyMode::Mute);
    assert_eq!(list[0].notify, NotifyMode::All);
    assert_eq!(c.room_ids().await.unwrap(), vec!["ra", "rb", "rc"]);

    // New activity moves a room to the top.
    let mut a2 = msg("ra", 2, BOB, "breaking");
    a2.created_at = 400_000_000_000;
    c.ingest(&[a2]).await.unwrap();
    assert_eq!(c.room_list().await.unwrap()[0].room.room_id, "ra");
}

#[tokio::test]
async fn upsert_room_replaces_members_and_keeps_state() {
    let mut f = fixture().await;
    let c = &f.cache;
    c.upsert_room(&room("r1", 1, &[ME, BOB, CAROL]))
        .await
        .unwrap();
    c.ingest(&[msg("r1", 1, BOB, "x"), msg("r1", 2, BOB, "y")])
        .await
        .unwrap();
    c.set_notify_mode("r1", NotifyMode::Mentions).await.unwrap();
    c.mark_read("r1", 1).await.unwrap();
    let mut r = room("r1", 1, &[ME, CAROL]);
    r.name = "renamed".into();
    c.upsert_room(&r).await.unwrap();
    let got = c.room("r1").await.unwrap().unwrap();
    assert_eq!(got.name, "renamed");
    let ids: Vec<&str> = got.members.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, vec![ME, CAROL]);
    assert_eq!(got, r);
    let s = &c.room_list().await.unwrap()[0];
    assert_eq!((s.unread, s.notify), (1, NotifyMode::Mentions));
    assert_eq!(c.read_seq("r1").await.unwrap(), 1);
    // Profiles of members are stored.
    assert_eq!(
        c.user(CAROL).await.unwrap().unwrap().nick_name,
        format!("nick-{CAROL}")
    );
    c.upsert_users(&[user(CAROL, "Carol")]).await.unwrap();
    assert_eq!(
        c.room("r1").await.unwrap().unwrap().members[1].nick_name,
        "Carol"
    );
    assert!(c.user("nobody").await.unwrap().is_none());
    assert!(c.room("nowhere").await.unwrap().is_none());
    assert!(c.room("stub").await.unwrap().is_none());
    reopen(&mut f).await;
    assert_eq!(
        f.cache.room("r1").await.unwrap().unwrap().members[1].nick_name,
        "Carol"
    );
}

#[tokio::test]
async fn a_removed_room_leaves_the_list_but_stays_searchable() {
    let f = fixture().await;
    let c = &f.cache;
    c.upsert_room(&room("r1", 1, &[ME, BOB])).await.unwrap();
    c.upsert_room(&room("r2", 1, &[ME, BOB])).await.unwrap();
    c.ingest(&[
        msg("r1", 1, BOB, "the zeppelin has landed"),
        msg("r2", 1, BOB, "other"),
    ])
    .await
    .unwrap();
    c.remove_room("r1").await.unwrap();
    assert_eq!(c.room_ids().await.unwrap(), vec!["r2"]);
    let list = c.room_list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].room.room_id, "r2");
    let hits = c.search("zeppelin", 10).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].message.to_room_id, "r1");
    assert_eq!(c.page("r1", Cursor::Latest, 10).await.unwrap().len(), 1);
    assert!(
        c.room("r1").await.unwrap().is_some(),
        "its info stays for display"
    );
    // Joining again brings it back with its state.
    c.upsert_room(&room("r1", 1, &[ME, BOB])).await.unwrap();
    assert_eq!(c.room_ids().await.unwrap(), vec!["r1", "r2"]);
    assert_eq!(c.counts("r1").await.unwrap(), (1, 0));
}

// ---- search ---------------------------------------------------------------------

fn swap_card(give: (&str, &str), want: (&str, &str)) -> Message {
    let card = json!({
        "orderStatus": "OPEN", "expiryDate": "2022-05-14, 12:00 AM",
        "creatorAddress": "0x1111111111111111111111111111111111111111",
        "jumpUrl": "https://sudoswap.xyz/#/swap/1",
        "asset1Data": [{"address": "0x2222222222222222222222222222222222222222", "type": "2", "id": "7",
                        "amount": "1", "imgURL": "https://img/1.png", "name": give.0, "symbol": give.1}],
        "asset2Data": [{"address": "0x3333333333333333333333333333333333333333", "type": "1",
                        "amount": "2.5", "imgURL": "https://img/2.png", "name": want.0, "symbol": want.1}]
    });
    Message {
        from_uid: BOB.into(),
        msg_type: "sudo_swap_card".into(),
        msg_contents: card,
        created_at: 1,
        ..Default::default()
    }
}

#[tokio::test]
async fn search_narrows_to_a_room_a_sender_and_a_time_range_and_counts_the_matches() {
    let f = fixture().await;
    let c = &f.cache;
    let mut batch = Vec::new();
    for s in 1..=30 {
        batch.push(msg(
            "r1",
            s,
            if s <= 10 { BOB } else { CAROL },
            &format!("llama number {s}"),
        ));
        batch.push(msg("r2", s, BOB, &format!("llama elsewhere {s}")));
    }
    c.ingest(&batch).await.unwrap();
    let all = SearchFilter::default();
    let (hits, total) = c.search_in("llama", &all, 5).await.unwrap();
    assert_eq!((hits.len(), total), (5, 60));
    let r1 = SearchFilter {
        room_id: Some("r1".into()),
        ..Default::default()
    };
    let (hits, total) = c.search_in("llama", &r1, 100).await.unwrap();
    assert_eq!(total, 30);
    assert!(hits.iter().all(|h| h.message.to_room_id == "r1"));
    let carol_in_r1 = SearchFilter {
        from_uid: Some(CAROL.into()),
        ..r1.clone()
    };
    let (hits, total) = c.search_in("llama", &carol_in_r1, 100).await.unwrap();
    assert_eq!((hits.len(), total), (20, 20));
    assert!(hits.iter().all(|h| h.message.from_uid == CAROL));
    // Seconds 11 to 15 (created_at is seq seconds): after is inclusive, before exclusive.
    let window = SearchFilter {
        after_ms: Some(11_000.0),
        before_ms: Some(16_000.0),
        ..r1.clone()
    };
    let (hits, total) = c.search_in("llama", &window, 100).await.unwrap();
    assert_eq!(total, 5);
    let mut got = seqs(&hits.into_iter().map(|h| h.message).collect::<Vec<_>>());
    got.sort();
    assert_eq!(got, vec![11, 12, 13, 14, 15]);
    // A room that does not exist, and hostile input, find nothing and fail nothing.
    let none = SearchFilter {
        room_id: Some("nope' OR 1=1 --".into()),
        ..Default::default()
    };
    assert_eq!(c.search_in("llama", &none, 10).await.unwrap().1, 0);
    let wild = SearchFilter {
        after_ms: Some(f64::NAN),
        before_ms: Some(f64::INFINITY),
        ..Default::default()
    };
    assert_eq!(c.search_in("llama", &wild, 10).await.unwrap().1, 60);
}

#[tokio::test]
async fn search_finds_text_swap_cards_and_opensea_items() {
    let f = fixture().await;
    let c = &f.cache;
    let mut card = swap_card(("Bored Ape Yacht Club", "BAYC"), ("Wrapped Ether", "WETH"));
    card.id = Some("card".into());
    card.seq = Some(2);
    card.to_room_id = "r1".into();
    let mut item = msg("r1", 3, BOB, "what do you think of this one");
    item.is_opensea_item_thread = true;
    item.opensea_item_name = "Azuki #4242".into();
    item.opensea_item_description = "A red-haired samurai".into();
    c.ingest(&[
        msg("r1", 1, BOB, "Let's meet at the café tomorrow"),
        card.clone(),
        item,
    ])
    .await
    .unwrap();

    let ids = |hits: &[w3mq_core::model::SearchHit]| -> Vec<String> {
        hits.iter()
            .map(|h| h.message.id.clone().unwrap_or_default())
            .collect()
    };
    assert_eq!(
        ids(&c.search("tomorrow", 10).await.unwrap()),
        vec![mid("r1", 1)]
    );
    assert_eq!(
        ids(&c.search("cafe", 10).await.unwrap()),
        vec![mid("r1", 1)],
        "diacritics fold"
    );
    assert_eq!(
        ids(&c.search("MEET Tomorrow", 10).await.unwrap()),
        vec![mid("r1", 1)]
    );
    assert_eq!(
        ids(&c.search("tomor", 10).await.unwrap()),
        vec![mid("r1", 1)],
        "prefix while typing"
    );
    assert!(
        c.search("tomor ", 10).await.unwrap().is_empty(),
        "a finished word is not a prefix"
    );
    assert!(
        c.search("meet zeppelin", 10).await.unwrap().is_empty(),
        "all terms must match"
    );
    let hits = c.search("yacht", 10).await.unwrap();
    assert_eq!(ids(&hits), vec!["card".to_string()]);
    assert_eq!(hits[0].message, card);
    assert_eq!(
        ids(&c.search("WETH", 10).await.unwrap()),
        vec!["card".to_string()]
    );
    assert_eq!(
        ids(&c.search("azuki", 10).await.unwrap()),
        vec![mid("r1", 3)]
    );
    assert_eq!(
        ids(&c.search("samurai", 10).await.unwrap()),
        vec![mid("r1", 3)]
    );
    assert_eq!(
        ids(&c.search("4242", 10).await.unwrap()),
        vec![mid("r1", 3)]
    );
    // The card's addresses and URLs are not text to find.
    assert!(c.search("sudoswap", 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn hostile_queries_never_error() {
    let f = fixture().await;
    let c = &f.cache;
    c.ingest(&[
        msg("r1", 1, BOB, "AND OR NOT NEAR are words too"),
        msg("r1", 2, BOB, "l'été à Paris — 東京 🎉 naïve"),
        msg("r1", 3, BOB, "a-b c*d e\"f (g) h:i"),
    ])
    .await
    .unwrap();
    let hostile = [
        "",
        " ",
        "\"",
        "\"\"",
        "*",
        "**",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR(a b, 2)",
        "-",
        ")",
        "(",
        "^",
        "a AND",
        "AND a",
        "\"unterminated",
        "txt:",
        "extra:words",
        "{txt extra}: words",
        "words +",
        "a*b",
        "\u{0}",
        "a\u{0}b",
        "🎉",
        "東京",
        "été",
        "naïve",
        "é",
        "\t\n",
        "'",
        "--",
        "x OR",
        "NOT NOT",
        "rowid",
        "messages_fts",
        "*words",
        "c*d",
        "e\"f",
        "(g)",
        "h:i",
        "a-b",
        "\u{E000}",
        "\u{202E}rtl",
    ];
    for q in hostile {
        let res = c.search(q, 10).await;
        assert!(res.is_ok(), "query {q:?}: {res:?}");
    }
    assert!(c.search("", 10).await.unwrap().is_empty());
    assert!(c.search("   ", 10).await.unwrap().is_empty());
    assert!(c.search("\"*)(-", 10).await.unwrap().is_empty());
    // Operator words are plain words.
    assert_eq!(c.search("NEAR", 10).await.unwrap().len(), 1);
    assert_eq!(c.search("AND", 10).await.unwrap().len(), 1);
    assert_eq!(c.search("NOT words", 10).await.unwrap().len(), 1);
    // Unicode and punctuation inside terms.
    assert_eq!(c.search("東京", 10).await.unwrap().len(), 1);
    assert_eq!(c.search("ete paris", 10).await.unwrap().len(), 1);
    assert_eq!(c.search("a-b", 10).await.unwrap().len(), 1);
    assert_eq!(c.search("e\"f", 10).await.unwrap().len(), 1);
    assert_eq!(c.search("h:i", 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn snippets_mark_the_hits_and_ranking_prefers_better_then_newer() {
    let f = fixture().await;
    let c = &f.cache;
    let long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
                fifteen sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree \
                twentyfour twentyfive twentysix twentyseven twentyeight twentynine thirty banana end";
    c.ingest(&[
        msg("r1", 1, BOB, long),
        msg("r1", 2, BOB, "banana"),
        msg("r1", 3, BOB, "banana banana"),
        msg("r2", 1, BOB, "banana"),
    ])
    .await
    .unwrap();
    let hits = c.search("banana", 10).await.unwrap();
    let order: Vec<String> = hits.iter().map(|h| h.message.id.clone().unwrap()).collect();
    // Two identical texts rank equal: the newer (r2/1 was created at the
    // same time as r1/1, r1/2 later) comes first; the long text is last.
    assert_eq!(order.len(), 4);
    assert_eq!(order[3], mid("r1", 1), "{order:?}");
    let banana2 = order.iter().position(|id| *id == mid("r1", 2)).unwrap();
    let banana_r2 = order.iter().position(|id| *id == mid("r2", 1)).unwrap();
    assert!(banana2 < banana_r2, "newer first among equals: {order:?}");

    let long_hit = &hits[3];
    let marked: Vec<&str> = long_hit
        .snippet
        .iter()
        .filter(|p| p.hit)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(marked, vec!["banana"]);
    let text: String = long_hit.snippet.iter().map(|p| p.text.as_str()).collect();
    assert!(text.contains("thirty banana end"), "{text}");
    assert!(text.starts_with('…'), "a long text is cut: {text}");
    let two = hits
        .iter()
        .find(|h| h.message.id.as_deref() == Some(&mid("r1", 3)))
        .unwrap();
    assert_eq!(two.snippet.iter().filter(|p| p.hit).count(), 2);
    for h in &hits {
        assert!(h
            .snippet
            .iter()
            .all(|p| !p.text.contains(['\u{E000}', '\u{E001}'])));
    }
    // Equal scores at the limit: the newest wins, whatever the ingest order.
    let mut older = msg("r3", 2, BOB, "kiwi");
    older.created_at = 5;
    let mut newer = msg("r3", 1, BOB, "kiwi");
    newer.created_at = 9;
    c.ingest(&[newer.clone()]).await.unwrap();
    c.ingest(&[older]).await.unwrap();
    let hits = c.search("kiwi", 1).await.unwrap();
    assert_eq!(
        hits.iter().map(|h| &h.message).collect::<Vec<_>>(),
        vec![&newer]
    );
    // Prefix hits are marked as the whole word.
    let hits = c.search("banan", 1).await.unwrap();
    assert_eq!(hits.len(), 1, "the limit holds");
    assert!(hits[0].snippet.iter().any(|p| p.hit && p.text == "banana"));
}

#[tokio::test]
async fn a_very_frequent_whole_word_is_not_expanded_as_a_prefix() {
    let f = fixture().await;
    let c = &f.cache;
    let mut batch = vec![msg("r1", 1, BOB, "commonly said")];
    batch.extend((2..=RANK_WINDOW + 1).map(|s| msg("r1", s, BOB, &format!("common word {s}"))));
    c.ingest(&batch).await.unwrap();
    // "common" alone fills the ranking window: searched as the word.
    let hits = c.search("common", 500).await.unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.message.seq != Some(1)));
    // A prefix that is not such a word still finds its completions.
    let hits = c.search("commonl", 10).await.unwrap();
    assert_eq!(
        seqs(&hits.iter().map(|h| h.message.clone()).collect::<Vec<_>>()),
        vec![1]
    );
    // At most MAX_RESULTS come back.
    let hits = c.search("word", 500).await.unwrap();
    assert_eq!(hits.len(), MAX_RESULTS as usize);
}

// ---- deletes ----------------------------------------------------------------------

#[tokio::test]
async fn deleted_and_cleared_messages_leave_pages_and_search() {
    let f = fixture().await;
    let c = &f.cache;
    let batch: Vec<Message> = (1..=5)
        .map(|s| msg("r1", s, BOB, &format!("walrus number{s}")))
        .collect();
    c.ingest(&batch).await.unwrap();
    c.ingest(&[msg("r2", 1, BOB, "walrus elsewhere")])
        .await
        .unwrap();
    assert_eq!(c.counts("r1").await.unwrap(), (5, 0));
    c.delete_messages(
        "r1",
        &[mid("r1", 2), mid("r1", 4), mid("r2", 1), "nothing".into()],
    )
    .await
    .unwrap();
    assert_eq!(
        seqs(&c.page("r1", Cursor::Latest, 10).await.unwrap()),
        vec![1, 3, 5]
    );
    assert!(c.message(&mid("r1", 2)).await.unwrap().is_none());
    assert!(c.search("number2", 10).await.unwrap().is_empty());
    assert_eq!(
        c.search("walrus", 10).await.unwrap().len(),
        4,
        "r2's message names another room: kept"
    );
    assert_eq!(c.counts("r1").await.unwrap(), (3, 0));
    assert_eq!(
        c.synced_seq("r1").await.unwrap(),
        5,
        "the server will not send them again"
    );

    c.clear_room("r1").await.unwrap();
    assert!(c.page("r1", Cursor::Latest, 10).await.unwrap().is_empty());
    assert_eq!(c.search("walrus", 10).await.unwrap().len(), 1);
    assert_eq!(c.counts("r1").await.unwrap(), (0, 0));
    // The room goes on.
    ingest_range(c, "r1", [6]).await;
    assert_eq!(
        seqs(&c.page("r1", Cursor::Latest, 10).await.unwrap()),
        vec![6]
    );
    assert_eq!(c.synced_seq("r1").await.unwrap(), 6);
    c.delete_messages("nowhere", &[mid("r1", 6)]).await.unwrap();
    c.clear_room("nowhere").await.unwrap();
    assert_eq!(c.page("r1", Cursor::Latest, 10).await.unwrap().len(), 1);
    assert_intact(c).await;
}

// ---- outbox -----------------------------------------------------------------------

fn entry(cid: &str, room: &str, created_at: i64) -> OutboxEntry {
    let mut m = Message::text(ME, room, &format!("outgoing {cid}"));
    m.client_msg_id = Some(cid.into());
    OutboxEntry {
        client_msg_id: cid.into(),
        room_id: room.into(),
        message: m,
        status: SendStatus::Pending,
        error: None,
        created_at,
        attempts: 0,
    }
}

fn cids(es: &[OutboxEntry]) -> Vec<&str> {
    es.iter().map(|e| e.client_msg_id.as_str()).collect()
}

#[tokio::test]
async fn outbox_lifecycle_survives_reopen() {
    let mut f = fixture().await;
    let c = &f.cache;
    let c1 = entry("c1", "r1", 10);
    c.outbox_add(&entry("c2", "r1", 20)).await.unwrap();
    c.outbox_add(&c1).await.unwrap();
    c.outbox_add(&entry("c3", "r2", 30)).await.unwrap();
    c.outbox_add(&entry("c4", "r1", 40)).await.unwrap();
    assert_eq!(
        cids(&c.outbox_pending().await.unwrap()),
        vec!["c1", "c2", "c3", "c4"]
    );
    c.outbox_attempted("c1").await.unwrap();
    c.outbox_attempted("c1").await.unwrap();
    assert_eq!(c.outbox_get("c1").await.unwrap().unwrap().attempts, 2);
    assert_eq!(
        c.outbox_get("c1").await.unwrap().unwrap(),
        OutboxEntry {
            attempts: 2,
            ..c1.clone()
        }
    );

    assert!(c.outbox_fail("c2", "too large").await.unwrap());
    assert!(!c.outbox_fail("nope", "x").await.unwrap());
    let failed = c.outbox_get("c2").await.unwrap().unwrap();
    assert_eq!(
        (failed.status, failed.error.as_deref()),
        (SendStatus::Failed, Some("too large"))
    );
    assert_eq!(
        cids(&c.outbox_pending().await.unwrap()),
        vec!["c1", "c3", "c4"]
    );
    assert_eq!(
        cids(&c.outbox_room("r1").await.unwrap()),
        vec!["c1", "c2", "c4"]
    );

    reopen(&mut f).await;
    let c = &f.cache;
    assert_eq!(
        cids(&c.outbox_pending().await.unwrap()),
        vec!["c1", "c3", "c4"]
    );
    assert_eq!(
        c.outbox_get("c2").await.unwrap().unwrap().status,
        SendStatus::Failed
    );
    assert_eq!(c.outbox_get("c1").await.unwrap().unwrap().attempts, 2);

    let retried = c.outbox_retry("c2").await.unwrap().unwrap();
    assert_eq!((retried.status, retried.error), (SendStatus::Pending, None));
    assert!(c.outbox_retry("nope").await.unwrap().is_none());
    assert_eq!(
        cids(&c.outbox_pending().await.unwrap()),
        vec!["c1", "c2", "c3", "c4"]
    );

    assert!(c.outbox_ack("c1").await.unwrap());
    assert!(
        !c.outbox_ack("c1").await.unwrap(),
        "a second ACK finds nothing"
    );
    assert!(c.outbox_fail("c4", "no").await.unwrap());
    assert!(c.outbox_discard("c4").await.unwrap());
    assert!(!c.outbox_discard("c4").await.unwrap());
    assert!(c.outbox_get("c4").await.unwrap().is_none());
    assert_eq!(cids(&c.outbox_room("r1").await.unwrap()), vec!["c2"]);
    reopen(&mut f).await;
    assert_eq!(
        cids(&f.cache.outbox_pending().await.unwrap()),
        vec!["c2", "c3"]
    );
}

/// The child half of `an_outbox_entry_survives_sigkill`: adds an entry, says
/// so, and waits to be killed. A no-op when run as a test of its own.
#[tokio::test]
async fn outbox_crash_child() {
    let Ok(path) = std::env::var("W3MQ_CACHE_CRASH_CHILD") else {
        return;
    };
    let c = Cache::open(Path::new(&path), ME).await.unwrap();
    c.outbox_add(&entry("c1", "r1", 1)).await.unwrap();
    c.set_meta("after", "outbox_add").await.unwrap();
    println!("\nW3MQ-CHILD-ADDED");
    use std::io::Write;
    std::io::stdout().flush().unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
}

#[tokio::test]
async fn an_outbox_entry_survives_sigkill() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "outbox_crash_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("W3MQ_CACHE_CRASH_CHILD", &path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut added = false;
    for line in std::io::BufReader::new(out).lines() {
        if line.unwrap().contains("W3MQ-CHILD-ADDED") {
            added = true;
            break;
        }
    }
    assert!(added, "the child added its entry");
    child.kill().unwrap(); // SIGKILL: no close, no checkpoint
    child.wait().unwrap();
    assert!(
        path.with_extension("sqlite3-wal").exists(),
        "the entry is in the WAL, not checkpointed"
    );
    let c = Cache::open(&path, ME).await.unwrap();
    assert_eq!(cids(&c.outbox_pending().await.unwrap()), vec!["c1"]);
    assert_eq!(
        c.get_meta("after").await.unwrap().as_deref(),
        Some("outbox_add")
    );
    c.close().await;
}

// ---- meta and accounts ----------------------------------------------------------------

#[tokio::test]
async fn meta_values_persist_and_a_file_belongs_to_one_account() {
    let mut f = fixture().await;
    assert_eq!(f.cache.me(), ME);
    assert!(f.cache.get_meta("profile").await.unwrap().is_none());
    f.cache.set_meta("profile", "{\"a\":1}").await.unwrap();
    f.cache.set_meta("profile", "{\"a\":2}").await.unwrap();
    reopen(&mut f).await;
    assert_eq!(
        f.cache.get_meta("profile").await.unwrap().as_deref(),
        Some("{\"a\":2}")
    );
    match Cache::open(&f.path, BOB).await {
        Err(CacheError::WrongAccount { found, .. }) => assert_eq!(found, ME),
        other => panic!("expected WrongAccount, got {other:?}"),
    }
}

#[tokio::test]
async fn clones_share_the_cache_across_tasks() {
    let f = fixture().await;
    let mut tasks = Vec::new();
    for t in 0..4 {
        let c = f.cache.clone();
        tasks.push(tokio::spawn(async move {
            for b in 0..10 {
                let batch: Vec<Message> = (1..=20)
                    .map(|s| msg(&format!("r{t}"), b * 20 + s, BOB, "concurrent"))
                    .collect();
                c.ingest(&batch).await.unwrap();
                c.page(&format!("r{t}"), Cursor::Latest, 50).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for t in 0..4 {
        assert_eq!(f.cache.synced_seq(&format!("r{t}")).await.unwrap(), 200);
        assert_eq!(f.cache.counts(&format!("r{t}")).await.unwrap(), (200, 0));
    }
}

#[tokio::test]
async fn integrity_check_notices_a_search_index_out_of_step() {
    let f = fixture().await;
    ingest_range(&f.cache, "r1", 1..=3).await;
    assert_intact(&f.cache).await;
    f.cache.close().await;
    // Behind the cache's back: a message deleted without its index entry.
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&f.path))
        .await
        .unwrap();
    sqlx::raw_sql("DROP TRIGGER messages_fts_delete; DELETE FROM messages WHERE seq = 2;")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let c = Cache::open(&f.path, ME).await.unwrap();
    assert!(!c.integrity_check().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_older_copy_never_replaces_a_changed_message() {
    let f = fixture().await;
    let original = msg("r1", 1, "u2", "first words");
    f.cache
        .ingest(std::slice::from_ref(&original))
        .await
        .expect("ingest");
    // The edit (rev 2), then a copy as `chat/` carries it (a resend: no rev) and an older state.
    let mut edited = msg("r1", 1, "u2", "better words");
    edited.edited_at = 5;
    edited.rev = 2;
    f.cache
        .ingest(std::slice::from_ref(&edited))
        .await
        .expect("edit");
    f.cache
        .ingest(std::slice::from_ref(&original))
        .await
        .expect("stale copy");
    let mut older = edited.clone();
    older.rev = 1;
    older.msg_contents = "middle words".into();
    f.cache.ingest(&[older]).await.expect("older state");
    let now = f
        .cache
        .message(&mid("r1", 1))
        .await
        .expect("read")
        .expect("cached");
    assert_eq!(
        (now.msg_contents.as_str(), now.rev),
        (Some("better words"), 2)
    );
    // A placeholder stays one, even against a copy with a higher counter that is not deleted.
    let mut gone = edited.clone();
    gone.deleted = true;
    gone.rev = 3;
    gone.msg_contents = "".into();
    f.cache.ingest(&[gone]).await.expect("delete");
    let mut back = edited.clone();
    back.rev = 4;
    f.cache.ingest(&[back]).await.expect("forged revival");
    let now = f
        .cache
        .message(&mid("r1", 1))
        .await
        .expect("read")
        .expect("cached");
    assert!(now.deleted, "a deleted message came back");
    let hits = f.cache.search("better", 10).await.expect("search");
    assert!(hits.is_empty(), "a deleted message is found");
}
