//! A PN532 NFC controller on its HSU (UART) link, as an initiator reading ISO/IEC 14443-A
//! cards.
//!
//! Behaviour kept from the chip (user manual UM0701-02):
//! - after power-on and after PowerDown it sleeps until a `0x55` byte arrives; bytes before
//!   it are lost (drivers send `55 55 00 …` first);
//! - every well-formed command is answered with ACK, then the response (code + 1);
//!   a command it cannot carry out (unknown code, bad parameters) gets ACK, then the syntax
//!   error frame; a frame with a bad LCS/DCS is dropped without an answer;
//! - the host's ACK aborts the command in progress, its NACK asks for the last response again;
//! - InListPassiveTarget waits for a card as long as MxRtyPassiveActivation is 0xFF (the
//!   default); with a finite retry count set through RFConfiguration item 5 it answers
//!   `NbTg = 0` when no card is there;
//! - up to two type A targets per InListPassiveTarget, each with Tg, SENS_RES, SEL_RES,
//!   NFCID1 and, when SAK bit 0x20 is set, the card's ATS.
//!
//! Commands: GetFirmwareVersion, SAMConfiguration, PowerDown, RFConfiguration (items 1, 2,
//! 4, 5 checked; the analog items accepted), InListPassiveTarget, InDeselect, InRelease.
//! Anything else gets the syntax error frame (no card memory is emulated).

pub mod frame;

use std::time::Duration;

use crate::emulator::{Emulator, Line};
use crate::field::{Faults, Field, Scene};
use crate::tag::Iso14443aTag;
use frame::{ACK, ERROR, FrameParser, HostFrame, response_frame};

/// Byte that wakes the chip's HSU.
pub const WAKE_UP: u8 = 0x55;
/// GetFirmwareVersion answer after the response code: IC 0x32 (PN532), version 1.6,
/// support flags 0x07 (ISO 14443-A, B and ISO 18092).
pub const FIRMWARE: [u8; 4] = [0x32, 0x01, 0x06, 0x07];

const GET_FIRMWARE_VERSION: u8 = 0x02;
const SAM_CONFIGURATION: u8 = 0x14;
const POWER_DOWN: u8 = 0x16;
const RF_CONFIGURATION: u8 = 0x32;
const IN_DESELECT: u8 = 0x44;
const IN_LIST_PASSIVE_TARGET: u8 = 0x4A;
const IN_RELEASE: u8 = 0x52;
/// MxRtyPassiveActivation value meaning "retry for ever".
const RETRY_FOREVER: u8 = 0xFF;

/// The command cannot be carried out: answer with the syntax error frame.
struct SyntaxError;

/// An InListPassiveTarget waiting for a card.
#[derive(Debug, Clone)]
struct Listing {
    max_targets: usize,
    baud_type_a: bool,
    uid: Option<Vec<u8>>,
}

/// The emulated chip.
#[derive(Debug)]
pub struct Pn532 {
    field: Field,
    line: Line,
    parser: FrameParser,
    awake: bool,
    rf_on: bool,
    passive_retries: u8,
    last_response: Option<Vec<u8>>,
    waiting: Option<Listing>,
}

impl Default for Pn532 {
    fn default() -> Self {
        Self {
            field: Field::default(),
            line: Line::default(),
            parser: FrameParser::default(),
            awake: false,
            rf_on: true,
            passive_retries: RETRY_FOREVER,
            last_response: None,
            waiting: None,
        }
    }
}

impl Pn532 {
    /// A chip just powered on: asleep until the host's wake-up byte.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the chip is awake.
    pub fn is_awake(&self) -> bool {
        self.awake
    }

    fn respond(&mut self, payload: &[u8]) {
        let corrupt = self.line.corrupt_this_frame();
        self.line.send(&response_frame(payload, corrupt));
        self.last_response = Some(payload.to_vec());
    }

    fn handle(&mut self, frame: HostFrame) {
        match frame {
            HostFrame::Invalid => {}
            HostFrame::Ack => self.waiting = None,
            HostFrame::Nack => {
                if let Some(last) = self.last_response.clone() {
                    self.respond(&last);
                }
            }
            HostFrame::Command(command) => {
                self.line.send(&ACK);
                self.waiting = None;
                match self.execute(&command) {
                    Ok(Some(payload)) => self.respond(&payload),
                    Ok(None) => {}
                    Err(SyntaxError) => self.line.send(&ERROR),
                }
            }
        }
    }

