//! What the UI shows of a public channel (PROTOCOL.md section 3): chat
//! messages as text / link / mention parts (never HTML; only absolute
//! http(s) URLs become links), polls with their results, the connection's
//! state with what I may do (write, vote, moderate), and each channel event
//! as a [`ChannelUpdate`].

use serde::{Deserialize, Serialize};
use w3mq_protocol::validate::is_http_url;

use crate::channel::{ChannelEvent, ChannelState, ChatMessage, MessagePart, Poll};
use crate::view::{one_line, short_address, TextPart};

/// A chat message as the channel view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelMessageView {
    /// The message id (the stored message's id).
    pub id: String,
    /// The channel it was said in (the room id).
    pub room_id: String,
    /// The room's seq, when the server gives it.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub seq: Option<i64>,
    /// The sender.
    pub user_id: String,
    /// The sender's name.
    pub sender_name: String,
    /// The sender's roles (`Owner`, `User`, …).
    pub roles: Vec<String>,
    /// Unix milliseconds (0 when the server does not say).
    pub created_ms: f64,
    /// The whole text.
    pub text: String,
    /// Text, link and mention parts, in order.
    pub parts: Vec<TextPart>,
    /// A private message to one user.
    pub whisper: bool,
    /// I sent it.
    pub mine: bool,
}

/// One answer of a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PollAnswerView {
    /// The answer.
    pub text: String,
    /// Votes so far.
    pub votes: u32,
    /// Share of the votes, 0 to 100.
    pub percent: u32,
}

/// A poll as the channel view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PollView {
    /// The question.
    pub question: String,
    /// The answers, in order (vote with the index).
    pub answers: Vec<PollAnswerView>,
    /// How many have voted.
    pub voters: u32,
    /// When it ends (Unix milliseconds).
    pub ends_ms: f64,
    /// It is over: the results are final.
    pub ended: bool,
    /// Who started it.
    pub author_name: String,
}

/// The connection's state and what I may do on the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelStatusView {
    /// The state.
    pub state: ChannelState,
    /// Connected and authenticated.
    pub online: bool,
    /// A line for people (`Live`, `Connecting…`, `Offline: … retrying in 3 s`).
    pub label: String,
    /// I may write (signed in with `chat`).
    pub can_write: bool,
    /// I may vote in polls.
    pub can_vote: bool,
    /// I moderate: delete, time out, purge, clear, start polls.
    pub moderator: bool,
}

/// What changed on a channel, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelUpdate {
    /// A chat message (live, or filled in after a reconnect).
    Message {
        /// The message.
        message: ChannelMessageView,
    },
    /// Messages a moderator deleted.
    Deleted {
        /// Their ids.
        ids: Vec<String>,
    },
    /// A moderator deleted every message of a user.
    Purged {
        /// The user.
        user_id: String,
    },
    /// A moderator cleared the channel.
    Cleared,
    /// A poll started, changed or ended.
    Poll {
        /// The poll.
        poll: PollView,
    },
    /// A user may not chat for a while.
    Timeout {
        /// Who.
        user_id: String,
        /// Their name.
        user_name: String,
        /// A line for people.
        text: String,
    },
    /// The connection's state changed.
    Status {
        /// The state and what I may do.
        status: ChannelStatusView,
    },
}

/// A channel as the command that opens it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelView {
    /// What it was opened with (a room id or a slug): the key of the other
    /// channel commands.
    pub channel: String,
    /// The room id when known (else the same as `channel`); events name it.
    pub room_id: String,
    /// The state and what I may do.
    pub status: ChannelStatusView,
    /// The latest messages, oldest first (empty when not fetched).
    pub messages: Vec<ChannelMessageView>,
}

