//! What one chat socket knows about itself: the channel it joined with
//! `auth` and as whom, its event feed, its opt-outs.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::json;
use tokio::sync::broadcast;

use super::packet::Fail;
use super::render::UserRef;
use super::{Channel, Outgoing};

/// A signed-in socket's user in its channel.
pub type Member = UserRef;

/// The channel a socket joined with `auth`, and as whom.
pub struct Joined {
    /// The channel.
    pub channel: Arc<Channel>,
    /// The signed-in user; `None` for an anonymous (read-only) socket.
    pub member: Option<Member>,
}

/// What a socket knows about itself.
pub struct Session {
    /// The connection's number (its rate-limit key).
    pub conn: u64,
    /// Set by `auth`.
    pub joined: Option<Joined>,
    /// The channel's events, once joined.
    pub events: Option<broadcast::Receiver<Arc<Outgoing>>>,
    /// Events the client asked not to get (`optOutEvents`).
    pub opted_out: HashSet<String>,
}

impl Session {
    /// The joined channel, or `UACCESS`.
    pub fn joined(&self) -> Result<&Joined, Fail> {
        self.joined.as_ref().ok_or(Fail::Access)
    }

    /// The joined channel and its signed-in user, or `UACCESS`.
    pub fn signed_in(&self) -> Result<(&Arc<Channel>, &Member), Fail> {
        let j = self.joined()?;
        let m = j.member.as_ref().ok_or(Fail::Access)?;
        Ok((&j.channel, m))
    }

    /// Like [`Session::signed_in`], for the channel's moderator only.
    pub fn moderator(&self) -> Result<(&Arc<Channel>, &Member), Fail> {
        let (c, m) = self.signed_in()?;
        if m.user_roles.contains(&"Owner") {
            Ok((c, m))
        } else {
            Err(Fail::Access)
        }
    }

    /// Whether this socket gets `o` (its opt-outs, a whisper's recipients).
    pub fn wants(&self, o: &Outgoing) -> bool {
        if self.opted_out.contains(o.event) {
            return false;
        }
        match (
            &o.only,
            self.joined.as_ref().and_then(|j| j.member.as_ref()),
        ) {
            (None, _) => true,
            (Some(users), Some(m)) => users.contains(&m.user_id),
            (Some(_), None) => false,
        }
    }
}

/// Leaves the joined channel, if any: `UserLeave` for a signed-in socket.
pub fn leave(s: &mut Session) {
    s.events = None;
    if let Some(Joined {
        channel,
        member: Some(m),
    }) = s.joined.take()
    {
        channel.emit(
            "UserLeave",
            &json!({
                "originatingChannel": channel.room_id,
                "username": m.user_name,
                "id": m.user_id,
            }),
        );
    }
}
