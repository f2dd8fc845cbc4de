//! ISO 14443A cards through an NXP PN532 on its HSU (UART, 115200 8N1) interface.
//!
//! `frame` finds and checks the chip's frames and encodes commands; `driver` runs
//! the dialogue (command → ACK → response): wake-up and SAMConfiguration, then
//! InListPassiveTarget polling, with deadlines on the caller's millisecond tick.

mod driver;
mod frame;

pub use driver::{Pn532, Pn532Config};