/// A chat message's parts as [`TextPart`]s: a link only for an absolute
/// http(s) URL (else its text), a tag as a mention of its user.
pub fn chat_parts(parts: &[MessagePart], me: &str) -> Vec<TextPart> {
    let mut out: Vec<TextPart> = Vec::with_capacity(parts.len());
    for p in parts {
        let next = match p {
            MessagePart::Link { url, text } if is_http_url(url) => TextPart::Link {
                text: if text.is_empty() {
                    url.clone()
                } else {
                    text.clone()
                },
                url: url.clone(),
            },
            MessagePart::Tag { id, text, username } if !id.is_empty() => TextPart::Mention {
                text: if text.is_empty() {
                    format!("@{username}")
                } else {
                    text.clone()
                },
                user_id: id.clone(),
                me: !me.is_empty() && id.eq_ignore_ascii_case(me),
            },
            other => TextPart::Text {
                text: other.text().to_owned(),
            },
        };
        // Adjacent text parts read as one.
        match (out.last_mut(), &next) {
            (Some(TextPart::Text { text: a }), TextPart::Text { text: b }) => a.push_str(b),
            _ => {
                if !matches!(&next, TextPart::Text { text } if text.is_empty()) {
                    out.push(next)
                }
            }
        }
    }
    out
}

/// A wallet address (a member without a nick name is named by it).
fn is_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && s[2..].chars().all(|c| c.is_ascii_hexdigit())
}

/// A chat message's view; `me` is my user id (empty when anonymous).
pub fn chat_message_view(m: &ChatMessage, me: &str) -> ChannelMessageView {
    let name = m.user_name.trim();
    ChannelMessageView {
        id: m.id.clone(),
        room_id: m.channel.clone(),
        seq: m.seq,
        user_id: m.user_id.clone(),
        sender_name: if name.is_empty() || is_address(name) {
            short_address(if name.is_empty() { &m.user_id } else { name })
        } else {
            one_line(name, 64)
        },
        roles: m.user_roles.clone(),
        created_ms: m.created_at.map(|n| n as f64 / 1e6).unwrap_or(0.0),
        text: m.text(),
        parts: chat_parts(&m.message.message, me),
        whisper: m.is_whisper(),
        mine: !me.is_empty() && m.user_id.eq_ignore_ascii_case(me),
    }
}

/// A poll's view.
pub fn poll_view(p: &Poll, ended: bool) -> PollView {
    let votes: Vec<u32> = (0..p.answers.len())
        .map(|i| {
            p.responses_by_index
                .get(i)
                .copied()
                .unwrap_or(0)
                .min(u32::MAX as u64) as u32
        })
        .collect();
    let total: u64 = votes.iter().map(|&v| v as u64).sum();
    PollView {
        question: p.q.clone(),
        answers: p
            .answers
            .iter()
            .zip(&votes)
            .map(|(a, &v)| PollAnswerView {
                text: a.clone(),
                votes: v,
                percent: (v as u64 * 100 + total / 2).checked_div(total).unwrap_or(0) as u32,
            })
            .collect(),
        voters: p.voters.min(u32::MAX as u64) as u32,
        ends_ms: p.ends_at as f64,
        ended,
        author_name: p
            .author
            .as_ref()
            .map(|a| a.user_name.clone())
            .unwrap_or_default(),
    }
}

/// Roles that moderate a channel.
const MOD_ROLES: [&str; 3] = ["Owner", "Mod", "GlobalMod"];

/// The state's view: what I may do follows my roles and permissions.
pub fn status_view(state: &ChannelState) -> ChannelStatusView {
    let (online, label, roles, perms): (bool, String, &[String], &[String]) = match state {
        ChannelState::Connecting { .. } => (false, "Connecting…".into(), &[], &[]),
        ChannelState::Online {
            roles, permissions, ..
        } => (true, "Live".into(), roles, permissions),
        ChannelState::Offline {
            reason,
            retry_in_ms,
        } => (
            false,
            format!(
                "Offline: {} (retrying in {} s)",
                one_line(reason, 80),
                retry_in_ms.div_ceil(1000)
            ),
            &[],
            &[],
        ),
        ChannelState::Closed => (false, "Closed".into(), &[], &[]),
    };
    let has = |p: &str| perms.iter().any(|x| x == p);
    ChannelStatusView {
        state: state.clone(),
        online,
        label,
        can_write: has("chat"),
        can_vote: has("poll_vote"),
        moderator: online
            && (roles.iter().any(|r| MOD_ROLES.contains(&r.as_str())) || has("remove_message")),
    }
}

