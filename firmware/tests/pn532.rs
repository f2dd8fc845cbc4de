//! PN532 (HSU) driver against the frames of docs/readers.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_split_invariant, feed, hex, take_tx};
use trace_firmware::driver::SerialDriver;
use trace_firmware::event::{ReaderEvent, TagSighting};
use trace_firmware::pn532::{Pn532, Pn532Config};
use trace_proto::link::{FaultKind, TagId, Uid};

const ACK: &str = "00 00 FF 00 FF 00";
const SAM_CONFIGURATION: &str = "00 00 FF 03 FD D4 14 01 17 00";
const SAM_RESPONSE: &str = "00 00 FF 02 FE D5 15 16 00";
const IN_LIST_PASSIVE_TARGET: &str = "00 00 FF 04 FC D4 4A 01 00 E1 00";
/// readers.md: target 1, ATQA 0004, SAK 08, UID 901F2AA4.
const CARD_RESPONSE: &str = "00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 90 1F 2A A4 51 00";

fn card(uid: &[u8]) -> ReaderEvent {
    ReaderEvent::Tag(TagSighting::new(TagId::Iso14443a(
        Uid::from_slice(uid).unwrap(),
    )))
}

/// A chip → host normal frame carrying `data` after TFI D5.
fn response(data: &[u8]) -> Vec<u8> {
    let len = u8::try_from(data.len() + 1).unwrap();
    let dcs = data
        .iter()
        .fold(0xD5u8, |a, b| a.wrapping_add(*b))
        .wrapping_neg();
    let mut frame = vec![0x00, 0x00, 0xFF, len, len.wrapping_neg(), 0xD5];
    frame.extend_from_slice(data);
    frame.extend_from_slice(&[dcs, 0x00]);
    frame
}

/// A driver that has been configured and has sent its first InListPassiveTarget at 0.
fn polling_driver() -> Pn532 {
    let mut driver = Pn532::new(Pn532Config::default());
    assert!(driver.poll(0).is_none());
    take_tx(&mut driver);
    let events = feed(&mut driver, &hex(&format!("{ACK} {SAM_RESPONSE}")));
    assert_eq!(events, [ReaderEvent::Ready]);
    assert!(driver.poll(0).is_none());
    assert_eq!(take_tx(&mut driver), hex(IN_LIST_PASSIVE_TARGET));
    driver
}

#[test]
fn boot_wakes_the_chip_and_sends_sam_configuration() {
    let mut driver = Pn532::new(Pn532Config::default());
    assert!(driver.poll(0).is_none());
    let mut expected = hex("55 55");
    expected.extend([0; 14]);
    expected.extend(hex(SAM_CONFIGURATION));
    assert_eq!(take_tx(&mut driver), expected);
}

#[test]
fn reads_the_documented_card() {
    let mut driver = polling_driver();
    let events = feed(&mut driver, &hex(&format!("{ACK} {CARD_RESPONSE}")));
    assert_eq!(events, [card(&[0x90, 0x1F, 0x2A, 0xA4])]);
    // The next poll comes after the poll interval.
    assert!(driver.poll(49).is_none());
    assert!(take_tx(&mut driver).is_empty());
    assert!(driver.poll(50).is_none());
    assert_eq!(take_tx(&mut driver), hex(IN_LIST_PASSIVE_TARGET));
}

#[test]
fn answers_split_anywhere_give_the_same_read() {
    let bytes = hex(&format!("{ACK} {CARD_RESPONSE}"));
    assert_split_invariant(polling_driver, &bytes, &[card(&[0x90, 0x1F, 0x2A, 0xA4])]);
}

#[test]
fn reads_double_and_triple_size_uids() {
    let double = [0x04, 0x52, 0x3A, 0x12, 0x9C, 0x5D, 0x80];
    let triple = [0x08, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99];
    for uid in [&double[..], &triple[..]] {
        let mut data = vec![
            0x4B,
            0x01,
            0x01,
            0x00,
            0x44,
            0x00,
            u8::try_from(uid.len()).unwrap(),
        ];
        data.extend_from_slice(uid);
        let bytes = [hex(ACK), response(&data)].concat();
        assert_split_invariant(polling_driver, &bytes, &[card(uid)]);
    }
}

#[test]
fn an_extended_frame_is_read_too() {
    let data = hex("D5 4B 01 01 00 04 08 04 90 1F 2A A4");
    let dcs = data
        .iter()
        .fold(0u8, |a, b| a.wrapping_add(*b))
        .wrapping_neg();
    let mut frame = hex("00 00 FF FF FF 00 0C F4");
    frame.extend(&data);
    frame.extend([dcs, 0x00]);
    let mut driver = polling_driver();
    assert_eq!(
        feed(&mut driver, &[hex(ACK), frame].concat()),
        [card(&[0x90, 0x1F, 0x2A, 0xA4])]
    );
}

