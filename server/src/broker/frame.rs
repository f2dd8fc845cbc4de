//! MQTT 3.1.1 packets as the authorising front sees them: where each packet ends, and the
//! few fields it decides on (CONNECT's credentials and will, PUBLISH's topic, SUBSCRIBE's
//! filters). Everything else passes through as bytes, so the parser stays small and the
//! broker behind it remains the one that speaks the protocol.
//!
//! No I/O here: [`Framer`] is fed bytes as they arrive and hands back whole packets.

use self::connect::connect;
pub use self::connect::{Connect, Will};

/// A CONNACK refusing a client: fixed header `0x20 0x02`, no session present, the code.
pub fn connack(code: ConnackCode) -> [u8; 4] {
    [0x20, 0x02, 0x00, code as u8]
}

/// CONNACK return codes the front sends (MQTT 3.1.1, 3.2.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ConnackCode {
    /// The protocol level is not 4 (3.1.1).
    UnacceptableProtocol = 1,
    /// The broker cannot take the connection now.
    ServerUnavailable = 3,
    /// The credentials, client id or will are refused.
    NotAuthorised = 5,
}

/// Why bytes from a client are not an acceptable MQTT 3.1.1 packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The remaining-length field runs past four bytes.
    #[error("remaining length longer than four bytes")]
    RemainingLength,
    /// A packet larger than the front accepts.
    #[error("packet of {declared} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Bytes announced.
        declared: usize,
        /// The limit.
        max: usize,
    },
    /// A packet ends before a field it announces.
    #[error("{packet} packet ends inside a field")]
    Truncated {
        /// The packet kind.
        packet: &'static str,
    },
    /// A packet type a client must not send (CONNACK, SUBACK, …, or reserved 0/15).
    #[error("packet type {0} is not sent by clients")]
    UnexpectedType(u8),
    /// Fixed-header flags that the packet type forbids.
    #[error("{packet} packet with invalid header flags {flags:#06b}")]
    BadFlags {
        /// The packet kind.
        packet: &'static str,
        /// The low nibble of the first byte.
        flags: u8,
    },
    /// A string that is not UTF-8, or contains U+0000.
    #[error("{packet} packet carries a string that is not valid MQTT UTF-8")]
    BadString {
        /// The packet kind.
        packet: &'static str,
    },
    /// Not `MQTT` level 4.
    #[error("protocol {name:?} level {level} is not MQTT 3.1.1")]
    Protocol {
        /// The protocol name sent.
        name: String,
        /// The protocol level sent.
        level: u8,
    },
    /// CONNECT flags that contradict each other or set the reserved bit.
    #[error("CONNECT flags {0:#010b} are invalid")]
    ConnectFlags(u8),
    /// A QoS of 3.
    #[error("{packet} packet asks for QoS 3")]
    BadQos {
        /// The packet kind.
        packet: &'static str,
    },
    /// A SUBSCRIBE without any filter.
    #[error("SUBSCRIBE packet without topic filters")]
    EmptySubscribe,
}

/// Splits a byte stream into packets, refusing any larger than its limit before buffering it.
#[derive(Debug)]
pub struct Framer {
    buffer: Vec<u8>,
    /// Where the next packet starts in `buffer`; the bytes before it are handed out.
    start: usize,
    max: usize,
}

