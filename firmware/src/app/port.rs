//! The application's view of one configured reader: its state, its error count and
//! when a fault is worth a `ReaderFault` message.

use trace_proto::link::{FaultKind, ReaderErrors, ReaderInfo, ReaderKind, ReaderState};

/// One configured reader port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PortStatus {
    pub(crate) port: u8,
    pub(crate) kind: ReaderKind,
    state: ReaderState,
    /// Faults since boot, wrapping.
    errors: u32,
    /// Fault last reported while not `Ready`.
    last_fault: Option<FaultKind>,
    /// Checksum and CRC faults in the current heartbeat period.
    burst: u16,
    ever_ready: bool,
}

impl PortStatus {
    /// A reader being initialised, keeping `errors` from an earlier configuration.
    pub(crate) fn new(port: u8, kind: ReaderKind, errors: u32) -> Self {
        Self {
            port,
            kind,
            state: ReaderState::Initialising,
            errors,
            last_fault: None,
            burst: 0,
            ever_ready: false,
        }
    }

    pub(crate) fn info(&self) -> ReaderInfo {
        ReaderInfo {
            port: self.port,
            kind: self.kind,
            state: self.state,
        }
    }

    pub(crate) fn errors(&self) -> ReaderErrors {
        ReaderErrors {
            port: self.port,
            errors: self.errors,
        }
    }

    pub(crate) fn on_ready(&mut self) {
        self.state = ReaderState::Ready;
        self.ever_ready = true;
        self.last_fault = None;
    }

    /// A tag read proves the reader works, whatever it reported before.
    pub(crate) fn on_tag(&mut self) {
        if self.state == ReaderState::Faulted {
            self.on_ready();
        }
    }

    /// Counts a fault; returns whether it is news for the gateway. A reader failing
    /// the same way on every retry is reported once; checksum and CRC failures, which
    /// a noisy line or a weak tag cause now and then, when `burst_limit` of them
    /// arrive within one heartbeat period.
    pub(crate) fn on_fault(&mut self, kind: FaultKind, burst_limit: u16) -> bool {
        self.errors = self.errors.wrapping_add(1);
        if matches!(kind, FaultKind::Checksum | FaultKind::Crc) {
            self.burst = self.burst.saturating_add(1);
            return self.burst == burst_limit.max(1);
        }
        let failing = matches!(self.state, ReaderState::Faulted | ReaderState::Absent);
        let news = !failing || self.last_fault != Some(kind);
        self.state = if !self.ever_ready && kind == FaultKind::NoResponse {
            ReaderState::Absent
        } else {
            ReaderState::Faulted
        };
        self.last_fault = Some(kind);
        news
    }

    /// Starts a new heartbeat period.
    pub(crate) fn new_period(&mut self) {
        self.burst = 0;
    }
}
