//! What the UI shows: display-ready views of users, rooms and messages.
//!
//! Every decision about presentation that depends on protocol data is made
//! here, in Rust: display names, which URLs may become links or images (only
//! absolute http(s) URLs), how text splits into text, link and mention parts,
//! whether a message mentions me, and the send status of my own messages. The
//! UI renders these values as text and never parses anything from the
//! network as HTML.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use w3mq_protocol::room::PLATFORMS;
use w3mq_protocol::validate::is_http_url;
use w3mq_protocol::{Message, MsgContents, Room, SwapCard, User};

use crate::model::{NotifyMode, OutboxEntry, RoomSummary, SendStatus, SnippetPart};

/// Longest preview of a message (in characters) in the room list and quotes.
pub const PREVIEW_CHARS: usize = 140;

/// A URL the UI may use as a link or an image source: the input when it is
/// an absolute http(s) URL, otherwise the empty string.
pub fn safe_url(s: &str) -> String {
    if is_http_url(s) {
        s.to_owned()
    } else {
        String::new()
    }
}

/// A social account on a user's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Social {
    /// `opensea`, `instagram`, `twitter`, `facebook` or `discord`.
    pub platform: String,
    /// The user name there.
    pub username: String,
    /// The server marked it verified.
    pub verified: bool,
    /// An http(s) avatar URL, or empty.
    pub avatar_url: String,
}

/// A user as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserView {
    /// Object id.
    pub user_id: String,
    /// Nick name (may be empty).
    pub nick_name: String,
    /// Wallet address.
    pub address: String,
    /// ENS name (may be empty).
    pub ens_name: String,
    /// What to call them: nick name, else ENS name, else a short address.
    pub display_name: String,
    /// An http(s) avatar URL, or empty.
    pub avatar_url: String,
    /// Social accounts with a user name.
    pub socials: Vec<Social>,
}

/// One account as the switcher shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountTab {
    /// Its slot (what `switch_account` takes).
    pub slot: u32,
    /// Signed in (a slot being added is not, until its sign-in ends).
    pub signed_in: bool,
    /// On screen.
    pub active: bool,
    /// Wallet address (empty while not signed in).
    pub address: String,
    /// What to call it: nickname, else a short address.
    pub name: String,
    /// An http(s) avatar URL, or empty.
    pub avatar_url: String,
    /// The server's REST URL.
    pub server: String,
    /// Its unread total.
    pub unread: u32,
    /// Of those, mentions.
    pub mentions: u32,
}

/// `0x1234…abcd`.
pub fn short_address(a: &str) -> String {
    if a.len() > 12 && a.is_ascii() {
        format!("{}…{}", &a[..6], &a[a.len() - 4..])
    } else {
        a.to_owned()
    }
}

/// The name to show for a user.
pub fn display_name(u: &User) -> String {
    for n in [&u.nick_name, &u.ens_name] {
        let t = n.trim();
        if !t.is_empty() {
            return t.to_owned();
        }
    }
    if !u.eth_wallet_address.is_empty() {
        return short_address(&u.eth_wallet_address);
    }
    short_address(&u.user_id)
}

/// A user's view.
pub fn user_view(u: &User) -> UserView {
    let pairs = [
        (&u.opensea_username, &u.opensea_avatar),
        (&u.instagram_username, &u.instagram_avatar),
        (&u.twitter_username, &u.twitter_avatar),
        (&u.facebook_username, &u.facebook_avatar),
        (&u.discord_username, &u.discord_avatar),
    ];
    let bits: Vec<bool> = u.status.chars().map(|c| c == '1').collect();
    let socials = PLATFORMS
        .iter()
        .zip(pairs)
        .enumerate()
        .filter(|(_, (_, (name, _)))| !name.trim().is_empty())
        .map(|(i, (platform, (name, avatar)))| Social {
            platform: (*platform).to_owned(),
            username: name.trim().to_owned(),
            verified: bits.get(i).copied().unwrap_or(false),
            avatar_url: safe_url(avatar),
        })
        .collect();
    let avatar = [&u.avatar_url, &u.opensea_avatar, &u.twitter_avatar]
        .into_iter()
        .map(|a| safe_url(a))
        .find(|a| !a.is_empty())
        .unwrap_or_default();
    UserView {
        user_id: u.user_id.clone(),
        nick_name: u.nick_name.clone(),
        address: u.eth_wallet_address.clone(),
        ens_name: u.ens_name.clone(),
        display_name: display_name(u),
        avatar_url: avatar,
        socials,
    }
}

