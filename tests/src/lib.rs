//! `trace-tests`: end-to-end tests that run the real binaries as separate processes
//! (emulated readers → QEMU firmware / gateway → a real MQTT broker → server → HTTP) and
//! assert what a user would see.
//!
//! The suites are in `tests/`: `qemu_firmware.rs` checks the QEMU board's link frames
//! against the emulators; each `e2e_*.rs` runs a whole chain of processes, its opening
//! comment says which. This library holds what they share, one concern per module:
//! finding or building the binaries ([`bins`]), process guards ([`process`]), waits
//! with deadlines ([`wait`]), the HTTP client ([`http`]), the server, gateway and QEMU
//! board as processes ([`server`], [`gateway`], [`qemu`]), ports ([`net`]), per-test
//! folders ([`scratch`]) and emulated reader modules driven scene by scene
//! ([`scenes`]); the fault-injection drivers and counters ([`faults`]); and the bodies
//! of the fuzz targets ([`fuzz`]). Helpers return [`E2eError`]s that say what was awaited and what was
//! last seen; the tests unwrap them.

pub mod bins;
pub mod error;
pub mod faults;
pub mod fuzz;
pub mod gateway;
pub mod http;
pub mod net;
pub mod process;
pub mod qemu;
pub mod scenes;
pub mod scratch;
pub mod server;
pub mod wait;

pub use error::{E2eError, Result};
