//! PN532 host-controller frames over HSU: normal, extended, ACK, NACK and error
//! frames (PN532 user manual §6.2).
//!
//! ```text
//! normal   00 | 00 FF | LEN LCS | TFI PD0..PDn | DCS | 00
//! extended 00 | 00 FF | FF FF LENM LENL LCS | TFI PD0..PDn | DCS | 00
//! ACK      00 00 FF 00 FF 00        NACK  00 00 FF FF 00 00
//! error    00 00 FF 01 FF 7F 81 00
//! ```
//! LEN counts TFI..PDn; LEN + LCS ≡ 0 and TFI + ΣPD + DCS ≡ 0 (mod 256). Preamble and
//! postamble zeros are optional on receive and treated as line idle. A bad LCS means
//! the `00 FF` was not a frame start (noise contains it often), so it counts as
//! framing; a bad DCS means a real frame was corrupted, so it counts as a checksum
//! error.

use heapless::Vec;

use crate::deframe::{Framing, Scan, sum};
use crate::stats::LineError;

/// Frame identifier of host → PN532 frames.
const TFI_HOST: u8 = 0xD4;
/// Frame identifier of PN532 → host frames.
const TFI_CHIP: u8 = 0xD5;
/// The single data byte of an error frame (application-level syntax error).
pub(crate) const ERROR_FRAME_CODE: u8 = 0x7F;

/// Longest response data (PD0..PDn) kept. An InListPassiveTarget answer for one
/// target with a 10-byte UID and a 20-byte ATS needs 37; longer frames are dropped as
/// overflows.
pub(crate) const MAX_DATA: usize = 64;
/// Start code, extended length field, TFI, data, DCS.
pub(crate) const MAX_FRAME: usize = 2 + 5 + 1 + MAX_DATA + 1;

/// ACK frame; the host sends it to abort the running command.
pub(crate) const ACK: [u8; 6] = [0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00];
/// NACK frame; the host sends it to have the last response sent again.
pub(crate) const NACK: [u8; 6] = [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00];

/// A frame received from the PN532.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pn532Frame {
    /// The last command was received.
    Ack,
    /// The chip asks for the last frame again (hosts send these; chips rarely do).
    Nack,
    /// The chip found an application-level error in the last command.
    Error,
    /// A response: PD0 (command code + 1) onwards.
    Response(Vec<u8, MAX_DATA>),
}

/// Writes a normal information frame carrying `data` (PD0 = command code) into `out`
/// and returns its length, or `None` if `out` is too small or `data` too long.
pub(crate) fn encode_command(data: &[u8], out: &mut [u8]) -> Option<usize> {
    let len = u8::try_from(data.len().checked_add(1)?).ok()?;
    let dcs = TFI_HOST.wrapping_add(sum(data)).wrapping_neg();
    let header = [0x00, 0x00, 0xFF, len, len.wrapping_neg(), TFI_HOST];
    let total = header.len() + data.len() + 2;
    let out = out.get_mut(..total)?;
    let (head, rest) = out.split_at_mut(header.len());
    head.copy_from_slice(&header);
    let (body, tail) = rest.split_at_mut(data.len());
    body.copy_from_slice(data);
    tail.copy_from_slice(&[dcs, 0x00]);
    Some(total)
}

/// The HSU frame format, for the deframer.
pub(crate) struct Pn532Framing;

impl Framing for Pn532Framing {
    type Frame = Pn532Frame;

    fn candidate_start(window: &[u8]) -> usize {
        match window.windows(2).position(|pair| pair == [0x00, 0xFF]) {
            Some(start) => start,
            // A trailing 0x00 may be the first half of a start code.
            None if window.last() == Some(&0x00) => window.len() - 1,
            None => window.len(),
        }
    }

    fn is_idle(byte: u8) -> bool {
        byte == 0x00
    }

    fn scan(window: &[u8]) -> Scan<Pn532Frame> {
        let (header_len, len) = match window.get(2..) {
            Some([0x00, 0xFF, ..]) => return Scan::Frame(Pn532Frame::Ack, 4),
            Some([0xFF, 0x00, ..]) => return Scan::Frame(Pn532Frame::Nack, 4),
            Some([0xFF, 0xFF, lenm, lenl, lcs, ..]) => {
                if lenm.wrapping_add(*lenl).wrapping_add(*lcs) != 0 {
                    return Scan::Reject(LineError::Malformed);
                }
                (7, usize::from(u16::from_be_bytes([*lenm, *lenl])))
            }
            Some([0xFF, 0xFF, ..]) => return Scan::Incomplete,
            Some([len, lcs, ..]) => {
                if len.wrapping_add(*lcs) != 0 {
                    return Scan::Reject(LineError::Malformed);
                }
                (4, usize::from(*len))
            }
            _ => return Scan::Incomplete,
        };
        if len == 0 {
            return Scan::Reject(LineError::Malformed);
        }
        if len > MAX_DATA + 1 {
            return Scan::Reject(LineError::Overflow);
        }
        let total = header_len + len + 1;
        let Some(body_and_dcs) = window.get(header_len..total) else {
            return Scan::Incomplete;
        };
        if sum(body_and_dcs) != 0 {
            return Scan::Reject(LineError::Checksum);
        }
        let body = body_and_dcs.get(..len).unwrap_or_default();
        match body {
            [ERROR_FRAME_CODE] => Scan::Frame(Pn532Frame::Error, total),
            [TFI_CHIP, data @ ..] => match Vec::from_slice(data) {
                Ok(data) => Scan::Frame(Pn532Frame::Response(data), total),
                Err(_) => Scan::Reject(LineError::Overflow),
            },
            _ => Scan::Reject(LineError::Malformed),
        }
    }
}
