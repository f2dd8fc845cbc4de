//! Reader drivers fed hostile module output.
//!
//! The input is split into chunks: a chunk's first byte says how many milliseconds pass
//! before it (×8, so timeouts fire too), the rest is what the module sends. Between
//! chunks the driver is polled and its commands taken, as the firmware's loop does.

use std::convert::Infallible;

use embedded_hal::spi::{ErrorType, Operation, SpiDevice};
use trace_firmware::driver::SerialDriver;
use trace_firmware::em4100::Em4100;
use trace_firmware::m100::{M100, M100Config};
use trace_firmware::mfrc522::{Mfrc522, Mfrc522Config};
use trace_firmware::pn532::{Pn532, Pn532Config};

/// Bytes a chunk carries at most.
const CHUNK: usize = 24;
/// No driver holds more than this of an incomplete frame (the longest, an M100
/// notification with a 62-byte EPC, is under 100 bytes).
const RX_BOUND: usize = 256;

/// EM4100 (RDM6300 frames).
pub fn em4100(data: &[u8]) {
    drive(Em4100::new(), data);
}

/// PN532 over HSU.
pub fn pn532(data: &[u8]) {
    drive(Pn532::new(Pn532Config::default()), data);
}

/// M100-family UHF module.
pub fn m100(data: &[u8]) {
    drive(M100::new(M100Config::default()), data);
}

fn drive(mut driver: impl SerialDriver, data: &[u8]) {
    let mut now = 0u64;
    for chunk in data.chunks(CHUNK + 1) {
        let Some((&pause, bytes)) = chunk.split_first() else {
            continue;
        };
        now += u64::from(pause) * 8;
        let _ = driver.poll(now);
        let pending = driver.pending_tx().len();
        driver.consume_tx(pending);
        for _event in driver.feed(bytes) {}
        assert!(
            driver.pending_rx() <= RX_BOUND,
            "{} bytes held",
            driver.pending_rx()
        );
    }
}

/// MFRC522 over SPI: every register read answers with the next input byte (then zeros).
pub fn mfrc522(data: &[u8]) {
    let mut driver = Mfrc522::new(HostileChip { bytes: data }, Mfrc522Config::default());
    // Enough polls to use every byte, each a few milliseconds apart, then some more so
    // timeouts and retries run too.
    for step in 0..(data.len() as u64 + 64) {
        let _ = driver.poll(step * 7);
    }
}

/// An SPI device whose reads return attacker-chosen bytes.
struct HostileChip<'a> {
    bytes: &'a [u8],
}

impl HostileChip<'_> {
    fn fill(&mut self, out: &mut [u8]) {
        for slot in out {
            *slot = match self.bytes.split_first() {
                Some((&byte, rest)) => {
                    self.bytes = rest;
                    byte
                }
                None => 0,
            };
        }
    }
}

impl ErrorType for HostileChip<'_> {
    type Error = Infallible;
}

impl SpiDevice for HostileChip<'_> {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Infallible> {
        for operation in operations.iter_mut() {
            match operation {
                Operation::Read(out) | Operation::TransferInPlace(out) => self.fill(out),
                Operation::Transfer(out, _) => self.fill(out),
                Operation::Write(_) | Operation::DelayNs(_) => {}
            }
        }
        Ok(())
    }
}
