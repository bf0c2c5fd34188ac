//! The engine's typed errors. Each has a stable [`CoreError::code`] so the
//! shell can hand the UI `{code, message}`.

use thiserror::Error;

use crate::cache::CacheError;

/// Everything that can go wrong in the engine.
#[derive(Debug, Error)]
pub enum CoreError {
    /// No account is signed in.
    #[error("not signed in")]
    NotSignedIn,
    /// A private key did not parse.
    #[error("invalid private key: {0}")]
    InvalidKey(String),
    /// The message would be rejected by the server; nothing was queued.
    #[error("invalid message: {0}")]
    InvalidMessage(#[from] w3mq_protocol::Rejection),
    /// Bad input from the user or the shell.
    #[error("{0}")]
    InvalidInput(String),
    /// The server answered with an error envelope.
    #[error("server error {status}: {msg}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The envelope's message.
        msg: String,
    },
    /// The server could not be reached.
    #[error("network error: {0}")]
    Network(String),
    /// The server answered something that is not the protocol.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// The local cache failed.
    #[error("cache error: {0}")]
    Cache(#[from] CacheError),
    /// The OS keychain failed.
    #[error("the system keychain did not answer: {0}")]
    Secrets(String),
    /// The encrypted secret store waits for its passphrase.
    #[error("the encrypted store on this computer is locked: enter its passphrase")]
    Locked,
    /// Signing out would lose a key that was never backed up.
    #[error("this account was never backed up: back it up first, or type the confirmation to delete its key")]
    NotBackedUp,
    /// A file could not be read or written.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Not found (room, message, outbox entry).
    #[error("{0} not found")]
    NotFound(&'static str),
}

impl CoreError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotSignedIn => "not_signed_in",
            CoreError::InvalidKey(_) => "invalid_key",
            CoreError::InvalidMessage(_) => "invalid_message",
            CoreError::InvalidInput(_) => "invalid_input",
            CoreError::Api { status: 401, .. } => "unauthorized",
            CoreError::Api { status: 403, .. } => "forbidden",
            CoreError::Api { status: 404, .. } => "not_found",
            CoreError::Api { status: 429, .. } => "rate_limited",
            CoreError::Api { .. } => "server_error",
            CoreError::Network(_) => "network",
            CoreError::Protocol(_) => "protocol",
            CoreError::Cache(_) => "cache",
            CoreError::Secrets(_) => "keychain",
            CoreError::Locked => "locked",
            CoreError::NotBackedUp => "not_backed_up",
            CoreError::Io(_) => "io",
            CoreError::NotFound(_) => "not_found",
        }
    }
}

impl From<reqwest::Error> for CoreError {
    fn from(e: reqwest::Error) -> Self {
        CoreError::Network(e.to_string())
    }
}

/// The engine's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
