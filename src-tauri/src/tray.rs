//! The tray icon (only where a tray host exists) and the unread total in the
//! window title and the tray's tooltip.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};
use w3mq_core::present::UnreadTotal;

/// The tray icon's id.
const TRAY: &str = "main";

/// True when a StatusNotifier host (a tray) runs on the session bus.
pub async fn host_exists() -> bool {
    let Ok(conn) = zbus::Connection::session().await else {
        return false;
    };
    let Ok(dbus) = zbus::fdo::DBusProxy::new(&conn).await else {
        return false;
    };
    match "org.kde.StatusNotifierWatcher".try_into() {
        Ok(name) => dbus.name_has_owner(name).await.unwrap_or(false),
        Err(_) => false,
    }
}

/// The window title for a total.
pub fn title(t: UnreadTotal) -> String {
    match (t.unread, t.mentions) {
        (0, _) => "Web3MQ".to_owned(),
        (u, 0) => format!("({u}) Web3MQ"),
        (u, m) => format!("({u}, {m} @) Web3MQ"),
    }
}

/// Adds the tray icon with Show and Quit.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Show Web3MQ", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut b = TrayIconBuilder::with_id(TRAY)
        .menu(&menu)
        .tooltip("Web3MQ")
        .on_menu_event(|app, e| match e.id().as_ref() {
            "show" => show_main(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, e| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                ..
            } = e
            {
                show_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        b = b.icon(icon.clone());
    }
    b.build(app)?;
    Ok(())
}

fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Shows the unread total in the window title and the tray tooltip.
pub fn set_unread(app: &AppHandle, t: UnreadTotal) {
    let title = title(t);
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_title(&title);
    }
    if let Some(tray) = app.tray_by_id(TRAY) {
        let _ = tray.set_tooltip(Some(&title));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        assert_eq!(title(UnreadTotal::default()), "Web3MQ");
        assert_eq!(
            title(UnreadTotal {
                unread: 3,
                mentions: 0
            }),
            "(3) Web3MQ"
        );
        assert_eq!(
            title(UnreadTotal {
                unread: 3,
                mentions: 1
            }),
            "(3, 1 @) Web3MQ"
        );
    }
}
