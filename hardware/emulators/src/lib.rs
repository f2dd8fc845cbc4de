//! `trace-emulators`: byte-exact emulators of the RFID reader modules rfid-trace supports,
//! the independent oracle the firmware drivers and the gateway are tested against.
//!
//! Each emulator is a plain state machine: the host's bytes go in with
//! [`Emulator::feed`], the module's bytes come out of [`Emulator::poll`], and time moves
//! only when the caller says so ([`Emulator::advance`]). The wire facts follow
//! `docs/readers.md`.
//!
//! - [`em4100`]: RDM6300-class EM4100 125 kHz module (UART, output only);
//! - [`pn532`]: PN532 NFC controller over HSU (ISO 14443-A initiator);
//! - [`mfrc522`]: MFRC522 at register level, an embedded-hal 1.0 `SpiDevice`;
//! - [`m100`]: M100-family EPC Gen2 UHF module (UART);
//! - [`llrp`]: fixed UHF reader speaking LLRP 1.0.1 (TCP).
//!
//! What happens in front of a reader (tags entering and leaving, per antenna) and on its
//! wire (noise, corrupted frames, dribbling bytes, silence) is a [`scenario`] acting on the
//! [`field`] and fault knobs every emulator has. [`transport`] serves any byte-stream
//! emulator on a TCP port or a pseudo-terminal; the `trace-emulate` binary does that from
//! the command line.

pub mod em4100;
pub mod emulator;
pub mod field;
pub mod llrp;
pub mod m100;
pub mod mfrc522;
pub mod pn532;
pub mod scenario;
pub mod tag;
pub mod transport;

pub use emulator::Emulator;
pub use field::{Faults, Field, FieldTag, Scene};
pub use scenario::{Action, Scenario};
pub use tag::{Em4100Tag, Gen2Tag, Iso14443aTag, Tag};
