//! Frame encoder and byte-fed frame decoder (layout in the [`link`](super) module doc).

use core::marker::PhantomData;

use crc::{CRC_32_ISCSI, Crc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cobs;
use super::messages::{ToFirmware, ToGateway};

/// Frame check: CRC-32/ISCSI (Castagnoli, polynomial 0x1EDC6F41) rather than a CRC-16.
/// A serial link at 115200 baud carries hundreds of frames a second for years; a 16-bit
/// check lets one corrupted frame in 65 536 through, a 32-bit one one in 4·10⁹, for two
/// more bytes per frame. Castagnoli's polynomial keeps Hamming distance 6 over frames of
/// this size (Koopman), better than CRC-32/ISO-HDLC, and x86/ARMv8 gateways have it in
/// hardware. The 1 KiB lookup table is affordable even on a Cortex-M0+.
static CRC32C: Crc<u32> = Crc::<u32>::new(&CRC_32_ISCSI);

/// Bytes of the CRC at the end of the body.
const CRC_LEN: usize = 4;
/// Smallest possible body: format, seq, message tag, CRC.
const MIN_BODY_LEN: usize = 3 + CRC_LEN;
/// Longest postcard encoding of any message. The largest message today, a `TagRead`
/// of a 496-bit EPC, needs 98 bytes; the rest is room for appended messages, which
/// must not exceed it (a test checks the current ones).
pub const MAX_MESSAGE_LEN: usize = 240;
/// Longest body: format byte, seq (varint u32, up to 5 bytes), message, CRC.
pub const MAX_BODY_LEN: usize = 1 + 5 + MAX_MESSAGE_LEN + CRC_LEN;
/// Longest COBS-encoded body, i.e. the decoder's buffer size.
pub const MAX_ENCODED_LEN: usize = cobs::max_encoded_len(MAX_BODY_LEN);
/// Longest frame on the wire, both delimiters included.
pub const MAX_FRAME_LEN: usize = MAX_ENCODED_LEN + 2;

/// A message type that travels in link frames.
pub trait LinkMessage: Serialize + DeserializeOwned {
    /// Number of variants this build knows; a higher variant index is a message kind
    /// appended by a newer peer.
    const KINDS: u32;
}

impl LinkMessage for ToGateway {
    const KINDS: u32 = 5;
}

impl LinkMessage for ToFirmware {
    const KINDS: u32 = 1;
}

/// A decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<M> {
    /// The sender's frame sequence number (wrapping); a gap means lost frames.
    pub seq: u32,
    /// The message.
    pub message: M,
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The output buffer cannot hold the frame ([`MAX_FRAME_LEN`] always suffices).
    #[error("output buffer of {capacity} bytes is too small for the frame")]
    BufferTooSmall {
        /// Size of the buffer given.
        capacity: usize,
    },
    /// The frame body (format, seq, message, CRC) would exceed [`MAX_BODY_LEN`], so
    /// a peer's decoder could not hold it.
    #[error("frame body longer than the {max}-byte limit")]
    MessageTooLong {
        /// [`MAX_BODY_LEN`].
        max: usize,
    },
    /// postcard refused the value.
    #[error("postcard encoding failed: {0}")]
    Serialize(postcard::Error),
}