/// "5 minutes", "2 hours", "30 seconds".
fn duration_text(ms: u64) -> String {
    let s = ms / 1000;
    let (n, unit) = match s {
        0..=119 => (s, "second"),
        120..=7199 => (s / 60, "minute"),
        7200..=172_799 => (s / 3600, "hour"),
        _ => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// What a channel event means for the UI; `None` for what it does not show
/// (joins, leaves, unknown events).
pub fn channel_update(ev: &ChannelEvent, me: &str) -> Option<ChannelUpdate> {
    Some(match ev {
        ChannelEvent::Message { message, .. } => ChannelUpdate::Message {
            message: chat_message_view(message, me),
        },
        ChannelEvent::MessageDeleted { id } => ChannelUpdate::Deleted {
            ids: vec![id.clone()],
        },
        ChannelEvent::UserPurged { user_id, .. } => ChannelUpdate::Purged {
            user_id: user_id.clone(),
        },
        ChannelEvent::MessagesCleared => ChannelUpdate::Cleared,
        ChannelEvent::PollStarted { poll } => ChannelUpdate::Poll {
            poll: poll_view(poll, false),
        },
        ChannelEvent::PollEnded { poll } => ChannelUpdate::Poll {
            poll: poll_view(poll, true),
        },
        ChannelEvent::UserTimeout { user, duration_ms } => {
            let name = if user.user_name.trim().is_empty() {
                short_address(&user.user_id)
            } else {
                one_line(&user.user_name, 64)
            };
            ChannelUpdate::Timeout {
                user_id: user.user_id.clone(),
                text: if *duration_ms == 0 {
                    format!("{name} may chat again")
                } else {
                    format!("{name} is timed out for {}", duration_text(*duration_ms))
                },
                user_name: name,
            }
        }
        ChannelEvent::State { state } => ChannelUpdate::Status {
            status: status_view(state),
        },
        ChannelEvent::UserJoin { .. }
        | ChannelEvent::UserLeave { .. }
        | ChannelEvent::Other { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chat(parts: serde_json::Value) -> ChatMessage {
        serde_json::from_value(json!({
            "channel": "64b0c0ffee000000000000aa", "id": "64b0c0ffee0000000000beef",
            "user_name": "bob", "user_id": "64b0c0ffee000000000000b0", "user_roles": ["User"],
            "message": {"message": parts, "meta": {}}, "seq": 3, "created_at": 1_700_000_000_000_000_000i64
        }))
        .expect("chat message")
    }

    #[test]
    fn parts_keep_text_and_only_http_links() {
        let m = chat(json!([
            {"type": "text", "data": "<b>hi</b> ", "text": "<b>hi</b> "},
            {"type": "link", "url": "javascript:alert(1)", "text": "javascript:alert(1)"},
            {"type": "text", "data": " and ", "text": " and "},
            {"type": "link", "url": "https://opensea.io/x", "text": "https://opensea.io/x"},
            {"type": "text", "data": " ", "text": " "},
            {"type": "tag", "username": "me", "id": "64b0c0ffee000000000000a1", "text": "@me"},
            {"type": "emoticon", "text": ":)"}
        ]));
        let v = chat_message_view(&m, "64b0c0ffee000000000000a1");
        assert_eq!(
            v.parts,
            vec![
                TextPart::Text {
                    text: "<b>hi</b> javascript:alert(1) and ".into()
                },
                TextPart::Link {
                    text: "https://opensea.io/x".into(),
                    url: "https://opensea.io/x".into()
                },
                TextPart::Text { text: " ".into() },
                TextPart::Mention {
                    text: "@me".into(),
                    user_id: "64b0c0ffee000000000000a1".into(),
                    me: true
                },
                TextPart::Text { text: ":)".into() },
            ]
        );
        assert_eq!(v.sender_name, "bob");
        assert_eq!(v.created_ms, 1_700_000_000_000.0);
        assert_eq!(v.room_id, "64b0c0ffee000000000000aa");
        assert!(!v.mine && !v.whisper);
        assert!(chat_message_view(&m, "64b0c0ffee000000000000b0").mine);
        assert!(!chat_message_view(&m, "").mine);
        let mut anon = m.clone();
        anon.user_name = "0xe55b25ebf29eb80f2f3f38b8bde2025bd8da187b".into();
        assert_eq!(chat_message_view(&anon, "").sender_name, "0xe55b…187b");
    }

    #[test]
    fn polls_count_and_round_shares() {
        let p = Poll {
            q: "Best?".into(),
            answers: vec!["a".into(), "b".into(), "c".into()],
            responses_by_index: vec![1, 2],
            voters: 3,
            duration: 60_000,
            ends_at: 9,
            author: None,
        };
        let v = poll_view(&p, true);
        let shares: Vec<(u32, u32)> = v.answers.iter().map(|a| (a.votes, a.percent)).collect();
        assert_eq!(shares, vec![(1, 33), (2, 67), (0, 0)]);
        assert!(v.ended);
        assert_eq!((v.voters, v.ends_ms), (3, 9.0));
        let none = poll_view(&Poll::default(), false);
        assert!(none.answers.is_empty() && !none.ended);
    }

    #[test]
    fn status_says_what_i_may_do() {
        let anon = status_view(&ChannelState::Online {
            endpoint: "ws://x".into(),
            roles: vec![],
            permissions: vec!["connect".into()],
        });
        assert!(anon.online && !anon.can_write && !anon.moderator && !anon.can_vote);
        assert_eq!(anon.label, "Live");
        let owner = status_view(&ChannelState::Online {
            endpoint: "ws://x".into(),
            roles: vec!["Owner".into()],
            permissions: vec!["connect".into(), "chat".into(), "poll_vote".into()],
        });
        assert!(owner.can_write && owner.moderator && owner.can_vote);
        let user = status_view(&ChannelState::Online {
            endpoint: "ws://x".into(),
            roles: vec!["User".into()],
            permissions: vec!["connect".into(), "chat".into()],
        });
        assert!(user.can_write && !user.moderator);
        let off = status_view(&ChannelState::Offline {
            reason: "refused".into(),
            retry_in_ms: 2500,
        });
        assert!(!off.online && !off.moderator);
        assert_eq!(off.label, "Offline: refused (retrying in 3 s)");
    }

    #[test]
    fn events_become_updates() {
        assert_eq!(
            channel_update(&ChannelEvent::MessageDeleted { id: "x".into() }, ""),
            Some(ChannelUpdate::Deleted {
                ids: vec!["x".into()]
            })
        );
        assert_eq!(
            channel_update(&ChannelEvent::MessagesCleared, ""),
            Some(ChannelUpdate::Cleared)
        );
        let Some(ChannelUpdate::Timeout { text, .. }) = channel_update(
            &ChannelEvent::UserTimeout {
                user: crate::channel::ChannelUser {
                    user_id: "u".into(),
                    user_name: "bob".into(),
                    user_roles: vec![],
                },
                duration_ms: 300_000,
            },
            "",
        ) else {
            panic!("timeout")
        };
        assert_eq!(text, "bob is timed out for 5 minutes");
        assert_eq!(
            channel_update(
                &ChannelEvent::UserJoin {
                    user: Default::default()
                },
                ""
            ),
            None
        );
        let Some(ChannelUpdate::Poll { poll }) = channel_update(
            &ChannelEvent::PollEnded {
                poll: Poll::default(),
            },
            "",
        ) else {
            panic!("poll")
        };
        assert!(poll.ended);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration_text(30_000), "30 seconds");
        assert_eq!(duration_text(60_000), "60 seconds");
        assert_eq!(duration_text(300_000), "5 minutes");
        assert_eq!(duration_text(7_200_000), "2 hours");
        assert_eq!(duration_text(86_400_000 * 3), "3 days");
    }
}
