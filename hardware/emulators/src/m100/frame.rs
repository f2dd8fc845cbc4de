//! M100 serial frames: `BB Type Cmd PL(u16 BE) Params CK 7E`, CK the low byte of the sum
//! of Type..Params. There is no escaping, so a frame is delimited by its PL, never by
//! looking for `7E`.

/// First byte of every frame.
pub const HEAD: u8 = 0xBB;
/// Last byte of every frame.
pub const END: u8 = 0x7E;
/// Frame type of host commands.
pub const TYPE_COMMAND: u8 = 0x00;
/// Frame type of module responses.
pub const TYPE_RESPONSE: u8 = 0x01;
/// Frame type of tag notifications.
pub const TYPE_NOTIFICATION: u8 = 0x02;
/// Longest parameter field the module accepts from its host.
pub const MAX_PARAMS: usize = 512;

/// A frame with a correct checksum, or a wrong one when `corrupt`.
pub fn frame(kind: u8, command: u8, params: &[u8], corrupt: bool) -> Vec<u8> {
    let length = u16::try_from(params.len()).unwrap_or(u16::MAX);
    let mut out = Vec::with_capacity(params.len() + 7);
    out.extend([HEAD, kind, command]);
    out.extend(length.to_be_bytes());
    out.extend_from_slice(params);
    let checksum = out
        .iter()
        .skip(1)
        .fold(0u8, |acc, b| acc.wrapping_add(*b))
        .wrapping_add(u8::from(corrupt));
    out.extend([checksum, END]);
    out
}

/// A command frame from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostFrame {
    /// A well-formed command.
    Command {
        /// The command code.
        command: u8,
        /// Its parameters.
        params: Vec<u8>,
    },
    /// Bytes that started like a frame but had a bad type, length, checksum or end mark;
    /// the module drops them without an answer.
    Invalid,
}

/// Byte-fed parser of host frames; bytes between frames are skipped.
#[derive(Debug, Default)]
pub struct FrameParser {
    buf: Vec<u8>,
}

impl FrameParser {
    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame, if the buffer holds one.
    pub fn next_frame(&mut self) -> Option<HostFrame> {
        let start = self
            .buf
            .iter()
            .position(|&b| b == HEAD)
            .unwrap_or(self.buf.len());
        self.buf.drain(..start);
        let header = self.buf.get(..5)?;
        let (kind, command) = (header.get(1).copied()?, header.get(2).copied()?);
        let length = usize::from(u16::from_be_bytes([
            header.get(3).copied()?,
            header.get(4).copied()?,
        ]));
        if kind != TYPE_COMMAND || length > MAX_PARAMS {
            return Some(self.resync());
        }
        let whole = self.buf.get(..length + 7)?;
        let params = whole.get(5..5 + length)?.to_vec();
        let valid = *whole == *frame(kind, command, &params, false);
        if !valid {
            return Some(self.resync());
        }
        self.buf.drain(..length + 7);
        Some(HostFrame::Command { command, params })
    }

    // A damaged frame's length cannot be trusted: look for the next head byte after this one.
    fn resync(&mut self) -> HostFrame {
        self.buf.drain(..1);
        HostFrame::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_md_command_frames() {
        assert_eq!(
            frame(TYPE_COMMAND, 0x22, &[], false),
            [0xBB, 0x00, 0x22, 0x00, 0x00, 0x22, 0x7E]
        );
        assert_eq!(
            frame(TYPE_COMMAND, 0x28, &[], false),
            [0xBB, 0x00, 0x28, 0x00, 0x00, 0x28, 0x7E]
        );
        assert_eq!(
            frame(TYPE_RESPONSE, 0x28, &[0x00], false),
            [0xBB, 0x01, 0x28, 0x00, 0x01, 0x00, 0x2A, 0x7E]
        );
        assert_eq!(
            frame(TYPE_COMMAND, 0xB6, &[0x07, 0xD0], false),
            [0xBB, 0x00, 0xB6, 0x00, 0x02, 0x07, 0xD0, 0x8F, 0x7E]
        );
        assert_eq!(
            frame(TYPE_RESPONSE, 0xFF, &[0x15], false),
            [0xBB, 0x01, 0xFF, 0x00, 0x01, 0x15, 0x16, 0x7E]
        );
    }

    #[test]
    fn parser_frames_by_length_and_resyncs_after_damage() {
        let mut parser = FrameParser::default();
        let mut bad = frame(TYPE_COMMAND, 0x22, &[], false);
        bad[5] ^= 0xFF;
        parser.push(&[0x7E, 0x13]);
        parser.push(&bad);
        parser.push(&frame(TYPE_COMMAND, 0x27, &[0x22, 0x7E, 0xBB], false));
        assert_eq!(parser.next_frame(), Some(HostFrame::Invalid));
        assert_eq!(
            parser.next_frame(),
            Some(HostFrame::Command {
                command: 0x27,
                params: vec![0x22, 0x7E, 0xBB]
            })
        );
        assert_eq!(parser.next_frame(), None);
    }
}
