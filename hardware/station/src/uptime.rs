//! The firmware's 64-bit millisecond clock, built from a 32-bit tick counter.

/// Extends a wrapping 32-bit millisecond counter (what an interrupt handler can bump
/// atomically on a Cortex-M) to the 64-bit monotonic time the drivers and the link
/// use. Read the counter at least once every 49 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uptime {
    last: u32,
    wraps: u64,
}

impl Uptime {
    /// A clock starting at the counter's zero.
    pub const fn new() -> Self {
        Self { last: 0, wraps: 0 }
    }

    /// Milliseconds since boot, given the counter's current value.
    pub fn now_ms(&mut self, counter: u32) -> u64 {
        if counter < self.last {
            self.wraps += 1;
        }
        self.last = counter;
        (self.wraps << 32) | u64::from(counter)
    }
}
