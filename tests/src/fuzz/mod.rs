//! The bodies of the fuzz targets (`tests/fuzz/`, run by `scripts/fuzz.sh`), kept here so
//! that every input a fuzzer ever found failing is replayed by an ordinary test
//! (`tests/tests/fuzz_regressions.rs` over `tests/fuzz/regressions/<target>/`).
//!
//! Each body takes arbitrary bytes and must return without panicking; where a decoder
//! accepts the input, it also checks that the result survives a round trip, so a fuzzer
//! finds wrong answers as well as crashes.
// A fuzz target reports a wrong answer the one way libFuzzer sees: by panicking.
#![allow(clippy::panic)]

mod codes;
mod drivers;
mod link;
mod payloads;

pub use codes::{code, digital_link, element_string, epc_binary};
pub use drivers::{em4100, m100, mfrc522, pn532};
pub use link::link_frames;
pub use payloads::{epcis_json, mqtt_frames, mqtt_payload};

/// A target body: any bytes in, a panic for a failure.
pub type Body = fn(&[u8]);

/// Every target by the name its fuzz binary and regression folder carry.
pub const TARGETS: &[(&str, Body)] = &[
    ("link_frames", link_frames),
    ("em4100", em4100),
    ("pn532", pn532),
    ("m100", m100),
    ("mfrc522", mfrc522),
    ("epc_binary", epc_binary),
    ("element_string", element_string),
    ("digital_link", digital_link),
    ("code", code),
    ("mqtt_payload", mqtt_payload),
    ("epcis_json", epcis_json),
    ("mqtt_frames", mqtt_frames),
];
