//! The firmware application without I/O: it turns reader events into de-bounced
//! `TagRead`s, heartbeats and fault reports for the gateway, and applies the
//! gateway's `Configure` messages.
//!
//! The board's main loop hands it reader events ([`App::reader_event`]) and the bytes
//! received from the gateway ([`App::receive`]), and writes whatever
//! [`App::next_frame`] returns to the gateway UART. Messages are built only when a
//! frame is taken, so tag reads wait in the de-bounce table, not in a queue of copies.

mod board;
mod port;

pub use board::{Board, Bus, Port, Settings, validate};

use heapless::{Deque, Vec};
use trace_proto::link::{
    ConfigAck, ConfigRejection, ConfigResult, Configure, FrameDecoder, Heartbeat, Hello,
    MAX_FRAME_LEN, MAX_READERS, PROTOCOL_VERSION, ReaderFault, ToFirmware, ToGateway, encode_frame,
};

use crate::debounce::Debouncer;
use crate::event::ReaderEvent;
use crate::stats::bump;
use port::PortStatus;

/// Messages waiting ahead of de-bounced reads: `Hello`, `ConfigAck`s, `ReaderFault`s
/// and reads pushed out of a full de-bounce table.
const URGENT_CAPACITY: usize = 8;

/// Problems of the link and of the application, counted since boot (wrapping).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AppStats {
    /// Frames from the gateway that did not decode.
    pub bad_frames: u32,
    /// Messages dropped because the urgent queue was full.
    pub dropped: u32,
    /// Messages that could not be encoded.
    pub encode_errors: u32,
    /// Tag reads from ports without a configured reader.
    pub stray_reads: u32,
}

/// The application state machine; `TAGS` bounds the de-bounce table.
pub struct App<const TAGS: usize = 32> {
    board: Board,
    settings: Settings,
    config: Configure,
    readers: Vec<PortStatus, MAX_READERS>,
    debouncer: Debouncer<TAGS>,
    decoder: FrameDecoder<ToFirmware>,
    urgent: Deque<ToGateway, URGENT_CAPACITY>,
    seq: u32,
    frames_sent: u32,
    reads: u32,
    next_heartbeat_at: u64,
    stats: AppStats,
}

impl<const TAGS: usize> App<TAGS> {
    /// Boots with `config` (the board's stored or default wiring) and queues `Hello`.
    pub fn new(
        board: Board,
        settings: Settings,
        config: Configure,
        now_ms: u64,
    ) -> Result<Self, ConfigRejection> {
        validate(&board, &settings, &config)?;
        let mut app = Self {
            debouncer: Debouncer::new(config.debounce_ms, settings.max_hold_ms),
            board,
            settings,
            config: Configure {
                debounce_ms: 0,
                uhf_tx_power_cdbm: 0,
                ports: Vec::new(),
            },
            readers: Vec::new(),
            decoder: FrameDecoder::new(),
            urgent: Deque::new(),
            seq: 0,
            frames_sent: 0,
            reads: 0,
            next_heartbeat_at: now_ms.saturating_add(settings.heartbeat_ms.into()),
            stats: AppStats::default(),
        };
        app.apply(config);
        let hello = app.hello();
        app.enqueue(ToGateway::Hello(hello));
        Ok(app)
    }

    /// The running configuration.
    pub fn config(&self) -> &Configure {
        &self.config
    }

    /// Counters of the application.
    pub fn stats(&self) -> &AppStats {
        &self.stats
    }

    /// Takes an event from the reader on `port` at `now_ms`.
    pub fn reader_event(&mut self, port: u8, event: ReaderEvent, now_ms: u64) {
        let Some(reader) = self.readers.iter_mut().find(|r| r.port == port) else {
            if matches!(event, ReaderEvent::Tag(_)) {
                bump(&mut self.stats.stray_reads);
            }
            return;
        };
        match event {
            ReaderEvent::Ready => reader.on_ready(),
            ReaderEvent::Tag(sighting) => {
                reader.on_tag();
                if let Some(closed) = self.debouncer.observe(port, sighting, now_ms) {
                    self.enqueue(ToGateway::TagRead(closed));
                }
            }
            ReaderEvent::Fault(fault) => {
                if reader.on_fault(fault, self.settings.error_burst) {
                    self.enqueue(ToGateway::ReaderFault(ReaderFault { port, fault }));
                }
            }
        }
    }

