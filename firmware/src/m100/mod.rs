//! EPC Gen2 UHF tags through an M100-family serial module (YRM100, JRD-4035, R200
//! class; 115200 8N1).
//!
//! `frame` finds, checks and encodes `BB … 7E` frames, framing by the length field
//! because `7E` may occur inside an EPC; `driver` sets the TX power, runs continuous
//! (multiple) inventory, reports tag notifications and probes a quiet module.

mod driver;
mod frame;

pub use driver::{M100, M100Config};