/// Why bytes between two delimiters are not a frame. The decoder has already dropped
/// them and continues with the next frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// More bytes arrived without a delimiter than any frame can have.
    #[error("frame of {length} bytes exceeds the {max}-byte limit; skipped to the next 0x00")]
    TooLong {
        /// Bytes received before the delimiter.
        length: usize,
        /// [`MAX_ENCODED_LEN`].
        max: usize,
    },
    /// A COBS code byte points past the end of the frame.
    #[error("COBS code byte at offset {position} points past the end of the frame")]
    Cobs {
        /// Offset of the code byte in the encoded frame.
        position: usize,
    },
    /// Too short to hold format, sequence number, message and CRC.
    #[error("frame body of {length} bytes is shorter than the minimum of {min}")]
    Truncated {
        /// Decoded body length.
        length: usize,
        /// Smallest valid body.
        min: usize,
    },
    /// The CRC does not match: the bytes were corrupted.
    #[error("CRC mismatch: computed 0x{expected:08X}, frame carries 0x{found:08X}")]
    CrcMismatch {
        /// CRC-32/ISCSI computed over the received body.
        expected: u32,
        /// CRC carried in the frame.
        found: u32,
    },
    /// The frame uses a format (protocol version) this build does not speak.
    #[error("unsupported frame format {found} (this build speaks format {supported})")]
    UnsupportedFormat {
        /// Format byte received.
        found: u8,
        /// [`FORMAT`](super::FORMAT).
        supported: u8,
    },
    /// A message kind appended by a newer peer.
    #[error("unknown message kind {tag} (this build knows {known})")]
    UnknownMessage {
        /// Variant index received.
        tag: u32,
        /// Number of message kinds this build knows.
        known: u32,
    },
    /// The CRC matched but the message does not decode (a bug in the sender).
    #[error("message does not decode: {0}")]
    Malformed(postcard::Error),
    /// The message decoded but bytes remain before the CRC.
    #[error("{count} unexpected bytes after the message")]
    TrailingBytes {
        /// Bytes left over.
        count: usize,
    },
}

/// Encodes `message` as one complete frame (both delimiters included) into `out` and
/// returns the frame length.
pub fn encode_frame<M: LinkMessage>(
    seq: u32,
    message: &M,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let capacity = out.len();
    let (first, rest) = out
        .split_first_mut()
        .ok_or(EncodeError::BufferTooSmall { capacity })?;
    *first = 0;
    let mut body = BodyWriter {
        cobs: cobs::Writer::new(rest),
        crc: CRC32C.digest(),
        len: 0,
        too_long: false,
    };
    let full = || EncodeError::BufferTooSmall { capacity };
    postcard::serialize_with_flavor(&(super::FORMAT, seq, message), &mut body).map_err(
        |e| match e {
            _ if body.too_long => EncodeError::MessageTooLong { max: MAX_BODY_LEN },
            postcard::Error::SerializeBufferFull => full(),
            other => EncodeError::Serialize(other),
        },
    )?;
    let crc = body.crc.finalize();
    for byte in crc.to_le_bytes() {
        body.cobs.push(byte).map_err(|_| full())?;
    }
    let encoded = body.cobs.finish().map_err(|_| full())?;
    let end = encoded + 1;
    *out.get_mut(end).ok_or_else(full)? = 0;
    Ok(end + 1)
}

/// postcard flavor feeding the CRC and the COBS encoder at once, so a frame is built
/// in the caller's buffer without a scratch copy.
struct BodyWriter<'a> {
    cobs: cobs::Writer<'a>,
    crc: crc::Digest<'static, u32>,
    len: usize,
    too_long: bool,
}

impl postcard::ser_flavors::Flavor for &mut BodyWriter<'_> {
    type Output = ();

    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.len += 1;
        // Format byte and seq varint precede the message; bound the whole prefix.
        if self.len > MAX_BODY_LEN - CRC_LEN {
            self.too_long = true;
            return Err(postcard::Error::SerializeBufferFull);
        }
        self.crc.update(&[byte]);
        self.cobs
            .push(byte)
            .map_err(|_| postcard::Error::SerializeBufferFull)
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Byte-fed frame decoder with a fixed buffer: it never allocates, blocks or panics,
/// and after any error it resynchronises at the next 0x00.
pub struct FrameDecoder<M> {
    buf: [u8; MAX_ENCODED_LEN],
    len: usize,
    /// Bytes dropped because the buffer was full; reported at the next delimiter.
    overflow: usize,
    _message: PhantomData<fn() -> M>,
}

impl<M: LinkMessage> Default for FrameDecoder<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: LinkMessage> FrameDecoder<M> {
    /// An empty decoder, waiting for the first delimiter or frame byte.
    pub const fn new() -> Self {
        Self {
            buf: [0; MAX_ENCODED_LEN],
            len: 0,
            overflow: 0,
            _message: PhantomData,
        }
    }

