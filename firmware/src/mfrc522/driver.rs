//! The MFRC522 register dialogue, one bounded step per poll.

use embedded_hal::spi::SpiDevice;
use trace_proto::link::{FaultKind, TagId};

use super::picc::{Activation, Outcome, PiccError, Reception, Step, Transmit};
use crate::event::{ReaderEvent, TagSighting};
use crate::stats::{Stats, bump};

/// Registers (MFRC522 datasheet §9).
mod reg {
    pub(super) const COMMAND: u8 = 0x01;
    pub(super) const COM_IRQ: u8 = 0x04;
    pub(super) const ERROR: u8 = 0x06;
    pub(super) const FIFO_DATA: u8 = 0x09;
    pub(super) const FIFO_LEVEL: u8 = 0x0A;
    pub(super) const CONTROL: u8 = 0x0C;
    pub(super) const BIT_FRAMING: u8 = 0x0D;
    pub(super) const COLL: u8 = 0x0E;
    pub(super) const MODE: u8 = 0x11;
    pub(super) const TX_CONTROL: u8 = 0x14;
    pub(super) const TX_ASK: u8 = 0x15;
    pub(super) const T_MODE: u8 = 0x2A;
    pub(super) const T_PRESCALER: u8 = 0x2B;
    pub(super) const T_RELOAD_HI: u8 = 0x2C;
    pub(super) const T_RELOAD_LO: u8 = 0x2D;
    pub(super) const VERSION: u8 = 0x37;
}

const CMD_IDLE: u8 = 0x00;
const CMD_TRANSCEIVE: u8 = 0x0C;
const CMD_SOFT_RESET: u8 = 0x0F;
/// CommandReg bit set while the chip is powered down (during a soft reset).
const POWER_DOWN: u8 = 0x10;
const IRQ_TIMER: u8 = 0x01;
const IRQ_ERR: u8 = 0x02;
const IRQ_RX: u8 = 0x20;
const IRQ_ALL: u8 = 0x7F;
const ERR_COLL: u8 = 0x08;
/// BufferOvfl, ParityErr, ProtocolErr; CRCErr cannot occur, CRC_A is checked here.
const ERR_FATAL: u8 = 0x13;
const COLL_POS_NOT_VALID: u8 = 0x20;
const COLL_POS: u8 = 0x1F;
const FIFO_FLUSH: u8 = 0x80;
const FIFO_LEVEL_MASK: u8 = 0x7F;
const START_SEND: u8 = 0x80;
const RX_LAST_BITS: u8 = 0x07;
const ANTENNA_ON: u8 = 0x03;
/// Longest card answer read from the FIFO (UID CLn + BCC is 5 bytes).
const MAX_ANSWER: usize = 16;

/// Set-up after a soft reset: the timer gives the card about 25 ms to answer
/// (13.56 MHz / (2·0xA9 + 1) ≈ 40 kHz, reload 1000), 100 % ASK, CRC preset 0x6363,
/// and bits received after a collision are cleared.
const INIT: [(u8, u8); 7] = [
    (reg::T_MODE, 0x80),
    (reg::T_PRESCALER, 0xA9),
    (reg::T_RELOAD_HI, 0x03),
    (reg::T_RELOAD_LO, 0xE8),
    (reg::TX_ASK, 0x40),
    (reg::MODE, 0x3D),
    (reg::COLL, 0x00),
];

/// Timing of the MFRC522 driver, in milliseconds of the caller's tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mfrc522Config {
    /// Pause between the end of one activation attempt and the next.
    pub poll_interval_ms: u32,
    /// Longest wait for the chip to finish a reset or a transceive; the chip's own
    /// timer ends a transceive after about 25 ms, so only a dead chip exceeds this.
    pub chip_timeout_ms: u32,
    /// Pause before initialising again after a fault or a bus error.
    pub retry_ms: u32,
}

