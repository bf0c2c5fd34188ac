//! `GET /api/v1/chats/<channel_id>`: the authkey, the endpoints and the
//! permissions; and which endpoint to dial.

use serde::{Deserialize, Serialize};

use super::error::ChannelError;

/// What `GET /api/v1/chats/<channel_id>` answers (no envelope, as in the seed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatInfo {
    /// A single-use key for `auth`; only with a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authkey: Option<String>,
    /// The chat servers' WebSocket URLs.
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// What the caller may do (`connect` only when anonymous).
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// Whether `id` may be put in a URL path as it is.
pub(crate) fn is_path_safe(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Fetches the chat info, with the bearer token when there is one.
pub(crate) async fn fetch_info(
    http: &reqwest::Client,
    base: &str,
    channel_id: &str,
    token: Option<&str>,
) -> Result<ChatInfo, ChannelError> {
    let mut req = http.get(format!("{base}/api/v1/chats/{channel_id}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| ChannelError::Network(e.to_string()))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| ChannelError::Network(e.to_string()))?;
    match status {
        200 => {}
        404 => return Err(ChannelError::NotFound),
        _ => {
            let msg = String::from_utf8_lossy(&body).chars().take(200).collect();
            return Err(ChannelError::Http { status, msg });
        }
    }
    let info: ChatInfo = serde_json::from_slice(&body)
        .map_err(|e| ChannelError::Protocol(format!("chat info: {e}")))?;
    if info.endpoints.is_empty() {
        return Err(ChannelError::Protocol("chat info names no endpoint".into()));
    }
    if let Some(bad) = info
        .endpoints
        .iter()
        .find(|e| !(e.starts_with("ws://") || e.starts_with("wss://")))
    {
        let bad: String = bad.chars().take(100).collect();
        return Err(ChannelError::Protocol(format!(
            "endpoint {bad:?} is not ws:// or wss://"
        )));
    }
    Ok(info)
}

/// Whether an error of `GET /chats` will not go away by trying again (an
/// unknown channel, a refused token), as opposed to the network or a busy
/// server.
pub(crate) fn is_final(e: &ChannelError) -> bool {
    match e {
        ChannelError::NotFound | ChannelError::InvalidInput(_) => true,
        ChannelError::Http { status, .. } => (400..500).contains(status) && *status != 429,
        _ => false,
    }
}

/// The index of the endpoint to dial: one at random, but not `previous`
/// when there is another. `r` is a random number.
pub(crate) fn choose_endpoint(endpoints: &[String], previous: Option<&str>, r: usize) -> usize {
    let others: Vec<usize> = (0..endpoints.len())
        .filter(|&i| Some(endpoints[i].as_str()) != previous)
        .collect();
    if others.is_empty() {
        // Only the previous one (or nothing): dial it again.
        return 0;
    }
    others[r % others.len()]
}

/// The `user_id` claim of an access token, read without verifying it (the
/// server does).
pub(crate) fn token_user_id(token: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("user_id")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eps(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("ws://h{i}/chat")).collect()
    }

    #[test]
    fn a_reconnect_never_picks_the_endpoint_that_failed() {
        let e = eps(3);
        for r in 0..50 {
            let i = choose_endpoint(&e, Some("ws://h1/chat"), r);
            assert_ne!(i, 1, "r = {r}");
            assert!(i < 3);
        }
        // Both others are chosen, depending on the draw.
        let picked: std::collections::HashSet<usize> = (0..10)
            .map(|r| choose_endpoint(&e, Some("ws://h1/chat"), r))
            .collect();
        assert_eq!(picked, [0, 2].into_iter().collect());
    }

    #[test]
    fn the_first_pick_is_any_endpoint_and_a_single_one_is_reused() {
        let e = eps(2);
        let picked: std::collections::HashSet<usize> =
            (0..4).map(|r| choose_endpoint(&e, None, r)).collect();
        assert_eq!(picked, [0, 1].into_iter().collect());
        let one = eps(1);
        assert_eq!(choose_endpoint(&one, Some("ws://h0/chat"), 7), 0);
        assert_eq!(choose_endpoint(&one, None, 7), 0);
    }

    #[test]
    fn the_seed_chat_info_parses() {
        let info: ChatInfo = serde_json::from_str(
            r#"{"authkey":"b41e9ae6b14df18c59f415419b1f827c","endpoints":["wss://chat2-dal.mixer.com:443","wss://chat1-dal.mixer.com:443"],"permissions":["chat","connect","poll_vote"]}"#,
        )
        .expect("parses");
        assert_eq!(
            info.authkey.as_deref(),
            Some("b41e9ae6b14df18c59f415419b1f827c")
        );
        assert_eq!(info.endpoints.len(), 2);
        assert_eq!(info.permissions, vec!["chat", "connect", "poll_vote"]);
        let anon: ChatInfo =
            serde_json::from_str(r#"{"endpoints":["ws://x/chat"],"permissions":["connect"]}"#)
                .expect("parses");
        assert_eq!(anon.authkey, None);
    }

    #[test]
    fn final_errors_and_safe_ids() {
        assert!(is_final(&ChannelError::NotFound));
        assert!(is_final(&ChannelError::Http {
            status: 401,
            msg: String::new()
        }));
        assert!(!is_final(&ChannelError::Http {
            status: 429,
            msg: String::new()
        }));
        assert!(!is_final(&ChannelError::Http {
            status: 503,
            msg: String::new()
        }));
        assert!(!is_final(&ChannelError::Network("refused".into())));
        assert!(is_path_safe("64b0c0ffee000000000000aa"));
        assert!(is_path_safe("bored-ape_club"));
        assert!(!is_path_safe("../x"));
        assert!(!is_path_safe("a b"));
        assert!(!is_path_safe(""));
    }

    #[test]
    fn token_user_id_reads_the_claim() {
        use base64::Engine as _;
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let t = format!(
            "{}.{}.sig",
            b.encode(br#"{"alg":"HS256"}"#),
            b.encode(br#"{"user_id":"64b0c0ffee000000000000aa","exp":1}"#)
        );
        assert_eq!(
            token_user_id(&t).as_deref(),
            Some("64b0c0ffee000000000000aa")
        );
        assert_eq!(token_user_id("garbage"), None);
    }
}
