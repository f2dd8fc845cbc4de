//! Error and frame counters every driver keeps, so a board can report line quality.

/// Why received bytes were dropped instead of forming a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineError {
    /// Bytes that cannot start a frame (noise, a half frame after a reset).
    Garbage,
    /// A frame whose header or trailer is wrong (bad type, missing end byte).
    Malformed,
    /// A frame whose checksum does not match.
    Checksum,
    /// A frame announcing more bytes than the driver buffers.
    Overflow,
}

/// Counters since the driver was created; every counter wraps at `u32::MAX`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Stats {
    /// Well-formed frames received.
    pub frames: u32,
    /// Runs of garbage skipped and malformed frames (one per resynchronisation).
    pub framing: u32,
    /// Frames failing the module's checksum (EM4100 XOR, PN532 DCS, M100 CK).
    pub checksum: u32,
    /// Frames longer than the driver's buffer.
    pub overflow: u32,
    /// Commands the module did not answer in time.
    pub timeouts: u32,
    /// Error codes and error frames sent by the module.
    pub module_errors: u32,
    /// Tag-level check failures: Gen2 CRC-16, ISO 14443A CRC_A or BCC.
    pub crc: u32,
    /// Well-formed frames whose content makes no sense (e.g. a 5-byte UID).
    pub bad_content: u32,
}

impl Stats {
    /// Counts one dropped frame or garbage run.
    pub fn record(&mut self, error: LineError) {
        let counter = match error {
            LineError::Garbage | LineError::Malformed => &mut self.framing,
            LineError::Checksum => &mut self.checksum,
            LineError::Overflow => &mut self.overflow,
        };
        *counter = counter.wrapping_add(1);
    }
}

/// Adds one to a wrapping counter.
pub(crate) fn bump(counter: &mut u32) {
    *counter = counter.wrapping_add(1);
}
