//! The contract of the UART reader drivers: byte-fed, clock-fed, no I/O.

use crate::event::ReaderEvent;
use crate::stats::Stats;

/// A reader driver for a module on a serial line, as a state machine without I/O.
///
/// The caller owns the UART and the clock. In a loop it calls [`poll`](Self::poll)
/// with the current time, writes [`pending_tx`](Self::pending_tx) to the module and
/// reports what it wrote with [`consume_tx`](Self::consume_tx), and hands every
/// received byte to [`feed`](Self::feed). [`io::SerialReader`](crate::io::SerialReader)
/// is that loop for an `embedded-io` port. No method blocks, allocates or panics.
pub trait SerialDriver {
    /// Advances the driver's timers to `now_ms` (a monotonic millisecond tick that
    /// never goes backwards): sends the next command when one is due, and turns an
    /// expired deadline into a fault. Returns at most one event per call.
    fn poll(&mut self, now_ms: u64) -> Option<ReaderEvent>;

    /// Buffers one received byte without interpreting it. Follow every `push` with
    /// [`next_event`](Self::next_event) until it returns `None`; [`feed`](Self::feed)
    /// does both.
    fn push(&mut self, byte: u8);

    /// Interprets buffered bytes and returns the next event they complete, or `None`
    /// once they are all used up or more bytes are needed.
    fn next_event(&mut self) -> Option<ReaderEvent>;

    /// Bytes waiting to be written to the module, oldest first.
    fn pending_tx(&self) -> &[u8];

    /// Marks the first `written` bytes of [`pending_tx`](Self::pending_tx) as sent.
    fn consume_tx(&mut self, written: usize);

    /// Received bytes held while a frame is incomplete; never more than the driver's
    /// longest frame.
    fn pending_rx(&self) -> usize;

    /// Counters since the driver was created.
    fn stats(&self) -> &Stats;

    /// Feeds received bytes; the iterator yields the events they complete. Bytes are
    /// taken only as the iterator advances, so drive it to the end.
    fn feed<'d, 'b>(&'d mut self, bytes: &'b [u8]) -> Feed<'d, 'b, Self>
    where
        Self: Sized,
    {
        Feed {
            driver: self,
            bytes: bytes.iter(),
        }
    }
}

/// Iterator returned by [`SerialDriver::feed`].
#[must_use = "bytes are interpreted only as the iterator advances"]
pub struct Feed<'d, 'b, D> {
    driver: &'d mut D,
    bytes: core::slice::Iter<'b, u8>,
}

impl<D: SerialDriver> Iterator for Feed<'_, '_, D> {
    type Item = ReaderEvent;

    fn next(&mut self) -> Option<ReaderEvent> {
        loop {
            if let Some(event) = self.driver.next_event() {
                return Some(event);
            }
            let &byte = self.bytes.next()?;
            self.driver.push(byte);
        }
    }
}

/// Longest burst of bytes a driver queues for its module (PN532 wake-up plus
/// SAMConfiguration is the longest, 26 bytes).
const TX_CAPACITY: usize = 48;

/// Bytes a driver wants written. Queuing a command drops whatever the caller has
/// not written yet: a stale command is worth less than the one replacing it.
#[derive(Debug, Default)]
pub(crate) struct TxBuffer {
    bytes: heapless::Vec<u8, TX_CAPACITY>,
}

impl TxBuffer {
    /// Replaces the pending bytes with `parts`, written one after the other.
    pub(crate) fn send(&mut self, parts: &[&[u8]]) {
        self.bytes.clear();
        for part in parts {
            // Commands are the drivers' own constants, all shorter than the buffer.
            let _fits = self.bytes.extend_from_slice(part).is_ok();
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn consume(&mut self, written: usize) {
        let written = written.min(self.bytes.len());
        self.bytes.rotate_left(written);
        self.bytes.truncate(self.bytes.len() - written);
    }
}
