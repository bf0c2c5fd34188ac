//! The acceptance rules of section 2 that need the database's facts.

use w3mq_protocol::{Message, Rejection};

use crate::store::Facts;

/// Checks a message (already through [`w3mq_protocol::validate_message`])
/// against what the store knows. A duplicate `client_msg_id` passes: the
/// store then answers with the message it stored before.
pub fn check(m: &Message, f: &Facts) -> Result<(), Rejection> {
    if !f.is_member {
        return Err(Rejection::NotMember);
    }
    if f.duplicate.is_some() {
        return Ok(());
    }
    if !m.belong_to_thread_id.is_empty() {
        match &f.thread {
            Some((room, true)) if *room == m.to_room_id => {}
            _ => return Err(Rejection::ThreadNotFound),
        }
    }
    if !m.reply_to_msg_id.is_empty() && f.reply_room.as_deref() != Some(m.to_room_id.as_str()) {
        return Err(Rejection::ReplyNotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOM: &str = "61f1007e604cc5be5f7a3c30";
    const OTHER: &str = "61f1007e604cc5be5f7a3c31";

    fn msg() -> Message {
        Message::text("61f1006d604cc5be5f7a3c2d", ROOM, "hi")
    }

    fn member() -> Facts {
        Facts {
            is_member: true,
            ..Default::default()
        }
    }

    #[test]
    fn non_members_are_refused_even_for_duplicates() {
        let f = Facts {
            duplicate: Some(msg()),
            ..Default::default()
        };
        assert_eq!(check(&msg(), &f), Err(Rejection::NotMember));
        assert_eq!(check(&msg(), &member()), Ok(()));
    }

    #[test]
    fn threads_must_be_roots_of_the_same_room() {
        let mut m = msg();
        m.belong_to_thread_id = "61f1007e604cc5be5f7a3c99".into();
        assert_eq!(check(&m, &member()), Err(Rejection::ThreadNotFound));
        let f = Facts {
            thread: Some((OTHER.into(), true)),
            ..member()
        };
        assert_eq!(check(&m, &f), Err(Rejection::ThreadNotFound));
        let f = Facts {
            thread: Some((ROOM.into(), false)),
            ..member()
        };
        assert_eq!(check(&m, &f), Err(Rejection::ThreadNotFound));
        let f = Facts {
            thread: Some((ROOM.into(), true)),
            ..member()
        };
        assert_eq!(check(&m, &f), Ok(()));
    }

    #[test]
    fn replies_must_name_a_message_of_the_same_room() {
        let mut m = msg();
        m.reply_to_msg_id = "61f1007e604cc5be5f7a3c99".into();
        assert_eq!(check(&m, &member()), Err(Rejection::ReplyNotFound));
        let f = Facts {
            reply_room: Some(OTHER.into()),
            ..member()
        };
        assert_eq!(check(&m, &f), Err(Rejection::ReplyNotFound));
        let f = Facts {
            reply_room: Some(ROOM.into()),
            ..member()
        };
        assert_eq!(check(&m, &f), Ok(()));
    }
}
