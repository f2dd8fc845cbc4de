//! M100-family UHF driver against the frames of docs/readers.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_split_invariant, feed, hex, take_tx};
use trace_firmware::driver::SerialDriver;
use trace_firmware::event::{ReaderEvent, TagSighting};
use trace_firmware::m100::{M100, M100Config};
use trace_proto::link::{EpcBank, FaultKind, TagId};

const SET_POWER_20_DBM: &str = "BB 00 B6 00 02 07 D0 8F 7E";
const POWER_SET: &str = "BB 01 B6 00 01 00 B8 7E";
/// Multiple inventory of 10 000 rounds (0x2710).
const MULTIPLE_INVENTORY: &str = "BB 00 27 00 03 22 27 10 83 7E";
const STOP: &str = "BB 00 28 00 00 28 7E";
const STOPPED: &str = "BB 01 28 00 01 00 2A 7E";
const NO_TAG: &str = "BB 01 FF 00 01 15 16 7E";
/// readers.md: RSSI −55 dBm, PC 0x3400, EPC 30751FEB705C5904E3D50D70, CRC 0x3A76.
const NOTIFICATION: &str =
    "BB 02 22 00 11 C9 34 00 30 75 1F EB 70 5C 59 04 E3 D5 0D 70 3A 76 EF 7E";
/// The same tag with 0x7E inside the EPC, from a multiple inventory; CRC-16/GENIBUS and
/// CK recomputed (0x01CC, 0x28).
const NOTIFICATION_7E: &str =
    "BB 02 27 00 11 C9 34 00 30 7E 1F EB 70 5C 59 04 E3 D5 0D 7E 01 CC 28 7E";

fn tag(epc: &str) -> ReaderEvent {
    ReaderEvent::Tag(TagSighting {
        tag: TagId::Gen2(EpcBank::new(0x3400, &hex(epc)).unwrap()),
        antenna: 0,
        rssi_cdbm: Some(-5500),
    })
}

fn documented_tag() -> ReaderEvent {
    tag("30 75 1F EB 70 5C 59 04 E3 D5 0D 70")
}

/// A driver that has set its power and started inventory at 0.
fn inventorying_driver() -> M100 {
    let mut driver = M100::new(M100Config::default());
    assert!(driver.poll(0).is_none());
    assert_eq!(take_tx(&mut driver), hex(SET_POWER_20_DBM));
    assert_eq!(feed(&mut driver, &hex(POWER_SET)), [ReaderEvent::Ready]);
    assert_eq!(take_tx(&mut driver), hex(MULTIPLE_INVENTORY));
    driver
}

#[test]
fn boot_sets_the_power_then_starts_inventory() {
    inventorying_driver();
}

#[test]
fn reads_the_documented_notification() {
    let mut driver = inventorying_driver();
    assert_eq!(feed(&mut driver, &hex(NOTIFICATION)), [documented_tag()]);
}

#[test]
fn an_epc_containing_7e_is_framed_by_length() {
    let expected = [tag("30 7E 1F EB 70 5C 59 04 E3 D5 0D 7E")];
    assert_split_invariant(inventorying_driver, &hex(NOTIFICATION_7E), &expected);
}

#[test]
fn notifications_split_anywhere_give_the_same_reads() {
    let bytes = hex(&format!("{NOTIFICATION} {NO_TAG} {NOTIFICATION}"));
    assert_split_invariant(
        inventorying_driver,
        &bytes,
        &[documented_tag(), documented_tag()],
    );
}

#[test]
fn garbage_between_frames_is_skipped() {
    let bytes = hex(&format!(
        "7E 00 13 {NOTIFICATION} 7E 7E BB 05 {NOTIFICATION}"
    ));
    let mut driver = inventorying_driver();
    assert_eq!(
        feed(&mut driver, &bytes),
        [documented_tag(), documented_tag()]
    );
    assert!(driver.stats().framing >= 2);
}

#[test]
fn a_frame_inside_a_false_start_is_found() {
    // A false header announcing 10 parameter bytes swallows the real frame that
    // follows; once its checksum fails the bytes are searched again, and both real
    // frames are found.
    let bytes = hex(&format!(
        "BB 02 22 00 0A {NO_TAG} 01 02 03 04 {NOTIFICATION}"
    ));
    let expected = [ReaderEvent::Fault(FaultKind::Checksum), documented_tag()];
    assert_split_invariant(inventorying_driver, &bytes, &expected);
    let mut driver = inventorying_driver();
    let frames_before = driver.stats().frames;
    assert_eq!(feed(&mut driver, &bytes), expected);
    assert_eq!(driver.stats().frames - frames_before, 2);
}

#[test]
fn a_wrong_checksum_is_a_fault_and_the_next_frame_still_reads() {
    let mut corrupt = hex(NOTIFICATION);
    let ck = corrupt.len() - 2;
    corrupt[ck] ^= 0x40;
    let mut driver = inventorying_driver();
    let events = feed(&mut driver, &[corrupt, hex(NOTIFICATION)].concat());
    assert_eq!(
        events,
        [ReaderEvent::Fault(FaultKind::Checksum), documented_tag()]
    );
    assert_eq!(driver.stats().checksum, 1);
}

