//! The methods anyone may call: `auth`, `msg`, `whisper`, `history`, `ping`
//! and `optOutEvents`; and the dispatch of every method by name.

use serde_json::{json, Value};
use w3mq_protocol::{Message, ObjectId, Rejection, Room, MAX_PAYLOAD_BYTES};

use super::packet::to_value;
use super::packet::{Args, Fail, Method};
use super::render::{self, UserRef};
use super::session::{leave, Joined, Member, Session};
use super::{moderation, poll, Hub};
use crate::bus::announce_added;
use crate::store::{After, Page};

/// Runs a method: its reply's data, or its error.
pub async fn dispatch(hub: &Hub, s: &mut Session, m: &Method) -> Result<Value, Fail> {
    let a = Args(&m.arguments);
    match m.method.as_str() {
        "auth" => auth(hub, s, a).await,
        "msg" => msg(hub, s, a).await,
        "whisper" => whisper(hub, s, a).await,
        "history" => history(hub, s, a).await,
        "ping" => Ok(Value::Null),
        "optOutEvents" => opt_out(s, a),
        "deleteMessage" => moderation::delete_message(hub, s, a).await,
        "purge" => moderation::purge(hub, s, a).await,
        "clearMessages" => moderation::clear_messages(hub, s, a).await,
        "timeout" => moderation::timeout(hub, s, a).await,
        "vote:start" => poll::start(s, a),
        "vote:choose" => poll::choose(s, a),
        _ => Err(Fail::BadRequest),
    }
}

/// `auth [channelId, userId?, authkey?]` → `{authenticated, roles}`.
///
/// The channel id is the room id or the collection slug. With a user id and
/// the authkey of `GET /api/v1/chats`, the socket writes as that user (who
/// joins the room if needed); without, it only reads. Calling it again
/// moves the socket to another channel or identity.
async fn auth(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    a.at_most(3)?;
    let room = hub.find_room(a.str(0)?).await?.ok_or(Fail::BadRequest)?;
    let user_id = match (a.opt_str(1)?, a.opt_str(2)?) {
        (None, None) => None,
        (Some(user), Some(key)) => {
            if !hub.authkeys.redeem(key, user, &room.room_id) {
                return Err(Fail::NotFound);
            }
            Some(user.to_ascii_lowercase())
        }
        _ => return Err(Fail::BadRequest),
    };
    let member = match user_id {
        Some(u) => Some(join(hub, &room, &u).await?),
        None => None,
    };
    leave(s);
    let channel = hub.channel(&room.room_id);
    let roles = member
        .as_ref()
        .map(|m| m.user_roles.clone())
        .unwrap_or_default();
    // Told to the others: the joining socket subscribes after it.
    if let Some(m) = &member {
        channel.emit(
            "UserJoin",
            &json!({
                "originatingChannel": room.room_id,
                "username": m.user_name,
                "id": m.user_id,
                "roles": m.user_roles,
            }),
        );
    }
    let authenticated = member.is_some();
    s.events = Some(channel.subscribe());
    s.joined = Some(Joined { channel, member });
    Ok(json!({ "authenticated": authenticated, "roles": roles }))
}

/// Makes `user_id` a member of the collection room if it is not one yet
/// (as `POST /rooms` with the slug would), and names it.
async fn join(hub: &Hub, room: &Room, user_id: &str) -> Result<Member, Fail> {
    if let Some(u) = room.members.iter().find(|u| u.user_id == user_id) {
        return Ok(UserRef::of(room, u));
    }
    let user = hub.store.user(user_id).await?.ok_or(Fail::NotFound)?;
    let added = hub
        .store
        .add_members(&room.room_id, &[user_id.to_owned()])
        .await?;
    announce_added(hub.bus.as_ref(), &room.room_id, &added).await;
    Ok(UserRef::of(room, &user))
}

/// A chat text: not blank, and small enough to be a message.
fn chat_text<'a>(a: &Args<'a>, i: usize) -> Result<&'a str, Fail> {
    let t = a.str(i)?;
    if t.trim().is_empty() || t.len() > MAX_PAYLOAD_BYTES / 2 {
        return Err(Fail::BadRequest);
    }
    Ok(t)
}

