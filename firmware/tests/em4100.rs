//! EM4100 / RDM6300 driver against the frames of docs/readers.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_split_invariant, feed};
use trace_firmware::driver::SerialDriver;
use trace_firmware::em4100::Em4100;
use trace_firmware::event::{ReaderEvent, TagSighting};
use trace_proto::link::{FaultKind, TagId};

/// readers.md: `02 "100086F444" "26" 03`.
const FOB: &[u8] = b"\x02100086F44426\x03";

fn fob_read() -> ReaderEvent {
    ReaderEvent::Tag(TagSighting::new(TagId::Em4100([
        0x10, 0x00, 0x86, 0xF4, 0x44,
    ])))
}

#[test]
fn reads_the_documented_fob() {
    let mut driver = Em4100::new();
    assert_eq!(feed(&mut driver, FOB), [fob_read()]);
    assert_eq!(driver.stats().frames, 1);
    // The number printed on the fob is the 4 ID bytes in decimal.
    assert_eq!(u32::from_be_bytes([0x00, 0x86, 0xF4, 0x44]), 8_844_356);
}

#[test]
fn frames_split_anywhere_give_the_same_reads() {
    let stream = [FOB, FOB].concat();
    assert_split_invariant(Em4100::new, &stream, &[fob_read(), fob_read()]);
}

#[test]
fn garbage_between_frames_is_skipped_and_counted() {
    let stream = [b"\xFFnoise\x03\x02zz".as_slice(), FOB, b"\x00\x7F\x02", FOB].concat();
    let mut driver = Em4100::new();
    assert_eq!(feed(&mut driver, &stream), [fob_read(), fob_read()]);
    let stats = driver.stats();
    assert_eq!(stats.frames, 2);
    assert!(stats.framing >= 2, "{stats:?}");
}

#[test]
fn a_frame_right_after_a_truncated_one_is_found() {
    // The module was reset mid-frame: STX and three digits, then a full frame.
    let stream = [b"\x02100".as_slice(), FOB].concat();
    assert_split_invariant(Em4100::new, &stream, &[fob_read()]);
}

#[test]
fn a_wrong_checksum_is_a_fault_and_the_next_frame_still_reads() {
    let mut driver = Em4100::new();
    let events = feed(
        &mut driver,
        &[b"\x02100086F44427\x03".as_slice(), FOB].concat(),
    );
    assert_eq!(
        events,
        [ReaderEvent::Fault(FaultKind::Checksum), fob_read()]
    );
    assert_eq!(driver.stats().checksum, 1);
}

#[test]
fn a_missing_etx_is_a_framing_error() {
    let mut driver = Em4100::new();
    assert_eq!(feed(&mut driver, b"\x02100086F44426\x04"), []);
    assert_eq!(driver.stats().framing, 1);
    assert_eq!(driver.pending_rx(), 0);
}

#[test]
fn lower_case_digits_are_accepted() {
    let mut driver = Em4100::new();
    assert_eq!(feed(&mut driver, b"\x02100086f44426\x03"), [fob_read()]);
}

#[test]
fn ready_is_reported_once_and_nothing_is_ever_sent() {
    let mut driver = Em4100::new();
    assert_eq!(driver.poll(0), Some(ReaderEvent::Ready));
    assert_eq!(driver.poll(10_000), None);
    assert!(driver.pending_tx().is_empty());
}
