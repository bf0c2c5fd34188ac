//! Prometheus metrics, served at `GET /metrics`.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The label of a rejection counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// A [`w3mq_protocol::Rejection::code`], or `internal_error`.
    pub reason: String,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    /// Live MQTT connections.
    pub connections: Gauge,
    /// Messages stored and delivered.
    pub accepted: Counter,
    /// Messages resent as an ACK because their `client_msg_id` was stored before.
    pub duplicates: Counter,
    /// Messages rejected, by reason.
    pub rejected: Family<ReasonLabel, Counter>,
    /// Seconds from a publish reaching the server to its ACK being handed to the broker.
    pub send_to_ack: Histogram,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("w3mq");
        let connections = Gauge::default();
        let accepted = Counter::default();
        let duplicates = Counter::default();
        let rejected = Family::<ReasonLabel, Counter>::default();
        let send_to_ack = Histogram::new([
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
        ]);
        registry.register(
            "mqtt_connections",
            "Live MQTT connections",
            connections.clone(),
        );
        registry.register(
            "messages_accepted",
            "Messages stored and delivered",
            accepted.clone(),
        );
        registry.register(
            "messages_duplicate",
            "Resends answered with the stored message",
            duplicates.clone(),
        );
        registry.register(
            "messages_rejected",
            "Messages rejected, by reason",
            rejected.clone(),
        );
        registry.register(
            "send_to_ack_seconds",
            "From publish received to ACK handed to the broker",
            send_to_ack.clone(),
        );
        Metrics {
            registry,
            connections,
            accepted,
            duplicates,
            rejected,
            send_to_ack,
        }
    }

    /// Counts a rejection.
    pub fn reject(&self, reason: &str) {
        self.rejected
            .get_or_create(&ReasonLabel {
                reason: reason.into(),
            })
            .inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut s = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut s, &self.registry);
        s
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
