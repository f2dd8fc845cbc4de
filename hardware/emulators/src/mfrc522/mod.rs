//! An MFRC522 at register level, driven over SPI ([`spi`]) by an unmodified driver.
//!
//! Modelled: the register file with reset values, the 64-byte FIFO (FIFOLevel flush,
//! overflow), Command (Idle, CalcCRC, Transceive, SoftReset), ComIrq/DivIrq with their Set1
//! write semantics, Error, BitFraming (StartSend, TxLastBits, RxAlign), Control
//! (RxLastBits, TStartNow), Coll (CollPos, ValuesAfterColl), TxMode/RxMode CRC, ModeReg CRC
//! preset, the CRC coprocessor and Version. The cards answer through [`picc`].
//!
//! Not modelled: analog settings, MFAuthent/Crypto1, card memory, timer counting. Time
//! does not pass inside the chip: a frame nobody answers raises TimerIrq at once when the
//! timer starts on its own (TMode.TAuto), and never otherwise, so a driver that does not
//! arm the timer must give up by itself — as on the real chip.
//!
//! Faults: silent = the chip is unpowered (every read returns 0x00, writes are lost);
//! corrupt = the next answers carrying a BCC or CRC_A get it wrong; noise = the next
//! frame no card answers receives the noise bytes with a parity error. Dribble has no
//! meaning on SPI.

pub mod picc;
pub mod spi;

use crate::field::{Faults, Field, Scene};
use picc::{Answer, Cards, crc_a};

/// Register addresses (datasheet §9.2).
pub mod reg {
    /// Starts and stops commands.
    pub const COMMAND: u8 = 0x01;
    /// Interrupt request bits.
    pub const COM_IRQ: u8 = 0x04;
    /// Interrupt request bits (CRC).
    pub const DIV_IRQ: u8 = 0x05;
    /// Error bits of the last command.
    pub const ERROR: u8 = 0x06;
    /// Communication status bits.
    pub const STATUS1: u8 = 0x07;
    /// FIFO input and output.
    pub const FIFO_DATA: u8 = 0x09;
    /// Bytes in the FIFO; bit 7 flushes it.
    pub const FIFO_LEVEL: u8 = 0x0A;
    /// RxLastBits, TStartNow.
    pub const CONTROL: u8 = 0x0C;
    /// StartSend, RxAlign, TxLastBits.
    pub const BIT_FRAMING: u8 = 0x0D;
    /// First bit collision detected.
    pub const COLL: u8 = 0x0E;
    /// CRC preset.
    pub const MODE: u8 = 0x11;
    /// TxCRCEn.
    pub const TX_MODE: u8 = 0x12;
    /// RxCRCEn.
    pub const RX_MODE: u8 = 0x13;
    /// Antenna driver pins TX1/TX2.
    pub const TX_CONTROL: u8 = 0x14;
    /// CRC result, most significant byte.
    pub const CRC_RESULT_MSB: u8 = 0x21;
    /// CRC result, least significant byte.
    pub const CRC_RESULT_LSB: u8 = 0x22;
    /// Timer settings; bit 7 TAuto.
    pub const T_MODE: u8 = 0x2A;
    /// Chip version.
    pub const VERSION: u8 = 0x37;
}

/// Command codes (CommandReg bits 3..0).
pub mod command {
    /// No action, cancels the current command.
    pub const IDLE: u8 = 0x0;
    /// Runs the CRC coprocessor over the FIFO.
    pub const CALC_CRC: u8 = 0x3;
    /// Sends the FIFO and receives the answer.
    pub const TRANSCEIVE: u8 = 0xC;
    /// MIFARE authentication (not emulated).
    pub const MF_AUTHENT: u8 = 0xE;
    /// Resets the chip.
    pub const SOFT_RESET: u8 = 0xF;
}

const FIFO_SIZE: usize = 64;
const TX_IRQ: u8 = 0x40;
const RX_IRQ: u8 = 0x20;
const ERR_IRQ: u8 = 0x02;
const TIMER_IRQ: u8 = 0x01;
const CRC_IRQ: u8 = 0x04;
const PARITY_ERR: u8 = 0x02;
const CRC_ERR: u8 = 0x04;
const COLL_ERR: u8 = 0x08;
const BUFFER_OVFL: u8 = 0x10;
const CRC_READY: u8 = 0x20;
const START_SEND: u8 = 0x80;
const VALUES_AFTER_COLL: u8 = 0x80;
const COLL_POS_NOT_VALID: u8 = 0x20;

/// Register values after power-on and SoftReset (datasheet §9.3; unlisted registers 0).
const RESET: [(u8, u8); 22] = [
    (0x01, 0x20),
    (0x02, 0x80),
    (0x04, 0x14),
    (0x07, 0x21),
    (0x0B, 0x08),
    (0x0C, 0x10),
    (0x0E, 0xA0),
    (0x11, 0x3F),
    (0x14, 0x80),
    (0x16, 0x10),
    (0x17, 0x84),
    (0x18, 0x84),
    (0x19, 0x4D),
    (0x1C, 0x62),
    (0x1F, 0xEB),
    (0x21, 0xFF),
    (0x22, 0xFF),
    (0x24, 0x26),
    (0x26, 0x48),
    (0x27, 0x88),
    (0x28, 0x20),
    (0x29, 0x20),
];

