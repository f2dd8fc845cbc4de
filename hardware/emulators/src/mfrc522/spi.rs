//! The MFRC522's SPI slave, as an embedded-hal 1.0 [`SpiDevice`]: a driver written against
//! the trait runs unchanged against the emulated chip.
//!
//! Byte protocol (datasheet §8.1.2): the first byte of a transaction is an address byte,
//! `(reg << 1) | 0x80` to read, `reg << 1` to write. While reading, every further byte
//! clocks out the register addressed by the byte before it and names the next register to
//! read (a byte without bit 7, usually 0x00, ends the read). While writing, every further
//! byte is written to the addressed register (FIFOData takes them all).

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

use embedded_hal::spi::{ErrorKind, ErrorType, Operation, SpiDevice};

use super::Mfrc522;

/// Where a transaction is in the byte protocol.
#[derive(Debug, Clone, Copy)]
enum Cycle {
    Address,
    Read(u8),
    Write(u8),
    Done,
}

/// One chip-select-low period.
struct Transaction<'a> {
    chip: &'a mut Mfrc522,
    cycle: Cycle,
}

impl Transaction<'_> {
    /// Clocks one byte: `mosi` in, the returned byte out.
    fn exchange(&mut self, mosi: u8) -> u8 {
        let register = (mosi >> 1) & 0x3F;
        let reading = mosi & 0x80 != 0;
        let (miso, next) = match self.cycle {
            Cycle::Address if reading => (0x00, Cycle::Read(register)),
            Cycle::Address => (0x00, Cycle::Write(register)),
            Cycle::Read(previous) => {
                let value = self.chip.read_register(previous);
                (
                    value,
                    if reading {
                        Cycle::Read(register)
                    } else {
                        Cycle::Done
                    },
                )
            }
            Cycle::Write(target) => {
                self.chip.write_register(target, mosi);
                (0x00, Cycle::Write(target))
            }
            Cycle::Done => (0x00, Cycle::Done),
        };
        self.cycle = next;
        miso
    }

    fn run(&mut self, operations: &mut [Operation<'_, u8>]) {
        for operation in operations {
            match operation {
                Operation::Read(words) => {
                    for word in words.iter_mut() {
                        *word = self.exchange(0x00);
                    }
                }
                Operation::Write(words) => {
                    for word in words.iter() {
                        self.exchange(*word);
                    }
                }
                Operation::Transfer(read, write) => {
                    for index in 0..read.len().max(write.len()) {
                        let miso = self.exchange(write.get(index).copied().unwrap_or(0x00));
                        if let Some(slot) = read.get_mut(index) {
                            *slot = miso;
                        }
                    }
                }
                Operation::TransferInPlace(words) => {
                    for word in words.iter_mut() {
                        *word = self.exchange(*word);
                    }
                }
                Operation::DelayNs(_) => {}
            }
        }
    }
}

impl Mfrc522 {
    fn spi_transaction(&mut self, operations: &mut [Operation<'_, u8>]) {
        Transaction {
            chip: self,
            cycle: Cycle::Address,
        }
        .run(operations);
    }
}

impl ErrorType for Mfrc522 {
    type Error = Infallible;
}

impl SpiDevice for Mfrc522 {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Infallible> {
        self.spi_transaction(operations);
        Ok(())
    }
}

/// A chip a driver owns through one clone while a test changes the field through another.
#[derive(Debug, Clone, Default)]
pub struct SharedMfrc522 {
    chip: Arc<Mutex<Mfrc522>>,
}

/// The shared chip could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SpiFault {
    /// A thread panicked while holding the chip.
    #[error("the emulated MFRC522 was poisoned by a panic")]
    Poisoned,
}

impl embedded_hal::spi::Error for SpiFault {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

impl SharedMfrc522 {
    /// Shares `chip`.
    pub fn new(chip: Mfrc522) -> Self {
        Self {
            chip: Arc::new(Mutex::new(chip)),
        }
    }

    /// The chip, for the test side (field, faults, registers).
    pub fn lock(&self) -> Result<MutexGuard<'_, Mfrc522>, SpiFault> {
        self.chip.lock().map_err(|_| SpiFault::Poisoned)
    }
}

impl ErrorType for SharedMfrc522 {
    type Error = SpiFault;
}

impl SpiDevice for SharedMfrc522 {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), SpiFault> {
        self.lock()?.spi_transaction(operations);
        Ok(())
    }
}
