//! The results as JSON and as markdown tables.

use std::fmt::Write;

use serde::Serialize;

use crate::scenarios::{FanoutResult, IdleResult, LatencyResult};

/// Everything one run measured.
#[derive(Debug, Default, Serialize)]
pub struct Results {
    /// Arguments w3mq-server ran with (besides --http and --data-dir).
    pub w3mq_args: Vec<String>,
    /// "mosquitto version 2.0.11".
    pub mosquitto_version: String,
    /// Latency runs.
    pub latency: Vec<LatencyResult>,
    /// Fan-out runs.
    pub fanout: Vec<FanoutResult>,
    /// Idle-connection runs.
    pub idle: Vec<IdleResult>,
    /// Failures, if any.
    pub errors: Vec<String>,
}

const W3MQ: &str = "w3mq-server";
const MOSQ: &str = "Mosquitto";
/// The memory goal: 1 GB (10^9 bytes).
const GB: f64 = 1e9;

fn sep(n: f64) -> String {
    if !n.is_finite() {
        return "—".into();
    }
    let s = format!("{:.0}", n);
    let (sign, digits) = s.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", &s));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

fn ms(x: f64) -> String {
    format!("{x:.3} ms")
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() && b.is_finite() {
        format!("{:.2}×", a / b)
    } else {
        "—".into()
    }
}

/// CPU seconds over wall seconds, as a percentage of one CPU.
fn pct(cpu: f64, wall: f64) -> String {
    if wall > 0.0 {
        format!("{:.0}%", 100.0 * cpu / wall)
    } else {
        "—".into()
    }
}

fn yes(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "**no**"
    }
}

impl Results {
    fn lat(&self, broker: &str, senders: usize) -> Option<&LatencyResult> {
        self.latency
            .iter()
            .find(|r| r.broker == broker && r.senders == senders)
    }