/// The emulated chip and the cards in front of it.
#[derive(Debug)]
pub struct Mfrc522 {
    regs: [u8; 64],
    fifo: Vec<u8>,
    version: u8,
    field: Field,
    faults: Faults,
    cards: Cards,
}

impl Default for Mfrc522 {
    fn default() -> Self {
        Self::new(0x92)
    }
}

impl Mfrc522 {
    /// A chip whose VersionReg reads `version` (0x91 for v1.0, 0x92 for v2.0).
    pub fn new(version: u8) -> Self {
        let mut chip = Self {
            regs: [0; 64],
            fifo: Vec::with_capacity(FIFO_SIZE),
            version,
            field: Field::default(),
            faults: Faults::default(),
            cards: Cards::default(),
        };
        chip.reset();
        chip
    }

    fn reset(&mut self) {
        self.regs = [0; 64];
        for (address, value) in RESET {
            self.set(address, value);
        }
        self.set(reg::VERSION, self.version);
        self.fifo.clear();
    }

    fn get(&self, address: u8) -> u8 {
        self.regs
            .get(usize::from(address & 0x3F))
            .copied()
            .unwrap_or(0)
    }

    fn set(&mut self, address: u8, value: u8) {
        if let Some(slot) = self.regs.get_mut(usize::from(address & 0x3F)) {
            *slot = value;
        }
    }

    /// Reads a register as the SPI master would.
    pub fn read_register(&mut self, address: u8) -> u8 {
        if self.faults.is_silent() {
            return 0x00;
        }
        match address & 0x3F {
            reg::FIFO_DATA => {
                if self.fifo.is_empty() {
                    0x00
                } else {
                    self.fifo.remove(0)
                }
            }
            reg::FIFO_LEVEL => u8::try_from(self.fifo.len()).unwrap_or(0x7F),
            other => self.get(other),
        }
    }

    /// Writes a register as the SPI master would.
    pub fn write_register(&mut self, address: u8, value: u8) {
        if self.faults.is_silent() {
            return;
        }
        match address & 0x3F {
            reg::COMMAND => self.command(value),
            reg::COM_IRQ | reg::DIV_IRQ => {
                let address = address & 0x3F;
                let marked = value & 0x7F;
                let current = self.get(address);
                let next = if value & 0x80 != 0 {
                    current | marked
                } else {
                    current & !marked
                };
                self.set(address, next);
            }
            reg::FIFO_DATA => self.push_fifo(value),
            reg::FIFO_LEVEL => {
                if value & 0x80 != 0 {
                    self.fifo.clear();
                    self.set(reg::ERROR, self.get(reg::ERROR) & !BUFFER_OVFL);
                }
            }
            reg::BIT_FRAMING => {
                self.set(reg::BIT_FRAMING, value);
                // Every write with StartSend set sends the FIFO, whether or not the bit was
                // already set: some drivers never clear it.
                if value & START_SEND != 0 && self.get(reg::COMMAND) & 0x0F == command::TRANSCEIVE {
                    self.transceive();
                }
            }
            reg::CONTROL => {
                // TStartNow: time does not pass in here, so a started timer has run out.
                if value & 0x40 != 0 {
                    self.raise(TIMER_IRQ);
                }
                self.set(
                    reg::CONTROL,
                    (self.get(reg::CONTROL) & 0x07) | (value & 0x38),
                );
            }
            reg::ERROR
            | reg::STATUS1
            | reg::COLL
            | reg::CRC_RESULT_MSB
            | reg::CRC_RESULT_LSB
            | reg::VERSION => {}
            other => self.set(other, value),
        }
    }

    fn raise(&mut self, irq: u8) {
        self.set(reg::COM_IRQ, self.get(reg::COM_IRQ) | irq);
    }

    fn push_fifo(&mut self, byte: u8) {
        if self.fifo.len() < FIFO_SIZE {
            self.fifo.push(byte);
        } else {
            self.set(reg::ERROR, self.get(reg::ERROR) | BUFFER_OVFL);
        }
    }

    fn command(&mut self, value: u8) {
        let code = value & 0x0F;
        if code == command::SOFT_RESET {
            self.reset();
            return;
        }
        // RcvOff and PowerDown are kept; the command code reads back while it runs.
        self.set(reg::COMMAND, value & 0x30 | code);
        match code {
            command::CALC_CRC => {
                let preset = match self.get(reg::MODE) & 0x03 {
                    0 => 0x0000,
                    1 => 0x6363,
                    2 => 0xA671,
                    _ => 0xFFFF,
                };
                let data: Vec<u8> = self.fifo.drain(..).collect();
                let [lsb, msb] = crc_a(preset, &data);
                self.set(reg::CRC_RESULT_LSB, lsb);
                self.set(reg::CRC_RESULT_MSB, msb);
                self.set(reg::DIV_IRQ, self.get(reg::DIV_IRQ) | CRC_IRQ);
                self.set(reg::STATUS1, self.get(reg::STATUS1) | CRC_READY);
            }
            _ => {}
        }
    }

