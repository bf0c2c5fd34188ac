//! Start-up timing: from process start to the first painted room list.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use tauri::AppHandle;

static START: OnceLock<Instant> = OnceLock::new();
static PAINTED: AtomicBool = AtomicBool::new(false);

/// Notes the process's start (the first thing `run` does).
pub fn mark_start() {
    let _ = START.get_or_init(Instant::now);
}

/// Milliseconds since [`mark_start`].
pub fn elapsed_ms() -> f64 {
    START
        .get()
        .map(|s| s.elapsed().as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// The UI painted the room list: logs the time once; with
/// `W3MQ_EXIT_AFTER_PAINT=1` prints `w3mq-desktop first-paint ms=<ms>` on
/// standard output and quits (the startup benchmark).
pub fn first_paint(app: &AppHandle, ui_ms: f64) {
    if PAINTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let ms = elapsed_ms();
    tracing::info!(ms, ui_ms, "room list painted");
    if std::env::var_os("W3MQ_EXIT_AFTER_PAINT").is_some() {
        println!("w3mq-desktop first-paint ms={ms:.1}");
        app.exit(0);
    }
}
