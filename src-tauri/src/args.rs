//! The desktop binary's command line (clap, as the server's).

use std::path::PathBuf;

use clap::Parser;

/// Web3MQ Desktop: the messenger for wallet users.
#[derive(Debug, Clone, Default, Parser)]
#[command(name = "w3mq-desktop", version, about)]
pub struct Args {
    /// Where accounts, caches and settings live (default: the platform's
    /// app data directory).
    #[arg(long, env = "W3MQ_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The REST URL the first-run screen proposes (with --mqtt).
    #[arg(long, env = "W3MQ_HTTP", value_name = "URL")]
    pub http: Option<String>,
    /// The MQTT URLs the first-run screen proposes, comma separated (with --http).
    #[arg(long, env = "W3MQ_MQTT", value_name = "URL[,URL…]")]
    pub mqtt: Option<String>,
    /// This device's name in the MQTT client id (a random install id follows it).
    #[arg(long, env = "W3MQ_DEVICE", default_value = "desktop")]
    pub device: String,
    /// WebView compositing: `on` (the default) leaves it to WebKit, `auto` turns it off where no
    /// GPU render node exists (a VM, Xvfb), `off` turns it off.
    #[arg(long, env = "W3MQ_COMPOSITING", value_enum, default_value = "on")]
    pub compositing: crate::compositing::Compositing,
    /// Show a blank page (the memory benchmark's baseline).
    #[arg(long, hide = true)]
    pub blank: bool,
}

impl Args {
    /// The command line; `--help` and `--version` print and exit, a bad
    /// argument prints why and exits 2.
    pub fn from_env() -> Args {
        Args::parse()
    }

    /// The proposed MQTT URLs.
    pub fn mqtt_urls(&self) -> Vec<String> {
        self.mqtt
            .iter()
            .flat_map(|m| m.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        let a = Args::try_parse_from([
            "w3mq-desktop",
            "--data-dir",
            "/tmp/x",
            "--http",
            "http://h:1",
            "--mqtt",
            "ws://h:1/mqtt, ws://h:2/mqtt",
        ])
        .unwrap();
        assert_eq!(a.data_dir.as_deref(), Some(std::path::Path::new("/tmp/x")));
        assert_eq!(a.mqtt_urls(), ["ws://h:1/mqtt", "ws://h:2/mqtt"]);
        assert!(Args::try_parse_from(["w3mq-desktop", "--nope"]).is_err());
    }
}
