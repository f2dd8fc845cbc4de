//! A USART of the F411 as an `embedded-io` port: received bytes are moved into a
//! buffer by the USART's interrupt, because the USART holds one byte and the main
//! loop, writing a frame to the gateway at 115200 baud, can be busy for milliseconds.

use core::cell::RefCell;
use core::convert::Infallible;

use critical_section::Mutex;
use embedded_hal_nb::serial::{Read as _, Write as _};
use embedded_io::{ErrorType, Read, ReadReady, Write};
use heapless::Deque;
use stm32f4xx_hal::prelude::*;
use stm32f4xx_hal::rcc::Rcc;
use stm32f4xx_hal::serial::{self, Instance, Rx, RxListen, Serial, Tx};
use trace_station::ReaderUart;

/// Bytes buffered per USART: the longest reader frame (a PN532 extended frame, 272
/// bytes) plus headroom.
const RX_BUFFER: usize = 512;

/// What a USART's interrupt handler and the main loop share.
pub struct RxShared<U: Instance> {
    rx: Option<Rx<U>>,
    bytes: Deque<u8, RX_BUFFER>,
}

/// The shared receive state of one USART, as a `static`.
pub type RxCell<U> = Mutex<RefCell<RxShared<U>>>;

/// An empty receive state for a `static`.
pub const fn rx_cell<U: Instance>() -> RxCell<U> {
    Mutex::new(RefCell::new(RxShared {
        rx: None,
        bytes: Deque::new(),
    }))
}

/// The clock tree, which re-initialising a USART at another speed needs.
pub type RccCell = Mutex<RefCell<Option<Rcc>>>;

/// The USART interrupt's work: everything received goes into the buffer. A line error
/// (noise, framing, parity, overrun) or a full buffer loses a byte; the reader
/// driver's checksums reject the frame it belonged to.
pub fn on_interrupt<U: Instance>(cell: &RxCell<U>) {
    critical_section::with(|cs| {
        let mut shared = cell.borrow_ref_mut(cs);
        let RxShared { rx, bytes } = &mut *shared;
        let Some(rx) = rx.as_mut() else {
            return;
        };
        loop {
            match rx.read() {
                Ok(byte) => {
                    let _dropped_when_full = bytes.push_back(byte);
                }
                Err(nb::Error::WouldBlock) => return,
                Err(nb::Error::Other(_)) => {}
            }
        }
    });
}

/// A USART with an interrupt-fed receive buffer.
pub struct BufferedSerial<U: Instance + 'static> {
    /// `None` only while [`set_baud_rate`](ReaderUart::set_baud_rate) rebuilds it.
    tx: Option<Tx<U>>,
    rx: &'static RxCell<U>,
    rcc: &'static RccCell,
}

impl<U: Instance + 'static> BufferedSerial<U> {
    /// Takes `serial` over, with `rx` as its interrupt's buffer (the caller unmasks the
    /// interrupt) and `rcc` for speed changes.
    pub fn new(serial: Serial<U>, rx: &'static RxCell<U>, rcc: &'static RccCell) -> Self {
        let mut port = Self { tx: None, rx, rcc };
        port.install(serial);
        port
    }

    fn install(&mut self, serial: Serial<U>) {
        let (tx, mut rx) = serial.split();
        rx.listen();
        self.tx = Some(tx);
        critical_section::with(|cs| {
            let mut shared = self.rx.borrow_ref_mut(cs);
            shared.bytes.clear();
            shared.rx = Some(rx);
        });
    }
}

impl<U: Instance + 'static> ReaderUart for BufferedSerial<U> {
    /// Re-initialises the USART (8N1) at `baud`; bytes still buffered belonged to the
    /// previous module and are dropped. On failure the port keeps its speed.
    fn set_baud_rate(&mut self, baud: u32) {
        let rx = critical_section::with(|cs| self.rx.borrow_ref_mut(cs).rx.take());
        let (Some(tx), Some(rx)) = (self.tx.take(), rx) else {
            return;
        };
        let (usart, (Some(tx_pin), Some(rx_pin))) = rx.join(tx).release() else {
            return;
        };
        let config = serial::Config::default().baudrate(baud.bps());
        let rebuilt = critical_section::with(|cs| {
            let mut rcc = self.rcc.borrow_ref_mut(cs);
            let rcc = rcc.as_mut()?;
            Serial::new(usart, (tx_pin, rx_pin), config, rcc).ok()
        });
        if let Some(serial) = rebuilt {
            self.install(serial);
        }
    }
}

impl<U: Instance + 'static> ErrorType for BufferedSerial<U> {
    type Error = Infallible;
}

impl<U: Instance + 'static> ReadReady for BufferedSerial<U> {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(critical_section::with(|cs| {
            !self.rx.borrow_ref(cs).bytes.is_empty()
        }))
    }
}

impl<U: Instance + 'static> Read for BufferedSerial<U> {
    /// Waits for the first byte, then takes what the buffer holds.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        loop {
            let read = critical_section::with(|cs| {
                let mut shared = self.rx.borrow_ref_mut(cs);
                let mut read = 0;
                for slot in buf.iter_mut() {
                    let Some(byte) = shared.bytes.pop_front() else {
                        break;
                    };
                    *slot = byte;
                    read += 1;
                }
                read
            });
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
        }
    }
}

impl<U: Instance + 'static> Write for BufferedSerial<U> {
    /// Waits for room for the first byte, then writes while the USART takes more.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        let Some(tx) = self.tx.as_mut() else {
            // Cannot happen outside `set_baud_rate`; the bytes would have no line.
            return Ok(buf.len());
        };
        let mut written = 0;
        for &byte in buf {
            loop {
                match tx.write(byte) {
                    Ok(()) => break,
                    Err(nb::Error::WouldBlock) if written == 0 => {}
                    Err(_) => return Ok(written),
                }
            }
            written += 1;
        }
        Ok(written)
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        if let Some(tx) = self.tx.as_mut() {
            while tx.flush().is_err() {}
        }
        Ok(())
    }
}
