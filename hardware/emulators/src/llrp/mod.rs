//! A fixed UHF reader speaking LLRP 1.0.1 over TCP (as Impinj and Zebra readers do).
//!
//! On connect it sends READER_EVENT_NOTIFICATION with a ConnectionAttemptEvent (Success).
//! It answers GET_READER_CAPABILITIES, GET/SET_READER_CONFIG (KeepaliveSpec, ROReportSpec),
//! ADD/DELETE/ENABLE/DISABLE/START/STOP_ROSPEC, GET_ROSPECS, GET_REPORT and
//! CLOSE_CONNECTION, each response carrying an LLRPStatus; anything else gets ERROR_MESSAGE
//! with M_UnsupportedMessage, another protocol version M_UnsupportedVersion.
//!
//! While a ROSpec is active it runs one inventory round every `read_interval` of emulated
//! time over the antennas of its current AISpec, collecting one entry per tag and antenna;
//! entries go out as RO_ACCESS_REPORT with TagReportData (EPC-96 or EPCData plus the fields
//! the TagReportContentSelector enables) every N entries, when the ROSpec stops, or on
//! GET_REPORT. A KeepaliveSpec makes it send KEEPALIVE every period; KEEPALIVE_ACKs are
//! counted. Only one ROSpec runs at a time.
//!
//! Faults: silent = the reader hangs (no answers, reports or keepalives; the connection
//! stays open); corrupt = the next messages go out with protocol version 0; noise = raw
//! bytes in the TCP stream.

pub mod capabilities;
pub mod codes;
mod config;
mod inventory;
pub mod report;
pub mod rospec;
pub mod wire;

use std::time::Duration;

use crate::emulator::{Clock, Emulator, Line};
use crate::field::{Faults, Field, Scene};
use codes::{Refusal, msg, param, status, truncated};
pub use config::LlrpConfig;
use report::{ReportBuffer, ReportSpec};
use rospec::RoSpec;
use wire::{Incoming, Message, MessageParser, Reader, Writer};

/// The emulated reader.
#[derive(Debug)]
pub struct LlrpReader {
    config: LlrpConfig,
    field: Field,
    line: Line,
    clock: Clock,
    parser: MessageParser,
    rospecs: Vec<RoSpec>,
    default_report: ReportSpec,
    reports: ReportBuffer,
    next_round: Duration,
    keepalive: Option<Duration>,
    next_keepalive: Duration,
    keepalives_sent: u32,
    keepalive_acks: u32,
    next_id: u32,
    hang_up: bool,
}

impl Default for LlrpReader {
    fn default() -> Self {
        Self::new(LlrpConfig::default())
    }
}

impl LlrpReader {
    /// A reader with these settings (an antenna count of 0 is taken as 1, a read interval
    /// of zero as one millisecond).
    pub fn new(mut config: LlrpConfig) -> Self {
        config.antennas = config.antennas.max(1);
        config.read_interval = config.read_interval.max(Duration::from_millis(1));
        Self {
            keepalive: config.keepalive,
            config,
            field: Field::default(),
            line: Line::default(),
            clock: Clock::default(),
            parser: MessageParser::default(),
            rospecs: Vec::new(),
            default_report: ReportSpec::default(),
            reports: ReportBuffer::default(),
            next_round: Duration::ZERO,
            next_keepalive: Duration::ZERO,
            keepalives_sent: 0,
            keepalive_acks: 0,
            next_id: 1,
            hang_up: false,
        }
    }

    /// KEEPALIVE messages sent so far.
    pub fn keepalives_sent(&self) -> u32 {
        self.keepalives_sent
    }

    /// KEEPALIVE_ACK messages received so far.
    pub fn keepalive_acks(&self) -> u32 {
        self.keepalive_acks
    }

    /// The ROSpecs held, in the order added.
    pub fn rospecs(&self) -> &[RoSpec] {
        &self.rospecs
    }

    fn utc_us(&self, at: Duration) -> u64 {
        u64::try_from((self.config.utc_at_start + at).as_micros()).unwrap_or(u64::MAX)
    }

    fn send(&mut self, mut message: Message) {
        if self.line.corrupt_this_frame() {
            message.version = 0;
        }
        self.line.send(&message.encode());
    }

    /// Sends a message the reader starts itself, with the next message ID.
    fn notify(&mut self, kind: u16, body: Vec<u8>) {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.send(Message::new(kind, id, body));
    }

    fn reply(&mut self, request: &Message, kind: u16, result: Result<Vec<u8>, Refusal>) {
        let body = result.unwrap_or_else(|refusal| {
            Writer::new()
                .status(refusal.code, &refusal.description)
                .finish()
        });
        self.send(Message::new(kind, request.id, body));
    }