    /// Takes bytes received from the gateway. Every `Configure` among them is
    /// answered with a `ConfigAck`; returns the last one applied, which the board
    /// must now carry out (drivers per port, UHF power).
    pub fn receive(&mut self, bytes: &[u8]) -> Option<Configure> {
        let mut applied = None;
        for &byte in bytes {
            match self.decoder.push(byte) {
                Some(Ok(frame)) => {
                    let ToFirmware::Configure(configure) = frame.message;
                    applied = self.configure(frame.seq, configure).or(applied);
                }
                Some(Err(_)) => bump(&mut self.stats.bad_frames),
                None => {}
            }
        }
        applied
    }

    /// Encodes the next message for the gateway into `out` and returns the frame
    /// length, or `None` when nothing is due at `now_ms`.
    pub fn next_frame(&mut self, now_ms: u64, out: &mut [u8; MAX_FRAME_LEN]) -> Option<usize> {
        loop {
            let message = self.next_message(now_ms)?;
            match encode_frame(self.seq, &message, out) {
                Ok(len) => {
                    self.seq = self.seq.wrapping_add(1);
                    bump(&mut self.frames_sent);
                    if matches!(message, ToGateway::TagRead(_)) {
                        bump(&mut self.reads);
                    }
                    return Some(len);
                }
                Err(_) => bump(&mut self.stats.encode_errors),
            }
        }
    }

    /// Closes every open de-bounce record now (e.g. before a reset), queuing them
    /// ahead of anything else still to be taken with [`next_frame`](Self::next_frame).
    pub fn flush_reads(&mut self) {
        while let Some(read) = self.debouncer.pop_any() {
            self.enqueue(ToGateway::TagRead(read));
        }
    }

    fn next_message(&mut self, now_ms: u64) -> Option<ToGateway> {
        if let Some(message) = self.urgent.pop_front() {
            return Some(message);
        }
        if now_ms >= self.next_heartbeat_at {
            self.next_heartbeat_at = now_ms.saturating_add(self.settings.heartbeat_ms.into());
            return Some(ToGateway::Heartbeat(self.heartbeat(now_ms)));
        }
        self.debouncer.pop_due(now_ms).map(ToGateway::TagRead)
    }

    fn heartbeat(&mut self, now_ms: u64) -> Heartbeat {
        for reader in self.readers.iter_mut() {
            reader.new_period();
        }
        Heartbeat {
            uptime_ms: now_ms,
            frames_sent: self.frames_sent,
            reads: self.reads,
            // Collecting from a Vec of the same capacity cannot overflow.
            reader_errors: self.readers.iter().map(PortStatus::errors).collect(),
        }
    }

    fn hello(&self) -> Hello {
        Hello {
            protocol_version: PROTOCOL_VERSION,
            firmware_version: self.board.firmware_version.clone(),
            board: self.board.name.clone(),
            readers: self.readers.iter().map(PortStatus::info).collect(),
        }
    }

    fn configure(&mut self, configure_seq: u32, config: Configure) -> Option<Configure> {
        let result = validate(&self.board, &self.settings, &config);
        self.enqueue(ToGateway::ConfigAck(ConfigAck {
            configure_seq,
            result: match result {
                Ok(()) => ConfigResult::Accepted,
                Err(rejection) => ConfigResult::Rejected(rejection),
            },
        }));
        result.ok()?;
        self.apply(config.clone());
        Some(config)
    }

    fn apply(&mut self, config: Configure) {
        let errors_before = |port: u8| {
            self.readers
                .iter()
                .find(|r| r.port == port)
                .map_or(0, |r| r.errors().errors)
        };
        let readers = config
            .ports
            .iter()
            .filter_map(|a| {
                a.kind
                    .map(|kind| PortStatus::new(a.port, kind, errors_before(a.port)))
            })
            .collect();
        self.readers = readers;
        self.debouncer.set_window(config.debounce_ms);
        self.config = config;
    }

    fn enqueue(&mut self, message: ToGateway) {
        if self.urgent.push_back(message).is_err() {
            bump(&mut self.stats.dropped);
        }
    }
}
