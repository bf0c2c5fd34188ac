//! What the companion says: the greeting, the thread and reply texts, and
//! its answer to what a user writes.

use w3mq_protocol::{Message, MsgType, User};

/// Longest quote of the user's text in an answer, in characters.
pub const MAX_QUOTE_CHARS: usize = 200;

/// How a user is called in text: nick name, else ENS name, else the
/// shortened wallet address, else "there".
pub fn display_name(u: &User) -> String {
    let nick = u.nick_name.trim();
    if !nick.is_empty() {
        return nick.to_owned();
    }
    let ens = u.ens_name.trim();
    if !ens.is_empty() {
        return ens.to_owned();
    }
    let addr = u.eth_wallet_address.trim();
    if addr.is_ascii() && addr.len() > 10 {
        return format!("{}…{}", &addr[..6], &addr[addr.len() - 4..]);
    }
    "there".to_owned()
}

/// The first message in a user's room with the companion; it mentions them
/// (`@name`; the message's `at_user_ids` names them too).
pub fn greeting(name: &str) -> String {
    format!(
        "Hi @{name}! I'm the demo companion, a bot running next to your local w3mq-server. \
         Below you'll find a sudoswap trade card, an OpenSea item thread and a quoted reply. \
         Write me anything and I'll answer; say \"card\" for another trade card."
    )
}

/// The message an OpenSea item thread is started on.
pub const ITEM_INTRO: &str =
    "Here's an NFT I'm keeping an eye on. Open its thread to talk about this item.";

/// The companion's answer inside the item thread.
pub const THREAD_REPLY: &str =
    "Thread reply: floor is up 4% this week. Reply here and the conversation stays in this thread.";

/// The companion's reply to its own greeting, to show a quoted reply.
pub const SELF_REPLY: &str =
    "This is a reply to my own greeting: the quote above shows which message it answers. \
     Reply to any of my messages and I'll reply to yours.";

/// What is posted in the demo collection room when the companion joins it.
pub const COLLECTION_WELCOME: &str =
    "Welcome to the Demo Apes collection room! Anyone can find it by its slug \"demo-apes\"; \
     say hi and I'll answer.";

/// The companion's answer to a text a user wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The reply text.
    pub text: String,
    /// Send a trade card as well.
    pub card: bool,
}

/// Answers `text` written by `name`. `mentioned`: the message mentions the
/// companion. A mention or the word "card" earns another trade card.
pub fn answer(text: &str, name: &str, mentioned: bool) -> Answer {
    let card = mentioned || wants_card(text);
    let quote = excerpt(text.trim(), MAX_QUOTE_CHARS);
    let tail = if card {
        "Here's another trade card for you."
    } else {
        "Mention me or say \"card\" and I'll send you a trade card."
    };
    Answer {
        text: format!("Thanks, {name}! You said: \u{201c}{quote}\u{201d}. {tail}"),
        card,
    }
}

/// The text of `m` if the companion answers it: a text message with a
/// server id, from someone other than `me`, written at or after `since`
/// (Unix ns; older history that arrives when a room is caught up is not
/// answered).
pub fn to_answer<'m>(m: &'m Message, me: &str, since: i64) -> Option<&'m str> {
    if m.from_uid.eq_ignore_ascii_case(me) || m.id.is_none() || m.created_at < since {
        return None;
    }
    text_of(m).filter(|t| !t.trim().is_empty())
}

/// The text asks for a trade card.
pub fn wants_card(text: &str) -> bool {
    text.to_lowercase().contains("card")
}

/// `m` mentions the companion: by id in `at_user_ids`, or as `@nick` in its
/// text.
pub fn mentions(m: &Message, me: &str, my_nick: &str) -> bool {
    if m.at_user_ids.iter().any(|u| u.eq_ignore_ascii_case(me)) {
        return true;
    }
    let nick = my_nick.trim();
    !nick.is_empty()
        && text_of(m).is_some_and(|t| {
            t.to_lowercase()
                .contains(&format!("@{}", nick.to_lowercase()))
        })
}

/// The text of a text message.
pub fn text_of(m: &Message) -> Option<&str> {
    if MsgType::parse(&m.msg_type) != Some(MsgType::Text) {
        return None;
    }
    m.msg_contents.as_str()
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub fn excerpt(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "61f1006d604cc5be5f7a3c2e";
    const ROOM: &str = "61f1007e604cc5be5f7a3c30";
    const USER: &str = "61f1006d604cc5be5f7a3c2a";

    #[test]
    fn names_fall_back_from_nick_to_ens_to_address() {
        let mut u = User {
            nick_name: " Alice ".into(),
            ens_name: "alice.eth".into(),
            eth_wallet_address: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266".into(),
            ..Default::default()
        };
        assert_eq!(display_name(&u), "Alice");
        u.nick_name.clear();
        assert_eq!(display_name(&u), "alice.eth");
        u.ens_name.clear();
        assert_eq!(display_name(&u), "0xf39f…2266");
        u.eth_wallet_address.clear();
        assert_eq!(display_name(&u), "there");
    }

    #[test]
    fn greeting_mentions_the_user_by_name() {
        assert!(greeting("Alice").starts_with("Hi @Alice! "));
    }

    #[test]
    fn answer_quotes_the_text_and_sends_a_card_when_asked() {
        let a = answer("  hello there ", "Alice", false);
        assert!(a.text.contains("\u{201c}hello there\u{201d}"), "{}", a.text);
        assert!(!a.card);
        assert!(answer("Show me a CARD", "Alice", false).card);
        assert!(answer("hi", "Alice", true).card);
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_QUOTE_CHARS + 50);
        let a = answer(&long, "Alice", false);
        assert!(a
            .text
            .contains(&format!("{}…", "é".repeat(MAX_QUOTE_CHARS))));
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("abcd", 3), "abc…");
    }

    #[test]
    fn mentions_by_id_or_by_nick_in_text() {
        let mut m = Message::text(USER, ROOM, "hey @demo companion, what's up");
        assert!(mentions(&m, ME, "Demo Companion"));
        m.msg_contents = "hey you".into();
        assert!(!mentions(&m, ME, "Demo Companion"));
        m.at_user_ids = vec![ME.to_uppercase()];
        assert!(mentions(&m, ME, "Demo Companion"));
    }

    #[test]
    fn answers_new_texts_of_others_only() {
        let since = 1_000;
        let mut m = Message::text(USER, ROOM, "hello");
        m.created_at = since;
        m.id = Some("61f1008e604cc5be5f7a3c31".into());
        assert_eq!(to_answer(&m, ME, since), Some("hello"));
        let mine = Message {
            from_uid: ME.to_uppercase(),
            ..m.clone()
        };
        assert_eq!(to_answer(&mine, ME, since), None, "never my own");
        let old = Message {
            created_at: since - 1,
            ..m.clone()
        };
        assert_eq!(to_answer(&old, ME, since), None, "history before the start");
        let unsent = Message {
            id: None,
            ..m.clone()
        };
        assert_eq!(
            to_answer(&unsent, ME, since),
            None,
            "no id, nothing to reply to"
        );
        let mut card = m.clone();
        card.msg_type = MsgType::SudoSwapCard.as_str().into();
        assert_eq!(to_answer(&card, ME, since), None, "texts only");
    }

    #[test]
    fn only_text_messages_have_text() {
        let mut m = Message::text(USER, ROOM, "hi");
        assert_eq!(text_of(&m), Some("hi"));
        m.msg_type = MsgType::SudoSwapCard.as_str().into();
        assert_eq!(text_of(&m), None);
    }
}
