//! PN532 host-link frames (HSU): the parser for what the host sends and the encoder for
//! what the chip answers.

/// The ACK frame, sent by the chip after every well-formed command and by the host to abort.
pub const ACK: [u8; 6] = [0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00];
/// The NACK frame: the host asks for the last response again.
pub const NACK: [u8; 6] = [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00];
/// The syntax error frame: a well-formed command the chip cannot carry out.
pub const ERROR: [u8; 8] = [0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00];
/// Frame identifier of host → chip frames.
pub const TFI_HOST: u8 = 0xD4;
/// Frame identifier of chip → host frames.
pub const TFI_CHIP: u8 = 0xD5;
/// Largest data field (TFI included) of an extended frame.
pub const MAX_DATA: usize = 265;

/// A frame from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostFrame {
    /// ACK: aborts the command in progress.
    Ack,
    /// NACK: send the last response again.
    Nack,
    /// A command: PD0 (command code) and its parameters, TFI stripped.
    Command(Vec<u8>),
    /// A frame with a bad length or data checksum, or not from the host; the chip
    /// drops it without answering.
    Invalid,
}

/// Byte-fed parser of host frames. Preamble, postamble and anything between frames
/// (the `55 55 00 …` wake-up included) is skipped.
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
        let Some(start) = self.buf.windows(2).position(|w| w == [0x00, 0xFF]) else {
            // Keep a trailing 0x00: it may be the first half of a start code.
            let keep = usize::from(self.buf.last() == Some(&0x00));
            self.buf.drain(..self.buf.len() - keep);
            return None;
        };
        self.buf.drain(..start);
        let (&len, &lcs) = (self.buf.get(2)?, self.buf.get(3)?);
        let (data_start, length) = match (len, lcs) {
            (0x00, 0xFF) => return Some(self.consume(4, HostFrame::Ack)),
            (0xFF, 0x00) => return Some(self.consume(4, HostFrame::Nack)),
            (0xFF, 0xFF) => {
                let (&lenm, &lenl, &lcs) = (self.buf.get(4)?, self.buf.get(5)?, self.buf.get(6)?);
                if lenm.wrapping_add(lenl).wrapping_add(lcs) != 0 {
                    return Some(self.consume(2, HostFrame::Invalid));
                }
                (7, usize::from(lenm) << 8 | usize::from(lenl))
            }
            _ if len.wrapping_add(lcs) != 0 => return Some(self.consume(2, HostFrame::Invalid)),
            _ => (4, usize::from(len)),
        };
        if length == 0 || length > MAX_DATA {
            return Some(self.consume(2, HostFrame::Invalid));
        }
        let data = self.buf.get(data_start..data_start + length)?;
        let dcs = *self.buf.get(data_start + length)?;
        let sum = data.iter().fold(dcs, |acc, b| acc.wrapping_add(*b));
        let frame = match data.split_first() {
            Some((&TFI_HOST, command)) if sum == 0 && !command.is_empty() => {
                HostFrame::Command(command.to_vec())
            }
            _ => HostFrame::Invalid,
        };
        Some(self.consume(data_start + length + 1, frame))
    }

    fn consume(&mut self, count: usize, frame: HostFrame) -> HostFrame {
        self.buf.drain(..count.min(self.buf.len()));
        frame
    }
}

/// A chip → host information frame carrying `payload` (response code and data), with a
/// correct data checksum, or a wrong one when `corrupt`.
pub fn response_frame(payload: &[u8], corrupt: bool) -> Vec<u8> {
    info_frame(TFI_CHIP, payload, corrupt)
}

/// A host → chip command frame (what a driver sends), for tests and tools.
pub fn command_frame(command: &[u8]) -> Vec<u8> {
    info_frame(TFI_HOST, command, false)
}

/// A normal information frame, or an extended one when the data does not fit.
fn info_frame(tfi: u8, payload: &[u8], corrupt: bool) -> Vec<u8> {
    let mut frame = vec![0x00, 0x00, 0xFF];
    let length = payload.len() + 1;
    match u8::try_from(length) {
        Ok(len) if len < 0xFF => frame.extend([len, len.wrapping_neg()]),
        _ => {
            let [lenm, lenl] = u16::try_from(length).unwrap_or(u16::MAX).to_be_bytes();
            frame.extend([
                0xFF,
                0xFF,
                lenm,
                lenl,
                lenm.wrapping_add(lenl).wrapping_neg(),
            ]);
        }
    }
    frame.push(tfi);
    frame.extend_from_slice(payload);
    let sum = payload.iter().fold(tfi, |acc, b| acc.wrapping_add(*b));
    let dcs = sum.wrapping_neg().wrapping_add(u8::from(corrupt));
    frame.extend([dcs, 0x00]);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_md_frames_encode_byte_for_byte() {
        assert_eq!(
            command_frame(&[0x14, 0x01]),
            [0x00, 0x00, 0xFF, 0x03, 0xFD, 0xD4, 0x14, 0x01, 0x17, 0x00]
        );
        assert_eq!(
            response_frame(&[0x15], false),
            [0x00, 0x00, 0xFF, 0x02, 0xFE, 0xD5, 0x15, 0x16, 0x00]
        );
        assert_eq!(
            command_frame(&[0x4A, 0x01, 0x00]),
            [
                0x00, 0x00, 0xFF, 0x04, 0xFC, 0xD4, 0x4A, 0x01, 0x00, 0xE1, 0x00
            ]
        );
    }

    #[test]
    fn parser_skips_wakeup_and_reads_ack_nack_and_commands_byte_by_byte() {
        let mut stream = vec![0x55, 0x55, 0, 0, 0, 0];
        stream.extend(command_frame(&[0x14, 0x01]));
        stream.extend(ACK);
        stream.extend(NACK);
        let mut parser = FrameParser::default();
        let mut frames = Vec::new();
        for byte in stream {
            parser.push(&[byte]);
            while let Some(frame) = parser.next_frame() {
                frames.push(frame);
            }
        }
        assert_eq!(
            frames,
            [
                HostFrame::Command(vec![0x14, 0x01]),
                HostFrame::Ack,
                HostFrame::Nack
            ]
        );
    }

    #[test]
    fn bad_checksums_and_extended_frames() {
        let mut parser = FrameParser::default();
        let mut bad = command_frame(&[0x02]);
        bad[6] ^= 1;
        parser.push(&bad);
        assert_eq!(parser.next_frame(), Some(HostFrame::Invalid));
        parser.push(&[0x00, 0x00, 0xFF, 0x03, 0xFC, 0xD4]);
        assert_eq!(parser.next_frame(), Some(HostFrame::Invalid));
        let mut parser = FrameParser::default();
        parser.push(&[
            0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x02, 0xFE, 0xD4, 0x02, 0x2A, 0x00,
        ]);
        assert_eq!(parser.next_frame(), Some(HostFrame::Command(vec![0x02])));
        let long = response_frame(&[0xAB; 300], false);
        assert_eq!(&long[..8], [0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x2D, 0xD2]);
    }
}