    /// The response payload, `None` while a listing waits for a card.
    fn execute(&mut self, command: &[u8]) -> Result<Option<Vec<u8>>, SyntaxError> {
        let (&code, params) = command.split_first().ok_or(SyntaxError)?;
        let payload = match (code, params) {
            (GET_FIRMWARE_VERSION, []) => [&[code + 1][..], &FIRMWARE].concat(),
            (SAM_CONFIGURATION, [mode, ..]) if (1..=4).contains(mode) && params.len() <= 3 => {
                vec![code + 1]
            }
            (POWER_DOWN, [_wake_up_enable, ..]) if params.len() <= 2 => {
                self.awake = false;
                vec![code + 1, 0x00]
            }
            (RF_CONFIGURATION, [item, data @ ..]) => {
                self.configure_rf(*item, data)?;
                vec![code + 1]
            }
            (IN_DESELECT | IN_RELEASE, [target]) if *target <= 2 => vec![code + 1, 0x00],
            (IN_LIST_PASSIVE_TARGET, [max_targets, baud, initiator_data @ ..]) => {
                if !(1..=2).contains(max_targets) || *baud > 4 {
                    return Err(SyntaxError);
                }
                let listing = Listing {
                    max_targets: usize::from(*max_targets),
                    baud_type_a: *baud == 0,
                    uid: (*baud == 0 && !initiator_data.is_empty())
                        .then(|| initiator_data.to_vec()),
                };
                return Ok(self.list(listing));
            }
            _ => return Err(SyntaxError),
        };
        Ok(Some(payload))
    }

    fn configure_rf(&mut self, item: u8, data: &[u8]) -> Result<(), SyntaxError> {
        match (item, data) {
            (0x01, [field]) => self.rf_on = field & 0x01 != 0,
            (0x02, [_, _, _]) | (0x04, [_]) => {}
            (0x05, [_atr, _psl, passive]) => self.passive_retries = *passive,
            (0x0A..=0x0D, _) => {}
            _ => return Err(SyntaxError),
        }
        Ok(())
    }

    /// Lists the cards in the field, or keeps waiting for one.
    fn list(&mut self, listing: Listing) -> Option<Vec<u8>> {
        let cards: Vec<Iso14443aTag> = if self.rf_on && listing.baud_type_a {
            self.field
                .iso14443a()
                .into_iter()
                .filter(|card| listing.uid.as_deref().is_none_or(|uid| uid == card.uid()))
                .take(listing.max_targets)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        if cards.is_empty() && self.passive_retries == RETRY_FOREVER {
            self.waiting = Some(listing);
            return None;
        }
        let mut payload = vec![
            IN_LIST_PASSIVE_TARGET + 1,
            u8::try_from(cards.len()).unwrap_or(0),
        ];
        for (card, target) in cards.iter().zip(1u8..) {
            payload.push(target);
            payload.extend(card.atqa().to_be_bytes());
            payload.push(card.sak());
            payload.push(u8::try_from(card.uid().len()).unwrap_or(0));
            payload.extend_from_slice(card.uid());
            if card.sak() & 0x20 != 0 {
                payload.extend_from_slice(card.ats());
            }
        }
        Some(payload)
    }
}

impl Scene for Pn532 {
    fn field(&mut self) -> &mut Field {
        &mut self.field
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.line.faults
    }
}

impl Emulator for Pn532 {
    fn kind(&self) -> &'static str {
        "pn532"
    }

    fn feed(&mut self, bytes: &[u8]) {
        if self.line.is_silent() {
            return;
        }
        let mut bytes = bytes;
        if !self.awake {
            let Some(at) = bytes.iter().position(|&b| b == WAKE_UP) else {
                return;
            };
            self.awake = true;
            self.parser = FrameParser::default();
            bytes = bytes.get(at + 1..).unwrap_or_default();
        }
        self.parser.push(bytes);
        while self.awake {
            let Some(frame) = self.parser.next_frame() else {
                break;
            };
            self.handle(frame);
        }
    }

    /// The chip has no timers of its own here; advancing time only lets a waiting
    /// InListPassiveTarget see the cards that entered meanwhile.
    fn advance(&mut self, _now: Duration) {
        if self.line.is_silent() {
            return;
        }
        if let Some(listing) = self.waiting.take()
            && let Some(payload) = self.list(listing)
        {
            self.respond(&payload);
        }
    }

    fn poll(&mut self, out: &mut Vec<u8>) -> usize {
        self.line.poll(out)
    }
}
