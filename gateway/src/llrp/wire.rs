//! LLRP 1.0.1 on the wire: the message header, a byte-fed framer, the messages this
//! client sends, and the parts of what readers send that it reads.
//!
//! ```text
//! message    u16 rsvd(3) | version(3) | type(10), u32 length of the whole message,
//!            u32 message id, body
//! TLV param  u16 rsvd(6) | type(10), u16 length including this 4-byte header, body
//! TV param   u8 1 | type(7), value of a size fixed by the type
//! ```

/// Protocol version of LLRP 1.0.1.
pub const VERSION: u16 = 1;
/// Bytes of the message header.
pub const HEADER_LEN: usize = 10;
/// Longest message accepted; a longer length field means the stream lost its framing.
pub const MAX_MESSAGE_LEN: usize = 1 << 20;

/// Message types used here.
pub mod msg {
    /// SET_READER_CONFIG.
    pub const SET_READER_CONFIG: u16 = 3;
    /// SET_READER_CONFIG_RESPONSE.
    pub const SET_READER_CONFIG_RESPONSE: u16 = 13;
    /// ADD_ROSPEC.
    pub const ADD_ROSPEC: u16 = 20;
    /// DELETE_ROSPEC.
    pub const DELETE_ROSPEC: u16 = 21;
    /// START_ROSPEC.
    pub const START_ROSPEC: u16 = 22;
    /// ENABLE_ROSPEC.
    pub const ENABLE_ROSPEC: u16 = 24;
    /// Responses to 20..=26 are the request type + 10.
    pub const RESPONSE_OFFSET: u16 = 10;
    /// RO_ACCESS_REPORT.
    pub const RO_ACCESS_REPORT: u16 = 61;
    /// KEEPALIVE.
    pub const KEEPALIVE: u16 = 62;
    /// READER_EVENT_NOTIFICATION.
    pub const READER_EVENT_NOTIFICATION: u16 = 63;
    /// KEEPALIVE_ACK.
    pub const KEEPALIVE_ACK: u16 = 72;
    /// ERROR_MESSAGE.
    pub const ERROR_MESSAGE: u16 = 100;
}

/// TLV parameter types used here.
pub mod param {
    /// ROSpec.
    pub const ROSPEC: u16 = 177;
    /// ROBoundarySpec.
    pub const RO_BOUNDARY_SPEC: u16 = 178;
    /// ROSpecStartTrigger.
    pub const ROSPEC_START_TRIGGER: u16 = 179;
    /// ROSpecStopTrigger.
    pub const ROSPEC_STOP_TRIGGER: u16 = 182;
    /// AISpec.
    pub const AI_SPEC: u16 = 183;
    /// AISpecStopTrigger.
    pub const AI_SPEC_STOP_TRIGGER: u16 = 184;
    /// InventoryParameterSpec.
    pub const INVENTORY_PARAMETER_SPEC: u16 = 186;
    /// KeepaliveSpec.
    pub const KEEPALIVE_SPEC: u16 = 220;
    /// ROReportSpec.
    pub const RO_REPORT_SPEC: u16 = 237;
    /// TagReportContentSelector.
    pub const TAG_REPORT_CONTENT_SELECTOR: u16 = 238;
    /// TagReportData.
    pub const TAG_REPORT_DATA: u16 = 240;
    /// EPCData.
    pub const EPC_DATA: u16 = 241;
    /// LLRPStatus.
    pub const LLRP_STATUS: u16 = 287;
}

/// TV parameter types read here.
pub mod tv {
    /// AntennaID (u16).
    pub const ANTENNA_ID: u8 = 1;
    /// PeakRSSI (i8).
    pub const PEAK_RSSI: u8 = 6;
    /// EPC-96 (12 bytes).
    pub const EPC_96: u8 = 13;
}

/// Value size of a TV parameter type (LLRP 1.0.1 §16.2.7, types 1–20); `None`: unknown,
/// the rest of the parameter list cannot be read.
fn tv_len(kind: u8) -> Option<usize> {
    Some(match kind {
        6 => 1,
        1 | 7 | 8 | 10 | 11 | 12 | 14 | 15 | 17 | 19 | 20 => 2,
        9 | 16 | 18 => 4,
        2..=5 => 8,
        13 => 12,
        _ => return None,
    })
}

/// One framed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Protocol version from the header.
    pub version: u16,
    /// Message type.
    pub kind: u16,
    /// Message id.
    pub id: u32,
    /// Body after the header.
    pub body: Vec<u8>,
}

impl Message {
    /// A version 1 message.
    pub fn new(kind: u16, id: u32, body: Vec<u8>) -> Self {
        Self {
            version: VERSION,
            kind,
            id,
            body,
        }
    }

    /// Header and body.
    pub fn encode(&self) -> Vec<u8> {
        let length = u32::try_from(HEADER_LEN + self.body.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(HEADER_LEN + self.body.len());
        out.extend(((self.version & 0x7) << 10 | self.kind & 0x3FF).to_be_bytes());
        out.extend(length.to_be_bytes());
        out.extend(self.id.to_be_bytes());
        out.extend(&self.body);
        out
    }
}

/// Why bytes do not frame a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A length field below the header size or above [`MAX_MESSAGE_LEN`]: the stream
    /// has lost its framing and the connection must be reset.
    #[error("LLRP length field {0} is impossible: the stream lost its framing")]
    BadLength(u32),
}

