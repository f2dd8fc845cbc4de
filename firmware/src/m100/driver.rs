//! The M100 dialogue as a state machine: set power, inventory, probe when quiet.

use crc::{CRC_16_GENIBUS, Crc};
use trace_proto::link::{EpcBank, FaultKind, TagId};

use super::frame::{self, Kind, M100Frame, M100Framing, MAX_FRAME, cmd};
use crate::deframe::Deframer;
use crate::driver::{SerialDriver, TxBuffer};
use crate::event::{ReaderEvent, TagSighting};
use crate::stats::{LineError, Stats, bump};

/// CRC the tag sends over PC + EPC, which the module passes on.
static GEN2_CRC: Crc<u16> = Crc::<u16>::new(&CRC_16_GENIBUS);
/// Error code the module reports when an inventory round found no tag.
const NO_TAG: u8 = 0x15;
/// Reserved byte preceding the round count of a multiple inventory.
const MULTIPLE_INVENTORY_RESERVED: u8 = 0x22;
/// Longest command frame this driver sends.
const MAX_COMMAND_FRAME: usize = 10;

/// Settings of the M100 driver; times in milliseconds of the caller's tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct M100Config {
    /// TX power in hundredths of a dBm, as the module takes it (2000 = 20 dBm).
    pub tx_power_cdbm: u16,
    /// Inventory rounds per multiple-inventory command; the driver starts another
    /// command when they are used up.
    pub rounds: u16,
    /// A module silent this long during inventory is probed with a stop command.
    pub quiet_ms: u32,
    /// From sending a command to its response.
    pub response_timeout_ms: u32,
    /// Pause before initialising again after a fault.
    pub retry_ms: u32,
}

impl Default for M100Config {
    fn default() -> Self {
        Self {
            tx_power_cdbm: 2000,
            rounds: 10_000,
            quiet_ms: 1000,
            response_timeout_ms: 200,
            retry_ms: 1000,
        }
    }
}

/// What to do once the module has confirmed a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterStop {
    /// Inventory again (the stop was a liveness probe).
    Inventory,
    /// Set the power, then inventory.
    Configure,
    /// Stay stopped.
    Halt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Set the power at `at`, then inventory.
    Start {
        at: u64,
    },
    AwaitPower {
        sent_at: u64,
    },
    Inventory {
        last_heard: u64,
    },
    AwaitStop {
        sent_at: u64,
        then: AfterStop,
    },
    Halted,
}

/// Driver for an M100-family UHF module.
pub struct M100 {
    config: M100Config,
    deframer: Deframer<M100Framing, MAX_FRAME>,
    tx: TxBuffer,
    phase: Phase,
    /// Time of the last poll; frames are handled between polls.
    now: u64,
    /// Any byte received since the last command was sent.
    heard: bool,
    stats: Stats,
}

impl M100 {
    /// A driver that sets the power and starts inventory at its first poll.
    pub fn new(config: M100Config) -> Self {
        Self {
            config,
            deframer: Deframer::new(),
            tx: TxBuffer::default(),
            phase: Phase::Start { at: 0 },
            now: 0,
            heard: false,
            stats: Stats::default(),
        }
    }

    /// Changes the TX power: stops inventory, sets the power, inventories again.
    pub fn set_tx_power(&mut self, cdbm: u16) {
        self.config.tx_power_cdbm = cdbm;
        match self.phase {
            Phase::Start { .. } | Phase::AwaitPower { .. } => {
                self.phase = Phase::Start { at: self.now };
            }
            // Applied by the next `resume`.
            Phase::Halted => {}
            Phase::Inventory { .. } | Phase::AwaitStop { .. } => {
                self.send_stop(AfterStop::Configure);
            }
        }
    }

    /// Stops inventory and keeps the module quiet until [`resume`](Self::resume).
    pub fn stop(&mut self) {
        self.send_stop(AfterStop::Halt);
    }

    /// Initialises the module again and resumes inventory.
    pub fn resume(&mut self) {
        self.phase = Phase::Start { at: self.now };
    }

    fn send(&mut self, command: u8, params: &[u8]) {
        let mut frame = [0u8; MAX_COMMAND_FRAME];
        let len = frame::encode_command(command, params, &mut frame).unwrap_or(0);
        self.tx.send(&[frame.get(..len).unwrap_or_default()]);
        self.heard = false;
    }

    fn send_power(&mut self) {
        self.send(cmd::SET_POWER, &self.config.tx_power_cdbm.to_be_bytes());
        self.phase = Phase::AwaitPower { sent_at: self.now };
    }

    fn send_inventory(&mut self) {
        let [hi, lo] = self.config.rounds.to_be_bytes();
        self.send(
            cmd::MULTIPLE_INVENTORY,
            &[MULTIPLE_INVENTORY_RESERVED, hi, lo],
        );
        self.phase = Phase::Inventory {
            last_heard: self.now,
        };
    }

    fn send_stop(&mut self, then: AfterStop) {
        self.send(cmd::STOP, &[]);
        self.phase = Phase::AwaitStop {
            sent_at: self.now,
            then,
        };
    }

    fn fault(&mut self, kind: FaultKind) -> ReaderEvent {
        self.phase = Phase::Start {
            at: self.now.saturating_add(self.config.retry_ms.into()),
        };
        ReaderEvent::Fault(kind)
    }

