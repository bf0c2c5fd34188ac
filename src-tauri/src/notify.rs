//! Desktop notifications through notify-rust (the freedesktop D-Bus API).
//!
//! Each notification's handle is kept on a thread that waits for its action,
//! so that a click focuses the window and opens the room at the message (the
//! Tauri notification plugin cannot report clicks on Linux).

use tauri::{AppHandle, Emitter, Manager};
use w3mq_core::present::UiEvent;
use w3mq_core::view::NotificationView;

use crate::bindings::EVENT;

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

/// Focuses the main window and tells the UI to open a room at a message.
pub fn open_room(app: &AppHandle, room_id: String, message_id: Option<String>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
    let _ = app.emit(
        EVENT,
        UiEvent::OpenRoom {
            room_id,
            message_id,
        },
    );
}

/// Raises a notification; a click on it opens the room. Failures (no
/// session bus, no notification server) are logged, never fatal.
pub fn raise(app: &AppHandle, n: NotificationView) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("notification".into())
        .spawn(move || {
            let shown = notify_rust::Notification::new()
                .appname("Web3MQ")
                .summary(&n.title)
                .body(&escape_body(&n.body))
                .icon("w3mq-desktop")
                .action("default", "Open")
                .hint(notify_rust::Hint::Category("im.received".into()))
                .show();
            match shown {
                Ok(handle) => handle.wait_for_action(|action| {
                    if action == "default" {
                        open_room(&app, n.room_id.clone(), n.message_id.clone());
                    }
                }),
                Err(e) => tracing::warn!("could not raise a desktop notification: {e}"),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("could not start the notification thread: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::escape_body;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_body("<b>hi</b> & <a href='x'>"),
            "&lt;b&gt;hi&lt;/b&gt; &amp; &lt;a href='x'&gt;"
        );
    }
}
