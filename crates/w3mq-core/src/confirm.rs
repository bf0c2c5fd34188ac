//! Events that would destroy cached state are confirmed with the server
//! first: a `room_removed` drops the room only when the server no longer
//! lets me read it, and `messages_deleted` / `room_cleared` delete only the
//! cached messages the server no longer has. A forged or replayed event
//! (from a broker feature, a buggy or hostile server node) then changes
//! nothing.

use std::collections::HashSet;

use crate::error::CoreError;
use crate::rest::Rest;

/// Ids the server is asked about at once.
pub const CHUNK: usize = 1000;

/// Whether the server says the room is gone for `me`: it answers 403 or 404,
/// or lists me no longer among its members. Any other failure (offline, a
/// 5xx) keeps the room.
pub async fn room_is_gone(rest: &Rest, room_id: &str, me: &str) -> bool {
    match rest.room(room_id).await {
        Ok(r) => !r.members.iter().any(|u| u.user_id == me),
        Err(CoreError::Api { status, .. }) => status == 403 || status == 404,
        Err(_) => false,
    }
}

/// Which of the cached `ids` of a room the server no longer has. Nothing is
/// gone when the server cannot be asked.
pub async fn deleted_on_server(rest: &Rest, room_id: &str, ids: &[String]) -> Vec<String> {
    let mut gone = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        match rest.existing_messages(room_id, chunk).await {
            Ok(still) => gone.extend(missing(chunk, &still)),
            Err(e) => {
                tracing::info!(room = room_id, error = %e, "deletion not confirmed: kept");
                return Vec::new();
            }
        }
    }
    gone
}

/// The ids of `asked` that are not in `still` (the server's answer), in
/// their order.
pub fn missing(asked: &[String], still: &[String]) -> Vec<String> {
    let still: HashSet<String> = still.iter().map(|s| s.to_ascii_lowercase()).collect();
    asked
        .iter()
        .filter(|id| !still.contains(&id.to_ascii_lowercase()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::missing;

    #[test]
    fn only_what_the_server_no_longer_has_is_gone() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(missing(&v(&["a", "b", "c"]), &v(&["B"])), v(&["a", "c"]));
        assert_eq!(missing(&v(&["a"]), &v(&["a", "zz"])), v(&[]));
        assert_eq!(missing(&v(&[]), &v(&["a"])), v(&[]));
    }
}
