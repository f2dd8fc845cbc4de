//! An MFRC522 on an SPI chip select, driven or idle as the configuration says.

use embedded_hal::spi::SpiDevice;
use trace_firmware::app::Bus;
use trace_firmware::event::ReaderEvent;
use trace_firmware::mfrc522::{Mfrc522, Mfrc522Config};
use trace_firmware::stats::Stats;
use trace_proto::link::{FaultKind, ReaderKind};

use crate::port::ReaderPort;

/// What the SPI device is doing.
enum Slot<S> {
    Idle(S),
    Reading(Mfrc522<S>),
}

/// A board SPI chip select that can carry an MFRC522.
pub struct SpiPort<S> {
    number: u8,
    /// Always `Some` between calls: taken apart only while the driver changes.
    slot: Option<Slot<S>>,
}

impl<S: SpiDevice> SpiPort<S> {
    /// Port `number` on `spi`, idle until the station assigns it an MFRC522.
    pub fn new(number: u8, spi: S) -> Self {
        Self {
            number,
            slot: Some(Slot::Idle(spi)),
        }
    }

    /// The MFRC522 driver's counters, `None` while the port is idle.
    pub fn stats(&self) -> Option<&Stats> {
        match &self.slot {
            Some(Slot::Reading(driver)) => Some(driver.stats()),
            _ => None,
        }
    }
}

impl<S: SpiDevice> ReaderPort for SpiPort<S> {
    fn number(&self) -> u8 {
        self.number
    }

    fn bus(&self) -> Bus {
        Bus::Spi
    }

    fn assign(&mut self, kind: Option<ReaderKind>, _uhf_tx_power_cdbm: i16) {
        let spi = match self.slot.take() {
            Some(Slot::Idle(spi)) => spi,
            Some(Slot::Reading(driver)) => driver.release(),
            None => return,
        };
        self.slot = Some(match kind {
            Some(ReaderKind::Mfrc522) => Slot::Reading(Mfrc522::new(spi, Mfrc522Config::default())),
            _ => Slot::Idle(spi),
        });
    }

    fn service(&mut self, now_ms: u64, on_event: &mut dyn FnMut(ReaderEvent)) {
        let Some(Slot::Reading(driver)) = self.slot.as_mut() else {
            return;
        };
        match driver.poll(now_ms) {
            Ok(Some(event)) => on_event(event),
            Ok(None) => {}
            // The driver initialises the chip again after its retry pause.
            Err(_) => on_event(ReaderEvent::Fault(FaultKind::Reset)),
        }
    }
}