impl Framer {
    /// A framer that refuses packets whose remaining length exceeds `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            buffer: Vec::new(),
            start: 0,
            max,
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        // Drop handed-out bytes once they are half the buffer: each byte moves at most once
        // more, however many small packets one read held.
        if self.start > 0 && self.start * 2 >= self.buffer.len() {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole packet (fixed header included), if one has arrived.
    pub fn next_packet(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        let pending = &self.buffer[self.start..];
        let Some((header, remaining)) = fixed_header(pending)? else {
            return Ok(None);
        };
        if remaining > self.max {
            return Err(FrameError::TooLarge {
                declared: remaining,
                max: self.max,
            });
        }
        let total = header + remaining;
        let Some(packet) = pending.get(..total) else {
            return Ok(None);
        };
        let packet = packet.to_vec();
        self.start += total;
        Ok(Some(packet))
    }
}

/// The length of the fixed header and the remaining length, once both are complete.
fn fixed_header(bytes: &[u8]) -> Result<Option<(usize, usize)>, FrameError> {
    let mut remaining = 0usize;
    for (i, byte) in bytes.iter().skip(1).take(4).enumerate() {
        remaining |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some((i + 2, remaining)));
        }
    }
    if bytes.len() >= 5 {
        return Err(FrameError::RemainingLength);
    }
    Ok(None)
}

/// A client packet, as far as the front needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet<'a> {
    /// CONNECT.
    Connect(Connect),
    /// PUBLISH to a topic.
    Publish {
        /// The topic name.
        topic: &'a str,
    },
    /// SUBSCRIBE to filters.
    Subscribe {
        /// The topic filters.
        filters: Vec<&'a str>,
    },
    /// Any other packet a client may send (PUBACK, PINGREQ, UNSUBSCRIBE, DISCONNECT, …).
    Other,
}

/// Parses one whole packet as returned by [`Framer::next_packet`].
pub fn parse(packet: &[u8]) -> Result<Packet<'_>, FrameError> {
    let (header, _) = fixed_header(packet)?.ok_or(FrameError::Truncated { packet: "any" })?;
    let (kind, flags) = (packet[0] >> 4, packet[0] & 0x0f);
    let mut body = Reader {
        bytes: packet.get(header..).unwrap_or_default(),
        packet: "",
    };
    let fixed_flags = |name: &'static str, want: u8| {
        if flags == want {
            Ok(())
        } else {
            Err(FrameError::BadFlags {
                packet: name,
                flags,
            })
        }
    };
    match kind {
        1 => {
            fixed_flags("CONNECT", 0)?;
            body.packet = "CONNECT";
            connect(&mut body).map(Packet::Connect)
        }
        3 => {
            body.packet = "PUBLISH";
            let qos = (flags >> 1) & 0b11;
            if qos == 3 {
                return Err(FrameError::BadQos { packet: "PUBLISH" });
            }
            let topic = body.string()?;
            if qos > 0 {
                body.u16()?;
            }
            Ok(Packet::Publish { topic })
        }
        8 => {
            fixed_flags("SUBSCRIBE", 0b0010)?;
            body.packet = "SUBSCRIBE";
            body.u16()?;
            let mut filters = Vec::new();
            while !body.bytes.is_empty() {
                filters.push(body.string()?);
                if body.u8()? > 2 {
                    return Err(FrameError::BadQos {
                        packet: "SUBSCRIBE",
                    });
                }
            }
            if filters.is_empty() {
                return Err(FrameError::EmptySubscribe);
            }
            Ok(Packet::Subscribe { filters })
        }
        6 => fixed_flags("PUBREL", 0b0010).map(|()| Packet::Other),
        10 => fixed_flags("UNSUBSCRIBE", 0b0010).map(|()| Packet::Other),
        4 | 5 | 7 | 12 | 14 => fixed_flags("control", 0).map(|()| Packet::Other),
        other => Err(FrameError::UnexpectedType(other)),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    packet: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        if self.bytes.len() < n {
            return Err(FrameError::Truncated {
                packet: self.packet,
            });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, FrameError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn binary(&mut self) -> Result<&'a [u8], FrameError> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }

    fn string(&mut self) -> Result<&'a str, FrameError> {
        let bytes = self.binary()?;
        std::str::from_utf8(bytes)
            .ok()
            .filter(|s| !s.contains('\0'))
            .ok_or(FrameError::BadString {
                packet: self.packet,
            })
    }
}

mod connect;
#[cfg(test)]
mod tests;
