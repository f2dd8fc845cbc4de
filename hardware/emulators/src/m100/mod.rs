//! An M100-family EPC Gen2 UHF module (YRM100, JRD-4035, R200 class) on its UART.
//!
//! Commands answered: module information (0x03), single inventory (0x22), multiple
//! inventory (0x27), stop (0x28), set/get region (0x07/0x08), set/get TX power
//! (0xB6/0xB7). Anything else, or a known command with the wrong parameters, gets error
//! 0x17; a frame with a bad checksum or end mark is dropped.
//!
//! Inventory: every tag in range of antenna 1 (the module's one port) is reported as a
//! notification `BB 02 22 PL RSSI PC EPC CRC CK 7E`; an inventory round that finds no tag
//! answers with error 0x15. Multiple inventory runs one round per `round_interval` of
//! emulated time, the first at once, until its count is used up or the host sends stop;
//! its notifications carry command 0x22 like a single inventory's.

pub mod frame;

use std::time::Duration;

use crate::emulator::{Clock, Emulator, Line};
use crate::field::{Faults, Field, Scene};
use crate::tag::Gen2Tag;
use frame::{FrameParser, HostFrame, TYPE_NOTIFICATION, TYPE_RESPONSE};

/// Command codes.
pub mod command {
    /// Module information (hardware, software, manufacturer).
    pub const INFO: u8 = 0x03;
    /// Set region.
    pub const SET_REGION: u8 = 0x07;
    /// Get region.
    pub const GET_REGION: u8 = 0x08;
    /// Single inventory.
    pub const SINGLE_INVENTORY: u8 = 0x22;
    /// Multiple inventory.
    pub const MULTIPLE_INVENTORY: u8 = 0x27;
    /// Stop multiple inventory.
    pub const STOP: u8 = 0x28;
    /// Set TX power.
    pub const SET_POWER: u8 = 0xB6;
    /// Get TX power.
    pub const GET_POWER: u8 = 0xB7;
    /// Command code of error responses.
    pub const ERROR: u8 = 0xFF;
}

/// Error codes carried by `BB 01 FF 00 01 <code> CK 7E`.
pub mod error {
    /// No tag answered the inventory.
    pub const NO_TAG: u8 = 0x15;
    /// Unknown command or wrong parameters.
    pub const BAD_COMMAND: u8 = 0x17;
}

/// The antenna port an M100 module reads.
pub const ANTENNA: u16 = 1;
/// Default time between two rounds of a multiple inventory.
pub const ROUND_INTERVAL: Duration = Duration::from_millis(20);
/// Reserved byte that opens the multiple inventory parameters.
const MULTIPLE_RESERVED: u8 = 0x22;
const HARDWARE: &[u8] = b"M100 26dBm V1.0";
const SOFTWARE: &[u8] = b"V2.3.5";
const MANUFACTURER: &[u8] = b"MagicRF";

/// The notification frame for one tag read, with a correct checksum.
pub fn notification(tag: &Gen2Tag, rssi: i8) -> Vec<u8> {
    frame::frame(
        TYPE_NOTIFICATION,
        command::SINGLE_INVENTORY,
        &notification_params(tag, rssi),
        false,
    )
}

fn notification_params(tag: &Gen2Tag, rssi: i8) -> Vec<u8> {
    let mut params = Vec::with_capacity(tag.epc().len() + 5);
    params.extend(rssi.to_be_bytes());
    params.extend(tag.pc().to_be_bytes());
    params.extend_from_slice(tag.epc());
    params.extend(tag.crc().to_be_bytes());
    params
}

/// A multiple inventory in progress.
#[derive(Debug, Clone, Copy)]
struct Polling {
    rounds_left: u16,
    next_round: Duration,
}

/// The emulated module.
#[derive(Debug)]
pub struct M100 {
    field: Field,
    line: Line,
    clock: Clock,
    parser: FrameParser,
    round_interval: Duration,
    power_centi_dbm: u16,
    region: u8,
    polling: Option<Polling>,
}

impl Default for M100 {
    fn default() -> Self {
        Self::new(ROUND_INTERVAL)
    }
}

