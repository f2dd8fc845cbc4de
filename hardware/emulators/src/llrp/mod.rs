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
pub mod report;
pub mod rospec;
pub mod wire;

use std::time::Duration;

use crate::emulator::{Clock, Emulator, Line};
use crate::field::{Faults, Field, Scene};
use report::{ReportBuffer, Sighting, write_tag_report};
use rospec::{Refusal, ReportSpec, ReportTrigger, RoSpec, RoState, parse_report_spec};
use wire::{Incoming, Message, MessageParser, Reader, Writer, msg, param, status};

/// Settings of the emulated reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlrpConfig {
    /// Antenna ports, numbered from 1.
    pub antennas: u16,
    /// Wall-clock time (since the Unix epoch) at emulated time zero; timestamps in reports
    /// and notifications are this plus emulated time.
    pub utc_at_start: Duration,
    /// Time between two inventory rounds.
    pub read_interval: Duration,
    /// KEEPALIVE period before any SET_READER_CONFIG changes it.
    pub keepalive: Option<Duration>,
}

impl Default for LlrpConfig {
    fn default() -> Self {
        Self {
            antennas: 4,
            utc_at_start: Duration::from_secs(1_700_000_000),
            read_interval: Duration::from_millis(100),
            keepalive: None,
        }
    }
}

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
                Some(id),
            ) => {
                let result = self.rospec_command(request.kind, id).and_then(|()| ok());
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

    fn reader_config(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.status(status::SUCCESS, "");
        let period = self
            .keepalive
            .map_or(0, |p| u32::try_from(p.as_millis()).unwrap_or(u32::MAX));
        w.tlv(param::KEEPALIVE_SPEC, |w| {
            w.u8(u8::from(self.keepalive.is_some())).u32(period);
        });
        let spec = self.default_report;
        let (trigger, n) = match spec.trigger {
            ReportTrigger::None => (0, 0),
            ReportTrigger::EveryN(n) => (2, n),
        };
        w.tlv(param::RO_REPORT_SPEC, |w| {
            w.u8(trigger)
                .u16(n)
                .tlv(param::TAG_REPORT_CONTENT_SELECTOR, |w| {
                    w.u16(spec.content.flags);
                    w.tlv(param::C1G2_EPC_MEMORY_SELECTOR, |w| {
                        w.u8(u8::from(spec.content.crc) << 7 | u8::from(spec.content.pc) << 6);
                    });
                });
        });
        w.finish()
    }

    fn set_reader_config(&mut self, body: &[u8]) -> Result<(), Refusal> {
        let mut reader = Reader::new(body);
        let reset = reader.u8().ok_or_else(|| {
            Refusal::new(status::PARAMETER_ERROR, "SET_READER_CONFIG is truncated")
        })?;
        if reset & 0x80 != 0 {
            self.keepalive = self.config.keepalive;
            self.default_report = ReportSpec::default();
        }
        while let Some((kind, body)) = reader.tlv() {
            match kind {
                param::KEEPALIVE_SPEC => {
                    let mut fields = Reader::new(body);
                    self.keepalive = match (fields.u8(), fields.u32()) {
                        (Some(1), Some(ms)) if ms > 0 => Some(Duration::from_millis(u64::from(ms))),
                        (Some(_), Some(_)) => None,
                        _ => {
                            return Err(Refusal::new(
                                status::PARAMETER_ERROR,
                                "KeepaliveSpec is truncated",
                            ));
                        }
                    };
                    self.next_keepalive = self.clock.now() + self.keepalive.unwrap_or_default();
                }
                param::RO_REPORT_SPEC => self.default_report = parse_report_spec(body)?,
                // Antenna, event and access report settings change nothing emulated.
                _ => {}
            }
        }
        Ok(())
    }

    fn add_rospec(&mut self, body: &[u8]) -> Result<(), Refusal> {
        let rospec = RoSpec::parse(body, self.config.antennas)?;
        if self.rospecs.iter().any(|held| held.id == rospec.id) {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("a ROSpec with ID {} already exists", rospec.id),
            ));
        }
        self.rospecs.push(rospec);
        Ok(())
    }

    fn rospec_command(&mut self, kind: u16, id: u32) -> Result<(), Refusal> {
        let all = id == 0
            && matches!(
                kind,
                msg::DELETE_ROSPEC | msg::ENABLE_ROSPEC | msg::DISABLE_ROSPEC
            );
        let targets: Vec<usize> = (0..self.rospecs.len())
            .filter(|&i| all || self.rospecs.get(i).is_some_and(|r| r.id == id))
            .collect();
        if targets.is_empty() && !all {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("no ROSpec with ID {id}"),
            ));
        }
        for &index in &targets {
            let state = self.rospecs.get(index).map(|r| r.state);
            match (kind, state) {
                (msg::ENABLE_ROSPEC, Some(RoState::Disabled)) => {
                    self.set_state(index, RoState::Inactive);
                    if self.rospecs.get(index).is_some_and(|r| r.immediate) {
                        self.start(index)?;
                    }
                }
                (msg::START_ROSPEC, Some(RoState::Inactive)) => self.start(index)?,
                (msg::START_ROSPEC, _) => {
                    return Err(Refusal::new(
                        status::FIELD_ERROR,
                        format!("ROSpec {id} is not enabled and idle"),
                    ));
                }
                (msg::STOP_ROSPEC, Some(RoState::Active)) => self.stop(index),
                (msg::STOP_ROSPEC, _) => {
                    return Err(Refusal::new(
                        status::FIELD_ERROR,
                        format!("ROSpec {id} is not active"),
                    ));
                }
                (msg::DISABLE_ROSPEC | msg::DELETE_ROSPEC, Some(RoState::Active)) => {
                    self.stop(index);
                    self.set_state(index, RoState::Disabled);
                }
                (msg::DISABLE_ROSPEC, _) => self.set_state(index, RoState::Disabled),
                _ => {}
            }
        }
        if kind == msg::DELETE_ROSPEC {
            for &index in targets.iter().rev() {
                self.rospecs.remove(index);
            }
        }
        Ok(())
    }

    fn set_state(&mut self, index: usize, state: RoState) {
        if let Some(rospec) = self.rospecs.get_mut(index) {
            rospec.state = state;
        }
    }

    fn start(&mut self, index: usize) -> Result<(), Refusal> {
        if let Some(active) = self.rospecs.iter().find(|r| r.state == RoState::Active) {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("ROSpec {} is already active", active.id),
            ));
        }
        let now = self.clock.now();
        if let Some(rospec) = self.rospecs.get_mut(index) {
            rospec.state = RoState::Active;
            rospec.started = now;
        }
        self.next_round = now;
        Ok(())
    }

    /// Ends an active ROSpec: back to Inactive, and what it collected is reported.
    fn stop(&mut self, index: usize) {
        self.set_state(index, RoState::Inactive);
        let trigger = self
            .rospecs
            .get(index)
            .and_then(|r| r.report)
            .unwrap_or(self.default_report)
            .trigger;
        if trigger != ReportTrigger::None {
            self.flush_reports(usize::MAX, false);
        }
    }

    /// Sends RO_ACCESS_REPORTs of up to `per_report` entries each until the buffer is
    /// empty; with `even_if_empty` one report goes out when there is nothing.
    fn flush_reports(&mut self, per_report: usize, even_if_empty: bool) {
        if self.reports.is_empty() && !even_if_empty {
            return;
        }
        loop {
            let batch = self.reports.take(per_report.max(1));
            let mut w = Writer::new();
            for seen in &batch {
                let content = self
                    .rospecs
                    .iter()
                    .find(|r| r.id == seen.rospec_id)
                    .and_then(|r| r.report)
                    .unwrap_or(self.default_report)
                    .content;
                write_tag_report(&mut w, seen, &content);
            }
            self.notify(msg::RO_ACCESS_REPORT, w.finish());
            if self.reports.is_empty() {
                break;
            }
        }
    }

    /// Runs the inventory rounds due up to the current time.
    fn run_inventory(&mut self) {
        let now = self.clock.now();
        while let Some(index) = self.rospecs.iter().position(|r| r.state == RoState::Active) {
            let Some(rospec) = self.rospecs.get(index) else {
                break;
            };
            let round = self.next_round;
            let ends = rospec.duration.map(|d| rospec.started + d);
            if ends.is_some_and(|end| end <= now && end <= round) {
                self.stop(index);
                break;
            }
            if round > now {
                break;
            }
            let Some((spec_index, ai)) = rospec.ai_spec_at(round - rospec.started) else {
                self.stop(index);
                break;
            };
            let antennas: Vec<u16> = if ai.antennas.contains(&0) {
                (1..=self.config.antennas).collect()
            } else {
                ai.antennas.clone()
            };
            let (rospec_id, inventory_spec_id) = (rospec.id, ai.inventory_spec_id);
            let trigger = rospec.report.unwrap_or(self.default_report).trigger;
            let utc = self.utc_us(round);
            for antenna in antennas {
                for (tag, rssi) in self.field.gen2_on(antenna) {
                    self.reports.record(Sighting {
                        tag: tag.clone(),
                        antenna,
                        peak_rssi: rssi,
                        first_seen_us: utc,
                        last_seen_us: utc,
                        count: 1,
                        rospec_id,
                        spec_index: u16::try_from(spec_index + 1).unwrap_or(u16::MAX),
                        inventory_spec_id,
                    });
                }
            }
            if let ReportTrigger::EveryN(n) = trigger {
                let n = usize::from(n);
                if n > 0 && self.reports.len() >= n {
                    self.flush_reports(n, false);
                }
            }
            self.next_round = round + self.config.read_interval;
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
