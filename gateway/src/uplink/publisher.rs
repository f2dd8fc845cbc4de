//! The publisher thread: the only sender on the MQTT client.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rumqttc::{Client, QoS};
use trace_proto::event::EventTime;
use trace_proto::mqtt::{
    AlarmKind, GatewayTopic, Payload, Presence, RECALLS_TOPIC, gateway_topic, payload_budget,
    split_batch,
};

use super::{Shared, Signals, UplinkTuning};

/// Pause when there is nothing to do.
const IDLE: Duration = Duration::from_millis(20);

pub(super) struct Publisher {
    client: Client,
    shared: Shared,
    signals: Signals,
    tuning: UplinkTuning,
    events_topic: String,
    status_topic: String,
    ack_topic: String,
    /// Connection epoch the subscriptions and `sent` belong to.
    seen_epoch: u64,
    /// Highest seq handed to rumqttc in this epoch.
    sent: u64,
    /// Highest ack seen, and when it last moved.
    acked: u64,
    progress_at: Instant,
    /// Stale acks counted so far, and whether one came since the ack last moved.
    stale_seen: u64,
    stale_pending: bool,
    status_at: Option<Instant>,
    /// The alarms (kind, subject) of the last status published: a change is published
    /// at once, not at the next period.
    alarms: Vec<(AlarmKind, String)>,
}

impl Publisher {
    pub(super) fn new(
        client: Client,
        shared: Shared,
        signals: Signals,
        tuning: UplinkTuning,
    ) -> Self {
        let id = &shared.gateway_id;
        Self {
            events_topic: gateway_topic(id, GatewayTopic::Events),
            status_topic: gateway_topic(id, GatewayTopic::Status),
            ack_topic: gateway_topic(id, GatewayTopic::Ack),
            client,
            shared,
            signals,
            tuning,
            seen_epoch: 0,
            sent: 0,
            acked: 0,
            progress_at: Instant::now(),
            stale_seen: 0,
            stale_pending: false,
            status_at: None,
            alarms: Vec::new(),
        }
    }

    pub(super) fn run(mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let busy = self.step();
            if !busy {
                std::thread::sleep(IDLE);
            }
        }
        if self.seen_epoch > 0 {
            self.publish_status(Presence::Offline);
        }
        if let Err(e) = self.client.try_disconnect() {
            tracing::debug!(error = %e, "disconnect not queued");
        }
    }

    /// One round; returns whether it sent events (and should run again at once).
    fn step(&mut self) -> bool {
        let epoch = self.signals.epoch.load(Ordering::SeqCst);
        if epoch == 0 || !self.shared.status.connected() {
            return false;
        }
        if epoch != self.seen_epoch {
            self.on_connect(epoch);
        }
        let acked = self.shared.outbox.acked();
        if acked > self.acked {
            self.acked = acked;
            self.progress_at = Instant::now();
            self.stale_pending = false;
        }
        self.sent = self.sent.max(acked);
        let stale = self.signals.stale_acks.load(Ordering::SeqCst);
        if stale != self.stale_seen {
            self.stale_seen = stale;
            self.stale_pending = self.sent > acked;
        }
        if self.sent == acked {
            // Nothing in flight: the stall clock starts with the next send.
            self.progress_at = Instant::now();
        }
        let stalled = self.progress_at.elapsed();
        if self.sent > acked
            && (stalled >= self.tuning.resend_after
                || (self.stale_pending && stalled >= self.tuning.stale_ack_resend))
        {
            tracing::warn!(
                acked,
                sent = self.sent,
                stale_ack = self.stale_pending,
                "no ack progress: sending unacked events again"
            );
            self.sent = acked;
            self.progress_at = Instant::now();
            self.stale_pending = false;
        }
        let alarms_changed = self.alarm_keys() != self.alarms;
        if alarms_changed
            || self
                .status_at
                .is_none_or(|at| at.elapsed() >= self.tuning.status_every)
        {
            self.publish_status(Presence::Online);
        }
        let room = self.tuning.window.saturating_sub(self.sent - acked);
        if room == 0 {
            return false;
        }
        let max = usize::try_from(room).unwrap_or(usize::MAX);
        let events = match self.shared.outbox.unacked(self.sent, max) {
            Ok(events) => events,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                return false;
            }
        };
        if events.is_empty() {
            return false;
        }
        let batches = match split_batch(&events, payload_budget(&self.events_topic)) {
            Ok(batches) => batches,
            Err(e) => {
                tracing::error!(error = %e, "an outbox event does not fit a batch");
                return false;
            }
        };
        for batch in batches {
            let last = batch.events().last().and_then(Result::ok).map(|e| e.seq());
            let bytes = match Payload::EventBatch(batch).encode() {
                Ok(bytes) => bytes,
                Err(e) => {
                    tracing::error!(error = %e, "batch does not encode");
                    return false;
                }
            };
            if self
                .client
                .try_publish(&self.events_topic, QoS::AtLeastOnce, false, bytes)
                .is_err()
            {
                // The request channel is full (the event loop is reconnecting or the
                // broker is slow): try again later from here.
                return false;
            }
            if let Some(seq) = last {
                self.sent = self.sent.max(seq);
            }
        }
        true
    }

    fn on_connect(&mut self, epoch: u64) {
        self.seen_epoch = epoch;
        // Whatever was queued before is gone with the old session: start from the ack.
        self.sent = self.shared.outbox.acked();
        self.progress_at = Instant::now();
        for topic in [self.ack_topic.as_str(), RECALLS_TOPIC] {
            if let Err(e) = self.client.try_subscribe(topic, QoS::AtLeastOnce) {
                tracing::warn!(topic, error = %e, "subscribe not queued");
            }
        }
        self.publish_status(Presence::Online);
    }

    fn alarm_keys(&self) -> Vec<(AlarmKind, String)> {
        let alarms = self.shared.status.alarms(EventTime::now());
        alarms.into_iter().map(|a| (a.kind, a.subject)).collect()
    }

    fn publish_status(&mut self, presence: Presence) {
        self.status_at = Some(Instant::now());
        let status = self.shared.status.mqtt_status(
            &self.shared.gateway_id,
            presence,
            self.shared.outbox.as_ref(),
            EventTime::now(),
        );
        self.alarms = status
            .alarms
            .iter()
            .map(|a| (a.kind, a.subject.clone()))
            .collect();
        match Payload::Status(status).encode() {
            Ok(bytes) => {
                if let Err(e) =
                    self.client
                        .try_publish(&self.status_topic, QoS::AtLeastOnce, true, bytes)
                {
                    tracing::debug!(error = %e, "status not queued");
                }
            }
            Err(e) => tracing::error!(error = %e, "status does not encode"),
        }
    }
}
