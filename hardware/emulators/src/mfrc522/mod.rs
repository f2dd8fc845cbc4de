//! An MFRC522 at register level, driven over SPI ([`spi`]) by an unmodified driver.
//!
//! Modelled: the register file with reset values, the 64-byte FIFO (FIFOLevel flush,
//! overflow), Command (Idle, CalcCRC, Transceive, SoftReset), ComIrq/DivIrq with their Set1
//! write semantics, Error, BitFraming (StartSend, TxLastBits, RxAlign), Control
//! (RxLastBits, TStartNow), Coll (CollPos, ValuesAfterColl), TxMode/RxMode CRC, ModeReg CRC
//! preset, the CRC coprocessor and Version. The cards answer through [`picc`].
//!
//! CollPos counts bit positions in the FIFO, from bit 0 of the first received byte, so an
//! RxAlign offset is included: a collision on the first bit received with RxAlign 3
//! reads 4. NXP's own reader library (phhalHw_Rc523) reads it that way, masking the FIFO
//! at CollPos − 1; drivers that take CollPos as the bit count of the whole UID (the
//! `mfrc522` crate, Arduino's MFRC522) only resolve collisions within the first byte.
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
mod registers;
pub mod spi;

use crate::field::{Faults, Field, Scene};
use picc::{Answer, Cards, crc_a};
use registers::{
    BUFFER_OVFL, COLL_ERR, COLL_POS_NOT_VALID, CRC_ERR, CRC_IRQ, CRC_READY, ERR_IRQ, FIFO_SIZE,
    PARITY_ERR, RESET, RX_IRQ, START_SEND, TIMER_IRQ, TX_IRQ, VALUES_AFTER_COLL,
};
pub use registers::{command, reg};

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
            reg::COLL => {
                let kept = self.get(reg::COLL) & !VALUES_AFTER_COLL;
                self.set(reg::COLL, kept | (value & VALUES_AFTER_COLL));
            }
            reg::ERROR
            | reg::STATUS1
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
        // Transceive waits for StartSend; Idle, MFAuthent and the rest only show in
        // CommandReg.
        if code == command::CALC_CRC {
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
        if let Some(answer) = answers.iter_mut().find(|answer| answer.checked)
            && self.faults.take_corruption()
        {
            // The check byte is the last 8 bits: BCC, or the second CRC_A byte.
            let len = answer.bits.len();
            for bit in answer.bits.iter_mut().skip(len.saturating_sub(8)) {
                *bit = !*bit;
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
            let whole = total.is_multiple_of(8) && bytes.len() >= 2;
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
