//! When to raise a desktop notification: decided here, not in the UI.

use serde::{Deserialize, Serialize};
use w3mq_protocol::Message;

use crate::model::NotifyMode;

/// What the user is looking at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// The room open in the window.
    pub room_id: Option<String>,
    /// The window has focus.
    pub window_focused: bool,
}

/// Why a notification is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NotifyReason {
    /// The message mentions me.
    Mention,
    /// A message in a 1v1 room.
    Direct,
    /// The room's setting is "all".
    Room,
}

/// The setting a room starts with: every message of a 1v1 room, mentions
/// only elsewhere.
pub fn default_mode(is_1v1: bool) -> NotifyMode {
    if is_1v1 {
        NotifyMode::All
    } else {
        NotifyMode::Mentions
    }
}

/// Decides whether `m` notifies `me`. Messages by me never do; nothing
/// notifies for the room the user is looking at while the window has focus;
/// a muted room never notifies. Otherwise a mention always notifies, and an
/// unmentioned message notifies when the room's setting is "all" (the
/// default of 1v1 rooms, see [`default_mode`]).
pub fn decide(
    me: &str,
    m: &Message,
    is_1v1: bool,
    mode: NotifyMode,
    focus: &Focus,
) -> Option<NotifyReason> {
    if m.from_uid == me || mode == NotifyMode::Mute {
        return None;
    }
    if focus.window_focused && focus.room_id.as_deref() == Some(m.to_room_id.as_str()) {
        return None;
    }
    if m.at_user_ids.iter().any(|u| u == me) {
        return Some(NotifyReason::Mention);
    }
    if mode == NotifyMode::Mentions {
        return None;
    }
    Some(if is_1v1 {
        NotifyReason::Direct
    } else {
        NotifyReason::Room
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "61f1006d604cc5be5f7a3c2e";
    const OTHER: &str = "61f1006d604cc5be5f7a3c2d";
    const ROOM: &str = "61f1007e604cc5be5f7a3c30";

    fn msg(from: &str, at_me: bool) -> Message {
        let mut m = Message::text(from, ROOM, "hi");
        if at_me {
            m.at_user_ids = vec![ME.into()];
        }
        m
    }

    fn away() -> Focus {
        Focus::default()
    }

    #[test]
    fn mentions_notify_and_mine_never_do() {
        assert_eq!(
            decide(ME, &msg(OTHER, true), false, NotifyMode::Mentions, &away()),
            Some(NotifyReason::Mention)
        );
        assert_eq!(
            decide(ME, &msg(ME, true), false, NotifyMode::All, &away()),
            None
        );
    }

    #[test]
    fn direct_rooms_notify_every_message_group_rooms_only_when_chosen() {
        let direct = default_mode(true);
        let group = default_mode(false);
        assert_eq!(
            decide(ME, &msg(OTHER, false), true, direct, &away()),
            Some(NotifyReason::Direct)
        );
        assert_eq!(decide(ME, &msg(OTHER, false), false, group, &away()), None);
        assert_eq!(
            decide(ME, &msg(OTHER, false), false, NotifyMode::All, &away()),
            Some(NotifyReason::Room)
        );
    }

    #[test]
    fn settings_and_focus_silence() {
        assert_eq!(
            decide(ME, &msg(OTHER, true), true, NotifyMode::Mute, &away()),
            None
        );
        assert_eq!(
            decide(ME, &msg(OTHER, false), true, NotifyMode::Mentions, &away()),
            None
        );
        assert_eq!(
            decide(ME, &msg(OTHER, true), true, NotifyMode::Mentions, &away()),
            Some(NotifyReason::Mention)
        );
        let looking = Focus {
            room_id: Some(ROOM.into()),
            window_focused: true,
        };
        assert_eq!(
            decide(ME, &msg(OTHER, true), true, NotifyMode::All, &looking),
            None
        );
        let unfocused = Focus {
            room_id: Some(ROOM.into()),
            window_focused: false,
        };
        assert_eq!(
            decide(ME, &msg(OTHER, true), true, NotifyMode::All, &unfocused),
            Some(NotifyReason::Mention)
        );
    }
}
