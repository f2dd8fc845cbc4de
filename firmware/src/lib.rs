//! `trace-firmware`: the `no_std`, heap-free code that runs on a reader board.
//!
//! It will hold the reader-module drivers (EM4100, PN532, MFRC522, M100-family UHF) as
//! byte-fed state machines, tag de-bounce, and the framed link to the gateway, all
//! hardware-independent; boards live under `hardware/`. The link frames themselves are
//! defined in [`trace_proto`]. Nothing beyond this crate's place in the workspace exists yet
//! (issue 3).
#![no_std]
