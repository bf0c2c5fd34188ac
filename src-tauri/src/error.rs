//! The one error type commands return: `{code, message}` for the UI.

use serde::Serialize;
use w3mq_core::channel::ChannelError;
use w3mq_core::CoreError;

/// An error as the UI receives it (the rejected value of a command's promise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{code}: {message}")]
pub struct AppError {
    /// A stable machine-readable code (`not_signed_in`, `network`, `invalid_input`, …).
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl AppError {
    /// An error with a code and a message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        AppError {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// Bad input from the UI.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new("invalid_input", message)
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        AppError::new(e.code(), e.to_string())
    }
}

/// A command's result.
pub type CmdResult<T> = Result<T, AppError>;

/// What a channel error means for the UI.
impl From<ChannelError> for AppError {
    fn from(e: ChannelError) -> Self {
        let code = match &e {
            ChannelError::Access(_) => "forbidden",
            ChannelError::RateLimited(_) => "rate_limited",
            ChannelError::NotFound => "not_found",
            ChannelError::BadRequest(_) | ChannelError::InvalidInput(_) => "invalid_input",
            ChannelError::Network(_) | ChannelError::ConnectionLost | ChannelError::Timeout => {
                "network"
            }
            ChannelError::Closed => "closed",
            _ => "channel",
        };
        let message = match &e {
            ChannelError::Access(_) => "not allowed on this channel".to_owned(),
            ChannelError::NotFound => "no such channel".to_owned(),
            other => other.to_string(),
        };
        AppError::new(code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code() {
        let e: AppError = CoreError::NotSignedIn.into();
        assert_eq!(e.code, "not_signed_in");
        assert_eq!(
            serde_json::to_value(&e).unwrap_or_default(),
            serde_json::json!({"code": "not_signed_in", "message": "not signed in"})
        );
    }
}