/// What kind of room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// A private room of two.
    Direct,
    /// A group.
    Group,
    /// A public OpenSea collection room.
    Collection,
}

/// A room as the room list and the room header show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoomView {
    /// Object id.
    pub room_id: String,
    /// Direct, group or collection.
    pub kind: RoomKind,
    /// The name to show: the other person of a 1v1 room, a collection's
    /// name, a group's name or its members' names.
    pub title: String,
    /// A second line: member count, slug or the other person's address.
    pub subtitle: String,
    /// An http(s) image for the room, or empty.
    pub avatar_url: String,
    /// The room's description.
    pub description: String,
    /// The collection slug (collection rooms only).
    pub slug: String,
    /// The creator (the moderator of a public channel).
    pub creator_id: String,
    /// I created it.
    pub mine: bool,
    /// Members, me included.
    pub members: Vec<UserView>,
    /// The latest message, if any.
    pub latest: Option<MessageView>,
    /// A one-line preview of the latest message.
    pub preview: String,
    /// Messages by others after my read marker.
    pub unread: u32,
    /// Of those, the ones that mention me.
    pub mentions: u32,
    /// Notification setting.
    pub notify: NotifyMode,
    /// Unix milliseconds of the latest activity (the list is sorted by it).
    pub last_activity_ms: f64,
}

/// A piece of a text message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TextPart {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An http(s) link.
    Link {
        /// The text shown.
        text: String,
        /// The URL (always absolute http or https).
        url: String,
    },
    /// `@someone`, a mention of a user the message names in `at_user_ids`.
    Mention {
        /// The text shown, with the `@`.
        text: String,
        /// The mentioned user.
        user_id: String,
        /// It is me.
        me: bool,
    },
    /// `**bold**` (its text, without the marks).
    Bold {
        /// The text.
        text: String,
    },
    /// `*italic*` or `_italic_`.
    Italic {
        /// The text.
        text: String,
    },
    /// `` `code` ``.
    Code {
        /// The text.
        text: String,
    },
    /// A fenced code block (a block of its own).
    CodeBlock {
        /// The code, its lines as typed.
        text: String,
    },
    /// A `> ` quoted line (a block of its own).
    Quote {
        /// The quoted text.
        text: String,
    },
}

impl TextPart {
    /// The text it shows.
    pub fn text(&self) -> &str {
        match self {
            TextPart::Text { text }
            | TextPart::Link { text, .. }
            | TextPart::Mention { text, .. }
            | TextPart::Bold { text }
            | TextPart::Italic { text }
            | TextPart::Code { text }
            | TextPart::CodeBlock { text }
            | TextPart::Quote { text } => text,
        }
    }
}

/// An OpenSea item, as an item thread's card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemView {
    /// Contract address.
    pub contract_address: String,
    /// Token id.
    pub token_id: String,
    /// Item name.
    pub name: String,
    /// Item description.
    pub description: String,
    /// An http(s) image URL, or empty.
    pub image_url: String,
    /// The item's page on OpenSea.
    pub url: String,
}

/// The contents of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Contents {
    /// Text, split into parts.
    Text {
        /// The whole text.
        text: String,
        /// Text, link and mention parts, in order.
        parts: Vec<TextPart>,
    },
    /// A sudoswap trade card; URLs that are not http(s) are emptied.
    SwapCard {
        /// The card.
        card: SwapCard,
    },
    /// Contents that do not fit their type.
    Invalid {
        /// Why.
        reason: String,
    },
    /// Deleted for everyone: a placeholder.
    Deleted,
}

/// One emoji's reactions to a message, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReactionView {
    /// The emoji.
    pub emoji: String,
    /// How many gave it.
    pub count: u32,
    /// I gave it.
    pub mine: bool,
    /// Who (names of the first ones listed), for the tooltip.
    pub names: Vec<String>,
}

/// Who has read my latest message in a room (their shared read receipts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeenView {
    /// My latest message in the room's timeline.
    pub msg_id: String,
    /// How many others read it.
    pub count: u32,
    /// Their names (the first 20), for the tooltip.
    pub names: Vec<String>,
    /// A 1v1 room: "Read" rather than "Seen by".
    pub direct: bool,
}

