//! Helpers shared by the driver tests.
#![allow(dead_code)]

use trace_firmware::driver::SerialDriver;
use trace_firmware::event::ReaderEvent;

/// Bytes from hex pairs separated by spaces, e.g. `"BB 01 28"`.
pub fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|pair| u8::from_str_radix(pair, 16).unwrap())
        .collect()
}

/// Feeds `bytes` at once and collects the events.
pub fn feed<D: SerialDriver>(driver: &mut D, bytes: &[u8]) -> Vec<ReaderEvent> {
    driver.feed(bytes).collect()
}

/// Feeds `bytes` one at a time and collects the events.
pub fn feed_bytewise<D: SerialDriver>(driver: &mut D, bytes: &[u8]) -> Vec<ReaderEvent> {
    bytes
        .iter()
        .flat_map(|b| driver.feed(core::slice::from_ref(b)).collect::<Vec<_>>())
        .collect()
}

/// Asserts that a fresh driver from `make` yields `expected` for `bytes` fed whole,
/// one byte at a time, and split in two at every offset.
pub fn assert_split_invariant<D: SerialDriver>(
    make: impl Fn() -> D,
    bytes: &[u8],
    expected: &[ReaderEvent],
) {
    assert_eq!(feed(&mut make(), bytes), expected, "fed whole");
    assert_eq!(feed_bytewise(&mut make(), bytes), expected, "fed bytewise");
    for split in 0..=bytes.len() {
        let mut driver = make();
        let (a, b) = bytes.split_at(split);
        let mut events = feed(&mut driver, a);
        events.extend(feed(&mut driver, b));
        assert_eq!(events, expected, "split at {split}");
    }
}

/// Takes the pending command bytes, as an adapter writing them all would.
pub fn take_tx<D: SerialDriver>(driver: &mut D) -> Vec<u8> {
    let bytes = driver.pending_tx().to_vec();
    driver.consume_tx(bytes.len());
    bytes
}
