//! The app's own settings (not the account's): theme and notifications,
//! kept in `settings.json` in the data directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Colour theme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// When images from other hosts (avatars, card and item images) load: each
/// such load tells that host who is reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RemoteImages {
    /// As they are shown.
    #[default]
    Always,
    /// Only the ones the user clicks (avatars show initials).
    OnClick,
}

/// Settings the user changes in the settings panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct Settings {
    /// Colour theme.
    pub theme: Theme,
    /// Raise desktop notifications at all (each room has its own mode too).
    pub notifications: bool,
    /// When remote images load.
    pub remote_images: RemoteImages,
    /// The page's zoom, in percent (one of [`ZOOM_STEPS`]; Ctrl +/−/0).
    pub zoom_percent: u16,
    /// Whether the theme last shown was dark (what "System" resolved to): the
    /// window opens in that background colour instead of flashing white.
    pub last_dark: bool,
    /// Tell others when I read their messages (read receipts; my devices
    /// share my read marker either way).
    pub read_receipts: bool,
    /// Tell others when I am typing.
    pub typing_indicators: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::System,
            notifications: true,
            remote_images: RemoteImages::Always,
            zoom_percent: 100,
            last_dark: false,
            read_receipts: true,
            typing_indicators: true,
        }
    }
}

/// The zoom levels Ctrl + and Ctrl − step through, as browsers do.
pub const ZOOM_STEPS: [u16; 11] = [50, 67, 75, 80, 90, 100, 110, 125, 150, 175, 200];

/// Which way a zoom key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ZoomStep {
    /// Ctrl +: the next larger step.
    In,
    /// Ctrl −: the next smaller step.
    Out,
    /// Ctrl 0: 100%.
    Reset,
}

impl Settings {
    /// The settings with the zoom stepped; a level between steps goes to the next one that way.
    pub fn zoomed(&self, step: ZoomStep) -> Settings {
        let z = self.zoom_percent;
        let zoom_percent = match step {
            ZoomStep::Reset => 100,
            ZoomStep::In => ZOOM_STEPS
                .iter()
                .copied()
                .find(|&s| s > z)
                .unwrap_or(ZOOM_STEPS[10]),
            ZoomStep::Out => ZOOM_STEPS
                .iter()
                .rev()
                .copied()
                .find(|&s| s < z)
                .unwrap_or(ZOOM_STEPS[0]),
        };
        Settings {
            zoom_percent,
            ..self.clone()
        }
    }

    /// The settings as they may be applied: a zoom out of range (an edited file) is clamped.
    pub fn sane(mut self) -> Settings {
        self.zoom_percent = self.zoom_percent.clamp(ZOOM_STEPS[0], ZOOM_STEPS[10]);
        self
    }
}

/// The window's background before the page paints: the UI's `--bg` of the theme it will show.
pub fn background(s: &Settings) -> tauri::window::Color {
    let dark = match s.theme {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => s.last_dark,
    };
    if dark {
        tauri::window::Color(0x0f, 0x11, 0x17, 0xff)
    } else {
        tauri::window::Color(0xf6, 0xf7, 0xfb, 0xff)
    }
}

/// Sets the main window's page zoom to the settings'.
pub fn apply_zoom(app: &tauri::AppHandle, s: &Settings) {
    use tauri::Manager;
    if let Some(w) = app.get_webview_window("main") {
        if let Err(e) = w.set_zoom(f64::from(s.zoom_percent) / 100.0) {
            tracing::warn!("zoom: {e}");
        }
    }
}

/// Where settings live.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("settings.json")
}

/// Loads settings; a missing or unreadable file gives the defaults.
pub fn load(data_dir: &Path) -> Settings {
    std::fs::read(path(data_dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Saves settings atomically.
pub fn save(data_dir: &Path, s: &Settings) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let tmp = path(data_dir).with_extension("tmp");
    std::fs::write(
        &tmp,
        serde_json::to_vec_pretty(s).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(tmp, path(data_dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage_gives_defaults() {
        let d = tempfile::tempdir().expect("tempdir");
        assert_eq!(load(d.path()), Settings::default());
        let s = Settings {
            theme: Theme::Dark,
            notifications: false,
            remote_images: RemoteImages::OnClick,
            zoom_percent: 125,
            last_dark: true,
            read_receipts: false,
            typing_indicators: false,
        };
        save(d.path(), &s).expect("save");
        assert_eq!(load(d.path()), s);
        std::fs::write(path(d.path()), b"{not json").expect("write");
        assert_eq!(load(d.path()), Settings::default());
        // A file from before the zoom setting keeps its values and gets 100%.
        std::fs::write(path(d.path()), br#"{"theme":"dark"}"#).expect("write");
        let old = load(d.path());
        assert_eq!((old.theme, old.zoom_percent), (Theme::Dark, 100));
    }

    #[test]
    fn zoom_steps_like_a_browser_and_stays_in_range() {
        let s = Settings::default();
        assert_eq!(s.zoomed(ZoomStep::In).zoom_percent, 110);
        assert_eq!(s.zoomed(ZoomStep::Out).zoom_percent, 90);
        let odd = Settings {
            zoom_percent: 130,
            ..Settings::default()
        };
        assert_eq!(odd.zoomed(ZoomStep::In).zoom_percent, 150);
        assert_eq!(odd.zoomed(ZoomStep::Out).zoom_percent, 125);
        assert_eq!(odd.zoomed(ZoomStep::Reset).zoom_percent, 100);
        let mut top = Settings {
            zoom_percent: 200,
            ..Settings::default()
        };
        top = top.zoomed(ZoomStep::In);
        assert_eq!(top.zoom_percent, 200);
        let bottom = Settings {
            zoom_percent: 50,
            ..Settings::default()
        }
        .zoomed(ZoomStep::Out);
        assert_eq!(bottom.zoom_percent, 50);
        assert_eq!(
            Settings {
                zoom_percent: 9000,
                ..Settings::default()
            }
            .sane()
            .zoom_percent,
            200
        );
        assert_eq!(
            Settings {
                zoom_percent: 0,
                ..Settings::default()
            }
            .sane()
            .zoom_percent,
            50
        );
    }
}
