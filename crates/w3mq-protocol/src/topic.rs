//! The MQTT topics of section 2.

use crate::ids::is_object_id;

/// A topic the protocol knows. Anything else is refused by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topic {
    /// `msg/<user_id>`: where a user publishes.
    Msg(String),
    /// `chat/<id>`: a room's messages, or a user's own events topic.
    Chat(String),
    /// `notification/<id>`: a room's or a user's events.
    Notification(String),
}

impl Topic {
    /// Parses a topic name. Wildcards, `$share/…`, `$SYS/…`, extra levels and
    /// ids that are not 24 hex digits all give `None`.
    pub fn parse(s: &str) -> Option<Topic> {
        let (head, id) = s.split_once('/')?;
        if !is_object_id(id) {
            return None;
        }
        let id = id.to_ascii_lowercase();
        match head {
            "msg" => Some(Topic::Msg(id)),
            "chat" => Some(Topic::Chat(id)),
            "notification" => Some(Topic::Notification(id)),
            _ => None,
        }
    }

    /// The topic name on the wire.
    pub fn name(&self) -> String {
        match self {
            Topic::Msg(id) => format!("msg/{id}"),
            Topic::Chat(id) => format!("chat/{id}"),
            Topic::Notification(id) => format!("notification/{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const ID: &str = "61f1006d604cc5be5f7a3c2d";

    #[test]
    fn parses_the_three_kinds() {
        assert_eq!(
            Topic::parse(&format!("msg/{ID}")),
            Some(Topic::Msg(ID.into()))
        );
        assert_eq!(
            Topic::parse(&format!("chat/{ID}")),
            Some(Topic::Chat(ID.into()))
        );
        assert_eq!(
            Topic::parse(&format!("notification/{ID}")).map(|t| t.name()),
            Some(format!("notification/{ID}"))
        );
    }

    #[test]
    fn refuses_everything_else() {
        for t in [
            "chat/#",
            "chat/+",
            "#",
            "+/x",
            "$SYS/brokers",
            "$share/g/chat/61f1006d604cc5be5f7a3c2d",
            "chat/61f1006d604cc5be5f7a3c2d/x",
            "chat/",
            "chat",
            "other/61f1006d604cc5be5f7a3c2d",
            "chat/61f1006d604cc5be5f7a3c2+",
        ] {
            assert_eq!(Topic::parse(t), None, "{t}");
        }
    }
}
