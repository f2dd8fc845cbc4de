//! Verified ingest: MQTT event batches in, one durable commit per round, acks out.
//!
//! A *round* is every message the transport had ready (see [`crate::mqtt`]); batching
//! rounds into one commit is what makes durable storage fast. Each event goes through:
//! decode → the publishing topic must be its own gateway's → replays of stored events
//! are counted and dropped before any signature work (a gateway resending its outbox
//! after a reconnect must not cost a verification per event) → the gateway is enrolled
//! and not revoked → signature (batch-verified) → chain position ([`chain`]). An event that
//! fails a check is quarantined with the reason; nothing is silently dropped except
//! replays of stored events, which are counted. Acks name each gateway's highest
//! contiguous stored seq and are produced only after the commit returned.
//!
//! Stored events whose times do not fit their gateway's clock are flagged
//! ([`clock`]): counted, logged, stored all the same.
//!
//! Several instances may ingest into one shared store: see [`chain`] for how heads are
//! reloaded, and `admit_and_commit` for the retry when another instance moved a head.

pub mod chain;
pub mod clock;
mod verify;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use trace_proto::event::EventTime;
use trace_proto::mqtt::{Ack, GatewayTopic, Payload, parse_gateway_topic};
use trace_proto::signed::{GatewayId, SignedEvent};

use crate::metrics::Metrics;
use crate::store::{
    CommitBatch, CommitReport, EventKey, NewQuarantine, Origin, Store, StoreError, StoredEvent,
};
use chain::{ChainBook, Gap};
use clock::{AnomalyKind, ClockCheck};

/// One MQTT message from the events subscription.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The topic it was published on.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
}

/// What one round did.
#[derive(Debug, Default)]
pub struct RoundOutcome {
    /// Acks to publish, one per gateway heard from whose chain has a head.
    pub acks: Vec<Ack>,
    /// Events newly stored.
    pub stored: usize,
    /// Replays dropped.
    pub replays: usize,
    /// Events quarantined.
    pub quarantined: usize,
}

/// The ingest state of one server process.
pub struct Ingest {
    store: Arc<dyn Store>,
    book: ChainBook,
    clock: ClockCheck,
    metrics: Arc<Metrics>,
}

/// Out-of-order events held per gateway before the newest are dropped (and resent).
const MAX_HELD_PER_GATEWAY: usize = 100_000;

/// Attempts at a round whose heads other instances keep moving, before it fails (and its
/// events are resent by their gateways).
const MAX_HEAD_RETRIES: usize = 8;

struct Round {
    now: EventTime,
    by_gateway: BTreeMap<GatewayId, Vec<SignedEvent>>,
    heard: Vec<GatewayId>,
    quarantine: Vec<NewQuarantine>,
    replays: usize,
}

impl Round {
    fn refuse(&mut self, gateway: &str, seq: Option<u64>, reason: String, bytes: Vec<u8>) {
        tracing::warn!(gateway, seq, %reason, "event quarantined");
        self.quarantine.push(NewQuarantine {
            gateway_id: gateway.to_owned(),
            seq,
            received: self.now,
            reason,
            bytes,
        });
    }
}

