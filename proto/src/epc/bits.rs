//! Bit-level access to the EPC field of the EPC memory bank (TDS §15.1: the EPC starts at bit
//! 20h of bank 01, most significant bit first), and the hex form readers print.

use super::EpcError;

/// The most bits an EPC can have: the Gen2 PC word counts at most 31 words (496 bits); the
/// buffer is rounded up to whole 16-bit words so the last word always has room.
pub(crate) const MAX_BITS: usize = 512;
/// [`MAX_BITS`] in bytes.
pub(crate) const MAX_BYTES: usize = MAX_BITS / 8;

/// Reads big-endian bit fields from a byte slice limited to `len` bits.
pub(crate) struct BitReader<'a> {
    bytes: &'a [u8],
    len: usize,
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader over the first `len` bits of `bytes` (bits past the slice read as missing).
    pub(crate) fn new(bytes: &'a [u8], len: usize) -> Self {
        Self {
            bytes,
            len: len.min(bytes.len().saturating_mul(8)),
            pos: 0,
        }
    }

    /// Bits read so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bits available in total.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Reads `n` (at most 64) bits as an unsigned integer.
    pub(crate) fn read(&mut self, n: u32) -> Result<u64, EpcError> {
        let n = n.min(64);
        let end = self.pos.saturating_add(n as usize);
        if end > self.len {
            return Err(EpcError::Truncated {
                needed: end,
                given: self.len,
            });
        }
        if n == 0 {
            return Ok(0);
        }
        let first = self.pos / 8;
        // Fast path: 16 bytes from the field's first byte as one big-endian window (the
        // field spans at most 9 of them).
        if let Some(chunk) = self.bytes.get(first..first + 16)
            && let Ok(chunk) = <[u8; 16]>::try_from(chunk)
        {
            let window = u128::from_be_bytes(chunk) << (self.pos % 8);
            self.pos = end;
            return Ok((window >> (128 - n)) as u64);
        }
        // Near the end of the bytes: the (at most 9) bytes holding the field.
        let last = (end - 1) / 8;
        let mut window = 0u128;
        for i in first..=last {
            window = (window << 8) | u128::from(self.bytes.get(i).copied().unwrap_or(0));
        }
        let unused_low_bits = (last + 1) * 8 - end;
        let value = ((window >> unused_low_bits) & ((1u128 << n) - 1)) as u64;
        self.pos = end;
        Ok(value)
    }

    /// Whether every bit from the current position to `end` (capped at the length) is zero.
    pub(crate) fn zero_until(&mut self, end: usize) -> Result<bool, EpcError> {
        while self.pos < end {
            let n = (end - self.pos).min(64) as u32;
            if self.read(n)? != 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Writes big-endian bit fields into a zeroed buffer of [`MAX_BYTES`].
pub(crate) struct BitWriter {
    buf: [u8; MAX_BYTES],
    pos: usize,
}

impl BitWriter {
    /// An empty writer.
    pub(crate) fn new() -> Self {
        Self {
            buf: [0; MAX_BYTES],
            pos: 0,
        }
    }

    /// Bits written so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Appends the low `n` (at most 64) bits of `value`.
    pub(crate) fn write(&mut self, value: u64, n: u32) -> Result<(), EpcError> {
        let end = self.pos.saturating_add(n as usize);
        if end > MAX_BITS {
            return Err(EpcError::BufferTooSmall {
                needed: end.div_ceil(8),
                given: MAX_BYTES,
            });
        }
        // Whole bytes at a time, most significant bits first.
        let mut left = n as usize;
        while left > 0 {
            let offset = self.pos % 8;
            let take = (8 - offset).min(left);
            left -= take;
            // `take` bits of `value` starting `left` bits from the bottom.
            let chunk = ((value >> left) & ((1u64 << take) - 1)) as u8;
            if let Some(byte) = self.buf.get_mut(self.pos / 8) {
                *byte |= chunk << (8 - offset - take);
            }
            self.pos += take;
        }
        Ok(())
    }

    /// Appends `n` zero bits.
    pub(crate) fn zeros(&mut self, n: u32) -> Result<(), EpcError> {
        let mut left = n;
        while left > 0 {
            let step = left.min(64);
            self.write(0, step)?;
            left -= step;
        }
        Ok(())
    }

    /// The bytes written, padded with zero bits to a whole 16-bit word as in the EPC bank.
    pub(crate) fn words(&self) -> &[u8] {
        let bytes = self.pos.div_ceil(16) * 2;
        self.buf.get(..bytes).unwrap_or(&self.buf)
    }
}

/// The value of each byte as a hex digit, 0xFF for bytes that are not hex digits.
const HEX_VALUE: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'A' as usize + i] = 10 + i as u8;
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Parses hex digits (either case, no separators) into bytes; returns the buffer and the
/// number of bits given, so an odd digit count keeps its last nibble.
pub(crate) fn parse_hex(hex: &str) -> Result<([u8; MAX_BYTES], usize), EpcError> {
    let mut buf = [0u8; MAX_BYTES];
    let digits = hex.as_bytes();
    if digits.len() > MAX_BYTES * 2 {
        return Err(EpcError::HexTooLong {
            given: digits.len(),
            max: MAX_BYTES * 2,
        });
    }
    for (slot, pair) in buf.iter_mut().zip(digits.chunks(2)) {
        let hi = HEX_VALUE[usize::from(pair.first().copied().unwrap_or(b'0'))];
        let lo = HEX_VALUE[usize::from(pair.get(1).copied().unwrap_or(b'0'))];
        if (hi | lo) > 0x0F {
            return Err(bad_hex(hex));
        }
        *slot = (hi << 4) | lo;
    }
    let count = digits.len();
    Ok((buf, count * 4))
}

/// The error for the first character of `hex` that is not a hex digit.
#[cold]
fn bad_hex(hex: &str) -> EpcError {
    let (position, found) = hex
        .char_indices()
        .find(|(_, c)| !c.is_ascii_hexdigit())
        .unwrap_or((0, char::REPLACEMENT_CHARACTER));
    EpcError::BadHex { position, found }
}

/// Uppercase hex of a byte slice, through `core::fmt`.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl core::fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02X}"))
    }
}

/// Writes a decimal integer field (no leading zeros, below `2^bits`) of a binary scheme.
pub(crate) fn write_int(
    w: &mut BitWriter,
    text: &str,
    bits: u8,
    field: &'static str,
    scheme: &'static str,
) -> Result<(), EpcError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EpcError::NotNumeric { field, scheme });
    }
    let value = super::uri::number(text, field, scheme, bits)?;
    w.write(value, u32::from(bits))
}

/// Reads a `bits`-bit integer field as decimal text without leading zeros.
pub(crate) fn read_int<const N: usize>(
    r: &mut BitReader<'_>,
    bits: u8,
    field: &'static str,
) -> Result<heapless::String<N>, EpcError> {
    super::uri::decimal(r.read(u32::from(bits))?, 0, field)
}