    /// Feeds bytes; the iterator yields one result per frame completed by them. Bytes
    /// are consumed only as the iterator advances, so drive it to the end.
    pub fn feed<'d, 'b>(&'d mut self, bytes: &'b [u8]) -> Feed<'d, 'b, M> {
        Feed {
            decoder: self,
            bytes: bytes.iter(),
        }
    }

    /// Feeds one byte; returns a result when it completes a frame.
    pub fn push(&mut self, byte: u8) -> Option<Result<Frame<M>, FrameError>> {
        if byte != 0 {
            match self.buf.get_mut(self.len) {
                Some(slot) => {
                    *slot = byte;
                    self.len += 1;
                }
                None => self.overflow = self.overflow.saturating_add(1),
            }
            return None;
        }
        let (len, overflow) = (self.len, self.overflow);
        self.len = 0;
        self.overflow = 0;
        if overflow > 0 {
            let length = len.saturating_add(overflow);
            return Some(Err(FrameError::TooLong {
                length,
                max: MAX_ENCODED_LEN,
            }));
        }
        if len == 0 {
            return None;
        }
        Some(
            self.buf
                .get_mut(..len)
                .map_or(Err(FrameError::Cobs { position: 0 }), decode),
        )
    }

    /// Bytes of an unfinished frame held (or dropped) since the last delimiter.
    pub fn pending(&self) -> usize {
        self.len.saturating_add(self.overflow)
    }

    /// Drops any unfinished frame.
    pub fn reset(&mut self) {
        self.len = 0;
        self.overflow = 0;
    }
}

/// Iterator returned by [`FrameDecoder::feed`].
#[must_use = "bytes are decoded only as the iterator advances"]
pub struct Feed<'d, 'b, M> {
    decoder: &'d mut FrameDecoder<M>,
    bytes: core::slice::Iter<'b, u8>,
}

impl<M: LinkMessage> Iterator for Feed<'_, '_, M> {
    type Item = Result<Frame<M>, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.bytes
            .by_ref()
            .find_map(|&byte| self.decoder.push(byte))
    }
}

/// Decodes one COBS frame (delimiters removed), in place.
fn decode<M: LinkMessage>(encoded: &mut [u8]) -> Result<Frame<M>, FrameError> {
    let len = cobs::decode_in_place(encoded).map_err(|e| FrameError::Cobs {
        position: e.position,
    })?;
    let body = encoded.get(..len).unwrap_or_default();
    let truncated = || FrameError::Truncated {
        length: body.len(),
        min: MIN_BODY_LEN,
    };
    if body.len() < MIN_BODY_LEN {
        return Err(truncated());
    }
    let (content, crc) = body.split_last_chunk::<CRC_LEN>().ok_or_else(truncated)?;
    let found = u32::from_le_bytes(*crc);
    let expected = CRC32C.checksum(content);
    if expected != found {
        return Err(FrameError::CrcMismatch { expected, found });
    }
    let (&format, rest) = content.split_first().unwrap_or((&0, &[]));
    if format != super::FORMAT {
        return Err(FrameError::UnsupportedFormat {
            found: format,
            supported: super::FORMAT,
        });
    }
    let (seq, message) = postcard::take_from_bytes::<u32>(rest).map_err(FrameError::Malformed)?;
    let (tag, _) = postcard::take_from_bytes::<u32>(message).map_err(FrameError::Malformed)?;
    if tag >= M::KINDS {
        return Err(FrameError::UnknownMessage {
            tag,
            known: M::KINDS,
        });
    }
    let (message, trailing) =
        postcard::take_from_bytes::<M>(message).map_err(FrameError::Malformed)?;
    if !trailing.is_empty() {
        return Err(FrameError::TrailingBytes {
            count: trailing.len(),
        });
    }
    Ok(Frame { seq, message })
}
