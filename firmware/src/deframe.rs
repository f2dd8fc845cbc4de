//! The resynchronising frame finder shared by the UART drivers.
//!
//! Bytes accumulate in a fixed window. A protocol's [`Framing`] says where a frame may
//! start and whether the window holds a complete, invalid or unfinished frame. On an
//! invalid frame only its first byte is dropped and the rest is searched again, so a
//! real frame hidden inside a false start (garbage that happens to contain a start
//! byte) is still found.

use crate::stats::LineError;

/// What a protocol makes of a window that begins at a possible frame start.
pub(crate) enum Scan<F> {
    /// More bytes are needed.
    Incomplete,
    /// A valid frame occupying the first `len` bytes.
    Frame(F, usize),
    /// The bytes at the start cannot be a frame.
    Reject(LineError),
}

/// One module's frame format.
pub(crate) trait Framing {
    /// A decoded frame.
    type Frame;

    /// Offset of the first byte that may begin a frame (`window.len()` if none).
    fn candidate_start(window: &[u8]) -> usize;

    /// Whether a skipped byte is line idle (e.g. PN532 preamble zeros), not garbage.
    fn is_idle(byte: u8) -> bool;

    /// Judges a window that begins at a candidate start. A window as long as the
    /// deframer's capacity must never be `Incomplete`.
    fn scan(window: &[u8]) -> Scan<Self::Frame>;
}

/// Byte window plus resynchronisation for the protocol `P`; `N` bytes hold its
/// longest frame.
pub(crate) struct Deframer<P, const N: usize> {
    window: [u8; N],
    len: usize,
    /// Inside a run of dropped bytes already reported, so a run counts once.
    skipping: bool,
    _protocol: core::marker::PhantomData<fn() -> P>,
}

impl<P: Framing, const N: usize> Default for Deframer<P, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Framing, const N: usize> Deframer<P, N> {
    pub(crate) const fn new() -> Self {
        Self {
            window: [0; N],
            len: 0,
            skipping: false,
            _protocol: core::marker::PhantomData,
        }
    }

    /// Appends a byte. Call [`pop`](Self::pop) until `None` after each push; should
    /// the window still be full, its oldest byte is dropped as an overflow.
    pub(crate) fn push(&mut self, byte: u8) -> Option<LineError> {
        let overflow = self.len == N;
        if overflow {
            self.discard(1);
        }
        if let Some(slot) = self.window.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
        overflow.then_some(LineError::Overflow)
    }

    /// The next frame, or the reason bytes were dropped, or `None` when more bytes
    /// are needed.
    pub(crate) fn pop(&mut self) -> Option<Result<P::Frame, LineError>> {
        loop {
            let window = self.window.get(..self.len).unwrap_or_default();
            let start = P::candidate_start(window).min(self.len);
            if start > 0 {
                let garbage = window
                    .get(..start)
                    .unwrap_or_default()
                    .iter()
                    .any(|&b| !P::is_idle(b));
                self.discard(start);
                if garbage && !self.skipping {
                    self.skipping = true;
                    return Some(Err(LineError::Garbage));
                }
                continue;
            }
            if window.is_empty() {
                return None;
            }
            return match P::scan(window) {
                Scan::Incomplete => None,
                Scan::Frame(frame, len) => {
                    self.discard(len.max(1));
                    self.skipping = false;
                    Some(Ok(frame))
                }
                Scan::Reject(error) => {
                    self.discard(1);
                    self.skipping = true;
                    Some(Err(error))
                }
            };
        }
    }

    /// Bytes held, waiting to complete a frame.
    pub(crate) fn pending(&self) -> usize {
        self.len
    }

    fn discard(&mut self, count: usize) {
        let count = count.min(self.len);
        self.window.copy_within(count..self.len, 0);
        self.len -= count;
    }
}

/// Wrapping 8-bit sum, the checksum of the PN532 and M100 frames.
pub(crate) fn sum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |acc, &b| acc.wrapping_add(b))
}