    fn handle(&mut self, request: &Message) {
        if request.version != wire::VERSION {
            let refusal = Refusal::new(
                status::UNSUPPORTED_VERSION,
                format!("version {} is not supported (1 is)", request.version),
            );
            return self.reply(request, msg::ERROR_MESSAGE, Err(refusal));
        }
        let ok = || Ok(Writer::new().status(status::SUCCESS, "").finish());
        let rospec_id = Reader::new(&request.body).u32();
        let response = request.kind + msg::ROSPEC_RESPONSE_OFFSET;
        match (request.kind, rospec_id) {
            (msg::GET_READER_CAPABILITIES, _) => {
                let requested = request.body.first().copied().unwrap_or(0);
                let firmware = concat!("trace-emulators ", env!("CARGO_PKG_VERSION"));
                let body = capabilities::response_body(requested, self.config.antennas, firmware);
                self.reply(request, msg::GET_READER_CAPABILITIES_RESPONSE, body);
            }
            (msg::GET_READER_CONFIG, _) => {
                let body = self.reader_config();
                self.reply(request, msg::GET_READER_CONFIG_RESPONSE, Ok(body));
            }
            (msg::SET_READER_CONFIG, _) => {
                let result = self.set_reader_config(&request.body).and_then(|()| ok());
                self.reply(request, msg::SET_READER_CONFIG_RESPONSE, result);
            }
            (msg::ADD_ROSPEC, _) => {
                let result = self.add_rospec(&request.body).and_then(|()| ok());
                self.reply(request, response, result);
            }
            (
                msg::DELETE_ROSPEC
                | msg::START_ROSPEC
                | msg::STOP_ROSPEC
                | msg::ENABLE_ROSPEC
                | msg::DISABLE_ROSPEC,
                id,
            ) => {
                let result = id
                    .ok_or_else(|| truncated("the ROSpecID field"))
                    .and_then(|id| self.rospec_command(request.kind, id))
                    .and_then(|()| ok());
                self.reply(request, response, result);
            }
            (msg::GET_ROSPECS, _) => {
                let mut w = Writer::new();
                w.status(status::SUCCESS, "");
                for rospec in &self.rospecs {
                    w.bytes(&rospec.encode_current());
                }
                self.reply(request, response, Ok(w.finish()));
            }
            (msg::GET_REPORT, _) => self.flush_reports(usize::MAX, true),
            (msg::KEEPALIVE_ACK, _) => self.keepalive_acks = self.keepalive_acks.saturating_add(1),
            (msg::ENABLE_EVENTS_AND_REPORTS, _) => {}
            (msg::CLOSE_CONNECTION, _) => {
                self.reply(request, msg::CLOSE_CONNECTION_RESPONSE, ok());
                self.hang_up = true;
            }
            (kind, _) => {
                let refusal = Refusal::new(
                    status::UNSUPPORTED_MESSAGE,
                    format!("message type {kind} is not supported"),
                );
                self.reply(request, msg::ERROR_MESSAGE, Err(refusal));
            }
        }
    }

    fn run_keepalives(&mut self) {
        let Some(period) = self.keepalive else { return };
        while self.next_keepalive <= self.clock.now() {
            self.notify(msg::KEEPALIVE, Vec::new());
            self.keepalives_sent = self.keepalives_sent.saturating_add(1);
            self.next_keepalive += period;
        }
    }
}

impl Scene for LlrpReader {
    fn field(&mut self) -> &mut Field {
        &mut self.field
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.line.faults
    }
}

impl Emulator for LlrpReader {
    fn kind(&self) -> &'static str {
        "llrp"
    }

    fn feed(&mut self, bytes: &[u8]) {
        if self.line.is_silent() {
            return;
        }
        self.parser.push(bytes);
        while let Some(incoming) = self.parser.next_message() {
            match incoming {
                Incoming::Message(message) => self.handle(&message),
                Incoming::BadLength(length) => {
                    let description =
                        format!("message length {length} is impossible; input dropped");
                    let body = Writer::new()
                        .status(status::PARAMETER_ERROR, &description)
                        .finish();
                    self.notify(msg::ERROR_MESSAGE, body);
                }
            }
        }
        self.run_inventory();
    }

    fn advance(&mut self, now: Duration) {
        let now = self.clock.advance(now);
        if self.line.is_silent() {
            // A hung reader neither reads nor keeps time: it does not catch up afterwards.
            self.next_round = self.next_round.max(now);
            self.next_keepalive = self.next_keepalive.max(now);
            return;
        }
        self.run_inventory();
        self.run_keepalives();
    }

    fn poll(&mut self, out: &mut Vec<u8>) -> usize {
        self.line.poll(out)
    }

    fn host_connected(&mut self) {
        self.parser.clear();
        self.line.clear();
        self.hang_up = false;
        self.next_keepalive = self.clock.now() + self.keepalive.unwrap_or_default();
        let utc = self.utc_us(self.clock.now());
        let body = Writer::new()
            .tlv(param::READER_EVENT_NOTIFICATION_DATA, |w| {
                w.tlv(param::UTC_TIMESTAMP, |w| {
                    w.u64(utc);
                });
                w.tlv(param::CONNECTION_ATTEMPT_EVENT, |w| {
                    w.u16(0);
                });
            })
            .finish();
        self.notify(msg::READER_EVENT_NOTIFICATION, body);
    }

    fn wants_hang_up(&mut self) -> bool {
        std::mem::take(&mut self.hang_up)
    }
}