    /// The markdown tables: goals first, then the detail of every run.
    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let w = &mut o;
        let _ = writeln!(w, "### Goals\n");
        let _ = writeln!(
            w,
            "| goal | w3mq-server | Mosquitto | w3mq / Mosquitto | met |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|:---:|");
        let mut senders: Vec<usize> = self.latency.iter().map(|r| r.senders).collect();
        senders.sort_unstable();
        senders.dedup();
        for &n in &senders {
            let (a, b) = (self.lat(W3MQ, n), self.lat(MOSQ, n));
            let av = a.map(|r| r.latency.p50_ms);
            let bv = b.map(|r| r.latency.p50_ms);
            let met = match (av, bv) {
                (Some(a), Some(b)) => yes(a <= 1.0 && a <= 2.0 * b),
                _ => "—",
            };
            let _ = writeln!(
                w,
                "| send→ACK p50 ≤ 1 ms and ≤ 2× Mosquitto pub→sub p50 — {n} sender{} | {} | {} | {} | {met} |",
                if n == 1 { "" } else { "s" },
                av.map(ms).unwrap_or("—".into()),
                bv.map(ms).unwrap_or("—".into()),
                ratio(av.unwrap_or(f64::NAN), bv.unwrap_or(f64::NAN)),
            );
        }
        let mut wires: Vec<_> = self.fanout.iter().map(|r| r.wire).collect();
        wires.dedup();
        for wire in wires {
            let f = |b: &str| self.fanout.iter().find(|r| r.broker == b && r.wire == wire);
            let (a, b) = (f(W3MQ), f(MOSQ));
            let av = a.map(|r| r.deliveries_per_s);
            let bv = b.map(|r| r.deliveries_per_s);
            let met = match (av, bv) {
                (Some(a), Some(b)) => yes(a >= 0.5 * b && !a.is_nan()),
                _ => "—",
            };
            let members = a.or(b).map(|r| r.members).unwrap_or(0);
            let _ = writeln!(
                w,
                "| fan-out ≥ 0.5× Mosquitto — {} members, {} | {} deliveries/s | {} deliveries/s | {} | {met} |",
                sep(members as f64),
                wire.label(),
                av.map(sep).unwrap_or("—".into()),
                bv.map(sep).unwrap_or("—".into()),
                ratio(av.unwrap_or(f64::NAN), bv.unwrap_or(f64::NAN)),
            );
        }
        for r in self.idle.iter().filter(|r| r.broker == W3MQ) {
            let m = self
                .idle
                .iter()
                .find(|x| x.broker == MOSQ && x.wire == r.wire);
            let shown = |x: &IdleResult| {
                if x.still_up == x.connections {
                    mib(x.rss_after_kib)
                } else {
                    format!(
                        "{} (extrapolated from {} connections)",
                        mib(x.rss_for_all_kib),
                        sep(x.still_up as f64)
                    )
                }
            };
            let met = if r.still_up == r.connections {
                yes(r.rss_after_kib as f64 * 1024.0 <= GB).to_owned()
            } else {
                format!(
                    "{} (only {} connections opened)",
                    yes(r.rss_for_all_kib as f64 * 1024.0 <= GB),
                    sep(r.still_up as f64)
                )
            };
            let _ = writeln!(
                w,
                "| {} idle connections in ≤ 1 GB RSS — {} | {} | {} | {} | {met} |",
                sep(r.connections as f64),
                r.wire.label(),
                shown(r),
                m.map(shown).unwrap_or("—".into()),
                ratio(
                    r.rss_for_all_kib as f64,
                    m.map(|m| m.rss_for_all_kib as f64).unwrap_or(f64::NAN)
                ),
            );
        }
        if !self.latency.is_empty() {
            let wire = self
                .latency
                .first()
                .map(|r| r.wire.label())
                .unwrap_or("WebSocket");
            let _ = writeln!(w, "\n### Send→ACK latency (closed loop, QoS 1, {wire})\n");
            let _ = writeln!(
                w,
                "| broker | senders | measured msgs | p50 | p90 | p99 | p99.9 | max | msgs/s | deliveries/s | broker CPU | bench CPU | other CPU |"
            );
            let _ = writeln!(
                w,
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            );
            for r in &self.latency {
                let l = &r.latency;
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    r.broker,
                    r.senders,
                    sep(l.samples as f64),
                    ms(l.p50_ms),
                    ms(l.p90_ms),
                    ms(l.p99_ms),
                    ms(l.p999_ms),
                    ms(l.max_ms),
                    sep(r.msgs_per_s),
                    sep(r.deliveries_per_s),
                    pct(r.cpu.server_cpu_s, r.cpu.wall_s),
                    pct(r.cpu.client_cpu_s, r.cpu.wall_s),
                    pct(r.cpu.other_cpu_s, r.cpu.wall_s),
                );
            }
        }

        if !self.fanout.is_empty() {
            let _ = writeln!(w, "\n### Fan-out into one room\n");
            let _ = writeln!(
                w,
                "| broker | wire | members | messages | deliveries | first publish → last delivery | deliveries/s | last PUBACK at | broker CPU | bench CPU | other CPU | setup |"
            );
            let _ = writeln!(
                w,
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            );
            for r in &self.fanout {
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {} | {}{} | {:.2} s | {} | {:.2} s | {} | {} | {} | {:.1} s |",
                    r.broker,
                    r.wire.label(),
                    sep(r.members as f64),
                    r.messages,
                    sep(r.received as f64),
                    if r.timed_out {
                        format!(" of {} (timed out)", sep(r.expected as f64))
                    } else {
                        String::new()
                    },
                    r.secs,
                    sep(r.deliveries_per_s),
                    r.acks_secs,
                    pct(r.cpu.server_cpu_s, r.cpu.wall_s),
                    pct(r.cpu.client_cpu_s, r.cpu.wall_s),
                    pct(r.cpu.other_cpu_s, r.cpu.wall_s),
                    r.setup_secs,
                );
            }
        }

        if !self.idle.is_empty() {
            let _ = writeln!(w, "\n### Memory of idle connections\n");
            let _ = writeln!(
                w,
                "| broker | wire | connections up | accounts | RSS at start | RSS before | RSS after | peak RSS | per connection | open files per connection | open-files limit | connect time |"
            );
            let _ = writeln!(
                w,
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            );
            for r in &self.idle {
                let fds = if r.still_up > 0 {
                    format!(
                        "{:.1}",
                        (r.fds_after as f64 - r.fds_before as f64) / r.still_up as f64
                    )
                } else {
                    "—".into()
                };
                let _ = writeln!(
                    w,
                    "| {} | {} | {} of {} | {} | {} | {} | {} | {} | {:.1} KiB | {fds} | {} | {:.1} s |",
                    r.broker,
                    r.wire.label(),
                    sep(r.still_up as f64),
                    sep(r.connections as f64),
                    if r.accounts == 0 {
                        "anonymous".to_owned()
                    } else {
                        sep(r.accounts as f64)
                    },
                    mib(r.rss_start_kib),
                    mib(r.rss_before_kib),
                    mib(r.rss_after_kib),
                    mib(r.hwm_kib),
                    r.per_conn_kib,
                    sep(r.fd_limit as f64),
                    r.connect_secs,
                );
            }
            for r in self.idle.iter().filter(|r| r.first_error.is_some()) {
                let _ = writeln!(
                    w,
                    "\n{} over {}: {} of {} connections opened; the first failure: {}",
                    r.broker,
                    r.wire.label(),
                    sep(r.still_up as f64),
                    sep(r.connections as f64),
                    r.first_error.as_deref().unwrap_or("")
                );
            }
        }

        if !self.errors.is_empty() {
            let _ = writeln!(w, "\n### Failures\n");
            for e in &self.errors {
                let _ = writeln!(w, "- {e}");
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(sep(0.0), "0");
        assert_eq!(sep(999.4), "999");
        assert_eq!(sep(1000.0), "1,000");
        assert_eq!(sep(1234567.0), "1,234,567");
        assert_eq!(sep(-1234.0), "-1,234");
        assert_eq!(sep(f64::NAN), "—");
    }
}
