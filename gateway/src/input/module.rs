//! A reader module on a USB-serial adapter, driven by the `trace-firmware` drivers
//! (the same code that runs on the boards), with no firmware in between.

use trace_firmware::driver::SerialDriver;
use trace_firmware::event::ReaderEvent;
use trace_proto::link::ReaderState;

use super::serial::LineProtocol;
use super::{InputEvent, unix_ms};
use crate::identity::tag_uri;

/// A [`SerialDriver`] as a [`LineProtocol`]; the driver is made anew on every (re)open.
pub struct ModuleProtocol<D, F> {
    reader: usize,
    make: F,
    driver: D,
}

impl<D: SerialDriver, F: Fn() -> D> ModuleProtocol<D, F> {
    /// A protocol for reader `reader` whose drivers `make` builds.
    pub fn new(reader: usize, make: F) -> Self {
        Self {
            reader,
            driver: make(),
            make,
        }
    }

    fn report(&self, event: ReaderEvent, out: &mut Vec<InputEvent>) {
        let reader = self.reader;
        out.push(match event {
            ReaderEvent::Ready => InputEvent::State {
                reader,
                state: ReaderState::Ready,
            },
            ReaderEvent::Tag(sighting) => match tag_uri(&sighting.tag) {
                Ok(tag) => InputEvent::Read {
                    reader,
                    antenna: u16::from(sighting.antenna),
                    tag,
                    at_ms: unix_ms(),
                },
                Err(e) => {
                    tracing::warn!(reader, error = %e, "tag read names no unit");
                    InputEvent::Fault { reader }
                }
            },
            ReaderEvent::Fault(kind) => {
                tracing::warn!(reader, fault = ?kind, "reader fault");
                InputEvent::Fault { reader }
            }
        });
    }
}

impl<D: SerialDriver, F: Fn() -> D> LineProtocol for ModuleProtocol<D, F> {
    fn reader(&self) -> usize {
        self.reader
    }

    fn reset(&mut self) {
        self.driver = (self.make)();
    }

    fn received(&mut self, bytes: &[u8], _now_ms: u64, out: &mut Vec<InputEvent>) {
        for &byte in bytes {
            self.driver.push(byte);
            while let Some(event) = self.driver.next_event() {
                self.report(event, out);
            }
        }
    }

    fn poll(&mut self, now_ms: u64, out: &mut Vec<InputEvent>) {
        if let Some(event) = self.driver.poll(now_ms) {
            self.report(event, out);
        }
    }

    fn pending_tx(&self) -> &[u8] {
        self.driver.pending_tx()
    }

    fn consume_tx(&mut self, written: usize) {
        self.driver.consume_tx(written);
    }
}
