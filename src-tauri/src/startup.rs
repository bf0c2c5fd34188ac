//! Start-up timing: marks from process start to the first painted room list,
//! logged (`startup mark=<name> ms=<since start>`), so the path splits into
//! process start → setup → WebView page load → bundle evaluated → first IPC
//! answered → first paint. With `W3MQ_EXIT_AFTER_PAINT=1` the first paint (or,
//! with `--blank`, blank.html's own two frames, measured the same way) prints
//! `w3mq-desktop first-paint ms=<ms>` and quits: the startup benchmark.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use serde::{Deserialize, Serialize};
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

/// Logs a mark on the way to the first paint.
pub fn mark(name: &str) {
    tracing::info!(mark = name, ms = format!("{:.1}", elapsed_ms()), "startup");
}

/// The page's own marks (`performance.now()`: milliseconds since the page's
/// navigation started).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct PaintMarks {
    /// The bundle ran (the first line of main.ts).
    pub bundle_ms: f64,
    /// The `boot` answer arrived.
    pub boot_ms: f64,
    /// Svelte put the first screen in the DOM (the microtask after the state was set).
    #[serde(default)]
    pub rendered_ms: f64,
    /// The first animation frame after that (style, layout and paint were asked for).
    #[serde(default)]
    pub frame_ms: f64,
    /// Two animation frames after the room list was set.
    pub painted_ms: f64,
}

/// This run is `--blank` (the benchmark's baseline).
static BLANK: AtomicBool = AtomicBool::new(false);

/// Marks this run as `--blank`: its first paint is the blank page's.
pub fn set_blank() {
    BLANK.store(true, Ordering::SeqCst);
}

/// The UI painted its first screen: logs the marks once; with
/// `W3MQ_EXIT_AFTER_PAINT=1` prints the time and quits.
pub fn first_paint(app: &AppHandle, marks: PaintMarks) {
    if PAINTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let ms = elapsed_ms();
    if BLANK.load(Ordering::SeqCst) {
        tracing::info!(ms, "blank page painted");
        return exit_if_measuring(app, ms);
    }
    tracing::info!(
        ms,
        bundle_ms = marks.bundle_ms,
        boot_ms = marks.boot_ms,
        rendered_ms = marks.rendered_ms,
        frame_ms = marks.frame_ms,
        ui_ms = marks.painted_ms,
        "room list painted"
    );
    exit_if_measuring(app, ms);
}

fn exit_if_measuring(app: &AppHandle, ms: f64) {
    if std::env::var_os("W3MQ_EXIT_AFTER_PAINT").is_some() {
        println!("w3mq-desktop first-paint ms={ms:.1}");
        app.exit(0);
    }
}