#[test]
fn garbage_between_frames_is_skipped() {
    let mut driver = polling_driver();
    let bytes = hex(&format!("13 FF 00 FF 12 00 {ACK} 7F 7F {CARD_RESPONSE} 55"));
    assert_eq!(feed(&mut driver, &bytes), [card(&[0x90, 0x1F, 0x2A, 0xA4])]);
    assert!(driver.stats().framing >= 2, "{:?}", driver.stats());
    assert_eq!(driver.stats().checksum, 0);
    // Two during set-up, ACK and response here.
    assert_eq!(driver.stats().frames, 4);
}

#[test]
fn no_card_answer_and_an_empty_field_lead_to_the_next_poll() {
    let mut driver = polling_driver();
    assert_eq!(
        feed(&mut driver, &[hex(ACK), response(&[0x4B, 0x00])].concat()),
        []
    );
    assert!(driver.poll(50).is_none());
    assert_eq!(take_tx(&mut driver), hex(IN_LIST_PASSIVE_TARGET));

    // This time the chip keeps listening: the driver aborts with an ACK.
    assert_eq!(feed(&mut driver, &hex(ACK)), []);
    assert!(driver.poll(249).is_none());
    assert!(take_tx(&mut driver).is_empty());
    assert!(driver.poll(250).is_none());
    assert_eq!(take_tx(&mut driver), hex(ACK));
    assert!(driver.poll(300).is_none());
    assert_eq!(take_tx(&mut driver), hex(IN_LIST_PASSIVE_TARGET));
    assert_eq!(driver.stats().timeouts, 0);
}

#[test]
fn a_silent_module_times_out_and_is_initialised_again() {
    let mut driver = Pn532::new(Pn532Config::default());
    assert!(driver.poll(0).is_none());
    take_tx(&mut driver);
    assert_eq!(driver.poll(99), None);
    assert_eq!(
        driver.poll(100),
        Some(ReaderEvent::Fault(FaultKind::NoResponse))
    );
    assert_eq!(driver.stats().timeouts, 1);
    assert!(driver.poll(1099).is_none());
    assert!(take_tx(&mut driver).is_empty());
    assert!(driver.poll(1100).is_none());
    assert!(take_tx(&mut driver).ends_with(&hex(SAM_CONFIGURATION)));
}

#[test]
fn a_module_sending_only_noise_times_out() {
    let mut driver = polling_driver();
    assert_eq!(feed(&mut driver, &hex("12 34 56")), []);
    assert_eq!(
        driver.poll(100),
        Some(ReaderEvent::Fault(FaultKind::Timeout))
    );
}

#[test]
fn a_response_with_a_bad_checksum_is_asked_for_again() {
    let mut driver = polling_driver();
    let mut corrupt = hex(CARD_RESPONSE);
    let dcs = corrupt.len() - 2;
    corrupt[dcs] ^= 0x01;
    assert_eq!(feed(&mut driver, &[hex(ACK), corrupt.clone()].concat()), []);
    assert_eq!(take_tx(&mut driver), hex("00 00 FF FF 00 00"), "NACK");
    assert_eq!(
        feed(&mut driver, &hex(CARD_RESPONSE)),
        [card(&[0x90, 0x1F, 0x2A, 0xA4])]
    );
    assert_eq!(driver.stats().checksum, 1);

    // After two NACKs the driver gives up on the answer and reports the fault.
    let mut driver = polling_driver();
    assert_eq!(feed(&mut driver, &[hex(ACK), corrupt.clone()].concat()), []);
    assert_eq!(feed(&mut driver, &corrupt), []);
    assert_eq!(
        feed(&mut driver, &corrupt),
        [ReaderEvent::Fault(FaultKind::Checksum)]
    );
}

#[test]
fn an_error_frame_is_a_module_error() {
    let mut driver = polling_driver();
    let events = feed(&mut driver, &hex("00 00 FF 01 FF 7F 81 00"));
    assert_eq!(
        events,
        [ReaderEvent::Fault(FaultKind::ModuleError { code: 0x7F })]
    );
    assert_eq!(driver.stats().module_errors, 1);
    assert!(driver.poll(50).is_none());
    assert_eq!(take_tx(&mut driver), hex(IN_LIST_PASSIVE_TARGET));
}

#[test]
fn a_uid_of_impossible_length_is_dropped_and_counted() {
    let mut driver = polling_driver();
    let data = hex("4B 01 01 00 04 08 05 01 02 03 04 05");
    assert_eq!(feed(&mut driver, &[hex(ACK), response(&data)].concat()), []);
    assert_eq!(driver.stats().bad_content, 1);
}
