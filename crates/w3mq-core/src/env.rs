//! Named environments: where the REST API and the MQTT endpoints are.

use serde::{Deserialize, Serialize};

/// Which environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EnvKind {
    /// The original service's production (2022; may be gone).
    Production,
    /// The original service's development environment.
    Development,
    /// A `w3mq-server` on this machine.
    Local,
    /// Anything else.
    Custom,
}

/// An environment: one REST base URL and one or more MQTT-over-WebSocket
/// endpoints, tried in turn on failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Environment {
    /// Which one.
    pub kind: EnvKind,
    /// REST base URL, e.g. `http://127.0.0.1:8780`.
    pub http: String,
    /// MQTT endpoints, e.g. `ws://127.0.0.1:8780/mqtt`.
    pub mqtt: Vec<String>,
}

impl Environment {
    /// The original production service (PROTOCOL.md sections 1-2).
    pub fn production() -> Self {
        Environment {
            kind: EnvKind::Production,
            http: "https://chat.web3messaging.online".into(),
            mqtt: vec!["wss://msg.web3messaging.online/mqtt".into()],
        }
    }

    /// The original development service.
    pub fn development() -> Self {
        Environment {
            kind: EnvKind::Development,
            http: "https://test.web3messaging.online".into(),
            mqtt: vec!["wss://test-msg.web3messaging.online/mqtt".into()],
        }
    }

    /// A local `w3mq-server` with its default ports.
    pub fn local() -> Self {
        Environment {
            kind: EnvKind::Local,
            http: "http://127.0.0.1:8780".into(),
            mqtt: vec!["ws://127.0.0.1:8780/mqtt".into()],
        }
    }

    /// Any server.
    pub fn custom(http: &str, mqtt: &[&str]) -> Self {
        Environment {
            kind: EnvKind::Custom,
            http: http.trim_end_matches('/').into(),
            mqtt: mqtt.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Checks that the URLs have the right schemes.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.http.starts_with("http://") || self.http.starts_with("https://")) {
            return Err("the REST URL must start with http:// or https://".into());
        }
        if self.mqtt.is_empty() {
            return Err("at least one MQTT endpoint is needed".into());
        }
        for m in &self.mqtt {
            if !(m.starts_with("ws://") || m.starts_with("wss://")) {
                return Err(format!(
                    "MQTT endpoint {m:?} must start with ws:// or wss://"
                ));
            }
        }
        Ok(())
    }
}
