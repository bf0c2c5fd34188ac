//! Polls: `vote:start [question, answers, seconds]` (the moderator) and
//! `vote:choose [index]` (any signed-in user). `PollStart` when one starts,
//! `PollEnd` with the counts when its time is up. One poll at a time per
//! channel; polls live in memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};

use super::packet::{to_value, Args, Fail};
use super::render::UserRef;
use super::session::Session;
use super::Channel;

/// The longest poll.
pub const MAX_SECONDS: u64 = 24 * 3600;
/// The most answers.
pub const MAX_ANSWERS: usize = 10;
/// The longest question or answer, in characters.
pub const MAX_TEXT: usize = 256;

static NEXT_POLL: AtomicU64 = AtomicU64::new(1);

/// A running poll.
pub struct Poll {
    number: u64,
    q: String,
    answers: Vec<String>,
    author: UserRef,
    duration_ms: u64,
    ends_at_ms: u64,
    /// The answer each voter chose (a later choice replaces an earlier one).
    votes: HashMap<String, usize>,
}

/// The data of `PollStart` and `PollEnd`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PollData<'a> {
    originating_channel: &'a str,
    q: &'a str,
    answers: &'a [String],
    author: &'a UserRef,
    /// Milliseconds the poll runs.
    duration: u64,
    /// Unix milliseconds when it ends.
    ends_at: u64,
    voters: usize,
    /// Votes by answer text.
    responses: Map<String, Value>,
    /// Votes by answer index (extension: answers may repeat).
    responses_by_index: Vec<u64>,
}

impl Poll {
    fn data<'a>(&'a self, channel: &'a str) -> PollData<'a> {
        let mut counts = vec![0u64; self.answers.len()];
        for &i in self.votes.values() {
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
        let mut responses = Map::new();
        for (a, c) in self.answers.iter().zip(&counts) {
            responses.insert(a.clone(), Value::from(*c));
        }
        PollData {
            originating_channel: channel,
            q: &self.q,
            answers: &self.answers,
            author: &self.author,
            duration: self.duration_ms,
            ends_at: self.ends_at_ms,
            voters: self.votes.len(),
            responses,
            responses_by_index: counts,
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn text_ok(s: &str) -> bool {
    !s.trim().is_empty() && s.chars().count() <= MAX_TEXT
}

/// `vote:start [question, answers, seconds]` → the poll (as `PollStart`).
pub fn start(s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, me) = s.moderator()?;
    a.at_most(3)?;
    let q = a.str(0)?;
    let answers: Vec<String> =
        a.0.get(1)
            .and_then(Value::as_array)
            .ok_or(Fail::BadRequest)?
            .iter()
            .map(|v| v.as_str().filter(|s| text_ok(s)).map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or(Fail::BadRequest)?;
    let seconds = a.uint(2)?;
    if !text_ok(q) || !(2..=MAX_ANSWERS).contains(&answers.len()) {
        return Err(Fail::BadRequest);
    }
    if !(1..=MAX_SECONDS).contains(&seconds) {
        return Err(Fail::BadRequest);
    }
    let number = NEXT_POLL.fetch_add(1, Ordering::Relaxed);
    let data = {
        let mut slot = channel.poll.lock();
        if slot.is_some() {
            return Err(Fail::BadRequest);
        }
        let p = slot.insert(Poll {
            number,
            q: q.to_owned(),
            answers,
            author: me.clone(),
            duration_ms: seconds * 1000,
            ends_at_ms: now_ms() + seconds * 1000,
            votes: HashMap::new(),
        });
        to_value(&p.data(&channel.room_id))?
    };
    channel.emit("PollStart", &data);
    let ch = channel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        end(&ch, number);
    });
    Ok(data)
}

/// Ends poll `number` if it is still the channel's poll: `PollEnd`.
fn end(channel: &Arc<Channel>, number: u64) {
    let ended = {
        let mut slot = channel.poll.lock();
        match slot.as_ref() {
            Some(p) if p.number == number => slot.take(),
            _ => None,
        }
    };
    if let Some(p) = ended {
        channel.emit("PollEnd", &p.data(&channel.room_id));
    }
}

/// `vote:choose [index]` → `true`.
pub fn choose(s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, me) = s.signed_in()?;
    a.at_most(1)?;
    let i = a.uint(0)?;
    let mut slot = channel.poll.lock();
    let p = slot.as_mut().ok_or(Fail::BadRequest)?;
    let i = usize::try_from(i)
        .ok()
        .filter(|&i| i < p.answers.len())
        .ok_or(Fail::BadRequest)?;
    p.votes.insert(me.user_id.clone(), i);
    Ok(Value::Bool(true))
}
