//! ISO 14443A cards through an NXP MFRC522 on SPI (embedded-hal 1.0 `SpiDevice`).
//!
//! `picc` is the card-side activation (REQA, anticollision, SELECT over up to three
//! cascade levels, HLTA) without I/O; `driver` drives the chip's registers one
//! bounded step per poll, so a chip that stops answering becomes a timeout fault
//! instead of a hung loop.
//!
//! The `mfrc522` crate is not used: its reset and transceive loops spin for as long as
//! the chip does not answer, and its `select` reaches `unreachable!()` when a card's
//! SAK announces a fourth cascade level.

mod driver;
mod picc;

pub use driver::{Mfrc522, Mfrc522Config};