    /// Sends the FIFO to the cards and stores their merged answer.
    fn transceive(&mut self) {
        let framing = self.get(reg::BIT_FRAMING);
        let mut tx: Vec<u8> = self.fifo.drain(..).collect();
        let tx_last_bits = usize::from(framing & 0x07);
        if self.get(reg::TX_MODE) & 0x80 != 0 && tx_last_bits == 0 {
            tx.extend(crc_a(0x6363, &tx));
        }
        let bit_count = match tx_last_bits {
            0 => tx.len() * 8,
            bits => (tx.len().saturating_sub(1)) * 8 + bits,
        };
        self.set(reg::ERROR, 0);
        self.raise(TX_IRQ);
        self.cards.sync(&self.field);
        let antenna_on = self.get(reg::TX_CONTROL) & 0x03 != 0;
        if !antenna_on {
            self.cards.power_off();
        }
        let mut answers = if antenna_on {
            self.cards.exchange(&tx, bit_count)
        } else {
            Vec::new()
        };
        if answers.is_empty() {
            let noise = self.faults.take_noise();
            if noise.is_empty() {
                if self.get(reg::T_MODE) & 0x80 != 0 {
                    self.raise(TIMER_IRQ);
                }
                return;
            }
            self.receive(&picc::bits_of(&noise, noise.len() * 8), None);
            self.set(reg::ERROR, self.get(reg::ERROR) | PARITY_ERR);
            self.raise(ERR_IRQ);
            return;
        }
        if let Some(answer) = answers.iter_mut().find(|answer| answer.checked) {
            if self.faults.take_corruption() {
                let len = answer.bits.len();
                for bit in answer.bits.iter_mut().skip(len.saturating_sub(8)) {
                    *bit = !*bit;
                }
            }
        }
        let (bits, collision) = merge(&answers);
        self.receive(&bits, collision);
    }

    /// Puts received bits in the FIFO from bit RxAlign on and sets the status registers.
    fn receive(&mut self, bits: &[bool], collision: Option<usize>) {
        let align = usize::from(self.get(reg::BIT_FRAMING) >> 4 & 0x07);
        let keep_after_collision = self.get(reg::COLL) & VALUES_AFTER_COLL != 0;
        let total = align + bits.len();
        let mut bytes = vec![0u8; total.div_ceil(8)];
        for (index, &bit) in bits.iter().enumerate() {
            let cleared = collision.is_some_and(|at| index > at && !keep_after_collision);
            if bit && !cleared {
                let position = align + index;
                if let Some(byte) = bytes.get_mut(position / 8) {
                    *byte |= 1 << (position % 8);
                }
            }
        }
        let mut error = self.get(reg::ERROR);
        if self.get(reg::RX_MODE) & 0x80 != 0 {
            let whole = total % 8 == 0 && bytes.len() >= 2;
            let split = bytes.len().saturating_sub(2);
            if whole
                && crc_a(0x6363, bytes.get(..split).unwrap_or_default())
                    == bytes.get(split..).unwrap_or_default()
            {
                bytes.truncate(split);
            } else {
                error |= CRC_ERR;
            }
        }
        let mut coll = self.get(reg::COLL) & VALUES_AFTER_COLL;
        match collision {
            Some(at) => {
                error |= COLL_ERR;
                let position = align + at + 1;
                coll |= if position <= 32 {
                    u8::try_from(position % 32).unwrap_or(0)
                } else {
                    COLL_POS_NOT_VALID
                };
            }
            None => coll |= COLL_POS_NOT_VALID,
        }
        self.set(reg::COLL, coll);
        self.set(reg::ERROR, error);
        self.set(
            reg::CONTROL,
            (self.get(reg::CONTROL) & !0x07) | u8::try_from(total % 8).unwrap_or(0),
        );
        for byte in bytes {
            self.push_fifo(byte);
        }
        self.raise(RX_IRQ);
        if self.get(reg::ERROR) != 0 {
            self.raise(ERR_IRQ);
        }
    }
}

/// Overlays the answers of several cards: a bit where they disagree is a collision and
/// reads as 1 (the card modulating wins).
fn merge(answers: &[Answer]) -> (Vec<bool>, Option<usize>) {
    let length = answers
        .iter()
        .map(|answer| answer.bits.len())
        .max()
        .unwrap_or(0);
    let mut bits = Vec::with_capacity(length);
    let mut collision = None;
    for index in 0..length {
        let values: Vec<Option<&bool>> = answers
            .iter()
            .map(|answer| answer.bits.get(index))
            .collect();
        let disagree = values.windows(2).any(|pair| pair.first() != pair.get(1));
        if disagree && collision.is_none() {
            collision = Some(index);
        }
        bits.push(values.iter().any(|value| value == &Some(&true)));
    }
    (bits, collision)
}

impl Scene for Mfrc522 {
    fn field(&mut self) -> &mut Field {
        &mut self.field
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.faults
    }
}
