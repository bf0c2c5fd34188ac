//! The acceptance rules of section 2 that need no database.

use thiserror::Error;

use crate::ids::{is_object_id, normalize_timestamp, now_nanos};
use crate::message::{Message, MsgContents, MsgType};
use crate::swap_card::SwapCard;

/// The largest payload the server accepts on `msg/<u>`: 64 KiB.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// The longest `client_msg_id`.
pub const MAX_CLIENT_MSG_ID_LEN: usize = 64;
/// The longest nick name, in characters.
pub const MAX_NICK_NAME_CHARS: usize = 64;

/// Why a message was not accepted. [`Rejection::code`] is what the `error`
/// event carries; the `Display` text is its `reason`.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum Rejection {
    /// Over [`MAX_PAYLOAD_BYTES`].
    #[error("payload of {0} bytes is over the limit of 65536")]
    PayloadTooLarge(usize),
    /// Not a JSON object of the message's shape.
    #[error("malformed message: {0}")]
    MalformedJson(String),
    /// `from_uid` names someone other than the publisher.
    #[error("from_uid does not match the publishing user")]
    FromMismatch,
    /// `to_room_id` is not an object id.
    #[error("to_room_id is not a room id")]
    InvalidRoomId,
    /// `msg_type` is not `text` or `sudo_swap_card`.
    #[error("unknown msg_type {0:?}")]
    UnknownMsgType(String),
    /// `msg_contents` does not fit `msg_type`.
    #[error("msg_contents does not fit its type: {0}")]
    InvalidContents(String),
    /// An address is not `0x` + 40 hex digits.
    #[error("{0} is not an address (0x and 40 hex digits)")]
    InvalidAddress(&'static str),
    /// A URL that must be http(s) is not.
    #[error("{0} is not an http(s) URL")]
    InvalidUrl(&'static str),
    /// An OpenSea token id is not decimal digits.
    #[error("opensea_item_token_id is not decimal digits")]
    InvalidTokenId,
    /// `belong_to_thread_id` or `reply_to_msg_id` is not an object id.
    #[error("{0} is not a message id")]
    InvalidReference(&'static str),
    /// `client_msg_id` is empty or longer than [`MAX_CLIENT_MSG_ID_LEN`].
    #[error("client_msg_id must be 1 to 64 characters")]
    InvalidClientMsgId,
    /// The room does not exist or the sender is not a member.
    #[error("room does not exist or you are not a member")]
    NotMember,
    /// `belong_to_thread_id` names no thread root of this room.
    #[error("belong_to_thread_id names no thread of this room")]
    ThreadNotFound,
    /// `reply_to_msg_id` names no message of this room.
    #[error("reply_to_msg_id names no message of this room")]
    ReplyNotFound,
    /// The sender is over its message rate.
    #[error("rate limited: too many messages")]
    RateLimited,
    /// A moderator timed the sender out in this room (a public channel).
    #[error("you are timed out in this room")]
    TimedOut,
}

impl Rejection {
    /// The machine-readable code carried by the `error` event and counted in metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::PayloadTooLarge(_) => "payload_too_large",
            Rejection::MalformedJson(_) => "malformed_json",
            Rejection::FromMismatch => "from_mismatch",
            Rejection::InvalidRoomId => "invalid_room_id",
            Rejection::UnknownMsgType(_) => "unknown_msg_type",
            Rejection::InvalidContents(_) => "invalid_contents",
            Rejection::InvalidAddress(_) => "invalid_address",
            Rejection::InvalidUrl(_) => "invalid_url",
            Rejection::InvalidTokenId => "invalid_token_id",
            Rejection::InvalidReference(_) => "invalid_reference",
            Rejection::InvalidClientMsgId => "invalid_client_msg_id",
            Rejection::NotMember => "not_member",
            Rejection::ThreadNotFound => "thread_not_found",
            Rejection::ReplyNotFound => "reply_not_found",
            Rejection::RateLimited => "rate_limited",
            Rejection::TimedOut => "timed_out",
        }
    }

    /// Every code, for metrics labels and documentation.
    pub const ALL_CODES: [&'static str; 16] = [
        "payload_too_large",
        "malformed_json",
        "from_mismatch",
        "invalid_room_id",
        "unknown_msg_type",
        "invalid_contents",
        "invalid_address",
        "invalid_url",
        "invalid_token_id",
        "invalid_reference",
        "invalid_client_msg_id",
        "not_member",
        "thread_not_found",
        "reply_not_found",
        "rate_limited",
        "timed_out",
    ];
}

/// True for `0x` followed by 40 hex digits.
pub fn is_address(s: &str) -> bool {
    s.len() == 42
        && (s.starts_with("0x") || s.starts_with("0X"))
        && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// True for an absolute http or https URL with a host.
pub fn is_http_url(s: &str) -> bool {
    if s.len() > 4096 {
        return false;
    }
    match url::Url::parse(s) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    }
}

