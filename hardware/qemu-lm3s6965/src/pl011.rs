//! The LM3S6965's UARTs (ARM PL011) as `embedded-io` ports, straight from the registers.
//!
//! Clock gating and pin muxing are left out: QEMU's model needs neither, and this
//! board exists only under QEMU.
#![allow(unsafe_code)]

use core::convert::Infallible;
use core::ptr::{read_volatile, write_volatile};

use embedded_io::{ErrorType, Read, ReadReady, Write};
use trace_station::ReaderUart;

const DR: usize = 0x000;
const FR: usize = 0x018;
const IBRD: usize = 0x024;
const FBRD: usize = 0x028;
const LCRH: usize = 0x02C;
const CR: usize = 0x030;
const FR_BUSY: u32 = 1 << 3;
const FR_RXFE: u32 = 1 << 4;
const FR_TXFF: u32 = 1 << 5;
/// 8 data bits, FIFOs on.
const LCRH_8N1_FIFO: u32 = 0x70;
/// UART, transmitter and receiver enabled.
const CR_ENABLE: u32 = 0x301;

/// One of the three UARTs; the variant fixes the register block, so only real
/// peripheral addresses are ever touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    /// UART0 at 0x4000C000 (the first `-serial` of QEMU).
    Uart0 = 0x4000_C000,
    /// UART1 at 0x4000D000 (the second `-serial`).
    Uart1 = 0x4000_D000,
    /// UART2 at 0x4000E000 (the third `-serial`).
    Uart2 = 0x4000_E000,
}

/// A PL011 in 8N1 with FIFOs. Line errors are not reported: damaged bytes reach the
/// reader driver, whose checksums reject the frame they belong to.
pub struct Pl011 {
    base: usize,
    clock_hz: u32,
}

impl Pl011 {
    /// Takes over `instance`, clocked at `clock_hz`, at `baud` bits/s. Create one
    /// value per instance.
    pub fn new(instance: Instance, clock_hz: u32, baud: u32) -> Self {
        let mut uart = Self {
            base: instance as usize,
            clock_hz,
        };
        uart.set_baud_rate(baud);
        uart
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `base` is one of the PL011 blocks of `Instance` and `offset` one of
        // its registers above; volatile word access is how the device is used.
        unsafe { read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&mut self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`.
        unsafe { write_volatile((self.base + offset) as *mut u32, value) }
    }

    fn has(&self, flag: u32) -> bool {
        self.read_reg(FR) & flag != 0
    }
}

impl ReaderUart for Pl011 {
    fn set_baud_rate(&mut self, baud: u32) {
        // Divisor in 1/64ths: clock / (16 × baud) × 64, rounded.
        let div64 = (u64::from(self.clock_hz) * 4 + u64::from(baud / 2)) / u64::from(baud.max(1));
        self.write_reg(CR, 0);
        while self.has(FR_BUSY) {}
        self.write_reg(IBRD, (div64 >> 6) as u32);
        self.write_reg(FBRD, (div64 & 0x3F) as u32);
        // Writing LCRH latches the new divisor.
        self.write_reg(LCRH, LCRH_8N1_FIFO);
        self.write_reg(CR, CR_ENABLE);
    }
}

impl ErrorType for Pl011 {
    type Error = Infallible;
}

impl ReadReady for Pl011 {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(!self.has(FR_RXFE))
    }
}

impl Read for Pl011 {
    /// Waits for the first byte, then takes what the FIFO holds.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut read = 0;
        for slot in buf.iter_mut() {
            while self.has(FR_RXFE) {
                if read > 0 {
                    return Ok(read);
                }
            }
            *slot = self.read_reg(DR) as u8;
            read += 1;
        }
        Ok(read)
    }
}

impl Write for Pl011 {
    /// Waits for room for the first byte, then fills the FIFO.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        let mut written = 0;
        for &byte in buf {
            while self.has(FR_TXFF) {
                if written > 0 {
                    return Ok(written);
                }
            }
            self.write_reg(DR, u32::from(byte));
            written += 1;
        }
        Ok(written)
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        while self.has(FR_BUSY) {}
        Ok(())
    }
}
