//! Counters for `/metrics`, in the Prometheus text format.
//!
//! Plain atomics rather than a metrics framework: the server exports a dozen numbers,
//! and the store's sizes are read when scraped rather than kept in sync.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::StoreStats;

/// The server's counters; every field only ever grows except the gauges.
#[derive(Debug, Default)]
pub struct Metrics {
    /// MQTT messages taken off the events subscription.
    pub messages: AtomicU64,
    /// Signed events received (decodable or not).
    pub events_received: AtomicU64,
    /// Events newly stored.
    pub events_stored: AtomicU64,
    /// Events dropped as replays of stored ones.
    pub replays: AtomicU64,
    /// Events sent to the quarantine.
    pub quarantined: AtomicU64,
    /// Events whose signature did not verify.
    pub verify_failures: AtomicU64,
    /// Stored events whose time does not fit their gateway's clock (see `ingest::clock`).
    pub time_anomalies: AtomicU64,
    /// Durable commits.
    pub commits: AtomicU64,
    /// Failed commits (nothing acked for them).
    pub commit_errors: AtomicU64,
    /// Gauge: open chain gaps older than the gap timeout.
    pub gaps: AtomicU64,
    /// Gauge: events waiting behind gaps.
    pub held: AtomicU64,
    /// HTTP requests answered.
    pub http_requests: AtomicU64,
    /// Embedded broker logins refused (credentials, client id, will, revoked gateway).
    pub mqtt_logins_refused: AtomicU64,
    /// Embedded broker clients disconnected for a PUBLISH or SUBSCRIBE the ACL forbids.
    pub mqtt_denied: AtomicU64,
    /// HTTP requests refused by a rate limit (429).
    pub http_rate_limited: AtomicU64,
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Renders every counter plus the store's sizes.
    pub fn render(&self, store: Option<StoreStats>) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut rows: Vec<(&str, &str, &str, u64)> = vec![
            (
                "trace_ingest_messages_total",
                "counter",
                "MQTT messages received on the events subscription",
                get(&self.messages),
            ),
            (
                "trace_ingest_events_received_total",
                "counter",
                "Signed events received",
                get(&self.events_received),
            ),
            (
                "trace_ingest_events_stored_total",
                "counter",
                "Events verified and durably stored",
                get(&self.events_stored),
            ),
            (
                "trace_ingest_replays_total",
                "counter",
                "Events dropped as replays of stored events",
                get(&self.replays),
            ),
            (
                "trace_ingest_quarantined_total",
                "counter",
                "Events refused into the quarantine",
                get(&self.quarantined),
            ),
            (
                "trace_ingest_verify_failures_total",
                "counter",
                "Events whose signature did not verify",
                get(&self.verify_failures),
            ),
            (
                "trace_ingest_time_anomalies_total",
                "counter",
                "Stored events whose time steps back from their gateway's previous event or runs ahead of the server",
                get(&self.time_anomalies),
            ),
            (
                "trace_store_commits_total",
                "counter",
                "Durable store commits",
                get(&self.commits),
            ),
            (
                "trace_store_commit_errors_total",
                "counter",
                "Failed store commits",
                get(&self.commit_errors),
            ),
            (
                "trace_chain_gaps",
                "gauge",
                "Gateway chain gaps open longer than the gap timeout",
                get(&self.gaps),
            ),
            (
                "trace_chain_held_events",
                "gauge",
                "Events waiting behind a chain gap",
                get(&self.held),
            ),
            (
                "trace_http_requests_total",
                "counter",
                "HTTP requests answered",
                get(&self.http_requests),
            ),
            (
                "trace_mqtt_logins_refused_total",
                "counter",
                "Embedded broker logins refused",
                get(&self.mqtt_logins_refused),
            ),
            (
                "trace_mqtt_denied_total",
                "counter",
                "Embedded broker clients disconnected for a forbidden publish or subscribe",
                get(&self.mqtt_denied),
            ),
            (
                "trace_http_rate_limited_total",
                "counter",
                "HTTP requests refused with 429 by a per-client rate limit",
                get(&self.http_rate_limited),
            ),
        ];
        if let Some(stats) = store {
            rows.extend([
                (
                    "trace_store_events",
                    "gauge",
                    "Events in the store",
                    stats.events,
                ),
                (
                    "trace_quarantine_size",
                    "gauge",
                    "Events in the quarantine",
                    stats.quarantined,
                ),
                (
                    "trace_gateways",
                    "gauge",
                    "Enrolled gateways, revoked included",
                    stats.gateways,
                ),
                (
                    "trace_store_bytes",
                    "gauge",
                    "Store size on disk",
                    stats.bytes_on_disk,
                ),
            ]);
        }
        let mut out = String::new();
        for (name, kind, help, value) in rows {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out
    }
}
