//! The contract every byte-stream emulator keeps, and the output line they share.

use std::collections::VecDeque;
use std::time::Duration;

use crate::field::{Faults, Field, Scene};

/// A reader module seen from its host: bytes in, bytes out, time advanced by the caller.
///
/// Nothing here blocks or reads a clock, so a test drives an emulator step by step and
/// gets the same bytes on every run; the transports in [`crate::transport`] drive it from
/// a real socket or pseudo-terminal and the wall clock.
pub trait Emulator: Scene + Send {
    /// Short name of the module kind (`em4100`, `pn532`, `m100`, `llrp`).
    fn kind(&self) -> &'static str;

    /// Bytes the host sent. Answers are queued for [`Emulator::poll`]; a silent module
    /// drops them.
    fn feed(&mut self, bytes: &[u8]);

    /// Moves emulated time to `now` (time since the emulator started). Periodic output
    /// (repeated frames, inventory rounds, reports, keepalives) due up to `now` is queued.
    /// Time never goes back: an earlier `now` is ignored.
    fn advance(&mut self, now: Duration);

    /// Appends the bytes the module has sent since the last call to `out` and returns how
    /// many; in dribble mode at most one.
    fn poll(&mut self, out: &mut Vec<u8>) -> usize;

    /// A host opened the connection (TCP accept). Readers that greet their host (LLRP)
    /// do it here; serial modules notice nothing.
    fn host_connected(&mut self) {}

    /// The module has asked to end the connection (LLRP CLOSE_CONNECTION); the transport
    /// closes it once the queued bytes are sent.
    fn wants_hang_up(&mut self) -> bool {
        false
    }
}

impl<E: Emulator + ?Sized> Scene for Box<E> {
    fn field(&mut self) -> &mut Field {
        (**self).field()
    }

    fn faults(&mut self) -> &mut Faults {
        (**self).faults()
    }
}

/// A boxed emulator is an emulator, so a program can pick the kind at run time.
impl<E: Emulator + ?Sized> Emulator for Box<E> {
    fn kind(&self) -> &'static str {
        (**self).kind()
    }

    fn feed(&mut self, bytes: &[u8]) {
        (**self).feed(bytes);
    }

    fn advance(&mut self, now: Duration) {
        (**self).advance(now);
    }

    fn poll(&mut self, out: &mut Vec<u8>) -> usize {
        (**self).poll(out)
    }

    fn host_connected(&mut self) {
        (**self).host_connected();
    }

    fn wants_hang_up(&mut self) -> bool {
        (**self).wants_hang_up()
    }
}

/// The bytes a module has sent and not yet handed to its host, with the fault knobs that
/// shape them.
#[derive(Debug, Default)]
pub(crate) struct Line {
    out: VecDeque<u8>,
    pub(crate) faults: Faults,
}

impl Line {
    /// Queues one frame, after any pending noise; a silent module sends nothing.
    pub(crate) fn send(&mut self, frame: &[u8]) {
        self.flush_noise();
        if !self.faults.is_silent() {
            self.out.extend(frame);
        }
    }

    /// Whether the next frame is to carry a bad check value (uses up one corruption).
    /// A silent module corrupts nothing, since it sends nothing.
    pub(crate) fn corrupt_this_frame(&mut self) -> bool {
        !self.faults.is_silent() && self.faults.take_corruption()
    }

    /// Whether the module is silent.
    pub(crate) fn is_silent(&self) -> bool {
        self.faults.is_silent()
    }

    /// Hands queued bytes to the host; see [`Emulator::poll`].
    pub(crate) fn poll(&mut self, out: &mut Vec<u8>) -> usize {
        self.flush_noise();
        let count = if self.faults.is_dribble() {
            self.out.len().min(1)
        } else {
            self.out.len()
        };
        out.extend(self.out.drain(..count));
        count
    }

    /// Drops everything queued (a new TCP connection starts with an empty line).
    pub(crate) fn clear(&mut self) {
        self.out.clear();
    }

    // Noise is electrical, not the module speaking: it reaches the host even while the
    // module is silent.
    fn flush_noise(&mut self) {
        let noise = self.faults.take_noise();
        self.out.extend(noise);
    }
}

/// Emulated time that only moves forward.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Clock {
    now: Duration,
}

impl Clock {
    /// Moves to `now` unless that is in the past; returns the current time.
    pub(crate) fn advance(&mut self, now: Duration) -> Duration {
        self.now = self.now.max(now);
        self.now
    }

    /// The current emulated time.
    pub(crate) fn now(&self) -> Duration {
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_goes_between_frames_and_dribble_hands_out_one_byte() {
        let mut line = Line::default();
        line.send(&[1, 2]);
        line.faults.inject_noise(&[0xEE]);
        line.send(&[3]);
        line.faults.set_dribble(true);
        let mut out = Vec::new();
        assert_eq!(line.poll(&mut out), 1);
        assert_eq!(line.poll(&mut out), 1);
        line.faults.set_dribble(false);
        assert_eq!(line.poll(&mut out), 2);
        assert_eq!(out, [1, 2, 0xEE, 3]);
    }

    #[test]
    fn a_silent_line_sends_no_frames_but_still_carries_noise() {
        let mut line = Line::default();
        line.faults.set_silent(true);
        line.faults.corrupt_next(1);
        assert!(!line.corrupt_this_frame());
        line.send(&[1, 2]);
        line.faults.inject_noise(&[0xEE]);
        let mut out = Vec::new();
        line.poll(&mut out);
        assert_eq!(out, [0xEE]);
    }
}
