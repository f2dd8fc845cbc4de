//! What the HTTP handlers, the MQTT loop and the ingest thread share: the store, the
//! counters, the tokens, and a live view of the gateways (gaps, last status) that exists
//! only in memory because it describes this process's connections, not the record.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use serde::Serialize;
use trace_proto::company_prefix::PrefixTable;
use trace_proto::event::EventTime;
use trace_proto::mqtt::{Payload, Status};
use trace_proto::signed::GatewayId;

use crate::auth::Auth;
use crate::http::limits::HttpLimits;
use crate::ingest::chain::Gap;
use crate::metrics::Metrics;
use crate::mqtt::Publisher;
use crate::rate_limit::RateLimits;
use crate::store::Store;

/// A gateway's last status message and when it arrived.
#[derive(Debug, Clone, Serialize)]
pub struct SeenStatus {
    /// When this server received it.
    pub received: EventTime,
    /// Online or offline (the last will).
    pub online: bool,
    /// Events in the gateway's outbox.
    pub queue_depth: u64,
    /// Its readers' health, as `name: state` lines.
    pub readers: Vec<String>,
}

/// The live view.
#[derive(Debug, Default)]
pub struct Live {
    /// Open chain gaps by gateway.
    pub gaps: BTreeMap<GatewayId, Gap>,
    /// Last status by gateway.
    pub statuses: BTreeMap<GatewayId, SeenStatus>,
    /// The gap (by first missing seq) last reported per gateway, so each is logged once.
    reported: BTreeMap<GatewayId, u64>,
}

/// Shared server state.
pub struct AppState {
    /// The event store.
    pub store: Arc<dyn Store>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Valid tokens.
    pub auth: Auth,
    /// GS1 company prefixes, for decoding codes.
    pub prefixes: PrefixTable,
    /// How long a gap may stay open before it is reported.
    pub gap_timeout: Duration,
    /// Set once MQTT is started.
    pub publisher: OnceLock<Publisher>,
    /// Per-client rate limits of the public endpoints and sign-in.
    pub limits: HttpLimits,
    live: Mutex<Live>,
}

impl AppState {
    /// State over `store`.
    pub fn new(
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        auth: Auth,
        prefixes: PrefixTable,
        gap_timeout: Duration,
    ) -> Self {
        Self {
            store,
            metrics,
            auth,
            prefixes,
            gap_timeout,
            publisher: OnceLock::new(),
            limits: HttpLimits::new(&RateLimits::default()),
            live: Mutex::new(Live::default()),
        }
    }

    /// The same state with these rate limits.
    pub fn with_rate_limits(mut self, limits: &RateLimits) -> Self {
        self.limits = HttpLimits::new(limits);
        self
    }

    /// The live view (a poisoned lock still holds valid data: every writer replaces whole
    /// entries).
    pub fn live(&self) -> MutexGuard<'_, Live> {
        self.live
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a gateway's status message; undecodable ones are logged and ignored.
    pub fn note_status(&self, gateway: GatewayId, payload: &[u8]) {
        let status: Status = match Payload::decode(payload) {
            Ok(Payload::Status(status)) => status,
            Ok(_) | Err(_) => {
                tracing::warn!(gateway = gateway.as_str(), "status message not understood");
                return;
            }
        };
        let seen = SeenStatus {
            received: EventTime::now(),
            online: status.presence == trace_proto::mqtt::Presence::Online,
            queue_depth: status.queue_depth,
            readers: status
                .readers
                .iter()
                .map(|r| format!("{}: {:?}", r.name, r.state))
                .collect(),
        };
        self.live().statuses.insert(gateway, seen);
    }

    /// Replaces the open gaps and reports those older than the gap timeout.
    pub fn note_gaps(&self, gaps: Vec<(GatewayId, Gap)>) {
        let now = EventTime::now().unix_millis();
        let timeout = i64::try_from(self.gap_timeout.as_millis()).unwrap_or(i64::MAX);
        let mut live = self.live();
        let mut overdue = 0;
        for (gateway, gap) in &gaps {
            if now.saturating_sub(gap.since.unix_millis()) < timeout {
                continue;
            }
            overdue += 1;
            if live.reported.get(gateway) != Some(&gap.from) {
                live.reported.insert(gateway.clone(), gap.from);
                tracing::warn!(
                    gateway = gateway.as_str(),
                    from = gap.from,
                    to = gap.to,
                    waiting = gap.waiting,
                    "chain gap still open: events are missing from this gateway"
                );
            }
        }
        self.metrics
            .gaps
            .store(overdue, std::sync::atomic::Ordering::Relaxed);
        live.reported
            .retain(|gateway, _| gaps.iter().any(|(g, _)| g == gateway));
        live.gaps = gaps.into_iter().collect();
    }
}