/// Checks a payload published on `msg/<publisher>` against every rule that
/// needs no database, and returns the message as the server stores it: ids
/// lowercased, `from_uid` filled in, `created_at` in nanoseconds, `id` and
/// `seq` cleared (the server assigns them), `at_user_ids` reduced to distinct
/// object ids.
pub fn validate_message(payload: &[u8], publisher: &str) -> Result<Message, Rejection> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(Rejection::PayloadTooLarge(payload.len()));
    }
    let malformed = |e: serde_json::Error| {
        let mut s = e.to_string();
        truncate_on_char_boundary(&mut s, 200);
        Rejection::MalformedJson(s)
    };
    // Parsed to a value first: a struct would also take a JSON array of its
    // fields in order, and the wire form is an object.
    let v: serde_json::Value = serde_json::from_slice(payload).map_err(malformed)?;
    if !v.is_object() {
        return Err(Rejection::MalformedJson("not a JSON object".into()));
    }
    let mut m: Message = serde_json::from_value(v).map_err(malformed)?;
    m.id = None;
    m.seq = None;
    // The server's own fields: a client never sets them.
    m.edited_at = 0;
    m.deleted = false;
    m.rev = 0;
    m.reactions.clear();

    if m.from_uid.is_empty() {
        m.from_uid = publisher.to_ascii_lowercase();
    } else if !m.from_uid.eq_ignore_ascii_case(publisher) {
        return Err(Rejection::FromMismatch);
    }
    m.from_uid.make_ascii_lowercase();

    if !is_object_id(&m.to_room_id) {
        return Err(Rejection::InvalidRoomId);
    }
    m.to_room_id.make_ascii_lowercase();

    if let Some(c) = &m.client_msg_id {
        if c.is_empty() || c.chars().count() > MAX_CLIENT_MSG_ID_LEN {
            return Err(Rejection::InvalidClientMsgId);
        }
    }

    let Some(kind) = MsgType::parse(&m.msg_type) else {
        let mut t = m.msg_type.clone();
        truncate_on_char_boundary(&mut t, 64);
        return Err(Rejection::UnknownMsgType(t));
    };
    check_contents(&m, kind)?;

    for (field, v) in [
        ("belong_to_thread_id", &mut m.belong_to_thread_id),
        ("reply_to_msg_id", &mut m.reply_to_msg_id),
    ] {
        if !v.is_empty() {
            if !is_object_id(v) {
                return Err(Rejection::InvalidReference(field));
            }
            v.make_ascii_lowercase();
        }
    }

    check_opensea_item(&m)?;

    m.created_at = normalize_timestamp(m.created_at).unwrap_or_else(now_nanos);

    let mut ats: Vec<String> = Vec::new();
    for a in m.at_user_ids.drain(..) {
        let a = a.to_ascii_lowercase();
        if is_object_id(&a) && !ats.contains(&a) {
            ats.push(a);
        }
    }
    m.at_user_ids = ats;
    Ok(m)
}

/// Cuts `s` to at most `max` bytes without splitting a character
/// (`String::truncate` panics inside one, and these strings quote the client).
fn truncate_on_char_boundary(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

fn check_contents(m: &Message, kind: MsgType) -> Result<(), Rejection> {
    match kind {
        MsgType::Text => match &m.msg_contents {
            serde_json::Value::String(s) if !s.is_empty() => Ok(()),
            serde_json::Value::String(_) => Err(Rejection::InvalidContents("text is empty".into())),
            _ => Err(Rejection::InvalidContents("text must be a string".into())),
        },
        MsgType::SudoSwapCard => match m.contents() {
            Some(MsgContents::SudoSwapCard(card)) => check_swap_card(&card),
            _ => Err(Rejection::InvalidContents(
                "not a sudo_swap_card structure".into(),
            )),
        },
    }
}

/// Checks a trade card's addresses and URLs.
pub fn check_swap_card(card: &SwapCard) -> Result<(), Rejection> {
    if !is_address(&card.creator_address) {
        return Err(Rejection::InvalidAddress("creatorAddress"));
    }
    if !card.recipient_address.is_empty() && !is_address(&card.recipient_address) {
        return Err(Rejection::InvalidAddress("recipientAddress"));
    }
    if !is_http_url(&card.jump_url) {
        return Err(Rejection::InvalidUrl("jumpUrl"));
    }
    for a in card.asset1_data.iter().chain(card.asset2_data.iter()) {
        if !is_address(&a.address) {
            return Err(Rejection::InvalidAddress("asset address"));
        }
        if !is_http_url(&a.img_url) {
            return Err(Rejection::InvalidUrl("imgURL"));
        }
    }
    Ok(())
}

/// Checks a message's OpenSea item fields.
pub(crate) fn check_opensea_item(m: &Message) -> Result<(), Rejection> {
    let addr = &m.opensea_item_contract_address;
    let token = &m.opensea_item_token_id;
    let img = &m.opensea_item_image_url;
    if (m.is_opensea_item_thread || !addr.is_empty()) && !is_address(addr) {
        return Err(Rejection::InvalidAddress("opensea_item_contract_address"));
    }
    let token_ok =
        !token.is_empty() && token.len() <= 78 && token.bytes().all(|b| b.is_ascii_digit());
    if (m.is_opensea_item_thread || !token.is_empty()) && !token_ok {
        return Err(Rejection::InvalidTokenId);
    }
    if !img.is_empty() && !is_http_url(img) {
        return Err(Rejection::InvalidUrl("opensea_item_image_url"));
    }
    Ok(())
}

impl crate::message::OpenSeaItem {
    /// Checks the fields as the acceptance rules do for an item thread.
    pub fn check(&self) -> Result<(), Rejection> {
        let mut m = Message::default();
        m.set_item(self.clone());
        check_opensea_item(&m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(is_address("0x0f4dc815bccd5da44e6ba06140c710813078510d"));
        assert!(!is_address("0x0f4dc815bccd5da44e6ba06140c710813078510"));
        assert!(!is_address("0f4dc815bccd5da44e6ba06140c710813078510d00"));
        assert!(!is_address("0x0f4dc815bccd5da44e6ba06140c710813078510g"));
        assert!(!is_address(""));
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://sudoswap.xyz/#/swap/1"));
        assert!(is_http_url("http://127.0.0.1:8080/a.png"));
        for bad in [
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "file:///etc/passwd",
            "ftp://x.org/a",
            "//evil.org/x",
            "https://",
            "",
            "not a url",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
