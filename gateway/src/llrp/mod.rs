//! The gateway's LLRP 1.0.1 client for fixed UHF readers (Impinj, Zebra): TCP port 5084,
//! big-endian messages of TLV and TV parameters (see `docs/readers.md`).
//!
//! [`wire`] frames, builds and parses messages; [`session`] is the client's dialogue as a
//! state machine without I/O (set the keep-alive, replace the ROSpec, enable and start
//! it, turn RO_ACCESS_REPORTs into tag reads, answer KEEPALIVE, notice a silent reader);
//! `input::llrp` is the TCP adapter.

pub mod session;
pub mod wire;

pub use session::{Session, SessionEvent};
