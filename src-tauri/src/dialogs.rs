//! The system's open and save dialogs (tauri-plugin-dialog: the GTK file chooser, or the
//! desktop portal's), asked from Rust so that the UI only ever sees a file's content or nothing.

use std::path::PathBuf;

use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// A file the user picks to restore an account from; `None` when cancelled. No filter: geth's
/// keystore files have no extension (`UTC--2026-…--<address>`).
pub async fn pick_keystore(app: &AppHandle) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Open a keystore file")
        .pick_file(move |p| {
            let _ = tx.send(p);
        });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// Where to save `address`'s keystore file; `None` when cancelled.
pub async fn save_keystore(app: &AppHandle, address: &str) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let short: String = address.trim_start_matches("0x").chars().take(8).collect();
    app.dialog()
        .file()
        .set_title("Save the keystore file")
        .set_file_name(format!("web3mq-{short}.json"))
        .save_file(move |p| {
            let _ = tx.send(p);
        });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}