impl Ingest {
    /// Ingest into `store`, counting into `metrics`.
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        Self {
            store,
            book: ChainBook::new(MAX_HELD_PER_GATEWAY),
            clock: ClockCheck::default(),
            metrics,
        }
    }

    /// Processes one round of messages and commits it. On a store error nothing of the
    /// round is acked and the chain state is reloaded from the store next time.
    pub fn process(&mut self, messages: Vec<Incoming>) -> Result<RoundOutcome, StoreError> {
        Metrics::add(&self.metrics.messages, messages.len());
        let mut round = Round {
            now: EventTime::now(),
            by_gateway: BTreeMap::new(),
            heard: Vec::new(),
            quarantine: Vec::new(),
            replays: 0,
        };
        for message in messages {
            self.decode(message, &mut round);
        }
        let result = self
            .drop_replays(&mut round)
            .and_then(|()| self.verify(&mut round))
            .and_then(|()| self.admit_and_commit(&mut round));
        if result.is_err() {
            self.book.reset();
            Metrics::add(&self.metrics.commit_errors, 1);
        }
        result
    }

    fn decode(&self, message: Incoming, round: &mut Round) {
        let gateway = match parse_gateway_topic(&message.topic) {
            Ok((gateway, GatewayTopic::Events)) => gateway,
            _ => {
                tracing::warn!(
                    topic = message.topic,
                    "message on an unexpected topic ignored"
                );
                return;
            }
        };
        if !round.heard.contains(&gateway) {
            round.heard.push(gateway.clone());
        }
        let batch = match Payload::decode(&message.payload) {
            Ok(Payload::EventBatch(batch)) => batch,
            Ok(other) => {
                let reason = format!("not an event batch: {}", payload_name(&other));
                return round.refuse(gateway.as_str(), None, reason, message.payload);
            }
            Err(e) => {
                let reason = format!("undecodable batch: {e}");
                return round.refuse(gateway.as_str(), None, reason, message.payload);
            }
        };
        Metrics::add(&self.metrics.events_received, batch.len());
        for raw in batch.raw() {
            match SignedEvent::from_bytes(raw) {
                Ok(event) if event.gateway_id() != &gateway => {
                    let reason = format!(
                        "signed by gateway {} but published on gateway {}'s topic",
                        event.gateway_id().as_str(),
                        gateway.as_str()
                    );
                    round.refuse(gateway.as_str(), Some(event.seq()), reason, raw.clone());
                }
                Ok(event) => round
                    .by_gateway
                    .entry(gateway.clone())
                    .or_default()
                    .push(event),
                Err(e) => {
                    let reason = format!("undecodable signed event: {e}");
                    round.refuse(gateway.as_str(), None, reason, raw.clone());
                }
            }
        }
    }

    /// Drops events at or below their gateway's head whose exact signed content is
    /// stored, and events already waiting behind a gap. Dropping one with a tampered
    /// signature loses nothing: its content is stored, or held and verified.
    fn drop_replays(&mut self, round: &mut Round) -> Result<(), StoreError> {
        for (gateway, events) in round.by_gateway.iter_mut() {
            let store = &self.store;
            self.book.load(gateway, || store.chain_head(gateway))?;
            // Another instance sharing the store may have stored further: take its head, so
            // that resends of what it stored cost no verification and the ack covers them.
            events.extend(self.book.adopt(gateway, store.chain_head(gateway)?));
            let head = self.book.head(gateway);
            let below = |e: &SignedEvent| head.is_some_and(|h| e.seq() <= h.seq);
            let keys: Vec<EventKey> = events
                .iter()
                .filter(|e| below(e))
                .map(|e| EventKey(e.hash().0))
                .collect();
            // One read for all of them: a resent outbox is thousands of events.
            let mut found = store.event_summaries(&keys)?.into_iter();
            let mut kept = Vec::with_capacity(events.len());
            for event in events.drain(..) {
                let stored = below(&event) && found.next().flatten().is_some();
                if stored || self.book.holds(&event) {
                    round.replays += 1;
                } else {
                    kept.push(event);
                }
            }
            *events = kept;
        }
        Ok(())
    }

    /// Drops events of unknown or revoked gateways, events of revoked keys and events
    /// with a bad signature from the round, into the quarantine.
    fn verify(&self, round: &mut Round) -> Result<(), StoreError> {
        let mut records = HashMap::new();
        let gateways: Vec<GatewayId> = round.by_gateway.keys().cloned().collect();
        for gateway in gateways {
            let refusal = match self.store.gateway(&gateway)? {
                None => Some("unknown gateway: not enrolled".to_owned()),
                Some(record) => match record.revoked {
                    Some(at) if at <= round.now => Some(format!("gateway revoked at {at}")),
                    _ => {
                        records.insert(gateway.clone(), record);
                        None
                    }
                },
            };
            if let Some(reason) = refusal {
                for event in round.by_gateway.remove(&gateway).unwrap_or_default() {
                    round.refuse(
                        gateway.as_str(),
                        Some(event.seq()),
                        reason.clone(),
                        event.to_bytes(),
                    );
                }
            }
        }
        let events: Vec<SignedEvent> = round
            .by_gateway
            .values_mut()
            .flat_map(std::mem::take)
            .collect();
        let checked = verify::check(&records, events, round.now);
        Metrics::add(&self.metrics.verify_failures, checked.bad_signatures);
        for (event, reason) in checked.refused {
            round.refuse(
                event.gateway_id().as_str(),
                Some(event.seq()),
                reason,
                event.to_bytes(),
            );
        }
        for event in checked.verified {
            round
                .by_gateway
                .entry(event.gateway_id().clone())
                .or_default()
                .push(event);
        }
        Ok(())
    }

    /// Admits the round's events into one batch; the accepted events come back too, by
    /// gateway, for another attempt if the store refuses the batch.
    fn admit(
        &mut self,
        round: &mut Round,
    ) -> Result<(CommitBatch, BTreeMap<GatewayId, Vec<SignedEvent>>), StoreError> {
        let mut batch = CommitBatch::default();
        let mut accepted = BTreeMap::new();
        for gateway in self.book.waiting() {
            round.by_gateway.entry(gateway).or_default();
        }
        for (gateway, events) in std::mem::take(&mut round.by_gateway) {
            let store = &self.store;
            let admission = self.book.admit(
                &gateway,
                events,
                round.now,
                || store.chain_head(&gateway),
                |e| Ok(store.event(&EventKey(e.hash().0))?.is_some()),
            )?;
            round.replays += admission.replays;
            for (event, reason) in admission.forks {
                round.refuse(
                    gateway.as_str(),
                    Some(event.seq()),
                    reason,
                    event.to_bytes(),
                );
            }
            batch
                .events
                .extend(admission.accepted.iter().map(|e| stored(e, round.now)));
            if let Some(head) = admission.head {
                batch.heads.push((gateway.clone(), head));
                accepted.insert(gateway, admission.accepted);
            }
        }
        batch.quarantine = std::mem::take(&mut round.quarantine);
        Ok((batch, accepted))
    }

    /// Admits and commits the round. A store several instances share refuses a batch whose
    /// events extend a head another instance has moved since ([`StoreError::HeadMoved`]):
    /// that head is reloaded and the round admitted again, a few times at most.
    fn admit_and_commit(&mut self, round: &mut Round) -> Result<RoundOutcome, StoreError> {
        let mut attempts = 0;
        let (batch, report, accepted) = loop {
            let (batch, accepted) = self.admit(round)?;
            let nothing = batch.events.is_empty() && batch.heads.is_empty();
            if nothing && batch.quarantine.is_empty() {
                break (batch, CommitReport::default(), accepted);
            }
            match self.store.commit(&batch) {
                Ok(report) => {
                    Metrics::add(&self.metrics.commits, 1);
                    break (batch, report, accepted);
                }
                Err(StoreError::HeadMoved { gateway, .. }) if attempts < MAX_HEAD_RETRIES => {
                    tracing::debug!(gateway = gateway.as_str(), "head moved by another instance");
                    attempts += 1;
                    self.book.forget(&gateway);
                    round.by_gateway = accepted;
                    round.quarantine = batch.quarantine;
                }
                Err(e) => return Err(e),
            }
        };
        self.check_clocks(&accepted, round.now);
        for (gateway, head) in &batch.heads {
            self.book.committed(gateway, *head);
            if !round.heard.contains(gateway) {
                round.heard.push(gateway.clone());
            }
        }
        let mut outcome = RoundOutcome {
            replays: round.replays,
            stored: report.stored,
            quarantined: batch.quarantine.len(),
            ..RoundOutcome::default()
        };
        Metrics::add(&self.metrics.events_stored, report.stored);
        Metrics::add(&self.metrics.replays, outcome.replays + report.duplicates);
        Metrics::add(&self.metrics.quarantined, outcome.quarantined);
        outcome.acks = round
            .heard
            .iter()
            .filter_map(|gateway| {
                Some(Ack {
                    gateway_id: gateway.clone(),
                    highest_contiguous_seq: self.book.head(gateway)?.seq,
                })
            })
            .collect();
        let gaps = self.book.gaps();
        let held: usize = gaps.iter().map(|(_, g)| g.waiting).sum();
        self.metrics.held.store(held as u64, Ordering::Relaxed);
        Ok(outcome)
    }

    /// Flags stored events whose time does not fit their gateway's clock.
    fn check_clocks(&mut self, accepted: &BTreeMap<GatewayId, Vec<SignedEvent>>, now: EventTime) {
        for (gateway, events) in accepted {
            let anomalies = self.clock.check(gateway, events, now.unix_millis());
            Metrics::add(&self.metrics.time_anomalies, anomalies.len());
            for anomaly in anomalies.iter().filter(|a| a.starts) {
                let minutes = anomaly.by_ms / 60_000;
                match anomaly.kind {
                    AnomalyKind::Backward => tracing::warn!(
                        gateway = gateway.as_str(),
                        seq = anomaly.seq,
                        back_ms = anomaly.by_ms,
                        "time anomaly: gateway clock went back ~{minutes} min; event stored in seq order, its time is suspect"
                    ),
                    AnomalyKind::Ahead => tracing::warn!(
                        gateway = gateway.as_str(),
                        seq = anomaly.seq,
                        ahead_ms = anomaly.by_ms,
                        "time anomaly: gateway clock runs ~{minutes} min ahead of the server; events stored in seq order, their times are suspect"
                    ),
                }
            }
        }
    }

    /// Open gaps, by gateway.
    pub fn gaps(&self) -> Vec<(GatewayId, Gap)> {
        self.book.gaps()
    }
}

fn stored(event: &SignedEvent, now: EventTime) -> StoredEvent {
    StoredEvent {
        key: EventKey(event.hash().0),
        recorded: now,
        event: event.event().clone(),
        origin: Origin::Gateway {
            gateway_id: event.gateway_id().clone(),
            seq: event.seq(),
            signed: event.to_bytes(),
        },
    }
}

fn payload_name(payload: &Payload) -> &'static str {
    match payload {
        Payload::EventBatch(_) => "event batch",
        Payload::Ack(_) => "ack",
        Payload::Status(_) => "status",
        Payload::RecallList(_) => "recall list",
    }
}
