//! The REST envelope `{"code", "msg", "data"}`.

use serde::{Deserialize, Serialize};

/// Every REST response body: `code` 0 is success.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Envelope<T> {
    /// 0 on success, otherwise the HTTP status code of the failure.
    pub code: i64,
    /// "ok", or what went wrong.
    pub msg: String,
    /// The payload; `null` on failure.
    pub data: Option<T>,
}

impl<T> Envelope<T> {
    /// A successful envelope around `data`.
    pub fn ok(data: T) -> Self {
        Envelope {
            code: 0,
            msg: "ok".into(),
            data: Some(data),
        }
    }
}

impl Envelope<serde_json::Value> {
    /// A failed envelope.
    pub fn error(code: i64, msg: impl Into<String>) -> Self {
        Envelope {
            code,
            msg: msg.into(),
            data: None,
        }
    }
}