/// What a router rejection means on the socket.
fn fail_of(r: &Rejection) -> Fail {
    match r {
        Rejection::RateLimited => Fail::RateLimited,
        Rejection::NotMember | Rejection::TimedOut => Fail::Access,
        _ => Fail::BadRequest,
    }
}

/// `msg [text]` → the stored message as ChatMessage data. It is stored and
/// delivered like an MQTT publish (`id`, `seq`, `chat/<room_id>`), with the
/// members it `@mentions` as `at_user_ids`.
async fn msg(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, me) = s.signed_in()?;
    a.at_most(1)?;
    let text = chat_text(&a, 0)?;
    if channel.is_timed_out(&me.user_id) {
        return Err(Fail::Access);
    }
    let room = hub.room(&channel.room_id).await?;
    let mut m = Message::text(&me.user_id, &room.room_id, text);
    m.at_user_ids = render::mentioned(&room, text);
    let payload = serde_json::to_vec(&m).map_err(|_| Fail::Internal)?;
    match hub.router.submit_wait(&me.user_id, payload.into()).await {
        Some(Ok(stored)) => to_value(&render::chat_message(&room, &stored)),
        Some(Err(r)) => Err(fail_of(&r)),
        None => Err(Fail::Internal),
    }
}

/// `whisper [username, text]`: a ChatMessage with `target` that only the
/// sender's and the target's sockets get. It is not stored.
async fn whisper(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let (channel, me) = s.signed_in()?;
    a.at_most(2)?;
    let target = a.str(0)?;
    let text = chat_text(&a, 1)?;
    if channel.is_timed_out(&me.user_id) {
        return Err(Fail::Access);
    }
    if !hub.router.allow(&me.user_id) {
        return Err(Fail::RateLimited);
    }
    let room = hub.room(&channel.room_id).await?;
    let to = render::find_member(&room, target).ok_or(Fail::BadRequest)?;
    let mut m = Message::text(&me.user_id, &room.room_id, text);
    m.id = Some(ObjectId::new().to_string());
    let mut cm = render::chat_message(&room, &m);
    cm.target = Some(render::display_name(to));
    cm.message.meta.insert("whisper".into(), Value::Bool(true));
    channel.emit_to(
        "ChatMessage",
        &cm,
        Some(vec![me.user_id.clone(), to.user_id.clone()]),
    );
    to_value(&cm)
}

/// `history [n]` (0 to 100) → the room's latest `n` messages, oldest first.
async fn history(hub: &Hub, s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let room_id = s.joined()?.channel.room_id.clone();
    a.at_most(1)?;
    let n = a.uint(0)?;
    if n > 100 {
        return Err(Fail::BadRequest);
    }
    if n == 0 {
        return Ok(json!([]));
    }
    let page = Page {
        page: 1,
        size: n as i64,
    };
    let msgs = hub
        .store
        .messages(&room_id, After::Latest, page, false)
        .await?;
    let room = hub.room(&room_id).await?;
    let out: Vec<_> = msgs
        .iter()
        .map(|m| render::chat_message(&room, m))
        .collect();
    to_value(&out)
}

/// The most event names one socket may opt out of, and their longest name.
pub const MAX_OPT_OUTS: usize = 32;
const MAX_EVENT_NAME: usize = 64;

/// `optOutEvents [name, …]`: this socket no longer gets those events (at
/// most [`MAX_OPT_OUTS`] names in all).
fn opt_out(s: &mut Session, a: Args<'_>) -> Result<Value, Fail> {
    let names =
        a.0.iter()
            .map(|v| match v.as_str() {
                Some(n) if n.len() <= MAX_EVENT_NAME => Ok(n.to_owned()),
                _ => Err(Fail::BadRequest),
            })
            .collect::<Result<Vec<_>, _>>()?;
    let new = names.iter().filter(|n| !s.opted_out.contains(*n)).count();
    if s.opted_out.len() + new > MAX_OPT_OUTS {
        return Err(Fail::BadRequest);
    }
    s.opted_out.extend(names);
    Ok(Value::Null)
}
