//! From a tag read to an accepted signed event: smoothing, the station's business
//! meaning, the recall check, signing and the durable outbox — as plain logic, fed by
//! whatever thread owns the inputs.
//!
//! While the outbox is full every read is refused (logged, counted, an alarm raised in
//! the status) before it touches any state, so nothing half-processed is left behind;
//! the alarm clears once acks have freed [`RESUME_MARGIN`] bytes.

use std::sync::{Arc, RwLock};

use trace_proto::event::{Event, EventTime, TimeError};
use trace_proto::signed::{GatewayId, SignedEvent, SigningKey};

use crate::config::{Config, Profile};
use crate::outbox::{Outbox, OutboxError, sign_and_append};
use crate::recall::RecallSet;
use crate::smoothing::{Smoother, Transition};
use crate::station::Station;
use crate::status::StatusBoard;

/// Bytes that must be free before a full outbox accepts reads again.
pub const RESUME_MARGIN: u64 = 64 * 1024;

/// Why a read produced no accepted event.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The outbox is full; the read was refused.
    #[error("outbox full: read refused")]
    OutboxFull,
    /// The outbox failed; the event was not accepted.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The read's time is outside what an event can carry.
    #[error("read time: {0}")]
    Time(#[from] TimeError),
}

/// The gateway's read-to-event logic.
pub struct Pipeline {
    gateway_id: GatewayId,
    key: SigningKey,
    outbox: Arc<dyn Outbox>,
    smoother: Smoother,
    stations: Vec<Station>,
    reader_station: Vec<usize>,
    recalls: Arc<RwLock<RecallSet>>,
    status: Arc<StatusBoard>,
}

impl Pipeline {
    /// A pipeline for `config`, signing with `key` into `outbox`.
    pub fn new(
        config: &Config,
        key: SigningKey,
        outbox: Arc<dyn Outbox>,
        recalls: Arc<RwLock<RecallSet>>,
        status: Arc<StatusBoard>,
    ) -> Self {
        let stations = config
            .stations
            .iter()
            .map(|s| Station::new(s.clone(), config.gateway.timezone))
            .collect::<Vec<_>>();
        Self {
            gateway_id: config.gateway.id.clone(),
            key,
            outbox,
            smoother: Smoother::new(config.smoothing, stations.len()),
            stations,
            reader_station: config.readers.iter().map(|r| r.station).collect(),
            recalls,
            status,
        }
    }

    /// A read of `tag` (canonical URI) by reader `reader` at `now_ms` (Unix ms).
    /// Returns the events it made, each already durable in the outbox.
    pub fn read(
        &mut self,
        reader: usize,
        tag: &str,
        now_ms: u64,
    ) -> Result<Vec<SignedEvent>, PipelineError> {
        let at = event_time(now_ms)?;
        self.status.reader_read(reader, at);
        if self.outbox_full() {
            self.status.refused_read();
            tracing::error!(
                reader,
                tag,
                "outbox full: read REFUSED (waiting for server acks)"
            );
            return Err(PipelineError::OutboxFull);
        }
        let Some(&station) = self.reader_station.get(reader) else {
            return Ok(Vec::new());
        };
        let Some(Transition::Entered { first_ms, .. }) = self.smoother.read(station, tag, now_ms)
        else {
            return Ok(Vec::new());
        };
        let Some(st) = self.stations.get_mut(station) else {
            return Ok(Vec::new());
        };
        let lot = match &st.config().profile {
            Profile::Commission(lot) => lot.lot.as_deref(),
            _ => None,
        };
        let recalled = self
            .recalls
            .read()
            .map(|set| set.is_recalled(tag, lot))
            .unwrap_or(false);
        if recalled {
            tracing::warn!(tag, station = %st.config().name, "RECALLED unit scanned");
            self.status.recalled(tag, at);
        }
        let events = st.entry(tag, first_ms, recalled)?;
        self.accept(events)
    }

    /// Advances timers to `now_ms`: tag exits, pack windows that have closed.
    pub fn tick(&mut self, now_ms: u64) -> Result<Vec<SignedEvent>, PipelineError> {
        self.smoother.sweep(now_ms);
        let mut events = Vec::new();
        for station in &mut self.stations {
            events.extend(station.tick(now_ms)?);
        }
        self.outbox_full();
        self.accept(events)
    }

    /// Whether the outbox is (still) too full to take reads; updates the alarm.
    fn outbox_full(&self) -> bool {
        if !self.status.outbox_full() {
            return false;
        }
        let usage = self.outbox.usage();
        let full = usage.bytes.saturating_add(RESUME_MARGIN) > usage.budget;
        if !full {
            tracing::info!("outbox has room again: accepting reads");
            self.status.set_outbox_full(false);
        }
        full
    }

    fn accept(&mut self, events: Vec<Event>) -> Result<Vec<SignedEvent>, PipelineError> {
        let mut accepted = Vec::with_capacity(events.len());
        for event in events {
            match sign_and_append(self.outbox.as_ref(), &self.key, &self.gateway_id, event) {
                Ok(signed) => accepted.push(signed),
                Err(OutboxError::Full { used, budget, .. }) => {
                    tracing::error!(used, budget, "outbox full: event REFUSED, alarm raised");
                    self.status.set_outbox_full(true);
                    self.status.refused_read();
                    return Err(PipelineError::OutboxFull);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(accepted)
    }
}

fn event_time(now_ms: u64) -> Result<EventTime, TimeError> {
    EventTime::from_unix_millis(i64::try_from(now_ms).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
