//! Event times a gateway's clock got wrong: the chain orders a gateway's events by seq,
//! so a clock that jumps does not reorder or lose anything, but the times it stamped
//! are suspect and a supervisor must know. An event is flagged when its time is more
//! than [`TOLERANCE_MS`] before the gateway's previous event (the clock went back) or
//! after the server's clock (it runs ahead). Flagged events are stored like any other.

use std::collections::HashMap;

use trace_proto::signed::{GatewayId, SignedEvent};

/// How far event times may step back, or run ahead of the server, before it counts: a
/// door station stamps an exit after later entries, and clocks drift by seconds.
pub const TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// A flagged event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Its seq.
    pub seq: u64,
    /// What is wrong.
    pub kind: AnomalyKind,
    /// By how many milliseconds.
    pub by_ms: i64,
    /// Whether this starts an episode (the first of a run of flagged events): worth a
    /// log line, where every event of a clock running ahead would flood the log.
    pub starts: bool,
}

/// How an event time is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnomalyKind {
    /// Before the gateway's previous event.
    Backward,
    /// After the server's clock.
    Ahead,
}

#[derive(Debug, Clone, Copy)]
struct Last {
    time_ms: i64,
    ahead: bool,
}

/// Each gateway's last event time, as this process has seen it.
#[derive(Debug, Default)]
pub struct ClockCheck {
    last: HashMap<GatewayId, Last>,
}

impl ClockCheck {
    /// Checks `events`, newly stored links of `gateway`'s chain in seq order, against
    /// its previous event and the server's `now_ms`.
    pub fn check(
        &mut self,
        gateway: &GatewayId,
        events: &[SignedEvent],
        now_ms: i64,
    ) -> Vec<Anomaly> {
        let mut anomalies = Vec::new();
        let mut last = self.last.get(gateway).copied();
        for event in events {
            let time_ms = event.event().event_time.unix_millis();
            let back = last.map_or(0, |l| l.time_ms.saturating_sub(time_ms));
            if back > TOLERANCE_MS {
                anomalies.push(Anomaly {
                    seq: event.seq(),
                    kind: AnomalyKind::Backward,
                    by_ms: back,
                    starts: true,
                });
            }
            let ahead_by = time_ms.saturating_sub(now_ms);
            let ahead = ahead_by > TOLERANCE_MS;
            if ahead {
                anomalies.push(Anomaly {
                    seq: event.seq(),
                    kind: AnomalyKind::Ahead,
                    by_ms: ahead_by,
                    starts: !last.is_some_and(|l| l.ahead),
                });
            }
            last = Some(Last { time_ms, ahead });
        }
        if let Some(last) = last {
            self.last.insert(gateway.clone(), last);
        }
        anomalies
    }
}

#[cfg(test)]
mod tests;