    fn on_frame(&mut self, frame: M100Frame) -> Option<ReaderEvent> {
        if let Phase::Inventory { last_heard } = &mut self.phase {
            *last_heard = self.now;
        }
        let status = frame.params.first().copied();
        match (frame.kind, frame.command) {
            (Kind::Notification, cmd::INVENTORY | cmd::MULTIPLE_INVENTORY) => {
                self.on_tag(&frame.params)
            }
            (Kind::Response, cmd::ERROR) => match status {
                Some(NO_TAG) => None,
                code => self.on_module_error(code.unwrap_or(0)),
            },
            (Kind::Response, cmd::SET_POWER) => match (self.phase, status) {
                (Phase::AwaitPower { .. }, Some(0)) => {
                    self.send_inventory();
                    Some(ReaderEvent::Ready)
                }
                (Phase::AwaitPower { .. }, code) => self.on_module_error(code.unwrap_or(0)),
                _ => None,
            },
            (Kind::Response, cmd::STOP) => match self.phase {
                Phase::AwaitStop { then, .. } => {
                    match then {
                        AfterStop::Inventory => self.send_inventory(),
                        AfterStop::Configure => self.send_power(),
                        AfterStop::Halt => self.phase = Phase::Halted,
                    }
                    None
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn on_module_error(&mut self, code: u8) -> Option<ReaderEvent> {
        bump(&mut self.stats.module_errors);
        let kind = FaultKind::ModuleError { code };
        match self.phase {
            // The power was refused: retry the whole set-up later.
            Phase::AwaitPower { .. } => Some(self.fault(kind)),
            _ => Some(ReaderEvent::Fault(kind)),
        }
    }

    fn on_tag(&mut self, params: &[u8]) -> Option<ReaderEvent> {
        match parse_notification(params) {
            Ok(sighting) => Some(ReaderEvent::Tag(sighting)),
            Err(TagError::Crc) => {
                bump(&mut self.stats.crc);
                Some(ReaderEvent::Fault(FaultKind::Crc))
            }
            Err(TagError::Layout) => {
                bump(&mut self.stats.bad_content);
                None
            }
        }
    }
}

/// Why a tag notification was dropped.
enum TagError {
    /// The lengths do not add up (PL against the PC word's EPC length).
    Layout,
    /// The tag's CRC-16 does not match PC + EPC.
    Crc,
}

/// Parses `RSSI(i8 dBm) PC(2) EPC(2 × (PC >> 11)) CRC(2)`.
fn parse_notification(params: &[u8]) -> Result<TagSighting, TagError> {
    let [rssi, pc_hi, pc_lo, rest @ ..] = params else {
        return Err(TagError::Layout);
    };
    let pc = u16::from_be_bytes([*pc_hi, *pc_lo]);
    let (epc, crc) = rest.split_last_chunk::<2>().ok_or(TagError::Layout)?;
    let mut digest = GEN2_CRC.digest();
    digest.update(&[*pc_hi, *pc_lo]);
    digest.update(epc);
    let bank = EpcBank::new(pc, epc).map_err(|_| TagError::Layout)?;
    if digest.finalize() != u16::from_be_bytes(*crc) {
        return Err(TagError::Crc);
    }
    let rssi_dbm = i16::from(i8::from_be_bytes([*rssi]));
    Ok(TagSighting {
        tag: TagId::Gen2(bank),
        antenna: 0,
        rssi_cdbm: Some(rssi_dbm * 100),
    })
}

impl SerialDriver for M100 {
    fn poll(&mut self, now_ms: u64) -> Option<ReaderEvent> {
        self.now = self.now.max(now_ms);
        let now = self.now;
        let after = |start: u64, ms: u32| now >= start.saturating_add(ms.into());
        let timeout = self.config.response_timeout_ms;
        match self.phase {
            Phase::Start { at } if now >= at => self.send_power(),
            Phase::AwaitPower { sent_at } | Phase::AwaitStop { sent_at, .. }
                if after(sent_at, timeout) =>
            {
                bump(&mut self.stats.timeouts);
                let kind = if self.heard {
                    FaultKind::Timeout
                } else {
                    FaultKind::NoResponse
                };
                return Some(self.fault(kind));
            }
            Phase::Inventory { last_heard } if after(last_heard, self.config.quiet_ms) => {
                // Quiet: an empty field, used-up rounds or a dead module. A stop
                // always gets an answer, so it tells them apart.
                self.send_stop(AfterStop::Inventory);
            }
            _ => {}
        }
        None
    }

    fn push(&mut self, byte: u8) {
        self.heard = true;
        if let Some(error) = self.deframer.push(byte) {
            self.stats.record(error);
        }
    }

    fn next_event(&mut self) -> Option<ReaderEvent> {
        while let Some(result) = self.deframer.pop() {
            let event = match result {
                Ok(frame) => {
                    bump(&mut self.stats.frames);
                    self.on_frame(frame)
                }
                Err(error) => {
                    self.stats.record(error);
                    (error == LineError::Checksum)
                        .then_some(ReaderEvent::Fault(FaultKind::Checksum))
                }
            };
            if event.is_some() {
                return event;
            }
        }
        None
    }

    fn pending_tx(&self) -> &[u8] {
        self.tx.as_slice()
    }

    fn consume_tx(&mut self, written: usize) {
        self.tx.consume(written);
    }

    fn pending_rx(&self) -> usize {
        self.deframer.pending()
    }

    fn stats(&self) -> &Stats {
        &self.stats
    }
}
