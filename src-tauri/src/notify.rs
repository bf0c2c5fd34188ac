//! Desktop notifications over the freedesktop D-Bus API, from one task that
//! owns them, reached only through [`Notifier`] (its mailbox).
//!
//! - One notification per room: a new one replaces the room's last
//!   (`replaces_id`) instead of stacking another, so a busy room cannot
//!   flood the screen.
//! - At most [`MAX_LIVE`] at once: raising one more closes the oldest.
//! - Clicks come back as `ActionInvoked` signals on one stream, so no thread
//!   is parked per notification. (notify-rust's `wait_for_action` blocks a
//!   thread for each one until it closes, and the Tauri notification plugin
//!   cannot report clicks on Linux at all.)

use std::collections::{HashMap, VecDeque};

use futures::StreamExt;
use tauri::{AppHandle, Manager};
use tokio::sync::mpsc;
use w3mq_core::present::UiEvent;
use w3mq_core::view::NotificationView;

/// The most notifications shown at once.
pub const MAX_LIVE: usize = 5;

/// The notification body with markup characters escaped: servers that
/// support body markup must show network text as text.
pub fn escape_body(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Focuses the main window and tells the UI to open a room of `slot`'s
/// account at a message, putting that account on screen first.
pub async fn open_room(app: &AppHandle, slot: u32, room_id: String, message_id: Option<String>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
    let st = app.state::<crate::state::AppState>();
    if st.accounts.active_slot() == slot {
        let open = UiEvent::OpenRoom {
            room_id: room_id.clone(),
            message_id: message_id.clone(),
        };
        if st.accounts.if_shown(slot, || st.ui.send(open)) {
            return;
        }
    }
    let switched = st
        .accounts
        .switch(slot, |slot| {
            st.ui.send(UiEvent::AccountSwitched {
                slot,
                room_id: Some(room_id),
                message_id,
            })
        })
        .await;
    match switched {
        Ok(()) => st.send_tabs().await,
        Err(e) => tracing::warn!("a notification's account is gone: {e}"),
    }
}

#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, zbus::zvariant::Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;

    fn close_notification(&self, id: u32) -> zbus::Result<()>;

    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;

    #[zbus(signal)]
    fn notification_closed(&self, id: u32, reason: u32) -> zbus::Result<()>;
}

/// A room of one account (two accounts side by side may share a room).
pub type RoomOf = (u32, String);

/// Which notification shows which room: the notifier task's state, pure.
#[derive(Debug, Default)]
pub struct Shown {
    /// Room → (notification id, message id), oldest first.
    rooms: VecDeque<(RoomOf, u32, Option<String>)>,
}

impl Shown {
    /// The id a new notification of `room` replaces (0: none).
    pub fn replaces(&self, room: &RoomOf) -> u32 {
        self.rooms
            .iter()
            .find(|(r, ..)| r == room)
            .map(|(_, id, _)| *id)
            .unwrap_or(0)
    }

    /// `room`'s notification is now `id`, at `message`; returns the ids to
    /// close to stay within [`MAX_LIVE`].
    pub fn shown(&mut self, room: &RoomOf, id: u32, message: Option<String>) -> Vec<u32> {
        self.rooms.retain(|(r, ..)| r != room);
        self.rooms.push_back((room.clone(), id, message));
        let mut close = Vec::new();
        while self.rooms.len() > MAX_LIVE {
            if let Some((_, old, _)) = self.rooms.pop_front() {
                close.push(old);
            }
        }
        close
    }

    /// The room and message notification `id` shows.
    pub fn clicked(&self, id: u32) -> Option<(RoomOf, Option<String>)> {
        self.rooms
            .iter()
            .find(|(_, i, _)| *i == id)
            .map(|(r, _, m)| (r.clone(), m.clone()))
    }

    /// Notification `id` is gone.
    pub fn closed(&mut self, id: u32) {
        self.rooms.retain(|(_, i, _)| *i != id);
    }
}

/// The mailbox of the notifier task.
#[derive(Clone)]
pub struct Notifier {
    tx: mpsc::UnboundedSender<(u32, NotificationView)>,
}

impl Notifier {
    /// Starts the task. Without a session bus or a notification server it
    /// logs once and drops what it is sent.
    pub fn start(app: AppHandle) -> Notifier {
        let (tx, rx) = mpsc::unbounded_channel();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = run(app, rx).await {
                tracing::warn!("desktop notifications are off: {e}");
            }
        });
        Notifier { tx }
    }

    /// Raises (or replaces) the notification of `n`'s room in `slot`'s account.
    pub fn raise(&self, slot: u32, n: NotificationView) {
        let _ = self.tx.send((slot, n));
    }
}

async fn run(
    app: AppHandle,
    mut rx: mpsc::UnboundedReceiver<(u32, NotificationView)>,
) -> zbus::Result<()> {
    let conn = zbus::Connection::session().await?;
    let proxy = NotificationsProxy::new(&conn).await?;
    let mut clicks = proxy.receive_action_invoked().await?;
    let mut closes = proxy.receive_notification_closed().await?;
    let mut shown = Shown::default();
    loop {
        tokio::select! {
            n = rx.recv() => {
                let Some((slot, n)) = n else { break };
                let room = (slot, n.room_id.clone());
                let hints = HashMap::from([(
                    "category",
                    zbus::zvariant::Value::from("im.received"),
                )]);
                let res = proxy
                    .notify(
                        "Web3MQ",
                        shown.replaces(&room),
                        "w3mq-desktop",
                        &n.title,
                        &escape_body(&n.body),
                        &["default", "Open"],
                        hints,
                        -1,
                    )
                    .await;
                match res {
                    Ok(id) => {
                        for old in shown.shown(&room, id, n.message_id.clone()) {
                            let _ = proxy.close_notification(old).await;
                        }
                    }
                    Err(e) => tracing::warn!("could not raise a desktop notification: {e}"),
                }
            }
            Some(c) = clicks.next() => {
                if let Ok(a) = c.args() {
                    if a.action_key == "default" {
                        if let Some(((slot, room), msg)) = shown.clicked(a.id) {
                            open_room(&app, slot, room, msg).await;
                        }
                    }
                }
            }
            Some(c) = closes.next() => {
                if let Ok(a) = c.args() {
                    shown.closed(a.id);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_body("<b>hi</b> & <a href='x'>"),
            "&lt;b&gt;hi&lt;/b&gt; &amp; &lt;a href='x'&gt;"
        );
    }

    #[test]
    fn one_per_room_and_a_cap_on_live_ones() {
        let r = |n: &str| (0, n.to_owned());
        let mut s = Shown::default();
        assert_eq!(s.replaces(&r("r1")), 0);
        assert!(s.shown(&r("r1"), 10, Some("m1".into())).is_empty());
        assert_eq!(s.replaces(&r("r1")), 10, "the next one of r1 replaces it");
        assert!(s.shown(&r("r1"), 10, Some("m2".into())).is_empty());
        assert_eq!(s.clicked(10), Some((r("r1"), Some("m2".into()))));
        // The same room in another account is another notification.
        assert_eq!(s.replaces(&(1, "r1".into())), 0);
        for i in 2..=MAX_LIVE as u32 {
            assert!(s.shown(&r(&format!("r{i}")), 10 + i, None).is_empty());
        }
        assert_eq!(
            s.shown(&r("r99"), 99, None),
            vec![10],
            "the oldest is closed"
        );
        assert_eq!(s.clicked(10), None);
        s.closed(99);
        assert_eq!(s.replaces(&r("r99")), 0);
    }
}