/// The message a reply quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReplyPreview {
    /// The quoted message's id.
    pub id: String,
    /// Its sender's name (empty when it is not cached).
    pub sender_name: String,
    /// A one-line preview (empty when it is not cached; "Message deleted" when it was).
    pub text: String,
    /// The quoted message is in the cache (so the UI can jump to it).
    pub found: bool,
    /// The quoted message was deleted for everyone.
    pub deleted: bool,
}

/// A message as the conversation shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageView {
    /// A stable key for the list: the client id of my messages, else the id.
    pub key: String,
    /// The server's id (none while pending).
    pub id: Option<String>,
    /// The server's per-room sequence number (none while pending).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub seq: Option<i64>,
    /// My idempotency key, for my own messages.
    pub client_msg_id: Option<String>,
    /// The room.
    pub room_id: String,
    /// The sender.
    pub from_uid: String,
    /// The sender's name.
    pub sender_name: String,
    /// The sender's http(s) avatar, or empty.
    pub sender_avatar: String,
    /// I sent it.
    pub mine: bool,
    /// Unix milliseconds.
    pub created_ms: f64,
    /// What it says.
    pub contents: Contents,
    /// A one-line preview.
    pub preview: String,
    /// The message it replies to.
    pub reply: Option<ReplyPreview>,
    /// The thread it belongs to.
    pub thread_id: Option<String>,
    /// It is a thread root.
    pub is_thread: bool,
    /// The item of an OpenSea item thread root.
    pub item: Option<ItemView>,
    /// It mentions me.
    pub mentions_me: bool,
    /// Sent, pending (in the outbox) or failed.
    pub status: SendStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// Its author edited it.
    pub edited: bool,
    /// Deleted for everyone (`contents` is `deleted`).
    pub deleted: bool,
    /// Reactions, per emoji.
    pub reactions: Vec<ReactionView>,
    /// A thread root's replies (none before the first reply).
    pub thread_summary: Option<ThreadSummary>,
}

/// What a thread root shows of its thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ThreadSummary {
    /// How many replies (deleted ones left out).
    pub replies: u32,
    /// The first few who replied, in the order they first did.
    pub names: Vec<String>,
    /// Their http(s) avatars, or empty, in the same order.
    pub avatars: Vec<String>,
    /// Unix milliseconds of the latest reply.
    pub last_reply_ms: f64,
}

/// A search's answer: the best hits and how many messages match in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchResults {
    /// The best matches first.
    pub hits: Vec<SearchHitView>,
    /// How many messages match (at most [`crate::cache::MAX_COUNTED`]).
    pub total: u32,
    /// More than `total` match.
    pub more: bool,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHitView {
    /// The message.
    pub message: MessageView,
    /// The room's title.
    pub room_title: String,
    /// Text around the match; `hit` parts matched.
    pub snippet: Vec<SnippetPart>,
}

/// A desktop notification to raise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotificationView {
    /// The room it opens.
    pub room_id: String,
    /// The message it opens.
    pub message_id: Option<String>,
    /// `Sender in Room` (or the sender alone for a 1v1 room).
    pub title: String,
    /// The message's preview.
    pub body: String,
}

/// Who is who in a room: what message views need to name senders and
/// mentions.
#[derive(Debug, Clone, Default)]
pub struct People {
    me: String,
    users: HashMap<String, User>,
}

impl People {
    /// The members of `room`, as seen by `me`.
    pub fn of_room(me: &str, room: Option<&Room>) -> People {
        let mut users = HashMap::new();
        if let Some(r) = room {
            users.insert(r.creator.user_id.clone(), r.creator.clone());
            for m in &r.members {
                users.insert(m.user_id.clone(), m.clone());
            }
        }
        users.remove("");
        People {
            me: me.to_owned(),
            users,
        }
    }

    /// Adds a user (e.g. a sender who left the room).
    pub fn add(&mut self, u: User) {
        if !u.user_id.is_empty() {
            self.users.insert(u.user_id.clone(), u);
        }
    }

    /// The signed-in user.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// A user's name, or a short id when unknown.
    pub fn name(&self, user_id: &str) -> String {
        self.users
            .get(user_id)
            .map(display_name)
            .unwrap_or_else(|| short_address(user_id))
    }