/// Byte-fed framer. After [`FrameError`] it stays failed: TCP has no resynchronisation
/// point, so the caller reconnects.
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    failed: Option<FrameError>,
}

impl Framer {
    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// The next complete message, if any.
    pub fn next_message(&mut self) -> Option<Result<Message, FrameError>> {
        if let Some(e) = self.failed {
            return Some(Err(e));
        }
        let header: &[u8; HEADER_LEN] = self.buf.first_chunk()?;
        let word = u16::from_be_bytes([header[0], header[1]]);
        let length = u32::from_be_bytes([header[2], header[3], header[4], header[5]]);
        let id = u32::from_be_bytes([header[6], header[7], header[8], header[9]]);
        let len = usize::try_from(length).unwrap_or(usize::MAX);
        if !(HEADER_LEN..=MAX_MESSAGE_LEN).contains(&len) {
            self.failed = Some(FrameError::BadLength(length));
            self.buf.clear();
            return Some(Err(FrameError::BadLength(length)));
        }
        let body = self.buf.get(HEADER_LEN..len)?.to_vec();
        self.buf.drain(..len);
        Some(Ok(Message {
            version: word >> 10 & 0x7,
            kind: word & 0x3FF,
            id,
            body,
        }))
    }
}

/// Builds a parameter list.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// A u8 field.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.out.push(v);
        self
    }

    /// A u16 field.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.out.extend(v.to_be_bytes());
        self
    }

    /// A u32 field.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.out.extend(v.to_be_bytes());
        self
    }

    /// A TLV parameter whose body `f` writes.
    pub fn tlv(&mut self, kind: u16, f: impl FnOnce(&mut Writer)) -> &mut Self {
        let start = self.out.len();
        self.out.extend((kind & 0x3FF).to_be_bytes());
        self.out.extend([0, 0]);
        f(self);
        let length = u16::try_from(self.out.len() - start).unwrap_or(u16::MAX);
        if let Some(slot) = self.out.get_mut(start + 2..start + 4) {
            slot.copy_from_slice(&length.to_be_bytes());
        }
        self
    }

    /// The bytes written.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}

/// A parameter read from a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    /// TLV: type and body.
    Tlv(u16, &'a [u8]),
    /// TV: type and value.
    Tv(u8, &'a [u8]),
}

/// Iterates a parameter list; stops at the first malformed or unknown-size parameter.
#[derive(Debug)]
pub struct Params<'a> {
    rest: &'a [u8],
}

impl<'a> Params<'a> {
    /// The parameters in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
}

impl<'a> Iterator for Params<'a> {
    type Item = Param<'a>;

    fn next(&mut self) -> Option<Param<'a>> {
        let &first = self.rest.first()?;
        if first & 0x80 != 0 {
            let kind = first & 0x7F;
            let len = tv_len(kind)?;
            let value = self.rest.get(1..1 + len)?;
            self.rest = self.rest.get(1 + len..)?;
            return Some(Param::Tv(kind, value));
        }
        let header: &[u8; 4] = self.rest.first_chunk()?;
        let kind = u16::from_be_bytes([header[0], header[1]]) & 0x3FF;
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let body = self.rest.get(4..len)?;
        self.rest = self.rest.get(len..)?;
        Some(Param::Tlv(kind, body))
    }
}

/// One tag in an RO_ACCESS_REPORT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagReport {
    /// EPC bytes (EPC-96 or EPCData).
    pub epc: Vec<u8>,
    /// Antenna, if reported.
    pub antenna: Option<u16>,
    /// Peak RSSI in dBm, if reported.
    pub rssi: Option<i8>,
}

/// The tags of an RO_ACCESS_REPORT body; TagReportData without an EPC are skipped.
pub fn tag_reports(body: &[u8]) -> Vec<TagReport> {
    Params::new(body)
        .filter_map(|p| match p {
            Param::Tlv(param::TAG_REPORT_DATA, data) => tag_report(data),
            _ => None,
        })
        .collect()
}

fn tag_report(data: &[u8]) -> Option<TagReport> {
    let mut report = TagReport {
        epc: Vec::new(),
        antenna: None,
        rssi: None,
    };
    for p in Params::new(data) {
        match p {
            Param::Tv(tv::EPC_96, epc) => report.epc = epc.to_vec(),
            Param::Tlv(param::EPC_DATA, body) => {
                let (bits, epc) = body.split_first_chunk::<2>()?;
                let bytes = usize::from(u16::from_be_bytes(*bits)).div_ceil(8);
                report.epc = epc.get(..bytes)?.to_vec();
            }
            Param::Tv(tv::ANTENNA_ID, v) => {
                report.antenna = v.first_chunk::<2>().map(|b| u16::from_be_bytes(*b));
            }
            Param::Tv(tv::PEAK_RSSI, v) => {
                report.rssi = v.first().map(|b| i8::from_be_bytes([*b]));
            }
            _ => {}
        }
    }
    (!report.epc.is_empty()).then_some(report)
}

/// The status code and description of the LLRPStatus in a response body (0: success).
pub fn llrp_status(body: &[u8]) -> Option<(u16, String)> {
    Params::new(body).find_map(|p| match p {
        Param::Tlv(param::LLRP_STATUS, status) => {
            let (code, rest) = status.split_first_chunk::<2>()?;
            let (len, text) = rest.split_first_chunk::<2>()?;
            let text = text.get(..usize::from(u16::from_be_bytes(*len)))?;
            Some((
                u16::from_be_bytes(*code),
                String::from_utf8_lossy(text).into_owned(),
            ))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests;
