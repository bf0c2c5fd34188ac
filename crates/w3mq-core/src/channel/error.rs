//! The channel's typed errors, with the codes of seed 002.

use serde_json::Value;
use w3mq_protocol::chat::codes;

use crate::error::CoreError;

/// What can go wrong on a channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// `UNOTFOUND`: the user and the authkey do not match.
    #[error("UNOTFOUND: user and authkey do not match")]
    UserNotFound,
    /// `UNOTJSON`: the server could not read the packet.
    #[error("UNOTJSON: the packet was not JSON")]
    NotJson,
    /// `UACCESS`: not allowed (anonymous, not a moderator, timed out, …).
    #[error("UACCESS: not allowed: {0}")]
    Access(String),
    /// `4004`: bad request (unknown method, wrong arguments).
    #[error("4004: bad request: {0}")]
    BadRequest(String),
    /// `4005`: rate limited.
    #[error("4005: rate limited: {0}")]
    RateLimited(String),
    /// `5000` (this server's extension): the server failed; the call may
    /// be retried.
    #[error("5000: the server failed")]
    Internal,
    /// Any other error the server replied with.
    #[error("server error: {0}")]
    Server(String),
    /// No reply within the method timeout.
    #[error("no reply in time")]
    Timeout,
    /// The connection was lost before the reply came; the call may or may
    /// not have taken effect.
    #[error("connection lost before the reply")]
    ConnectionLost,
    /// Too many calls are waiting for a connection.
    #[error("too many calls waiting for a connection")]
    QueueFull,
    /// The channel was closed.
    #[error("the channel is closed")]
    Closed,
    /// `GET /chats/<id>`: no such channel.
    #[error("no such channel")]
    NotFound,
    /// `GET /chats/<id>` answered another error.
    #[error("HTTP {status}: {msg}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The body, shortened.
        msg: String,
    },
    /// The server could not be reached.
    #[error("network error: {0}")]
    Network(String),
    /// The server said something that is not the protocol.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// Bad input from the caller.
    #[error("{0}")]
    InvalidInput(String),
}

impl ChannelError {
    /// A stable machine-readable code: the seed's codes for the server's
    /// errors (`UNOTFOUND`, `UNOTJSON`, `UACCESS`, `4004`, `4005`), snake
    /// case for the client's own.
    pub fn code(&self) -> &'static str {
        match self {
            ChannelError::UserNotFound => codes::UNOTFOUND,
            ChannelError::NotJson => codes::UNOTJSON,
            ChannelError::Access(_) => codes::UACCESS,
            ChannelError::BadRequest(_) => codes::BAD_REQUEST,
            ChannelError::RateLimited(_) => codes::RATE_LIMITED,
            ChannelError::Internal => codes::INTERNAL,
            ChannelError::Server(_) => "server_error",
            ChannelError::Timeout => "timeout",
            ChannelError::ConnectionLost => "connection_lost",
            ChannelError::QueueFull => "queue_full",
            ChannelError::Closed => "closed",
            ChannelError::NotFound => "not_found",
            ChannelError::Http { .. } => "http",
            ChannelError::Network(_) => "network",
            ChannelError::Protocol(_) => "protocol",
            ChannelError::InvalidInput(_) => "invalid_input",
        }
    }

    /// The error of a `reply` packet: a string (`"UACCESS"`, or a code
    /// followed by text), a number (`4004`), or an object with `code` and
    /// `message`.
    pub fn from_reply(error: &Value) -> ChannelError {
        let (code, text) = match error {
            Value::String(s) => (s.clone(), s.clone()),
            Value::Number(n) => (n.to_string(), n.to_string()),
            Value::Object(o) => {
                let code = match o.get("code") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => String::new(),
                };
                let text = ["message", "msg", "reason", "error"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .map(str::to_owned)
                    .unwrap_or_else(|| error.to_string());
                (code, text)
            }
            other => (String::new(), other.to_string()),
        };
        let text: String = text.chars().take(200).collect();
        // The code may lead the text ("UACCESS: …", "4005 rate limited").
        let lead: String = code
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        match lead.as_str() {
            codes::UNOTFOUND => ChannelError::UserNotFound,
            codes::UNOTJSON => ChannelError::NotJson,
            codes::UACCESS => ChannelError::Access(text),
            codes::BAD_REQUEST => ChannelError::BadRequest(text),
            codes::RATE_LIMITED => ChannelError::RateLimited(text),
            codes::INTERNAL => ChannelError::Internal,
            _ => ChannelError::Server(text),
        }
    }
}

impl From<ChannelError> for CoreError {
    fn from(e: ChannelError) -> Self {
        match e {
            ChannelError::NotFound => CoreError::NotFound("channel"),
            ChannelError::Http { status, msg } => CoreError::Api { status, msg },
            ChannelError::Network(m) => CoreError::Network(m),
            ChannelError::InvalidInput(m) => CoreError::InvalidInput(m),
            ChannelError::Access(_) => CoreError::Api {
                status: 403,
                msg: "not allowed on this channel".into(),
            },
            ChannelError::RateLimited(m) => CoreError::Api {
                status: 429,
                msg: m,
            },
            other => CoreError::Protocol(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reply_errors_map_to_the_seed_codes() {
        let cases = [
            (json!("UNOTFOUND"), "UNOTFOUND"),
            (json!("UNOTJSON"), "UNOTJSON"),
            (json!("UACCESS: you are not a moderator"), "UACCESS"),
            (json!(4004), "4004"),
            (json!("4005"), "4005"),
            (json!({"code": 4005, "message": "slow down"}), "4005"),
            (
                json!({"code": "UACCESS", "message": "read only"}),
                "UACCESS",
            ),
            (json!("5000"), "5000"),
            (json!("something else"), "server_error"),
            (json!([1]), "server_error"),
        ];
        for (v, code) in cases {
            assert_eq!(ChannelError::from_reply(&v).code(), code, "{v}");
        }
        assert_eq!(
            ChannelError::from_reply(&json!({"code": 4005, "message": "slow down"})),
            ChannelError::RateLimited("slow down".into())
        );
        // A long message is cut.
        let long = "x".repeat(1000);
        let ChannelError::Server(t) = ChannelError::from_reply(&json!(long)) else {
            panic!("not a server error")
        };
        assert_eq!(t.len(), 200);
    }
}
