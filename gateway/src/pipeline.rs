//! From a tag read to an accepted signed event: smoothing, the station's business
//! meaning, the recall check, signing and the durable outbox — as plain logic, fed by
//! whatever thread owns the inputs.
//!
//! [`Pipeline::read`] and [`Pipeline::tick`] stage events; [`Pipeline::commit`] signs
//! every staged event and writes them to the outbox in one flush (group commit), so a
//! burst of reads costs one disk sync, not one per event. An event is accepted once
//! `commit` has returned it.
//!
//! While the outbox is full every read is refused (logged, counted, an alarm raised in
//! the status) before it touches any state, so nothing half-processed is left behind;
//! the alarm clears once acks have freed [`RESUME_MARGIN`] bytes.

use std::sync::{Arc, RwLock};

use trace_proto::event::{Event, EventTime, TimeError};
use trace_proto::signed::{GatewayId, SignedEvent, SigningKey};

use crate::config::{Config, LotData, Profile, Transform};
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
    staged: Vec<Event>,
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
        for s in &config.stations {
            if let Profile::Commission(lot) | Profile::Transform(Transform { lot, .. }) = &s.profile
            {
                status.set_lot(&s.name, lot);
            }
        }
        Self {
            gateway_id: config.gateway.id.clone(),
            key,
            outbox,
            smoother: Smoother::new(config.smoothing, stations.len()),
            stations,
            reader_station: config.readers.iter().map(|r| r.station).collect(),
            recalls,
            status,
            staged: Vec::new(),
        }
    }

    /// A read of `tag` (canonical URI) by `antenna` of reader `reader` at `now_ms` (Unix
    /// ms); the events it makes are staged for [`commit`](Self::commit).
    pub fn read(
        &mut self,
        reader: usize,
        antenna: u16,
        tag: &str,
        now_ms: u64,
    ) -> Result<(), PipelineError> {
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
            return Ok(());
        };
        if let Some(door) = self.stations.get_mut(station)
            && door.has_direction()
        {
            let recalls = &self.recalls;
            let recalled = || {
                recalls
                    .read()
                    .map(|set| set.is_recalled(tag, None))
                    .unwrap_or(false)
            };
            let events = door.sighting(tag, antenna, now_ms, recalled)?;
            if events
                .iter()
                .any(|e| e.disposition == Some(trace_proto::event::Disposition::Recalled))
            {
                tracing::warn!(tag, station = %door.config().name, "RECALLED unit scanned");
                self.status.recalled(tag, at);
            }
            self.staged.extend(events);
        }
        let Some(Transition::Entered { first_ms, .. }) = self.smoother.read(station, tag, now_ms)
        else {
            return Ok(());
        };
        let Some(st) = self.stations.get_mut(station) else {
            return Ok(());
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
        self.staged.extend(events);
        Ok(())
    }

    /// Advances timers to `now_ms` (tag exits, pack windows that have closed), staging
    /// the events they make.
    pub fn tick(&mut self, now_ms: u64) -> Result<(), PipelineError> {
        for exit in self.smoother.sweep(now_ms) {
            if let Transition::Exited { station, tag, .. } = exit
                && let Some(st) = self.stations.get_mut(station)
            {
                st.exit(&tag);
            }
        }
        for station in &mut self.stations {
            let events = station.tick(now_ms)?;
            self.staged.extend(events);
        }
        self.outbox_full();
        Ok(())
    }

    /// Station `station` writes `lot` from now on; a production run gathered under the
    /// old lot is closed and its event staged first. Returns whether the station exists
    /// and writes lots.
    pub fn set_lot(&mut self, station: &str, lot: LotData) -> Result<bool, PipelineError> {
        let Some(st) = self
            .stations
            .iter_mut()
            .find(|s| s.config().name == station)
        else {
            return Ok(false);
        };
        if !matches!(
            st.config().profile,
            Profile::Commission(_) | Profile::Transform(_)
        ) {
            return Ok(false);
        }
        let events = st.set_lot(lot.clone())?;
        self.staged.extend(events);
        self.status.set_lot(station, &lot);
        Ok(true)
    }

    /// Ends everything open, as at shutdown: every present tag exits, pack windows and
    /// production runs close now and their events are staged.
    pub fn flush(&mut self) -> Result<(), PipelineError> {
        for exit in self.smoother.drain() {
            if let Transition::Exited { station, tag, .. } = exit
                && let Some(st) = self.stations.get_mut(station)
            {
                st.exit(&tag);
            }
        }
        for station in &mut self.stations {
            let events = station.flush()?;
            self.staged.extend(events);
        }
        Ok(())
    }

    /// Events staged and not yet committed.
    pub fn staged(&self) -> usize {
        self.staged.len()
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

    /// Signs every staged event and appends them to the outbox in one durable write;
    /// returns them, now accepted. When they do not fit, none is accepted: the alarm is
    /// raised and the reads that made them count as refused.
    pub fn commit(&mut self) -> Result<Vec<SignedEvent>, PipelineError> {
        let events = std::mem::take(&mut self.staged);
        let count = events.len() as u64;
        match sign_and_append(self.outbox.as_ref(), &self.key, &self.gateway_id, events) {
            Ok(signed) => Ok(signed),
            Err(OutboxError::Full { used, budget, .. }) => {
                tracing::error!(
                    used,
                    budget,
                    events = count,
                    "outbox full: events REFUSED, alarm raised"
                );
                self.status.set_outbox_full(true);
                for _ in 0..count {
                    self.status.refused_read();
                }
                Err(PipelineError::OutboxFull)
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn event_time(now_ms: u64) -> Result<EventTime, TimeError> {
    EventTime::from_unix_millis(i64::try_from(now_ms).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