    pub(crate) fn avatar(&self, user_id: &str) -> String {
        self.users
            .get(user_id)
            .map(|u| user_view(u).avatar_url)
            .unwrap_or_default()
    }

    /// The strings that may follow `@` to mention a user, longest first.
    fn handles(&self, user_id: &str) -> Vec<String> {
        let mut v = vec![user_id.to_owned()];
        if let Some(u) = self.users.get(user_id) {
            for s in [&u.nick_name, &u.ens_name, &u.eth_wallet_address] {
                let t = s.trim();
                if !t.is_empty() {
                    v.push(t.to_owned());
                }
            }
            v.push(display_name(u));
        }
        v.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        v.dedup();
        v
    }
}

/// Cuts `s` to one line of at most `n` characters.
pub fn one_line(s: &str, n: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= n {
        flat
    } else {
        let mut t: String = flat.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Splits text into parts: the marks of the Markdown subset
/// ([`crate::markup`]), and in the plain stretches links and mentions. Links
/// are found by `linkify` (balanced parentheses stay in a URL, trailing
/// punctuation does not), and only absolute http(s) URLs become links; only
/// `@handle` of a user in `mentioned` becomes a mention.
pub fn text_parts(text: &str, mentioned: &[String], people: &People) -> Vec<TextPart> {
    use crate::markup::Span;
    let handles: Vec<(String, &String)> = mentioned
        .iter()
        .flat_map(|id| people.handles(id).into_iter().map(move |h| (h, id)))
        .collect();
    let mut parts = Vec::new();
    for span in crate::markup::spans(text) {
        let (kind, t): (fn(String) -> TextPart, &str) = match span {
            Span::Plain(t) => {
                plain_parts(t, &handles, people, &mut parts);
                continue;
            }
            Span::Bold(t) => (|text| TextPart::Bold { text }, t),
            Span::Italic(t) => (|text| TextPart::Italic { text }, t),
            Span::Code(t) => (|text| TextPart::Code { text }, t),
            Span::CodeBlock(t) => (|text| TextPart::CodeBlock { text }, t),
            Span::Quote(t) => (|text| TextPart::Quote { text }, t),
        };
        parts.push(kind(t.to_owned()));
    }
    // Adjacent plain text (a line break between two plain lines) is one part.
    let mut merged: Vec<TextPart> = Vec::with_capacity(parts.len());
    for p in parts {
        match (merged.last_mut(), p) {
            (Some(TextPart::Text { text: a }), TextPart::Text { text: b }) => a.push_str(&b),
            (_, p) => merged.push(p),
        }
    }
    merged
}

/// Text, link and mention parts of a plain stretch.
fn plain_parts(
    text: &str,
    handles: &[(String, &String)],
    people: &People,
    parts: &mut Vec<TextPart>,
) {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut plain = String::new();
    let mut done = 0;
    for link in finder.links(text) {
        let url = link.as_str();
        // `javascript:`, `file:` and friends stay text; so does a URL glued to a word.
        let glued = text[..link.start()].ends_with(|c: char| c.is_alphanumeric());
        if !is_http_url(url) || glued {
            continue;
        }
        mention_parts(
            &text[done..link.start()],
            handles,
            people,
            &mut plain,
            parts,
        );
        flush_text(&mut plain, parts);
        parts.push(TextPart::Link {
            text: url.to_owned(),
            url: url.to_owned(),
        });
        done = link.end();
    }
    mention_parts(&text[done..], handles, people, &mut plain, parts);
    flush_text(&mut plain, parts);
}

fn flush_text(plain: &mut String, parts: &mut Vec<TextPart>) {
    if !plain.is_empty() {
        parts.push(TextPart::Text {
            text: std::mem::take(plain),
        });
    }
}

/// The mentions of a stretch of text without links; the rest goes to `plain`.
fn mention_parts(
    text: &str,
    handles: &[(String, &String)],
    people: &People,
    plain: &mut String,
    parts: &mut Vec<TextPart>,
) {
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if let Some(after) = rest.strip_prefix('@') {
            let hit = handles.iter().find(|(h, _)| {
                after.len() >= h.len()
                    && after.is_char_boundary(h.len())
                    && after[..h.len()].eq_ignore_ascii_case(h)
                    && !after[h.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if let Some((h, id)) = hit {
                flush_text(plain, parts);
                parts.push(TextPart::Mention {
                    text: format!("@{}", &after[..h.len()]),
                    user_id: (*id).clone(),
                    me: id.as_str() == people.me(),
                });
                i += 1 + h.len();
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        plain.push(c);
        i += c.len_utf8();
    }
}

fn sanitize_card(mut card: SwapCard) -> SwapCard {
    card.jump_url = safe_url(&card.jump_url);
    for a in card
        .asset1_data
        .iter_mut()
        .chain(card.asset2_data.iter_mut())
    {
        a.img_url = safe_url(&a.img_url);
    }
    card
}

/// A one-line preview of a message's contents.
pub fn preview(m: &Message) -> String {
    if m.deleted {
        return "Message deleted".to_owned();
    }
    match m.contents() {
        Some(MsgContents::Text(t)) => one_line(&t, PREVIEW_CHARS),
        Some(MsgContents::SudoSwapCard(c)) => {
            one_line(&format!("Trade card ({})", c.order_status), PREVIEW_CHARS)
        }
        None => "Unsupported message".to_owned(),
    }
}

/// A message's view. `status`/`error` come from the outbox for my pending
/// messages; `reply` is the quoted message when it is cached.
pub fn message_view(
    m: &Message,
    people: &People,
    status: SendStatus,
    error: Option<String>,
    reply: Option<&Message>,
) -> MessageView {
    let contents = match m.contents() {
        _ if m.deleted => Contents::Deleted,
        Some(MsgContents::Text(t)) => Contents::Text {
            parts: text_parts(&t, &m.at_user_ids, people),
            text: t,
        },
        Some(MsgContents::SudoSwapCard(c)) => Contents::SwapCard {
            card: sanitize_card(*c),
        },
        None => Contents::Invalid {
            reason: format!("a {:?} message this app cannot show", m.msg_type),
        },
    };
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let reply_view = nonempty(&m.reply_to_msg_id).map(|id| match reply {
        Some(r) => ReplyPreview {
            id,
            sender_name: people.name(&r.from_uid),
            text: preview(r),
            found: true,
            deleted: r.deleted,
        },
        None => ReplyPreview {
            id,
            sender_name: String::new(),
            text: String::new(),
            found: false,
            deleted: false,
        },
    });
    let item = m.is_opensea_item_thread.then(|| ItemView {
        contract_address: m.opensea_item_contract_address.clone(),
        token_id: m.opensea_item_token_id.clone(),
        name: m.opensea_item_name.clone(),
        description: m.opensea_item_description.clone(),
        image_url: safe_url(&m.opensea_item_image_url),
        url: crate::opensea::item_url(&m.opensea_item_contract_address, &m.opensea_item_token_id),
    });
    let key = m
        .client_msg_id
        .clone()
        .filter(|_| m.from_uid == people.me())
        .or_else(|| m.id.clone())
        .unwrap_or_default();
    MessageView {
        key,
        id: m.id.clone(),
        seq: m.seq,
        client_msg_id: m.client_msg_id.clone(),
        room_id: m.to_room_id.clone(),
        from_uid: m.from_uid.clone(),
        sender_name: people.name(&m.from_uid),
        sender_avatar: people.avatar(&m.from_uid),
        mine: m.from_uid == people.me(),
        created_ms: (m.created_at / 1_000_000) as f64,
        preview: preview(m),
        contents,
        reply: reply_view,
        thread_id: nonempty(&m.belong_to_thread_id),
        is_thread: m.is_thread,
        item,
        mentions_me: m.at_user_ids.iter().any(|u| u == people.me()),
        status,
        error,
        thread_summary: None,
        edited: m.edited_at != 0 && !m.deleted,
        deleted: m.deleted,
        reactions: m
            .reactions
            .iter()
            .map(|r| ReactionView {
                emoji: r.emoji.clone(),
                count: r.count,
                mine: r.user_ids.iter().any(|u| u == people.me()),
                names: r.user_ids.iter().map(|u| people.name(u)).collect(),
            })
            .collect(),
    }
}

/// The view of an outbox entry (pending or failed).
pub fn outbox_view(e: &OutboxEntry, people: &People, reply: Option<&Message>) -> MessageView {
    let mut v = message_view(&e.message, people, e.status, e.error.clone(), reply);
    v.key = e.client_msg_id.clone();
    v.created_ms = (e.created_at / 1_000_000) as f64;
    v
}

/// A room's view; `latest` is the view of its latest message.
/// How a room is headed, as seen by `me`: its kind, title (the other person
/// of a 1v1 room, a collection's name, a group's name or its members'
/// names), subtitle and http(s) image.
pub fn room_heading(r: &Room, me: &str) -> (RoomKind, String, String, String) {
    let others: Vec<&User> = r.members.iter().filter(|u| u.user_id != me).collect();
    if r.is_opensea_coll {
        let title = [&r.opensea_coll_name, &r.name]
            .into_iter()
            .find(|n| !n.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| r.opensea_coll_slug.clone());
        (
            RoomKind::Collection,
            title,
            format!("Collection · {}", r.opensea_coll_slug),
            safe_url(&r.opensea_coll_cover),
        )
    } else if r.is_1v1 {
        let other = others.first();
        (
            RoomKind::Direct,
            other
                .map(|u| display_name(u))
                .unwrap_or_else(|| "Direct message".into()),
            other
                .map(|u| short_address(&u.eth_wallet_address))
                .unwrap_or_default(),
            other.map(|u| user_view(u).avatar_url).unwrap_or_default(),
        )
    } else {
        let title = if r.name.trim().is_empty() {
            let names: Vec<String> = others.iter().take(4).map(|u| display_name(u)).collect();
            if names.is_empty() {
                "Just me".to_owned()
            } else {
                names.join(", ")
            }
        } else {
            r.name.trim().to_owned()
        };
        (
            RoomKind::Group,
            title,
            format!("{} members", r.members.len()),
            String::new(),
        )
    }
}

pub fn room_view(s: &RoomSummary, me: &str, latest: Option<MessageView>) -> RoomView {
    let r = &s.room;
    let (kind, title, subtitle, avatar) = room_heading(r, me);
    RoomView {
        room_id: r.room_id.clone(),
        kind,
        title: one_line(&title, 80),
        subtitle,
        avatar_url: avatar,
        description: r.description.clone(),
        slug: r.opensea_coll_slug.clone(),
        creator_id: r.creator_id.clone(),
        mine: r.creator_id == me,
        members: r.members.iter().map(user_view).collect(),
        preview: latest
            .as_ref()
            .map(|l| format!("{}: {}", l.sender_name, l.preview))
            .unwrap_or_default(),
        latest,
        unread: s.unread.clamp(0, u32::MAX as i64) as u32,
        mentions: s.mentions.clamp(0, u32::MAX as i64) as u32,
        notify: s.notify,
        last_activity_ms: (s.last_activity / 1_000_000) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, nick: &str) -> User {
        User {
            user_id: id.into(),
            nick_name: nick.into(),
            eth_wallet_address: format!("0x{:0>40}", id.len()),
            ..Default::default()
        }
    }

    fn people() -> People {
        let room = Room {
            members: vec![user("me1", "Alice"), user("bob2", "Bob")],
            ..Default::default()
        };
        People::of_room("me1", Some(&room))
    }

    #[test]
    fn links_are_only_http_and_trailing_punctuation_stays_text() {
        let p = text_parts(
            "see https://example.com/a?b=1. and javascript:alert(1) or (http://x.org)",
            &[],
            &people(),
        );
        let links: Vec<_> = p
            .iter()
            .filter_map(|x| match x {
                TextPart::Link { url, .. } => Some(url.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(links, ["https://example.com/a?b=1", "http://x.org"]);
        let all: String = p.iter().map(|x| x.text().to_owned()).collect();
        assert_eq!(
            all,
            "see https://example.com/a?b=1. and javascript:alert(1) or (http://x.org)"
        );
    }

    #[test]
    fn links_keep_balanced_parentheses_and_leave_other_schemes() {
        let links = |t: &str| -> Vec<String> {
            text_parts(t, &[], &people())
                .into_iter()
                .filter_map(|x| match x {
                    TextPart::Link { url, .. } => Some(url),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            links("see https://en.wikipedia.org/wiki/Foo_(bar) now"),
            ["https://en.wikipedia.org/wiki/Foo_(bar)"]
        );
        assert_eq!(
            links("(see https://en.wikipedia.org/wiki/Foo_(bar))."),
            ["https://en.wikipedia.org/wiki/Foo_(bar)"]
        );
        assert_eq!(
            links("<https://a.example/x>, \"https://b.example/y\""),
            ["https://a.example/x", "https://b.example/y"]
        );
        assert!(
            links("file:///etc/passwd ftp://x.org/a data:text/html,hi xhttps://evil.example")
                .is_empty()
        );
        assert!(links("javascript:alert(1)//https://x.org")
            .iter()
            .all(|u| u == "https://x.org"));
        // Every character survives the split, in order.
        let t = "a https://x.org/(1) b @Alice c";
        let all: String = text_parts(t, &["me1".into()], &people())
            .iter()
            .map(|x| x.text().to_owned())
            .collect();
        assert_eq!(all, t);
    }

    #[test]
    fn mentions_need_the_user_in_at_user_ids() {
        let p = text_parts("hi @Alice and @Bob!", &["me1".into()], &people());
        assert_eq!(
            p,
            vec![
                TextPart::Text { text: "hi ".into() },
                TextPart::Mention {
                    text: "@Alice".into(),
                    user_id: "me1".into(),
                    me: true
                },
                TextPart::Text {
                    text: " and @Bob!".into()
                },
            ]
        );
    }

    #[test]
    fn hostile_strings_stay_text() {
        let s = "<img src=x onerror=alert(1)> @<b>";
        let p = text_parts(s, &["bob2".into()], &people());
        assert_eq!(p, vec![TextPart::Text { text: s.into() }]);
        assert_eq!(safe_url("javascript:alert(1)"), "");
        assert_eq!(safe_url("data:text/html,<b>"), "");
        assert_eq!(
            safe_url("https://i.example/x.png"),
            "https://i.example/x.png"
        );
    }

    #[test]
    fn a_1v1_room_is_titled_by_the_other_person() {
        let room = Room {
            room_id: "r".into(),
            is_1v1: true,
            members: vec![user("me1", "Alice"), user("bob2", "Bob")],
            ..Default::default()
        };
        let s = RoomSummary {
            room,
            latest: None,
            unread: 3,
            mentions: 1,
            notify: NotifyMode::All,
            last_activity: 5_000_000,
        };
        let v = room_view(&s, "me1", None);
        assert_eq!(v.kind, RoomKind::Direct);
        assert_eq!(v.title, "Bob");
        assert_eq!((v.unread, v.mentions), (3, 1));
        assert_eq!(v.last_activity_ms, 5.0);
    }

    #[test]
    fn my_message_is_keyed_by_client_id_and_names_its_reply() {
        let p = people();
        let q = Message::text("bob2", "r", "the quoted one");
        let mut m = Message::text("me1", "r", "hello");
        m.client_msg_id = Some("c1".into());
        m.id = Some("i1".into());
        m.reply_to_msg_id = "q1".into();
        let v = message_view(&m, &p, SendStatus::Sent, None, Some(&q));
        assert_eq!(v.key, "c1");
        assert!(v.mine);
        let r = v.reply.expect("a reply preview");
        assert_eq!(
            (r.sender_name.as_str(), r.text.as_str(), r.found),
            ("Bob", "the quoted one", true)
        );
    }

    #[test]
    fn one_line_cuts_long_text() {
        assert_eq!(one_line("a\n b", 10), "a b");
        assert_eq!(one_line("abcdef", 4), "abc…");
    }

    #[test]
    fn the_markdown_subset_becomes_typed_parts_around_links_and_mentions() {
        let p = text_parts(
            "**loud** and `x<b>` to @Alice: https://example.com/a_b_c\n> said\n```\n<i>raw</i>\n```",
            &["me1".into()],
            &people(),
        );
        let kinds: Vec<(&str, &str)> = p
            .iter()
            .map(|x| {
                let k = match x {
                    TextPart::Text { .. } => "text",
                    TextPart::Link { .. } => "link",
                    TextPart::Mention { .. } => "mention",
                    TextPart::Bold { .. } => "bold",
                    TextPart::Italic { .. } => "italic",
                    TextPart::Code { .. } => "code",
                    TextPart::CodeBlock { .. } => "code_block",
                    TextPart::Quote { .. } => "quote",
                };
                (k, x.text())
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("bold", "loud"),
                ("text", " and "),
                ("code", "x<b>"),
                ("text", " to "),
                ("mention", "@Alice"),
                ("text", ": "),
                ("link", "https://example.com/a_b_c"),
                ("text", "\n"),
                ("quote", "said"),
                ("code_block", "<i>raw</i>"),
            ]
        );
    }
}
