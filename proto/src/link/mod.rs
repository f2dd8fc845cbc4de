//! The serial link between the reader firmware and the gateway: framed, checksummed
//! postcard messages over a UART (or a USB-serial port).
//!
//! No standard defines this protocol; it is rfid-trace's own. Everything here works
//! without an allocator, so the same code runs on a Cortex-M0+ and in the gateway.
//!
//! # Byte layout of one frame
//!
//! ```text
//! 0x00 │ COBS( body ) │ 0x00
//!
//! body = format │ seq │ message │ crc
//!   format  1 byte        FORMAT (0x01): layout of the frame and of every message
//!   seq     varint u32    frame sequence number of the sender, +1 per frame, wrapping
//!   message postcard      a ToGateway or ToFirmware enum: variant index (varint), then fields
//!   crc     4 bytes LE    CRC-32/ISCSI (Castagnoli) of format │ seq │ message
//! ```
//!
//! `format │ seq │ message` is exactly the postcard encoding of the tuple
//! `(FORMAT, seq, message)`: a `u8` is one raw byte, integers wider than a byte are
//! LEB128 varints (signed ones zig-zag encoded first), `Option` is a 0/1 byte then the
//! value, strings and lists are a varint length then the items, fixed arrays are their
//! bytes without a length, enums are a varint variant index then the variant's fields.
//!
//! COBS (Consistent Overhead Byte Stuffing) removes every 0x00 from the body at a cost
//! of one byte per 254, so 0x00 can delimit frames. A frame is also *preceded* by 0x00:
//! an empty frame is ignored, and the leading delimiter ends whatever line noise or
//! half frame came before, so the first frame after garbage (a reset MCU, a hot-plugged
//! cable) is never lost to it.
//!
//! # Versioning
//!
//! postcard is not self-describing: the reader must know the exact types. So
//! - [`FORMAT`] changes whenever an existing message changes shape (a field added,
//!   removed or retyped). A decoder rejects other formats with
//!   [`FrameError::UnsupportedFormat`].
//! - New messages and new enum variants are only ever *appended*, and bump
//!   [`PROTOCOL_VERSION`] (sent in [`Hello`]) without changing [`FORMAT`]: an older
//!   peer reports [`FrameError::UnknownMessage`] for a message kind it does not know and
//!   keeps decoding the rest.
//! - No field is ever skipped conditionally (no `skip_serializing_if`): absent values are
//!   `Option`s.

mod cobs;
mod codec;
mod messages;
mod tag;

pub use codec::{
    EncodeError, Feed, Frame, FrameDecoder, FrameError, LinkMessage, MAX_BODY_LEN, MAX_ENCODED_LEN,
    MAX_FRAME_LEN, MAX_MESSAGE_LEN, encode_frame,
};
pub use messages::{
    ConfigAck, ConfigRejection, ConfigResult, Configure, FaultKind, Heartbeat, Hello,
    MAX_BOARD_NAME_LEN, MAX_FIRMWARE_VERSION_LEN, MAX_READERS, PortAssignment, ReaderErrors,
    ReaderFault, ReaderInfo, ReaderKind, ReaderState, TagRead, ToFirmware, ToGateway,
};
pub use tag::{EpcBank, MAX_EPC_LEN, TagId, TagIdError, Uid};

/// Frame format byte: the layout of the frame and of every existing message.
pub const FORMAT: u8 = 1;

/// Revision of the message set, reported by the firmware in [`Hello`]. Appending a
/// message or an enum variant increments it; see the module doc.
pub const PROTOCOL_VERSION: u16 = 1;
