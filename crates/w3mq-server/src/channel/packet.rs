//! The three packets of seed 002 and the error codes of a reply.
//!
//! - method (client → server): `{"type":"method","method","arguments":[…],"id":<number>}`
//! - reply (server → client): `{"type":"reply","error":null|"<code>","id","data"}`
//! - event (server → client): `{"type":"event","event","data"}`

use serde::Serialize;
use serde_json::Value;
use w3mq_protocol::chat::{self, codes};

/// Why a method failed: the `error` string of its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fail {
    /// `UNOTFOUND`: the user and the authkey do not match (or the key is
    /// unknown, used or expired).
    NotFound,
    /// `UNOTJSON`: the packet is not JSON.
    NotJson,
    /// `UACCESS`: not allowed (anonymous, not a moderator, timed out).
    Access,
    /// `4004`: a bad request (unknown method, wrong arguments, unknown target).
    BadRequest,
    /// `4005`: rate limited.
    RateLimited,
    /// `5000` (extension): the server failed; the call may be retried.
    Internal,
}

impl Fail {
    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            Fail::NotFound => codes::UNOTFOUND,
            Fail::NotJson => codes::UNOTJSON,
            Fail::Access => codes::UACCESS,
            Fail::BadRequest => codes::BAD_REQUEST,
            Fail::RateLimited => codes::RATE_LIMITED,
            Fail::Internal => codes::INTERNAL,
        }
    }
}

impl From<crate::store::StoreError> for Fail {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "channel: store failed");
        Fail::Internal
    }
}

/// A method call as received.
#[derive(Debug, Clone)]
pub struct Method {
    /// The method's name.
    pub method: String,
    /// Its arguments.
    pub arguments: Vec<Value>,
    /// Its numeric id, echoed in the reply.
    pub id: Value,
}

/// Parses a method packet. On failure: the error, and the id to answer
/// with (`null` when none could be read).
pub fn parse_method(text: &str) -> Result<Method, (Fail, Value)> {
    let v: Value = serde_json::from_str(text).map_err(|_| (Fail::NotJson, Value::Null))?;
    let Value::Object(mut o) = v else {
        return Err((Fail::BadRequest, Value::Null));
    };
    let id = match o.remove("id") {
        Some(id @ Value::Number(_)) => id,
        _ => return Err((Fail::BadRequest, Value::Null)),
    };
    if o.get("type").and_then(Value::as_str) != Some("method") {
        return Err((Fail::BadRequest, id));
    }
    let method = match o.remove("method") {
        Some(Value::String(m)) => m,
        _ => return Err((Fail::BadRequest, id)),
    };
    let arguments = match o.remove("arguments") {
        Some(Value::Array(a)) => a,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err((Fail::BadRequest, id)),
    };
    Ok(Method {
        method,
        arguments,
        id,
    })
}

/// A reply packet, as text.
pub fn reply(id: &Value, outcome: &Result<Value, Fail>) -> String {
    chat::reply_text(id, outcome.as_ref().map_err(|f| f.code()))
}

/// An event packet, as text.
pub fn event<T: Serialize>(name: &str, data: &T) -> String {
    chat::event_text(name, data)
}

/// The arguments of a method, read by position.
pub struct Args<'a>(pub &'a [Value]);

impl<'a> Args<'a> {
    /// The string at `i`.
    pub fn str(&self, i: usize) -> Result<&'a str, Fail> {
        self.0
            .get(i)
            .and_then(Value::as_str)
            .ok_or(Fail::BadRequest)
    }

    /// The string at `i`, or `None` when it is absent or null.
    pub fn opt_str(&self, i: usize) -> Result<Option<&'a str>, Fail> {
        match self.0.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Fail::BadRequest),
        }
    }

    /// The non-negative integer at `i`.
    pub fn uint(&self, i: usize) -> Result<u64, Fail> {
        self.0
            .get(i)
            .and_then(Value::as_u64)
            .ok_or(Fail::BadRequest)
    }

    /// Fails unless there are at most `n` arguments.
    pub fn at_most(&self, n: usize) -> Result<(), Fail> {
        if self.0.len() <= n {
            Ok(())
        } else {
            Err(Fail::BadRequest)
        }
    }
}

/// Serializes reply data.
pub fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, Fail> {
    serde_json::to_value(v).map_err(|_| Fail::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seeds_method_packet_parses() {
        let m = parse_method(
            r#"{"type":"method","method":"auth","arguments":[1,1,"fc3f865c156f32cac0755cde007654a8"],"id":0}"#,
        )
        .unwrap();
        assert_eq!(m.method, "auth");
        assert_eq!(m.arguments.len(), 3);
        assert_eq!(m.id, json!(0));
    }

    #[test]
    fn bad_packets_get_their_codes() {
        assert_eq!(
            parse_method("{nope").unwrap_err(),
            (Fail::NotJson, Value::Null)
        );
        assert_eq!(parse_method("[1]").unwrap_err().0, Fail::BadRequest);
        assert_eq!(
            parse_method(r#"{"type":"reply","method":"msg","arguments":[],"id":7}"#).unwrap_err(),
            (Fail::BadRequest, json!(7))
        );
        assert_eq!(
            parse_method(r#"{"type":"method","method":"msg","arguments":"x","id":7}"#)
                .unwrap_err()
                .0,
            Fail::BadRequest
        );
        assert_eq!(
            parse_method(r#"{"type":"method","method":"msg","id":"7"}"#)
                .unwrap_err()
                .0,
            Fail::BadRequest
        );
    }

    #[test]
    fn replies_and_events_have_the_seeds_fields() {
        let ok: Value = serde_json::from_str(&reply(&json!(2), &Ok(json!({"a": 1})))).unwrap();
        assert_eq!(
            ok,
            json!({"type":"reply","error":null,"id":2,"data":{"a":1}})
        );
        let err: Value = serde_json::from_str(&reply(&json!(3), &Err(Fail::Access))).unwrap();
        assert_eq!(
            err,
            json!({"type":"reply","error":"UACCESS","id":3,"data":null})
        );
        let ev: Value = serde_json::from_str(&event("UserJoin", &json!({"id": "x"}))).unwrap();
        assert_eq!(
            ev,
            json!({"type":"event","event":"UserJoin","data":{"id":"x"}})
        );
    }
}
