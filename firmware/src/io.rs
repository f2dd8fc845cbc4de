//! Thin I/O adapters: a UART reader driver on an `embedded-io` port, and the gateway
//! link on another.

use embedded_io::{Read, ReadReady, Write};
use trace_proto::link::{Configure, MAX_FRAME_LEN};

use crate::app::App;
use crate::driver::SerialDriver;
use crate::event::ReaderEvent;

/// Bytes read from a port per `read` call.
const READ_CHUNK: usize = 32;
/// `read` calls per service call, so one chattering port cannot starve the others.
const MAX_READS: usize = 8;

/// A [`SerialDriver`] wired to a UART.
pub struct SerialReader<D, P> {
    driver: D,
    port: P,
}

impl<D: SerialDriver, P: Read + ReadReady + Write> SerialReader<D, P> {
    /// Wires `driver` to `port`.
    pub fn new(driver: D, port: P) -> Self {
        Self { driver, port }
    }

    /// The driver, e.g. for its statistics or settings.
    pub fn driver(&mut self) -> &mut D {
        &mut self.driver
    }

    /// Gives driver and port back.
    pub fn release(self) -> (D, P) {
        (self.driver, self.port)
    }

    /// One round at `now_ms`: advances the driver's timers, writes what it queued and
    /// feeds it the bytes already received, handing each event to `on_event`. Reads
    /// only what the port reports ready, so it does not wait for the module.
    pub fn service(
        &mut self,
        now_ms: u64,
        mut on_event: impl FnMut(ReaderEvent),
    ) -> Result<(), P::Error> {
        if let Some(event) = self.driver.poll(now_ms) {
            on_event(event);
        }
        while !self.driver.pending_tx().is_empty() {
            let written = self.port.write(self.driver.pending_tx())?;
            // embedded-io forbids Ok(0) here; a port breaking that must not hang us.
            if written == 0 {
                break;
            }
            self.driver.consume_tx(written);
        }
        let mut buf = [0u8; READ_CHUNK];
        for _ in 0..MAX_READS {
            if !self.port.read_ready()? {
                break;
            }
            let read = self.port.read(&mut buf)?;
            for event in self.driver.feed(buf.get(..read).unwrap_or_default()) {
                on_event(event);
            }
        }
        Ok(())
    }
}

/// Moves frames between the [`App`] and the gateway UART: writes every frame due at
/// `now_ms`, then hands the application whatever the gateway sent. Returns a
/// configuration the board must now carry out, if one was accepted.
pub fn service_link<P: Read + ReadReady + Write, const TAGS: usize>(
    app: &mut App<TAGS>,
    port: &mut P,
    now_ms: u64,
) -> Result<Option<Configure>, P::Error> {
    let mut frame = [0u8; MAX_FRAME_LEN];
    while let Some(len) = app.next_frame(now_ms, &mut frame) {
        port.write_all(frame.get(..len).unwrap_or_default())?;
    }
    let mut buf = [0u8; READ_CHUNK];
    let mut applied = None;
    for _ in 0..MAX_READS {
        if !port.read_ready()? {
            break;
        }
        let read = port.read(&mut buf)?;
        applied = app.receive(buf.get(..read).unwrap_or_default()).or(applied);
    }
    Ok(applied)
}
