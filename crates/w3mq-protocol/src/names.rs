//! Names people type for other people: nick names, and how a typed name
//! finds a member (a whisper, a mention, a moderator's timeout or purge).
//!
//! A name finds a member by its exact user id first, then by its wallet
//! address, and only then by nick name (without regard to case). A name that
//! reads as a user id or an address is never matched against nick names,
//! and a nick name that reads as one cannot be set, so nobody can take
//! another's id or address as a nick. Two members with the same nick make
//! that nick ambiguous: an error, never the first match.

use thiserror::Error;

use crate::room::User;
use crate::validate::is_address;
use crate::{is_object_id, MAX_NICK_NAME_CHARS};

/// Why a nick name cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NickError {
    /// Over [`MAX_NICK_NAME_CHARS`].
    #[error("a nick name has at most 64 characters")]
    TooLong,
    /// A control character (newlines, NUL, direction overrides are not
    /// control characters; they are left to the clients' escaping).
    #[error("a nick name cannot hold control characters")]
    Control,
    /// It reads as a user id or a wallet address.
    #[error("a nick name cannot look like a user id or a wallet address")]
    LooksLikeId,
    /// It starts with `@`, which mentions use.
    #[error("a nick name cannot start with @")]
    At,
}

/// Whether `n` may be set as a nick name (empty clears it).
pub fn check_nick_name(n: &str) -> Result<(), NickError> {
    if n.chars().count() > MAX_NICK_NAME_CHARS {
        return Err(NickError::TooLong);
    }
    if n.chars().any(char::is_control) {
        return Err(NickError::Control);
    }
    let t = n.trim();
    if t.starts_with('@') {
        return Err(NickError::At);
    }
    if reads_as_id(t) {
        return Err(NickError::LooksLikeId);
    }
    Ok(())
}

/// True when `s` reads as a user id or a wallet address (any case), or as
/// the start of an address (`0x` and 6 or more hex digits).
pub fn reads_as_id(s: &str) -> bool {
    let hexish = |h: &str| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit());
    is_object_id(s)
        || is_address(s)
        || s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x"))
            && s.len() >= 8
            && hexish(&s[2..])
}

/// Why a typed name found no single member.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    /// Nobody is called that.
    #[error("no member is called {0:?}")]
    Unknown(String),
    /// Several members have that nick name.
    #[error("several members are called {0:?}; use the user id or address")]
    Ambiguous(String),
}

/// The member of `members` that `name` names (an optional leading `@` and
/// surrounding space are ignored).
pub fn resolve_member<'a>(members: &'a [User], name: &str) -> Result<&'a User, NameError> {
    let t = name.trim();
    let t = t.strip_prefix('@').unwrap_or(t).trim();
    if t.is_empty() {
        return Err(NameError::Unknown(String::new()));
    }
    let lower = t.to_lowercase();
    if is_object_id(t) {
        return members
            .iter()
            .find(|u| u.user_id.eq_ignore_ascii_case(t))
            .ok_or(NameError::Unknown(t.into()));
    }
    if is_address(t) {
        return members
            .iter()
            .find(|u| u.eth_wallet_address.eq_ignore_ascii_case(t))
            .ok_or(NameError::Unknown(t.into()));
    }
    if reads_as_id(t) {
        return Err(NameError::Unknown(t.into()));
    }
    let mut found = members
        .iter()
        .filter(|u| !u.nick_name.is_empty() && u.nick_name.trim().to_lowercase() == lower);
    match (found.next(), found.next()) {
        (Some(u), None) => Ok(u),
        (Some(_), Some(_)) => Err(NameError::Ambiguous(t.into())),
        (None, _) => Err(NameError::Unknown(t.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, wallet: &str, nick: &str) -> User {
        User {
            user_id: id.into(),
            eth_wallet_address: wallet.into(),
            nick_name: nick.into(),
            ..Default::default()
        }
    }

    const A: &str = "61f1006d604cc5be5f7a3c2a";
    const B: &str = "61f1006d604cc5be5f7a3c2b";
    const C: &str = "61f1006d604cc5be5f7a3c2c";
    const WA: &str = "0x00000000000000000000000000000000000000aa";
    const WB: &str = "0x00000000000000000000000000000000000000bb";

    #[test]
    fn ids_and_addresses_before_nick_names() {
        // Bob set his nick to Alice's id and address before the rule existed.
        let m = vec![user(A, WA, "alice"), user(B, WB, A), user(C, "", WA)];
        assert_eq!(resolve_member(&m, A).unwrap().user_id, A);
        assert_eq!(resolve_member(&m, &A.to_uppercase()).unwrap().user_id, A);
        assert_eq!(resolve_member(&m, WA).unwrap().user_id, A);
        assert_eq!(resolve_member(&m, "@Alice").unwrap().user_id, A);
        assert_eq!(
            resolve_member(&m, "0x000000"),
            Err(NameError::Unknown("0x000000".into())),
            "a partial address matches no nick"
        );
    }

    #[test]
    fn an_ambiguous_nick_is_an_error() {
        let m = vec![user(A, WA, "sam"), user(B, WB, "SAM ")];
        assert!(matches!(
            resolve_member(&m, "sam"),
            Err(NameError::Ambiguous(_))
        ));
        assert_eq!(resolve_member(&m, B).unwrap().user_id, B);
        assert!(matches!(
            resolve_member(&m, "nobody"),
            Err(NameError::Unknown(_))
        ));
    }

    #[test]
    fn nick_names_that_read_as_ids_are_refused() {
        assert_eq!(check_nick_name(A), Err(NickError::LooksLikeId));
        assert_eq!(
            check_nick_name(&WA.to_uppercase()),
            Err(NickError::LooksLikeId)
        );
        assert_eq!(check_nick_name(" 0xabcdef12 "), Err(NickError::LooksLikeId));
        assert_eq!(check_nick_name("@alice"), Err(NickError::At));
        assert_eq!(check_nick_name("a\u{0}b"), Err(NickError::Control));
        assert_eq!(check_nick_name(&"x".repeat(65)), Err(NickError::TooLong));
        assert_eq!(check_nick_name("0xford"), Ok(()));
        assert_eq!(check_nick_name("Ørjan 🦀"), Ok(()));
        assert_eq!(check_nick_name(""), Ok(()));
    }
}
