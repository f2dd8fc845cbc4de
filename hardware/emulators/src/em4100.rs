//! An RDM6300-class EM4100 125 kHz module: output only, one 14-byte ASCII frame per read,
//! repeated while the tag stays in the field.
//!
//! EM4100 has no anticollision. With several tags in range the module keeps reading the
//! one that came first (the strongest coupling wins on real coils); the next one is read
//! once the first has left.

use std::time::Duration;

use crate::emulator::{Clock, Emulator, Line};
use crate::field::{Faults, Field, Scene};
use crate::tag::Em4100Tag;

/// Start of a frame.
pub const STX: u8 = 0x02;
/// End of a frame.
pub const ETX: u8 = 0x03;
/// Time between two frames of the same tag (readers.md: about 50 ms).
pub const REPEAT: Duration = Duration::from_millis(50);

/// The frame the module sends for `tag`: STX, 10 ASCII hex digits of the 5 data bytes,
/// 2 of their XOR, ETX.
pub fn frame(tag: &Em4100Tag) -> [u8; 14] {
    frame_with_checksum(tag, tag.checksum())
}

fn frame_with_checksum(tag: &Em4100Tag, checksum: u8) -> [u8; 14] {
    let mut out = [0u8; 14];
    out[0] = STX;
    let digits = tag
        .data()
        .into_iter()
        .chain([checksum])
        .flat_map(|b| [b >> 4, b & 0x0F]);
    for (slot, digit) in out[1..13].iter_mut().zip(digits) {
        *slot = b"0123456789ABCDEF"[usize::from(digit)];
    }
    out[13] = ETX;
    out
}

/// The emulated module.
#[derive(Debug)]
pub struct Em4100Reader {
    field: Field,
    line: Line,
    clock: Clock,
    repeat: Duration,
    reading: Option<(Em4100Tag, Duration)>,
}

impl Default for Em4100Reader {
    fn default() -> Self {
        Self::new(REPEAT)
    }
}

impl Em4100Reader {
    /// A module repeating each read every `repeat` (zero is taken as one millisecond).
    pub fn new(repeat: Duration) -> Self {
        Self {
            field: Field::default(),
            line: Line::default(),
            clock: Clock::default(),
            repeat: repeat.max(Duration::from_millis(1)),
            reading: None,
        }
    }

    fn send(&mut self, tag: &Em4100Tag) {
        let checksum = if self.line.corrupt_this_frame() {
            // Still valid ASCII hex, so only the checksum test can catch it.
            tag.checksum().wrapping_add(1)
        } else {
            tag.checksum()
        };
        self.line.send(&frame_with_checksum(tag, checksum));
    }
}

impl Scene for Em4100Reader {
    fn field(&mut self) -> &mut Field {
        &mut self.field
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.line.faults
    }
}

impl Emulator for Em4100Reader {
    fn kind(&self) -> &'static str {
        "em4100"
    }

    /// The module has no receive line: host bytes are ignored.
    fn feed(&mut self, _bytes: &[u8]) {}

    fn advance(&mut self, now: Duration) {
        let now = self.clock.advance(now);
        let Some(tag) = self.field.em4100().next().copied() else {
            self.reading = None;
            return;
        };
        let mut due = match self.reading {
            Some((reading, due)) if reading == tag => due,
            _ => now,
        };
        while due <= now {
            self.send(&tag);
            due += self.repeat;
        }
        self.reading = Some((tag, due));
    }

    fn poll(&mut self, out: &mut Vec<u8>) -> usize {
        self.line.poll(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::Tag;

    fn reader_with(tag: &str) -> Em4100Reader {
        let mut reader = Em4100Reader::default();
        reader.field().enter(tag.parse::<Tag>().unwrap(), 1, -50);
        reader
    }

    #[test]
    fn frame_is_the_readers_md_example() {
        let tag = Em4100Tag::new([0x10, 0x00, 0x86, 0xF4, 0x44]);
        assert_eq!(&frame(&tag), b"\x02100086F44426\x03");
    }

    #[test]
    fn repeats_every_interval_while_in_range() {
        let mut reader = reader_with("em4100:100086F444");
        let mut out = Vec::new();
        reader.advance(Duration::ZERO);
        reader.advance(Duration::from_millis(49));
        reader.poll(&mut out);
        assert_eq!(out.len(), 14);
        reader.advance(Duration::from_millis(150));
        reader.poll(&mut out);
        assert_eq!(out.len(), 14 * 4);
        reader.field().clear();
        reader.advance(Duration::from_millis(500));
        assert_eq!(reader.poll(&mut out), 0);
    }
}
