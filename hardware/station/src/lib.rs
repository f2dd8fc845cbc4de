//! `trace-station`: what every board's `main` would otherwise repeat.
//!
//! A board owns its peripherals; this crate owns what happens between them. It wraps
//! each reader UART in a [`UartPort`] and each MFRC522 chip select in an [`SpiPort`],
//! whose driver follows the configuration the gateway sends (EM4100, PN532, M100 or
//! off on a UART; MFRC522 or off on SPI), and a [`Station`] runs the
//! [`App`](trace_firmware::app::App) over them and the gateway link, one bounded
//! round at a time. Every driver is therefore linked into every board image.
//!
//! `no_std`, no heap, no I/O of its own: the same code is tested on the host.
#![no_std]

mod port;
mod spi;
mod station;
mod uart;
mod uptime;

pub use port::ReaderPort;
pub use spi::SpiPort;
pub use station::{Station, StationError};
pub use uart::{ReaderUart, UartPort, UartReader};
pub use uptime::Uptime;
