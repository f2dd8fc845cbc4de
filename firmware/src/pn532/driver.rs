//! The PN532 dialogue as a state machine.

use trace_proto::link::{FaultKind, TagId, Uid};

use super::frame::{self, ACK, MAX_FRAME, NACK, Pn532Frame, Pn532Framing};
use crate::deframe::Deframer;
use crate::driver::{SerialDriver, TxBuffer};
use crate::event::{ReaderEvent, TagSighting};
use crate::stats::{LineError, Stats, bump};

/// HSU wake-up: `55 55` and zeros, long enough for the chip to leave power-down
/// before the first command (the sequence libnfc sends).
const WAKE_UP: [u8; 16] = [0x55, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// SAMConfiguration, normal mode (no SAM).
const SAM_CONFIGURATION: [u8; 2] = [0x14, 0x01];
/// InListPassiveTarget: at most one target, 106 kbps type A.
const IN_LIST_PASSIVE_TARGET: [u8; 3] = [0x4A, 0x01, 0x00];
/// Longest command frame this driver sends.
const MAX_COMMAND_FRAME: usize = 16;

/// Timing of the PN532 dialogue, in milliseconds of the caller's tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pn532Config {
    /// From sending a command to its ACK.
    pub ack_timeout_ms: u32,
    /// From sending SAMConfiguration to its response.
    pub response_timeout_ms: u32,
    /// How long one InListPassiveTarget waits for a card before it is aborted. The
    /// chip retries forever by default, so an empty field is detected this way.
    pub listen_ms: u32,
    /// Pause between the end of one poll and the next.
    pub poll_interval_ms: u32,
    /// Pause before initialising again after a fault.
    pub retry_ms: u32,
    /// Responses with a bad checksum asked for again (NACK) before giving up on one.
    pub max_nacks: u8,
}

impl Default for Pn532Config {
    fn default() -> Self {
        Self {
            ack_timeout_ms: 100,
            response_timeout_ms: 200,
            listen_ms: 200,
            poll_interval_ms: 50,
            retry_ms: 1000,
            max_nacks: 2,
        }
    }
}

/// The commands this driver sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    SamConfiguration,
    InListPassiveTarget,
}

