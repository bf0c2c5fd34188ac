//! Who to greet: the users the companion has seen (in user search results or
//! as members of its rooms) that it has not greeted yet.

use std::collections::HashSet;

use w3mq_protocol::{is_object_id, User};

/// The single-character keywords the companion searches for by default:
/// `POST /search` matches part of a nick name (or ENS name), so together they
/// find every user whose name has an ASCII letter or digit. The server
/// refuses an empty keyword, and a wallet address matches only whole.
pub const DEFAULT_KEYWORDS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";

/// The default keywords, one string each.
pub fn default_keywords() -> Vec<String> {
    DEFAULT_KEYWORDS.chars().map(String::from).collect()
}

/// Picks, from `seen`, the users to greet now and marks them in `greeted`:
/// valid user ids only, never `me`, never another companion (a user whose
/// nick name is `my_nick`, e.g. the account of an earlier run), each user
/// once, in the order first seen.
pub fn pick(
    me: &str,
    my_nick: &str,
    seen: impl IntoIterator<Item = User>,
    greeted: &mut HashSet<String>,
) -> Vec<User> {
    let mut out = Vec::new();
    for u in seen {
        let id = u.user_id.to_ascii_lowercase();
        if !is_object_id(&id) || id.eq_ignore_ascii_case(me) || is_companion(&u, my_nick) {
            continue;
        }
        if greeted.insert(id) {
            out.push(u);
        }
    }
    out
}

/// A user named like the companion: another (or an earlier) companion.
pub fn is_companion(u: &User, my_nick: &str) -> bool {
    let nick = my_nick.trim();
    !nick.is_empty() && u.nick_name.trim().eq_ignore_ascii_case(nick)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "61f1006d604cc5be5f7a3c2e";
    const A: &str = "61f1006d604cc5be5f7a3c2a";
    const B: &str = "61f1006d604cc5be5f7a3c2b";
    const OLD_BOT: &str = "61f1006d604cc5be5f7a3c2c";

    fn user(id: &str, nick: &str) -> User {
        User {
            user_id: id.into(),
            nick_name: nick.into(),
            ..Default::default()
        }
    }

    #[test]
    fn greets_each_new_user_once_never_itself_nor_another_companion() {
        let mut greeted = HashSet::new();
        let first = pick(
            ME,
            "Demo Companion",
            vec![
                user(ME, "Demo Companion"),
                user(A, "Alice"),
                user(OLD_BOT, " demo companion "),
                user(A, "Alice"),
                user("not-an-id", "Mallory"),
                user(B, ""),
            ],
            &mut greeted,
        );
        let ids: Vec<&str> = first.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(ids, vec![A, B]);
        let again = pick(
            ME,
            "Demo Companion",
            vec![user(A, "Alice"), user(&B.to_uppercase(), "")],
            &mut greeted,
        );
        assert!(again.is_empty(), "ids compare without regard to case");
    }

    #[test]
    fn a_user_forgotten_after_a_failed_greeting_is_picked_again() {
        let mut greeted = HashSet::new();
        assert_eq!(
            pick(ME, "Bot", vec![user(A, "Alice")], &mut greeted).len(),
            1
        );
        greeted.remove(A);
        assert_eq!(
            pick(ME, "Bot", vec![user(A, "Alice")], &mut greeted).len(),
            1
        );
    }

    #[test]
    fn default_keywords_cover_letters_and_digits() {
        let k = default_keywords();
        assert_eq!(k.len(), 36);
        assert!(k.iter().all(|s| s.chars().count() == 1));
    }
}
