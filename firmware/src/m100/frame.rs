//! M100 frames.
//!
//! ```text
//! BB | Type | Cmd | PL (u16 BE) | Params[PL] | CK | 7E
//! Type: 00 command, 01 response, 02 notification
//! CK = (Type + Cmd + PLhi + PLlo + ΣParams) & 0xFF
//! ```
//! There is no escaping, so frames are delimited by PL and confirmed by CK and `7E`.

use heapless::Vec;

use crate::deframe::{Framing, Scan, sum};
use crate::stats::LineError;

const HEADER: u8 = 0xBB;
const END: u8 = 0x7E;
const TYPE_COMMAND: u8 = 0x00;
const TYPE_RESPONSE: u8 = 0x01;
const TYPE_NOTIFICATION: u8 = 0x02;

/// Longest parameter block kept. A tag notification with the longest EPC Gen2 allows
/// (62 bytes) needs 67; the rest is room for modules that append antenna or phase.
pub(crate) const MAX_PARAMS: usize = 96;
/// Header, type, command, PL, parameters, CK, end.
pub(crate) const MAX_FRAME: usize = 5 + MAX_PARAMS + 2;

/// Command codes this driver uses.
pub(crate) mod cmd {
    /// Single inventory; also tags its notifications.
    pub(crate) const INVENTORY: u8 = 0x22;
    /// Multiple inventory; also tags its notifications.
    pub(crate) const MULTIPLE_INVENTORY: u8 = 0x27;
    /// Stop multiple inventory.
    pub(crate) const STOP: u8 = 0x28;
    /// Set TX power.
    pub(crate) const SET_POWER: u8 = 0xB6;
    /// Response code of an error report.
    pub(crate) const ERROR: u8 = 0xFF;
}

/// Who sent a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The answer to a command.
    Response,
    /// An unsolicited report, such as a tag seen during inventory.
    Notification,
}

/// A frame from the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct M100Frame {
    pub(crate) kind: Kind,
    pub(crate) command: u8,
    pub(crate) params: Vec<u8, MAX_PARAMS>,
}

/// Writes the command frame `BB 00 command PL params CK 7E` into `out` and returns
/// its length, or `None` if `out` is too small.
pub(crate) fn encode_command(command: u8, params: &[u8], out: &mut [u8]) -> Option<usize> {
    let [pl_hi, pl_lo] = u16::try_from(params.len()).ok()?.to_be_bytes();
    let header = [HEADER, TYPE_COMMAND, command, pl_hi, pl_lo];
    let check = sum(&header[1..]).wrapping_add(sum(params));
    let total = header.len() + params.len() + 2;
    let out = out.get_mut(..total)?;
    let (head, rest) = out.split_at_mut(header.len());
    head.copy_from_slice(&header);
    let (body, tail) = rest.split_at_mut(params.len());
    body.copy_from_slice(params);
    tail.copy_from_slice(&[check, END]);
    Some(total)
}

/// The M100 frame format, for the deframer.
pub(crate) struct M100Framing;

impl Framing for M100Framing {
    type Frame = M100Frame;

    fn candidate_start(window: &[u8]) -> usize {
        window
            .iter()
            .position(|&b| b == HEADER)
            .unwrap_or(window.len())
    }

    fn is_idle(_byte: u8) -> bool {
        false
    }

    fn scan(window: &[u8]) -> Scan<M100Frame> {
        let kind = match window.get(1) {
            None => return Scan::Incomplete,
            Some(&TYPE_RESPONSE) => Kind::Response,
            Some(&TYPE_NOTIFICATION) => Kind::Notification,
            Some(_) => return Scan::Reject(LineError::Malformed),
        };
        let Some(&[_, _, command, pl_hi, pl_lo]) = window.first_chunk::<5>() else {
            return Scan::Incomplete;
        };
        let pl = usize::from(u16::from_be_bytes([pl_hi, pl_lo]));
        if pl > MAX_PARAMS {
            return Scan::Reject(LineError::Overflow);
        }
        let Some(frame) = window.get(..5 + pl + 2) else {
            return Scan::Incomplete;
        };
        let (checked, [check, end]) = match frame.split_last_chunk::<2>() {
            Some((checked, trailer)) => (checked, *trailer),
            None => return Scan::Incomplete,
        };
        if sum(checked.get(1..).unwrap_or_default()) != check {
            return Scan::Reject(LineError::Checksum);
        }
        if end != END {
            return Scan::Reject(LineError::Malformed);
        }
        match Vec::from_slice(checked.get(5..).unwrap_or_default()) {
            Ok(params) => Scan::Frame(
                M100Frame {
                    kind,
                    command,
                    params,
                },
                frame.len(),
            ),
            Err(_) => Scan::Reject(LineError::Overflow),
        }
    }
}
