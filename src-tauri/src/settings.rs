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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::System,
            notifications: true,
            remote_images: RemoteImages::Always,
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
        };
        save(d.path(), &s).expect("save");
        assert_eq!(load(d.path()), s);
        std::fs::write(path(d.path()), b"{not json").expect("write");
        assert_eq!(load(d.path()), Settings::default());
    }
}
