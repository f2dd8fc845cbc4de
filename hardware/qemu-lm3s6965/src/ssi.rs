//! The LM3S6965's SSI0 (ARM PL022) as an embedded-hal `SpiDevice` for an MFRC522,
//! with PA3 as a software chip select (the MFRC522 needs it held across a
//! multi-byte transfer, which the PL022's own frame signal does not do).
//!
//! QEMU's lm3s6965evb has an OLED and an SD card slot on this bus and no MFRC522: a
//! reader configured here reports `NoResponse`, which is what the port is for under
//! QEMU (the MFRC522 driver linked and exercised against an empty bus).
#![allow(unsafe_code)]

use core::convert::Infallible;
use core::ptr::{read_volatile, write_volatile};

use embedded_hal::spi::{ErrorType, Operation, SpiDevice};

const SSI0: usize = 0x4000_8000;
const CR0: usize = 0x000;
const CR1: usize = 0x004;
const DR: usize = 0x008;
const SR: usize = 0x00C;
const CPSR: usize = 0x010;
const SR_TNF: u32 = 1 << 1;
const SR_RNE: u32 = 1 << 2;
/// 8-bit frames, Motorola SPI mode 0 (the MFRC522's), serial clock rate 0.
const CR0_MODE0_8BIT: u32 = 0x07;
/// Clock prescaler: 12 MHz / 2 = 6 MHz, under the MFRC522's 10 MHz.
const CPSR_DIVIDE_BY_2: u32 = 2;
const CR1_ENABLE: u32 = 1 << 1;

const GPIO_A: usize = 0x4000_4000;
const CS_PIN: u32 = 1 << 3;
/// GPIODATA is address-masked: this address reads and writes PA3 alone.
const GPIO_DATA_CS: usize = (CS_PIN as usize) << 2;
const GPIO_DIR: usize = 0x400;
const GPIO_DEN: usize = 0x51C;

/// SSI0 with its chip select.
pub struct Ssi {
    cycles_per_us: u32,
}

impl Ssi {
    /// Takes over SSI0 and PA3 on a core clocked at `clock_hz`; create one value.
    pub fn new(clock_hz: u32) -> Self {
        let mut ssi = Self {
            cycles_per_us: clock_hz / 1_000_000,
        };
        ssi.store(GPIO_A + GPIO_DATA_CS, CS_PIN);
        ssi.store(GPIO_A + GPIO_DIR, ssi.load(GPIO_A + GPIO_DIR) | CS_PIN);
        ssi.store(GPIO_A + GPIO_DEN, ssi.load(GPIO_A + GPIO_DEN) | CS_PIN);
        ssi.store(SSI0 + CR1, 0);
        ssi.store(SSI0 + CPSR, CPSR_DIVIDE_BY_2);
        ssi.store(SSI0 + CR0, CR0_MODE0_8BIT);
        ssi.store(SSI0 + CR1, CR1_ENABLE);
        ssi
    }

    fn load(&self, address: usize) -> u32 {
        // SAFETY: every address used is a register of SSI0 or GPIO port A (constants
        // above); volatile word access is how the devices are used.
        unsafe { read_volatile(address as *const u32) }
    }

    fn store(&mut self, address: usize, value: u32) {
        // SAFETY: as in `load`.
        unsafe { write_volatile(address as *mut u32, value) }
    }

    fn transfer(&mut self, out: u8) -> u8 {
        while self.load(SSI0 + SR) & SR_TNF == 0 {}
        self.store(SSI0 + DR, u32::from(out));
        while self.load(SSI0 + SR) & SR_RNE == 0 {}
        self.load(SSI0 + DR) as u8
    }
}

impl ErrorType for Ssi {
    type Error = Infallible;
}

impl SpiDevice for Ssi {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Infallible> {
        self.store(GPIO_A + GPIO_DATA_CS, 0);
        for operation in operations {
            match operation {
                Operation::Read(buf) => buf.iter_mut().for_each(|b| *b = self.transfer(0)),
                Operation::Write(buf) => buf.iter().for_each(|&b| {
                    self.transfer(b);
                }),
                Operation::Transfer(read, write) => {
                    for i in 0..read.len().max(write.len()) {
                        let byte = self.transfer(write.get(i).copied().unwrap_or(0));
                        if let Some(slot) = read.get_mut(i) {
                            *slot = byte;
                        }
                    }
                }
                Operation::TransferInPlace(buf) => {
                    buf.iter_mut().for_each(|b| *b = self.transfer(*b));
                }
                Operation::DelayNs(ns) => {
                    cortex_m::asm::delay(ns.div_ceil(1_000).saturating_mul(self.cycles_per_us));
                }
            }
        }
        self.store(GPIO_A + GPIO_DATA_CS, CS_PIN);
        Ok(())
    }
}
