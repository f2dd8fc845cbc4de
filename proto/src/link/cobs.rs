//! Consistent Overhead Byte Stuffing (Cheshire & Baker, IEEE/ACM ToN 1999), written
//! here rather than taken from a crate so that encoding streams straight into the
//! caller's buffer and neither direction can panic.
//!
//! Each block is a code byte `n` (1..=255) followed by `n - 1` non-zero data bytes; a
//! block with `n < 255` stands for its data followed by a zero, except the last one.

/// Upper bound of the encoded length of `len` data bytes (without delimiters).
pub(crate) const fn max_encoded_len(len: usize) -> usize {
    len + len / 254 + 1
}

/// Streaming COBS encoder writing into a fixed buffer.
pub(crate) struct Writer<'a> {
    out: &'a mut [u8],
    /// Where the current block's code byte goes.
    code_at: usize,
    /// Next free position.
    pos: usize,
    /// Code of the current block so far (1 + data bytes).
    code: u8,
}

/// The output buffer is full.
#[derive(Debug)]
pub(crate) struct Full;

impl<'a> Writer<'a> {
    /// Starts a COBS block at the beginning of `out`.
    pub(crate) fn new(out: &'a mut [u8]) -> Self {
        Self {
            out,
            code_at: 0,
            pos: 1,
            code: 1,
        }
    }

    fn put(&mut self, at: usize, byte: u8) -> Result<(), Full> {
        *self.out.get_mut(at).ok_or(Full)? = byte;
        Ok(())
    }

    fn close_block(&mut self) -> Result<(), Full> {
        self.put(self.code_at, self.code)?;
        self.code_at = self.pos;
        self.pos += 1;
        self.code = 1;
        Ok(())
    }

    /// Encodes one data byte.
    pub(crate) fn push(&mut self, byte: u8) -> Result<(), Full> {
        if byte == 0 {
            return self.close_block();
        }
        self.put(self.pos, byte)?;
        self.pos += 1;
        self.code += 1;
        if self.code == 0xFF {
            self.close_block()?;
        }
        Ok(())
    }

    /// Closes the last block; returns the encoded length.
    pub(crate) fn finish(mut self) -> Result<usize, Full> {
        self.put(self.code_at, self.code)?;
        Ok(self.pos)
    }
}

/// A code byte announces more bytes than the frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// Offset of the bad code byte in the encoded frame.
    pub(crate) position: usize,
}

/// Decodes a frame (delimiters removed) in place; returns the decoded length.
pub(crate) fn decode_in_place(buf: &mut [u8]) -> Result<usize, DecodeError> {
    let mut read = 0;
    let mut write = 0;
    while let Some(&code) = buf.get(read) {
        let end = read + usize::from(code);
        if code == 0 || end > buf.len() {
            return Err(DecodeError { position: read });
        }
        // `write <= read` always holds, so copying forward never overwrites unread data.
        for from in read + 1..end {
            let byte = *buf.get(from).ok_or(DecodeError { position: read })?;
            *buf.get_mut(write).ok_or(DecodeError { position: read })? = byte;
            write += 1;
        }
        read = end;
        if code != 0xFF && read < buf.len() {
            *buf.get_mut(write).ok_or(DecodeError { position: read })? = 0;
            write += 1;
        }
    }
    Ok(write)
}