impl Default for Mfrc522Config {
    fn default() -> Self {
        Self {
            poll_interval_ms: 50,
            chip_timeout_ms: 100,
            retry_ms: 1000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Start { at: u64 },
    Resetting { since: u64 },
    Idle { next_at: u64 },
    Transceiving { since: u64 },
}

/// Driver for an MFRC522 on an SPI device. A card is read once per presence: it is
/// halted after its UID is read and stays silent until it leaves the field.
pub struct Mfrc522<SPI> {
    spi: SPI,
    config: Mfrc522Config,
    phase: Phase,
    activation: Option<Activation>,
    now: u64,
    stats: Stats,
}

impl<SPI: SpiDevice> Mfrc522<SPI> {
    /// A driver that resets and configures the chip at its first poll.
    pub fn new(spi: SPI, config: Mfrc522Config) -> Self {
        Self {
            spi,
            config,
            phase: Phase::Start { at: 0 },
            activation: None,
            now: 0,
            stats: Stats::default(),
        }
    }

    /// Gives the SPI device back.
    pub fn release(self) -> SPI {
        self.spi
    }

    /// Counters since the driver was created.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Does the next bounded step (a few SPI transfers) at time `now_ms` and returns
    /// what it found. A bus error is returned as is, and the driver initialises the
    /// chip again after [`Mfrc522Config::retry_ms`].
    pub fn poll(&mut self, now_ms: u64) -> Result<Option<ReaderEvent>, SPI::Error> {
        self.now = self.now.max(now_ms);
        let result = self.step();
        if result.is_err() {
            self.restart_later();
        }
        result
    }

    fn step(&mut self) -> Result<Option<ReaderEvent>, SPI::Error> {
        let now = self.now;
        match self.phase {
            Phase::Start { at } if now >= at => {
                self.write(reg::COMMAND, CMD_SOFT_RESET)?;
                self.phase = Phase::Resetting { since: now };
            }
            Phase::Resetting { since } => {
                if self.read(reg::COMMAND)? & POWER_DOWN == 0 {
                    return self.initialise();
                }
                if self.expired(since) {
                    return Ok(Some(self.timeout()));
                }
            }
            Phase::Idle { next_at } if now >= next_at => {
                let (activation, transmit) = Activation::start();
                self.activation = Some(activation);
                self.transmit(&transmit)?;
            }
            Phase::Transceiving { since } => return self.check_transceive(since),
            _ => {}
        }
        Ok(None)
    }

    fn initialise(&mut self) -> Result<Option<ReaderEvent>, SPI::Error> {
        // 0x91/0x92 are NXP's; clones report others. All-zero or all-one bits mean
        // nothing drives MISO.
        if matches!(self.read(reg::VERSION)?, 0x00 | 0xFF) {
            bump(&mut self.stats.timeouts);
            self.restart_later();
            return Ok(Some(ReaderEvent::Fault(FaultKind::NoResponse)));
        }
        for (register, value) in INIT {
            self.write(register, value)?;
        }
        let tx_control = self.read(reg::TX_CONTROL)?;
        self.write(reg::TX_CONTROL, tx_control | ANTENNA_ON)?;
        self.phase = Phase::Idle { next_at: self.now };
        Ok(Some(ReaderEvent::Ready))
    }

    fn transmit(&mut self, transmit: &Transmit) -> Result<(), SPI::Error> {
        self.write(reg::COMMAND, CMD_IDLE)?;
        self.write(reg::COM_IRQ, IRQ_ALL)?;
        self.write(reg::FIFO_LEVEL, FIFO_FLUSH)?;
        let mut fifo_write = [0u8; 10];
        fifo_write[0] = reg::FIFO_DATA << 1;
        let bytes = transmit.bytes();
        for (slot, byte) in fifo_write.iter_mut().skip(1).zip(bytes) {
            *slot = *byte;
        }
        self.spi
            .write(fifo_write.get(..=bytes.len()).unwrap_or_default())?;
        self.write(reg::COMMAND, CMD_TRANSCEIVE)?;
        let framing = START_SEND | (transmit.rx_align & 0x07) << 4 | (transmit.tx_last_bits & 0x07);
        self.write(reg::BIT_FRAMING, framing)?;
        self.phase = Phase::Transceiving { since: self.now };
        Ok(())
    }

    fn check_transceive(&mut self, since: u64) -> Result<Option<ReaderEvent>, SPI::Error> {
        let irq = self.read(reg::COM_IRQ)?;
        let mut answer = [0u8; MAX_ANSWER];
        let reception = if irq & (IRQ_RX | IRQ_ERR) != 0 {
            let error = self.read(reg::ERROR)?;
            if error & ERR_COLL != 0 {
                let coll = self.read(reg::COLL)?;
                let len = self.read_fifo(&mut answer)?;
                match (coll & COLL_POS_NOT_VALID, coll & COLL_POS, len) {
                    (0, position, Some(len)) => Reception::Collision {
                        bytes: answer.get(..len).unwrap_or_default(),
                        // CollPos 0 stands for the 32nd bit.
                        position: if position == 0 { 32 } else { position },
                    },
                    _ => Reception::Error,
                }
            } else if error & ERR_FATAL != 0 {
                Reception::Error
            } else {
                match self.read_fifo(&mut answer)? {
                    Some(len) => Reception::Frame {
                        bytes: answer.get(..len).unwrap_or_default(),
                        last_bits: self.read(reg::CONTROL)? & RX_LAST_BITS,
                    },
                    None => Reception::Error,
                }
            }
        } else if irq & IRQ_TIMER != 0 {
            Reception::NoAnswer
        } else if self.expired(since) {
            return Ok(Some(self.timeout()));
        } else {
            return Ok(None);
        };
        let Some(activation) = self.activation.as_mut() else {
            self.idle();
            return Ok(None);
        };
        match activation.on_reception(reception) {
            Step::Transmit(transmit) => {
                self.transmit(&transmit)?;
                Ok(None)
            }
            Step::Done(outcome) => {
                self.idle();
                Ok(self.on_outcome(outcome))
            }
        }
    }

    fn on_outcome(&mut self, outcome: Outcome) -> Option<ReaderEvent> {
        match outcome {
            Outcome::NoCard => None,
            Outcome::Card(uid) => {
                bump(&mut self.stats.frames);
                Some(ReaderEvent::Tag(TagSighting::new(TagId::Iso14443a(uid))))
            }
            Outcome::Failed(PiccError::Bcc | PiccError::Crc) => {
                bump(&mut self.stats.crc);
                Some(ReaderEvent::Fault(FaultKind::Crc))
            }
            Outcome::Failed(PiccError::Collision | PiccError::Frame | PiccError::Transmission) => {
                bump(&mut self.stats.framing);
                None
            }
        }
    }

    /// Reads the FIFO into `answer`; `None` if it holds more than `answer` can take.
    fn read_fifo(&mut self, answer: &mut [u8; MAX_ANSWER]) -> Result<Option<usize>, SPI::Error> {
        let level = usize::from(self.read(reg::FIFO_LEVEL)? & FIFO_LEVEL_MASK);
        if level == 0 || level > MAX_ANSWER {
            return Ok((level == 0).then_some(0));
        }
        // Each address byte clocks out one FIFO byte; the final 0x00 ends the read.
        let mut transfer = [0u8; MAX_ANSWER + 1];
        let transfer = transfer.get_mut(..=level).unwrap_or_default();
        let address = read_address(reg::FIFO_DATA);
        for (i, byte) in transfer.iter_mut().enumerate() {
            *byte = if i < level { address } else { 0 };
        }
        self.spi.transfer_in_place(transfer)?;
        for (slot, byte) in answer.iter_mut().zip(transfer.iter().skip(1)) {
            *slot = *byte;
        }
        Ok(Some(level))
    }

    fn read(&mut self, register: u8) -> Result<u8, SPI::Error> {
        let mut transfer = [read_address(register), 0];
        self.spi.transfer_in_place(&mut transfer)?;
        Ok(transfer[1])
    }

    fn write(&mut self, register: u8, value: u8) -> Result<(), SPI::Error> {
        self.spi.write(&[register << 1, value])
    }

    fn expired(&self, since: u64) -> bool {
        self.now >= since.saturating_add(self.config.chip_timeout_ms.into())
    }

    fn timeout(&mut self) -> ReaderEvent {
        bump(&mut self.stats.timeouts);
        self.restart_later();
        ReaderEvent::Fault(FaultKind::Timeout)
    }

    fn idle(&mut self) {
        self.activation = None;
        self.phase = Phase::Idle {
            next_at: self.now.saturating_add(self.config.poll_interval_ms.into()),
        };
    }

    fn restart_later(&mut self) {
        self.activation = None;
        self.phase = Phase::Start {
            at: self.now.saturating_add(self.config.retry_ms.into()),
        };
    }
}

/// SPI address byte that reads `register`.
fn read_address(register: u8) -> u8 {
    0x80 | (register << 1)
}
