//! Reactions, edits and deletions for everyone between two engines over a
//! real server: live, and caught up by a member who was away (by `rev`),
//! ending with the server's state in both caches and search.

mod common;

use common::{found, local, server, text, until};
use w3mq_core::Event;

fn has(e: &Event, f: impl Fn(&w3mq_protocol::Message) -> bool) -> bool {
    matches!(e, Event::Messages { messages } if messages.iter().any(&f))
}

#[tokio::test]
async fn reactions_edits_and_deletions_reach_the_other_member_live_and_after_an_absence() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let (mut a, mut b, room) = common::two_in_a_room(&env).await;
    a.engine
        .send(text(&room.room_id, "first words"))
        .await
        .expect("send");
    let got = until(&mut b.events, |e| {
        has(e, |m| m.msg_contents == "first words")
    })
    .await;
    let Event::Messages { messages } = got else {
        unreachable!()
    };
    let id = messages[0].id.clone().expect("id");

    // Live: B reacts, A sees it; A edits, B sees the new text and finds it, not the old.
    b.engine.react(&id, "👍", true).await.expect("react");
    until(&mut a.events, |e| {
        has(e, |m| m.reactions.first().is_some_and(|r| r.count == 1))
    })
    .await;
    assert!(
        b.engine.react(&id, "💩", true).await.is_err(),
        "outside the set"
    );
    a.engine
        .edit_message(&id, "better words", &[])
        .await
        .expect("edit");
    until(&mut b.events, |e| {
        has(e, |m| m.msg_contents == "better words" && m.edited_at > 0)
    })
    .await;
    assert_eq!(
        found(&b.engine, "better").await,
        vec!["better words".to_string()]
    );
    assert!(
        found(&b.engine, "first").await.is_empty(),
        "the old text is still found"
    );
    assert!(
        b.engine.edit_message(&id, "not mine", &[]).await.is_err(),
        "B edited A's message"
    );

    // Away: B stops; A deletes the message and reacts to another; B comes back and converges.
    a.engine
        .send(text(&room.room_id, "second words"))
        .await
        .expect("send");
    let got = until(&mut b.events, |e| {
        has(e, |m| m.msg_contents == "second words")
    })
    .await;
    let Event::Messages { messages } = got else {
        unreachable!()
    };
    let second = messages[0].id.clone().expect("id");
    b.engine.shutdown().await;
    a.engine.delete_message(&id).await.expect("delete");
    a.engine.react(&second, "🎉", true).await.expect("react");
    let mut b2 = b.engine.events();
    b.engine.resume().await.expect("resume").expect("b resumed");
    until(&mut b2, |e| {
        has(e, |m| m.reactions.iter().any(|r| r.emoji == "🎉"))
    })
    .await;
    let cached = b
        .engine
        .message(&id)
        .await
        .expect("cache")
        .expect("placeholder kept");
    assert!(cached.deleted, "the deletion was not caught up");
    assert_eq!(cached.msg_contents, "");
    assert!(
        found(&b.engine, "better").await.is_empty(),
        "a deleted message is found"
    );
    let views = b
        .engine
        .message_views(&room.room_id, w3mq_core::model::Cursor::Latest, 10)
        .await
        .expect("views");
    let placeholder = views
        .iter()
        .find(|v| v.id.as_deref() == Some(id.as_str()))
        .expect("shown");
    assert!(
        placeholder.deleted && matches!(placeholder.contents, w3mq_core::view::Contents::Deleted)
    );
    assert_eq!(placeholder.preview, "Message deleted");
    assert!(placeholder.reactions.is_empty());
}

#[tokio::test]
async fn a_draft_survives_a_restart_and_an_empty_one_is_gone() {
    use w3mq_core::drafts::SavedDraft;
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let (a, _b, room) = common::two_in_a_room(&env).await;
    let d = SavedDraft {
        key: room.room_id.clone(),
        text: "half a thought".into(),
        mentions: vec![],
        reply_to: None,
        reply_label: String::new(),
    };
    a.engine.save_draft(d.clone()).await.expect("saved");
    let thread = SavedDraft {
        key: format!("{}#{}", room.room_id, "t"),
        text: "in a thread".into(),
        ..d.clone()
    };
    a.engine.save_draft(thread.clone()).await.expect("saved");
    let too_long = SavedDraft {
        text: "x".repeat(w3mq_core::drafts::MAX_DRAFT_BYTES + 1),
        ..d.clone()
    };
    assert!(a.engine.save_draft(too_long).await.is_err());
    a.engine.shutdown().await;
    a.engine.resume().await.expect("resume").expect("resumed");
    let mut got = a.engine.drafts().await.expect("drafts");
    got.sort_by(|x, y| x.key.cmp(&y.key));
    assert_eq!(got, vec![d.clone(), thread.clone()]);
    a.engine
        .save_draft(SavedDraft {
            text: String::new(),
            ..d
        })
        .await
        .expect("emptied");
    assert_eq!(a.engine.drafts().await.expect("drafts"), vec![thread]);
}

#[tokio::test]
async fn a_mention_added_by_an_edit_notifies_once_and_counts() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let (a, mut b, room) = common::two_in_a_room(&env).await;
    let room_id = room.room_id.clone();
    let b_id = room
        .members
        .iter()
        .find(|u| u.user_id != room.creator_id)
        .map(|u| u.user_id.clone())
        .expect("b");
    b.engine
        .set_notify_mode(&room_id, w3mq_core::model::NotifyMode::Mentions)
        .await
        .expect("mode");
    a.engine
        .send(text(&room_id, "plain words"))
        .await
        .expect("send");
    let got = until(&mut b.events, |e| {
        has(e, |m| m.msg_contents == "plain words")
    })
    .await;
    let Event::Messages { messages } = got else {
        unreachable!()
    };
    let id = messages[0].id.clone().expect("id");
    let mentions = |e: &Event| {
        matches!(
            e,
            Event::Notify {
                reason: w3mq_core::policy::NotifyReason::Mention,
                ..
            }
        )
    };

    // The edit adds the mention: one notification, and the room counts it.
    a.engine
        .edit_message(&id, "plain words for you", std::slice::from_ref(&b_id))
        .await
        .expect("edit");
    let n = until(&mut b.events, |e| mentions(e)).await;
    let Event::Notify { message, .. } = n else {
        unreachable!()
    };
    assert_eq!(message.id.as_deref(), Some(id.as_str()));
    let summary = b
        .engine
        .room_list()
        .await
        .expect("rooms")
        .into_iter()
        .find(|r| r.room.room_id == room_id)
        .expect("room");
    assert_eq!(summary.mentions, 1, "the edit's mention is counted");

    // Edited again, still naming me: no second notification. The next one is the honest
    // mention of a new message.
    a.engine
        .edit_message(&id, "plain words, for you", std::slice::from_ref(&b_id))
        .await
        .expect("edit");
    let mut d = text(&room_id, "and a new one for you");
    d.mentions = vec![b_id.clone()];
    a.engine.send(d).await.expect("send");
    let n = until(&mut b.events, |e| mentions(e)).await;
    let Event::Notify { message, .. } = n else {
        unreachable!()
    };
    assert_eq!(
        message.msg_contents, "and a new one for you",
        "the second edit notified"
    );
}
