//! Software compositing costs WebKitGTK frames; on a machine without a GPU, do not composite.
//!
//! WebKitGTK composites the page through OpenGL ("accelerated compositing") whenever it can.
//! Where no GPU render node exists (`/dev/dri/renderD*`: a VM, Xvfb, a remote desktop) that GL
//! is Mesa's llvmpipe on the CPU, and the first frames of the window pay for it: measured with
//! `scripts/bench-desktop.sh` on the 2-core CI machine, the second frame of the room list took
//! about 150 ms composited and about 20 ms not (docs/benchmarks.md, issue 10). With a GPU the
//! policy is left to WebKit. This is the setting behind `WEBKIT_DISABLE_COMPOSITING_MODE=1`,
//! applied per WebView instead of through the environment.
//!
//! Not the default yet: the policy is set on the WebView after it is built, while its first
//! page loads, and WebKitWebDriver's session then never completes (the E2E suite hangs at its
//! first start; with `on` it passes). A GPU-less user gains it with `--compositing auto`;
//! making it the default needs the policy set before the first load. `--compositing on|off` (or
//! `W3MQ_COMPOSITING`) overrides the guess; a user's own `WEBKIT_DISABLE_COMPOSITING_MODE`
//! is left to WebKit.

use std::path::Path;

/// Whether this machine has a GPU render node WebKit could composite on.
pub fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// The `--compositing` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Compositing {
    /// Off where no GPU render node exists.
    Auto,
    /// WebKit decides (the default, see the module's doc).
    #[default]
    On,
    /// Always off.
    Off,
}

/// Whether to turn compositing off for the window. `webkit_env` is whether the user set
/// `WEBKIT_DISABLE_COMPOSITING_MODE` (WebKit reads it itself).
pub fn software_only(choice: Compositing, dri: &Path, webkit_env: bool) -> bool {
    match choice {
        Compositing::Off => true,
        Compositing::On => false,
        Compositing::Auto => !webkit_env && !has_render_node(dri),
    }
}

/// Applies `choice` to `window`'s WebView (Linux; elsewhere a no-op).
pub fn apply(window: &tauri::WebviewWindow, choice: Compositing) {
    let webkit_env = std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some();
    if !software_only(choice, Path::new("/dev/dri"), webkit_env) {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let r = window.with_webview(|wv| {
            use webkit2gtk::{SettingsExt, WebViewExt};
            if let Some(s) = wv.inner().settings() {
                s.set_hardware_acceleration_policy(webkit2gtk::HardwareAccelerationPolicy::Never);
            }
        });
        match r {
            Ok(()) => tracing::info!(?choice, "WebView compositing off"),
            Err(e) => tracing::warn!("could not set the WebView's compositing: {e}"),
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(test)]
mod tests {
    use super::*;
    use Compositing::*;

    #[test]
    fn auto_is_off_only_without_a_render_node_and_without_the_users_webkit_variable() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            software_only(Auto, dir.path(), false),
            "no render node: off"
        );
        assert!(software_only(Auto, &dir.path().join("missing"), false));
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(
            software_only(Auto, dir.path(), false),
            "a card without a render node"
        );
        assert!(
            !software_only(Auto, dir.path(), true),
            "the user's WebKit variable wins"
        );
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(
            !software_only(Auto, dir.path(), false),
            "a GPU: WebKit decides"
        );
        assert!(software_only(Off, dir.path(), false));
        let empty = tempfile::tempdir().unwrap();
        assert!(!software_only(On, empty.path(), false));
    }
}