impl M100 {
    /// A module running one multiple-inventory round every `round_interval` (zero is
    /// taken as one millisecond). Power starts at 26 dBm, region China 900 MHz (0x01).
    pub fn new(round_interval: Duration) -> Self {
        Self {
            field: Field::default(),
            line: Line::default(),
            clock: Clock::default(),
            parser: FrameParser::default(),
            round_interval: round_interval.max(Duration::from_millis(1)),
            power_centi_dbm: 2600,
            region: 0x01,
            polling: None,
        }
    }

    /// Whether a multiple inventory is running.
    pub fn is_polling(&self) -> bool {
        self.polling.is_some()
    }

    fn send(&mut self, kind: u8, command: u8, params: &[u8]) {
        let corrupt = self.line.corrupt_this_frame();
        self.line
            .send(&frame::frame(kind, command, params, corrupt));
    }

    fn respond(&mut self, command: u8, params: &[u8]) {
        self.send(TYPE_RESPONSE, command, params);
    }

    fn error(&mut self, code: u8) {
        self.respond(command::ERROR, &[code]);
    }

    fn inventory_round(&mut self) {
        let reads: Vec<Vec<u8>> = self
            .field
            .gen2_on(ANTENNA)
            .map(|(tag, rssi)| notification_params(tag, rssi))
            .collect();
        if reads.is_empty() {
            self.error(error::NO_TAG);
        }
        for params in reads {
            self.send(TYPE_NOTIFICATION, command::SINGLE_INVENTORY, &params);
        }
    }

    fn run_due_rounds(&mut self) {
        let now = self.clock.now();
        while let Some(polling) = self.polling.filter(|p| p.next_round <= now) {
            self.inventory_round();
            let rounds_left = polling.rounds_left.saturating_sub(1);
            self.polling = (rounds_left > 0).then_some(Polling {
                rounds_left,
                next_round: polling.next_round + self.round_interval,
            });
        }
    }

    fn execute(&mut self, code: u8, params: &[u8]) {
        match (code, params) {
            (command::INFO, [which]) => {
                let text = match which {
                    0x00 => HARDWARE,
                    0x01 => SOFTWARE,
                    0x02 => MANUFACTURER,
                    _ => return self.error(error::BAD_COMMAND),
                };
                self.respond(code, &[&[*which][..], text].concat());
            }
            (command::SINGLE_INVENTORY, []) => self.inventory_round(),
            (command::MULTIPLE_INVENTORY, [MULTIPLE_RESERVED, high, low]) => {
                let rounds = u16::from_be_bytes([*high, *low]);
                self.polling = (rounds > 0).then_some(Polling {
                    rounds_left: rounds,
                    next_round: self.clock.now(),
                });
                self.run_due_rounds();
            }
            (command::STOP, []) => {
                self.polling = None;
                self.respond(code, &[0x00]);
            }
            (command::SET_REGION, [region]) => {
                self.region = *region;
                self.respond(code, &[0x00]);
            }
            (command::GET_REGION, []) => self.respond(code, &[self.region]),
            (command::SET_POWER, [high, low]) => {
                self.power_centi_dbm = u16::from_be_bytes([*high, *low]);
                self.respond(code, &[0x00]);
            }
            (command::GET_POWER, []) => self.respond(code, &self.power_centi_dbm.to_be_bytes()),
            _ => self.error(error::BAD_COMMAND),
        }
    }
}

impl Scene for M100 {
    fn field(&mut self) -> &mut Field {
        &mut self.field
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.line.faults
    }
}

impl Emulator for M100 {
    fn kind(&self) -> &'static str {
        "m100"
    }

    fn feed(&mut self, bytes: &[u8]) {
        if self.line.is_silent() {
            return;
        }
        self.parser.push(bytes);
        while let Some(frame) = self.parser.next_frame() {
            if let HostFrame::Command { command, params } = frame {
                self.execute(command, &params);
            }
        }
    }

    fn advance(&mut self, now: Duration) {
        self.clock.advance(now);
        self.run_due_rounds();
    }

    fn poll(&mut self, out: &mut Vec<u8>) -> usize {
        self.line.poll(out)
    }
}