#[test]
fn a_wrong_tag_crc_is_a_crc_fault() {
    // CRC 0x3A77 instead of 0x3A76, CK adjusted so only the tag CRC is wrong.
    let bytes = hex("BB 02 22 00 11 C9 34 00 30 75 1F EB 70 5C 59 04 E3 D5 0D 70 3A 77 F0 7E");
    let mut driver = inventorying_driver();
    assert_eq!(
        feed(&mut driver, &bytes),
        [ReaderEvent::Fault(FaultKind::Crc)]
    );
    assert_eq!(driver.stats().crc, 1);
}

#[test]
fn an_epc_length_disagreeing_with_the_pc_word_is_dropped() {
    // PC 0x3000 announces 12 bytes, but 14 follow.
    let params = hex("C9 30 00 30 75 1F EB 70 5C 59 04 E3 D5 0D 70 00 00 3A 76");
    let mut frame = vec![0xBB, 0x02, 0x22, 0x00, u8::try_from(params.len()).unwrap()];
    frame.extend(&params);
    let ck = frame[1..].iter().fold(0u8, |a, b| a.wrapping_add(*b));
    frame.extend([ck, 0x7E]);
    let mut driver = inventorying_driver();
    assert_eq!(feed(&mut driver, &frame), []);
    assert_eq!(driver.stats().bad_content, 1);
}

#[test]
fn no_tag_is_quiet_and_other_error_codes_are_faults() {
    let mut driver = inventorying_driver();
    assert_eq!(feed(&mut driver, &hex(NO_TAG)), []);
    let bad_command = hex("BB 01 FF 00 01 17 18 7E");
    let events = feed(&mut driver, &bad_command);
    assert_eq!(
        events,
        [ReaderEvent::Fault(FaultKind::ModuleError { code: 0x17 })]
    );
    assert_eq!(driver.stats().module_errors, 1);
}

#[test]
fn a_quiet_module_is_probed_with_a_stop_and_inventory_resumes() {
    let mut driver = inventorying_driver();
    assert!(driver.poll(999).is_none());
    assert!(take_tx(&mut driver).is_empty());
    assert!(driver.poll(1000).is_none());
    assert_eq!(take_tx(&mut driver), hex(STOP));
    assert_eq!(feed(&mut driver, &hex(STOPPED)), []);
    assert_eq!(take_tx(&mut driver), hex(MULTIPLE_INVENTORY));
}

#[test]
fn reads_keep_the_probe_away() {
    let mut driver = inventorying_driver();
    assert!(driver.poll(900).is_none());
    assert_eq!(feed(&mut driver, &hex(NOTIFICATION)), [documented_tag()]);
    assert!(driver.poll(1800).is_none());
    assert!(take_tx(&mut driver).is_empty());
}

#[test]
fn a_silent_module_times_out() {
    let mut driver = M100::new(M100Config::default());
    assert!(driver.poll(0).is_none());
    take_tx(&mut driver);
    assert_eq!(driver.poll(199), None);
    assert_eq!(
        driver.poll(200),
        Some(ReaderEvent::Fault(FaultKind::NoResponse))
    );
    assert_eq!(driver.stats().timeouts, 1);
    assert!(driver.poll(1200).is_none());
    assert_eq!(take_tx(&mut driver), hex(SET_POWER_20_DBM));

    // A module that dies during inventory fails its liveness probe.
    let mut driver = inventorying_driver();
    assert!(driver.poll(1000).is_none());
    assert_eq!(take_tx(&mut driver), hex(STOP));
    assert_eq!(
        driver.poll(1200),
        Some(ReaderEvent::Fault(FaultKind::NoResponse))
    );
}

#[test]
fn changing_the_power_stops_sets_and_resumes() {
    let mut driver = inventorying_driver();
    driver.set_tx_power(2600);
    assert_eq!(take_tx(&mut driver), hex(STOP));
    assert_eq!(feed(&mut driver, &hex(STOPPED)), []);
    assert_eq!(take_tx(&mut driver), hex("BB 00 B6 00 02 0A 28 EA 7E"));
    assert_eq!(feed(&mut driver, &hex(POWER_SET)), [ReaderEvent::Ready]);
    assert_eq!(take_tx(&mut driver), hex(MULTIPLE_INVENTORY));
}

#[test]
fn a_refused_power_setting_is_a_fault() {
    let mut driver = M100::new(M100Config::default());
    assert!(driver.poll(0).is_none());
    let refused = hex("BB 01 B6 00 01 17 CF 7E");
    let events = feed(&mut driver, &refused);
    assert_eq!(
        events,
        [ReaderEvent::Fault(FaultKind::ModuleError { code: 0x17 })]
    );
}

#[test]
fn stop_halts_until_resumed() {
    let mut driver = inventorying_driver();
    driver.stop();
    assert_eq!(take_tx(&mut driver), hex(STOP));
    assert_eq!(feed(&mut driver, &hex(STOPPED)), []);
    assert!(driver.poll(60_000).is_none());
    assert!(take_tx(&mut driver).is_empty());
    driver.resume();
    assert!(driver.poll(60_001).is_none());
    assert_eq!(take_tx(&mut driver), hex(SET_POWER_20_DBM));
}

#[test]
fn an_oversized_frame_is_an_overflow_and_reading_goes_on() {
    let mut driver = inventorying_driver();
    let bytes = hex(&format!("BB 02 22 01 00 {NOTIFICATION}"));
    assert_eq!(feed(&mut driver, &bytes), [documented_tag()]);
    assert_eq!(driver.stats().overflow, 1);
}
