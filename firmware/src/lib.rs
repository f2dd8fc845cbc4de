//! `trace-firmware`: the `no_std`, heap-free code that runs on a reader board.
//!
//! - Reader drivers, each a state machine without I/O fed with received bytes and a
//!   millisecond tick: [`em4100`] (RDM6300-class 125 kHz), [`pn532`] (ISO 14443A over
//!   HSU), [`m100`] (EPC Gen2 UHF) implement [`driver::SerialDriver`]; [`mfrc522`]
//!   (ISO 14443A over SPI) steps an embedded-hal `SpiDevice` a bounded amount per poll.
//!   All resynchronise after garbage, bound their buffers, time out instead of waiting
//!   and count errors in [`stats::Stats`].
//! - [`debounce`]: merges repeated reads of a tag into one record.
//! - [`app`]: the link to the gateway (Hello, TagRead, Heartbeat, ReaderFault,
//!   ConfigAck; Configure), with the frames of [`trace_proto::link`].
//! - [`io`]: thin `embedded-io` adapters for the UART drivers and the gateway link.
//!
//! Boards (pin maps, `main`) live under `hardware/`.
#![no_std]

pub mod app;
pub mod debounce;
mod deframe;
pub mod driver;
pub mod em4100;
pub mod event;
pub mod io;
pub mod m100;
pub mod mfrc522;
pub mod pn532;
pub mod stats;
