//! LLRP 1.0.1 binary encoding: the message header and TLV/TV parameters
//! (EPCglobal LLRP 1.0.1 §16–17).

use super::codes::param;

/// Protocol version of LLRP 1.0.1 in the header.
pub const VERSION: u16 = 1;
/// Bytes of a message header.
pub const HEADER_LEN: usize = 10;
/// Longest message the emulator accepts from a client.
pub const MAX_MESSAGE_LEN: usize = 1 << 20;

/// One LLRP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Protocol version from the header (1 for LLRP 1.0.1).
    pub version: u16,
    /// Message type.
    pub kind: u16,
    /// Message ID (a response repeats its request's).
    pub id: u32,
    /// Everything after the 10-byte header.
    pub body: Vec<u8>,
}

impl Message {
    /// An LLRP 1.0.1 message.
    pub fn new(kind: u16, id: u32, body: Vec<u8>) -> Self {
        Self {
            version: VERSION,
            kind,
            id,
            body,
        }
    }

    /// The bytes on the wire.
    pub fn encode(&self) -> Vec<u8> {
        let length = u32::try_from(HEADER_LEN + self.body.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(HEADER_LEN + self.body.len());
        out.extend(((self.version & 0x7) << 10 | self.kind & 0x3FF).to_be_bytes());
        out.extend(length.to_be_bytes());
        out.extend(self.id.to_be_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

/// What the stream of client bytes holds next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A whole message.
    Message(Message),
    /// A header whose length cannot be a message (below 10 or above
    /// [`MAX_MESSAGE_LEN`]): the stream has lost its framing.
    BadLength(u32),
}

/// Byte-fed splitter of a TCP stream into messages.
#[derive(Debug, Default)]
pub struct MessageParser {
    buf: Vec<u8>,
}

impl MessageParser {
    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Drops everything buffered.
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// The next message, if the buffer holds a whole one.
    pub fn next_message(&mut self) -> Option<Incoming> {
        let mut reader = Reader::new(self.buf.get(..HEADER_LEN)?);
        let (word, length, id) = (reader.u16()?, reader.u32()?, reader.u32()?);
        let Ok(length) = usize::try_from(length) else {
            return Some(Incoming::BadLength(u32::MAX));
        };
        if !(HEADER_LEN..=MAX_MESSAGE_LEN).contains(&length) {
            self.buf.clear();
            return Some(Incoming::BadLength(
                u32::try_from(length).unwrap_or(u32::MAX),
            ));
        }
        let body = self.buf.get(HEADER_LEN..length)?.to_vec();
        self.buf.drain(..length);
        Some(Incoming::Message(Message {
            version: word >> 10 & 0x7,
            kind: word & 0x3FF,
            id,
            body,
        }))
    }
}

/// Big-endian reads from a byte slice; `None` once it runs out.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// The next `count` bytes.
    pub fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(count)?;
        self.rest = rest;
        Some(head)
    }

    /// The next byte.
    pub fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    /// The next big-endian u16.
    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    /// The next big-endian u32.
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    /// Whatever is left.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The next TLV parameter: its type and body. `None` at the end or on a TV parameter
    /// or a length that overruns the input.
    pub fn tlv(&mut self) -> Option<(u16, &'a [u8])> {
        let mut peek = self.clone();
        let kind = peek.u16()?;
        if kind & 0x8000 != 0 {
            return None;
        }
        let length = usize::from(peek.u16()?);
        let body = peek.take(length.checked_sub(4)?)?;
        *self = peek;
        Some((kind & 0x3FF, body))
    }
}

/// Builds message bodies: big-endian fields and nested TLV parameters.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a byte.
    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.out.push(value);
        self
    }

    /// Appends a big-endian u16.
    pub fn u16(&mut self, value: u16) -> &mut Self {
        self.out.extend(value.to_be_bytes());
        self
    }

    /// Appends a big-endian u32.
    pub fn u32(&mut self, value: u32) -> &mut Self {
        self.out.extend(value.to_be_bytes());
        self
    }

    /// Appends a big-endian u64.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.out.extend(value.to_be_bytes());
        self
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.extend_from_slice(bytes);
        self
    }

    /// Appends a UTF-8v field: u16 byte count, then the bytes.
    pub fn utf8(&mut self, text: &str) -> &mut Self {
        let bytes = text.as_bytes();
        let bytes = bytes
            .get(..bytes.len().min(usize::from(u16::MAX)))
            .unwrap_or_default();
        self.u16(u16::try_from(bytes.len()).unwrap_or(0))
            .bytes(bytes)
    }

    /// Appends a TV parameter header byte.
    pub fn tv(&mut self, kind: u8) -> &mut Self {
        self.u8(0x80 | kind)
    }

    /// Appends a TLV parameter whose body `fill` writes.
    pub fn tlv(&mut self, kind: u16, fill: impl FnOnce(&mut Writer)) -> &mut Self {
        let start = self.out.len();
        self.u16(kind & 0x3FF).u16(0);
        fill(self);
        let length = u16::try_from(self.out.len() - start).unwrap_or(u16::MAX);
        if let Some(slot) = self.out.get_mut(start + 2..start + 4) {
            slot.copy_from_slice(&length.to_be_bytes());
        }
        self
    }

    /// Appends an LLRPStatus parameter.
    pub fn status(&mut self, code: u16, description: &str) -> &mut Self {
        self.tlv(param::LLRP_STATUS, |w| {
            w.u16(code).utf8(description);
        })
    }

    /// The body built so far.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llrp::codes::{msg, status};

    #[test]
    fn keepalive_ack_header_and_success_status() {
        let ack = Message::new(msg::KEEPALIVE_ACK, 7, Vec::new()).encode();
        assert_eq!(ack, [0x04, 0x48, 0, 0, 0, 10, 0, 0, 0, 7]);
        let status = Writer::new().status(status::SUCCESS, "").finish();
        assert_eq!(status, [0x01, 0x1F, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn parser_splits_a_stream_and_rejects_impossible_lengths() {
        let mut parser = MessageParser::default();
        let one = Message::new(msg::START_ROSPEC, 1, vec![0, 0, 0, 9]).encode();
        let two = Message::new(msg::KEEPALIVE_ACK, 2, Vec::new()).encode();
        let stream = [one.clone(), two].concat();
        parser.push(&stream[..5]);
        assert_eq!(parser.next_message(), None);
        parser.push(&stream[5..]);
        let Some(Incoming::Message(first)) = parser.next_message() else {
            panic!()
        };
        assert_eq!(
            (first.kind, first.id, first.body),
            (msg::START_ROSPEC, 1, vec![0, 0, 0, 9])
        );
        assert!(
            matches!(parser.next_message(), Some(Incoming::Message(m)) if m.kind == msg::KEEPALIVE_ACK)
        );
        parser.push(&[0x04, 0x48, 0, 0, 0, 3, 0, 0, 0, 1]);
        assert_eq!(parser.next_message(), Some(Incoming::BadLength(3)));
    }

    #[test]
    fn nested_tlvs_read_back() {
        let body = Writer::new()
            .tlv(param::ROSPEC, |w| {
                w.u32(5).tlv(param::AI_SPEC, |w| {
                    w.u16(0);
                });
            })
            .finish();
        let mut reader = Reader::new(&body);
        let (kind, rospec) = reader.tlv().unwrap();
        assert_eq!((kind, rospec.len()), (param::ROSPEC, 10));
        let mut inner = Reader::new(rospec);
        assert_eq!(inner.u32(), Some(5));
        assert_eq!(inner.tlv(), Some((param::AI_SPEC, &[0u8, 0][..])));
        assert_eq!(reader.tlv(), None);
    }
}
