//! Reader modules on a UART: the driver is chosen at run time, the line follows it.

use core::convert::Infallible;

use embedded_io::{ErrorType, Read, ReadReady, Write};
use trace_firmware::app::Bus;
use trace_firmware::driver::SerialDriver;
use trace_firmware::em4100::Em4100;
use trace_firmware::event::ReaderEvent;
use trace_firmware::io::SerialReader;
use trace_firmware::m100::{M100, M100Config};
use trace_firmware::pn532::{Pn532, Pn532Config};
use trace_firmware::stats::Stats;
use trace_proto::link::ReaderKind;

use crate::port::ReaderPort;

/// A UART a reader module is wired to.
///
/// Line errors (framing, parity, overrun) are not errors of this trait, hence the
/// infallible error type: damaged bytes reach the reader driver, whose checksums reject
/// the frame they belong to and whose resynchronisation finds the next one.
pub trait ReaderUart: Read + ReadReady + Write + ErrorType<Error = Infallible> {
    /// Switches the line to `baud` bits per second, 8N1. Called before a driver of
    /// another module family starts on the port.
    fn set_baud_rate(&mut self, baud: u32);
}

/// The driver of whatever module the configuration puts on a UART.
pub enum UartReader {
    /// No module: received bytes are dropped, nothing is sent.
    Off(Stats),
    /// An RDM6300-class EM4100 module.
    Em4100(Em4100),
    /// A PN532 on HSU.
    Pn532(Pn532),
    /// An M100-family UHF module.
    M100(M100),
}

impl UartReader {
    /// A fresh driver for `kind`; `Mfrc522` (an SPI chip) and `None` give
    /// [`Off`](Self::Off). The M100 transmits at `uhf_tx_power_cdbm`.
    pub fn new(kind: Option<ReaderKind>, uhf_tx_power_cdbm: i16) -> Self {
        match kind {
            Some(ReaderKind::Em4100) => Self::Em4100(Em4100::new()),
            Some(ReaderKind::Pn532) => Self::Pn532(Pn532::new(Pn532Config::default())),
            Some(ReaderKind::UhfM100) => Self::M100(M100::new(M100Config {
                // Validated against the board's range, which is never negative.
                tx_power_cdbm: u16::try_from(uhf_tx_power_cdbm).unwrap_or_default(),
                ..M100Config::default()
            })),
            Some(ReaderKind::Mfrc522) | None => Self::Off(Stats::default()),
        }
    }

    /// The module family driven, `None` when off.
    pub fn kind(&self) -> Option<ReaderKind> {
        match self {
            Self::Off(_) => None,
            Self::Em4100(_) => Some(ReaderKind::Em4100),
            Self::Pn532(_) => Some(ReaderKind::Pn532),
            Self::M100(_) => Some(ReaderKind::UhfM100),
        }
    }

    /// The module's line speed (RDM6300: 9600 8N1; PN532 HSU and M100: 115200 8N1),
    /// `None` when off.
    pub fn baud_rate(&self) -> Option<u32> {
        match self {
            Self::Off(_) => None,
            Self::Em4100(_) => Some(9_600),
            Self::Pn532(_) | Self::M100(_) => Some(115_200),
        }
    }

    fn driver(&mut self) -> Option<&mut dyn SerialDriver> {
        match self {
            Self::Off(_) => None,
            Self::Em4100(d) => Some(d),
            Self::Pn532(d) => Some(d),
            Self::M100(d) => Some(d),
        }
    }

    fn driver_ref(&self) -> Option<&dyn SerialDriver> {
        match self {
            Self::Off(_) => None,
            Self::Em4100(d) => Some(d),
            Self::Pn532(d) => Some(d),
            Self::M100(d) => Some(d),
        }
    }
}

impl SerialDriver for UartReader {
    fn poll(&mut self, now_ms: u64) -> Option<ReaderEvent> {
        self.driver()?.poll(now_ms)
    }

    fn push(&mut self, byte: u8) {
        if let Some(driver) = self.driver() {
            driver.push(byte);
        }
    }

    fn next_event(&mut self) -> Option<ReaderEvent> {
        self.driver()?.next_event()
    }

    fn pending_tx(&self) -> &[u8] {
        self.driver_ref().map_or(&[], |d| d.pending_tx())
    }

    fn consume_tx(&mut self, written: usize) {
        if let Some(driver) = self.driver() {
            driver.consume_tx(written);
        }
    }

    fn pending_rx(&self) -> usize {
        self.driver_ref().map_or(0, |d| d.pending_rx())
    }

    fn stats(&self) -> &Stats {
        match self {
            Self::Off(stats) => stats,
            Self::Em4100(d) => d.stats(),
            Self::Pn532(d) => d.stats(),
            Self::M100(d) => d.stats(),
        }
    }
}

/// A board UART that carries a reader module.
pub struct UartPort<U> {
    number: u8,
    /// Always `Some` between calls: taken apart only while a new driver is fitted.
    reader: Option<SerialReader<UartReader, U>>,
}

impl<U: ReaderUart> UartPort<U> {
    /// Port `number` on `uart`, off until the station assigns it a reader.
    pub fn new(number: u8, uart: U) -> Self {
        Self {
            number,
            reader: Some(SerialReader::new(UartReader::Off(Stats::default()), uart)),
        }
    }

    /// The driver currently assigned, e.g. for its statistics.
    pub fn reader(&mut self) -> Option<&mut UartReader> {
        self.reader.as_mut().map(SerialReader::driver)
    }
}

impl<U: ReaderUart> ReaderPort for UartPort<U> {
    fn number(&self) -> u8 {
        self.number
    }

    fn bus(&self) -> Bus {
        Bus::Uart
    }

    fn assign(&mut self, kind: Option<ReaderKind>, uhf_tx_power_cdbm: i16) {
        let Some(serial) = self.reader.take() else {
            return;
        };
        let (mut reader, mut uart) = serial.release();
        match (&mut reader, kind) {
            // A running M100 is stopped before its power is set again; a new driver
            // would talk to a module still busy inventorying.
            (UartReader::M100(m100), Some(ReaderKind::UhfM100)) => {
                m100.set_tx_power(u16::try_from(uhf_tx_power_cdbm).unwrap_or_default());
            }
            _ => {
                reader = UartReader::new(kind, uhf_tx_power_cdbm);
                if let Some(baud) = reader.baud_rate() {
                    uart.set_baud_rate(baud);
                }
            }
        }
        self.reader = Some(SerialReader::new(reader, uart));
    }

    fn service(&mut self, now_ms: u64, on_event: &mut dyn FnMut(ReaderEvent)) {
        if let Some(serial) = self.reader.as_mut() {
            let Ok(()) = serial.service(now_ms, on_event);
        }
    }
}