impl Command {
    fn data(self) -> &'static [u8] {
        match self {
            Self::SamConfiguration => &SAM_CONFIGURATION,
            Self::InListPassiveTarget => &IN_LIST_PASSIVE_TARGET,
        }
    }

    /// PD0 of the response: command code + 1.
    fn response_code(self) -> u8 {
        self.data().first().map_or(0, |code| code.wrapping_add(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// (Re-)initialise at `at`.
    Start {
        at: u64,
    },
    AwaitAck {
        command: Command,
        sent_at: u64,
    },
    AwaitResponse {
        command: Command,
        sent_at: u64,
        nacks: u8,
    },
    Idle {
        next_poll_at: u64,
    },
}

/// Driver for a PN532 on HSU.
pub struct Pn532 {
    config: Pn532Config,
    deframer: Deframer<Pn532Framing, MAX_FRAME>,
    tx: TxBuffer,
    phase: Phase,
    /// Time of the last poll; frames are handled between polls.
    now: u64,
    /// Any byte received since the last command was sent.
    heard: bool,
    stats: Stats,
}

impl Pn532 {
    /// A driver that wakes the chip and configures it at its first poll.
    pub fn new(config: Pn532Config) -> Self {
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

    fn send(&mut self, command: Command) {
        let mut frame = [0u8; MAX_COMMAND_FRAME];
        let len = frame::encode_command(command.data(), &mut frame).unwrap_or(0);
        let frame = frame.get(..len).unwrap_or_default();
        match command {
            Command::SamConfiguration => self.tx.send(&[&WAKE_UP, frame]),
            Command::InListPassiveTarget => self.tx.send(&[frame]),
        }
        self.heard = false;
        self.phase = Phase::AwaitAck {
            command,
            sent_at: self.now,
        };
    }

    fn fault(&mut self, kind: FaultKind) -> ReaderEvent {
        self.phase = Phase::Start {
            at: self.now.saturating_add(self.config.retry_ms.into()),
        };
        ReaderEvent::Fault(kind)
    }

    fn idle_after(&mut self, pause_ms: u32) {
        self.phase = Phase::Idle {
            next_poll_at: self.now.saturating_add(pause_ms.into()),
        };
    }

    fn on_frame(&mut self, frame: Pn532Frame) -> Option<ReaderEvent> {
        match (frame, self.phase) {
            (Pn532Frame::Ack, Phase::AwaitAck { command, sent_at }) => {
                self.phase = Phase::AwaitResponse {
                    command,
                    sent_at,
                    nacks: 0,
                };
                None
            }
            (Pn532Frame::Error, Phase::AwaitAck { command, .. })
            | (Pn532Frame::Error, Phase::AwaitResponse { command, .. }) => {
                bump(&mut self.stats.module_errors);
                let code = frame::ERROR_FRAME_CODE;
                if command == Command::SamConfiguration {
                    return Some(self.fault(FaultKind::ModuleError { code }));
                }
                self.idle_after(self.config.poll_interval_ms);
                Some(ReaderEvent::Fault(FaultKind::ModuleError { code }))
            }
            (Pn532Frame::Response(data), Phase::AwaitResponse { command, .. })
                if data.first() == Some(&command.response_code()) =>
            {
                match command {
                    Command::SamConfiguration => {
                        self.idle_after(0);
                        Some(ReaderEvent::Ready)
                    }
                    Command::InListPassiveTarget => {
                        self.idle_after(self.config.poll_interval_ms);
                        self.on_target(&data)
                    }
                }
            }
            // Late answers to an aborted poll, and NACKs, which only hosts send.
            _ => None,
        }
    }

    fn on_target(&mut self, data: &[u8]) -> Option<ReaderEvent> {
        match parse_target(data) {
            Ok(None) => None,
            Ok(Some(uid)) => Some(ReaderEvent::Tag(TagSighting::new(TagId::Iso14443a(uid)))),
            Err(()) => {
                bump(&mut self.stats.bad_content);
                None
            }
        }
    }

    /// A response failed its checksum: ask for it again, a bounded number of times.
    fn on_bad_checksum(&mut self) -> Option<ReaderEvent> {
        match self.phase {
            Phase::AwaitResponse {
                command,
                sent_at,
                nacks,
            } if nacks < self.config.max_nacks => {
                self.tx.send(&[&NACK]);
                self.phase = Phase::AwaitResponse {
                    command,
                    sent_at,
                    nacks: nacks + 1,
                };
                None
            }
            _ => Some(ReaderEvent::Fault(FaultKind::Checksum)),
        }
    }
}

/// The first target of an InListPassiveTarget response (`4B NbTg Tg SENS_RES(2)
/// SEL_RES NFCIDLength NFCID1 [ATS]`), `None` when no card answered.
fn parse_target(data: &[u8]) -> Result<Option<Uid>, ()> {
    match data {
        [_, 0, ..] => Ok(None),
        [
            _,
            _targets,
            _tg,
            _sens_res_hi,
            _sens_res_lo,
            _sel_res,
            uid_len,
            rest @ ..,
        ] => {
            let uid = rest.get(..usize::from(*uid_len)).ok_or(())?;
            Uid::from_slice(uid).map(Some).map_err(|_| ())
        }
        _ => Err(()),
    }
}

impl SerialDriver for Pn532 {
    fn poll(&mut self, now_ms: u64) -> Option<ReaderEvent> {
        self.now = self.now.max(now_ms);
        let now = self.now;
        let after = |start: u64, ms: u32| now >= start.saturating_add(ms.into());
        match self.phase {
            Phase::Start { at } if now >= at => self.send(Command::SamConfiguration),
            Phase::AwaitAck { sent_at, .. } if after(sent_at, self.config.ack_timeout_ms) => {
                bump(&mut self.stats.timeouts);
                let kind = if self.heard {
                    FaultKind::Timeout
                } else {
                    FaultKind::NoResponse
                };
                return Some(self.fault(kind));
            }
            Phase::AwaitResponse {
                command: Command::SamConfiguration,
                sent_at,
                ..
            } if after(sent_at, self.config.response_timeout_ms) => {
                bump(&mut self.stats.timeouts);
                return Some(self.fault(FaultKind::Timeout));
            }
            Phase::AwaitResponse {
                command: Command::InListPassiveTarget,
                sent_at,
                ..
            } if after(sent_at, self.config.listen_ms) => {
                // No card within the listening time: abort the command, poll again.
                self.tx.send(&[&ACK]);
                self.idle_after(self.config.poll_interval_ms);
            }
            Phase::Idle { next_poll_at } if now >= next_poll_at => {
                self.send(Command::InListPassiveTarget);
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
                        .then(|| self.on_bad_checksum())
                        .flatten()
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
