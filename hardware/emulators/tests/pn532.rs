#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! PN532 over HSU: command/response exchanges byte for byte (readers.md, UM0701-02).

use std::time::Duration;

use trace_emulators::pn532::Pn532;
use trace_emulators::pn532::frame::{ACK, ERROR, NACK, command_frame};
use trace_emulators::tag::{Iso14443aTag, parse_hex};
use trace_emulators::{Emulator, Scene, Tag};

fn hex(text: &str) -> Vec<u8> {
    parse_hex(text).unwrap()
}

fn exchange(chip: &mut Pn532, bytes: &[u8]) -> Vec<u8> {
    chip.feed(bytes);
    let mut out = Vec::new();
    while chip.poll(&mut out) > 0 {}
    out
}

/// A chip woken up and in normal mode, as every driver starts.
fn ready_chip() -> Pn532 {
    let mut chip = Pn532::new();
    let mut wake = hex("55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    wake.extend(hex("00 00 FF 03 FD D4 14 01 17 00"));
    let out = exchange(&mut chip, &wake);
    assert_eq!(out, [&ACK[..], &hex("00 00 FF 02 FE D5 15 16 00")].concat());
    chip
}

const IN_LIST: &str = "00 00 FF 04 FC D4 4A 01 00 E1 00";

#[test]
fn wake_up_then_sam_configuration_as_in_readers_md() {
    let chip = ready_chip();
    assert!(chip.is_awake());
}

#[test]
fn asleep_chip_drops_a_command_without_wake_up() {
    let mut chip = Pn532::new();
    assert!(exchange(&mut chip, &hex("00 00 FF 03 FD D4 14 01 17 00")).is_empty());
    assert!(!chip.is_awake());
}

#[test]
fn get_firmware_version() {
    let mut chip = ready_chip();
    let out = exchange(&mut chip, &hex("00 00 FF 02 FE D4 02 2A 00"));
    assert_eq!(
        out,
        [&ACK[..], &hex("00 00 FF 06 FA D5 03 32 01 06 07 E8 00")].concat()
    );
}

#[test]
fn in_list_passive_target_four_byte_uid_is_the_readers_md_example() {
    let mut chip = ready_chip();
    chip.field()
        .enter("iso14443a:901F2AA4".parse::<Tag>().unwrap(), 1, -40);
    let out = exchange(&mut chip, &hex(IN_LIST));
    let expected = hex("00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 90 1F 2A A4 51 00");
    assert_eq!(out, [&ACK[..], &expected].concat());
}

#[test]
fn in_list_passive_target_seven_and_ten_byte_uids() {
    for (uid, sens_res) in [
        ("04A1B2C3D4E5F6", "00 44"),
        ("04A1B2C3D4E5F6A7B8C9", "00 84"),
    ] {
        let mut chip = ready_chip();
        chip.field()
            .enter(format!("iso14443a:{uid}").parse::<Tag>().unwrap(), 1, -40);
        let out = exchange(&mut chip, &hex(IN_LIST));
        let mut data = hex("D5 4B 01 01");
        data.extend(hex(sens_res));
        data.push(0x00);
        data.push(u8::try_from(uid.len() / 2).unwrap());
        data.extend(hex(uid));
        let len = u8::try_from(data.len()).unwrap();
        let dcs = data
            .iter()
            .fold(0u8, |a, b| a.wrapping_add(*b))
            .wrapping_neg();
        let expected = [
            &ACK[..],
            &[0x00, 0x00, 0xFF, len, len.wrapping_neg()],
            &data,
            &[dcs, 0x00],
        ]
        .concat();
        assert_eq!(out, expected, "uid {uid}");
    }
}

#[test]
fn iso_dep_card_reports_its_ats() {
    let mut chip = ready_chip();
    let card = Iso14443aTag::new(&hex("08 11 22 33"))
        .unwrap()
        .with_atqa(0x0004)
        .with_sak(0x20)
        .with_ats(&hex("05 78 80 70 02"));
    chip.field().enter(Tag::Iso14443a(card), 1, -40);
    let out = exchange(&mut chip, &hex(IN_LIST));
    let expected = hex("00 00 FF 11 EF D5 4B 01 01 00 04 20 04 08 11 22 33 05 78 80 70 02 D9 00");
    assert_eq!(out, [&ACK[..], &expected].concat());
}

#[test]
fn finite_retries_answer_no_target_and_infinite_ones_wait_for_a_card() {
    let mut chip = ready_chip();
    // RFConfiguration item 5: MxRtyATR, MxRtyPSL, MxRtyPassiveActivation = 2.
    let out = exchange(&mut chip, &command_frame(&hex("32 05 FF 01 02")));
    assert_eq!(out, [&ACK[..], &hex("00 00 FF 02 FE D5 33 F8 00")].concat());
    let out = exchange(&mut chip, &hex(IN_LIST));
    assert_eq!(
        out,
        [&ACK[..], &hex("00 00 FF 03 FD D5 4B 00 E0 00")].concat()
    );

    let out = exchange(&mut chip, &command_frame(&hex("32 05 FF 01 FF")));
    assert_eq!(out.len(), 6 + 9);
    assert_eq!(
        exchange(&mut chip, &hex(IN_LIST)),
        ACK,
        "waits: only the ACK"
    );
    chip.advance(Duration::from_millis(500));
    assert!(exchange(&mut chip, &[]).is_empty());
    chip.field()
        .enter("iso14443a:901F2AA4".parse::<Tag>().unwrap(), 1, -40);
    chip.advance(Duration::from_millis(600));
    let expected = hex("00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 90 1F 2A A4 51 00");
    assert_eq!(exchange(&mut chip, &[]), expected);
}

#[test]
fn host_ack_aborts_a_waiting_listing() {
    let mut chip = ready_chip();
    assert_eq!(exchange(&mut chip, &hex(IN_LIST)), ACK);
    assert!(exchange(&mut chip, &ACK).is_empty());
    chip.field()
        .enter("iso14443a:901F2AA4".parse::<Tag>().unwrap(), 1, -40);
    chip.advance(Duration::from_millis(10));
    assert!(
        exchange(&mut chip, &[]).is_empty(),
        "aborted: no late response"
    );
}

#[test]
fn nack_repeats_the_last_response() {
    let mut chip = ready_chip();
    assert!(exchange(&mut chip, &NACK).starts_with(&hex("00 00 FF 02 FE D5 15 16 00")));
}

#[test]
fn unknown_command_and_bad_parameters_get_ack_then_the_error_frame() {
    let mut chip = ready_chip();
    // InDataExchange: no card memory is emulated.
    assert_eq!(
        exchange(&mut chip, &command_frame(&hex("40 01 30 04"))),
        [&ACK[..], &ERROR].concat()
    );
    // SAMConfiguration mode 0 does not exist.
    assert_eq!(
        exchange(&mut chip, &command_frame(&hex("14 00"))),
        [&ACK[..], &ERROR].concat()
    );
    // InListPassiveTarget for 3 targets.
    assert_eq!(
        exchange(&mut chip, &command_frame(&hex("4A 03 00"))),
        [&ACK[..], &ERROR].concat()
    );
}

#[test]
fn frame_with_a_bad_checksum_gets_no_answer() {
    let mut chip = ready_chip();
    assert!(exchange(&mut chip, &hex("00 00 FF 02 FE D4 02 2B 00")).is_empty());
    assert!(exchange(&mut chip, &hex("00 00 FF 02 FD D4 02 2A 00")).is_empty());
}

#[test]
fn dribbled_command_bytes_are_reassembled() {
    let mut chip = ready_chip();
    let mut out = Vec::new();
    for byte in hex("00 00 FF 02 FE D4 02 2A 00") {
        out.extend(exchange(&mut chip, &[byte]));
    }
    assert_eq!(
        out,
        [&ACK[..], &hex("00 00 FF 06 FA D5 03 32 01 06 07 E8 00")].concat()
    );
}

#[test]
fn corruption_silence_and_power_down() {
    let mut chip = ready_chip();
    chip.faults().corrupt_next(1);
    let out = exchange(&mut chip, &hex("00 00 FF 02 FE D4 02 2A 00"));
    assert_eq!(
        out,
        [&ACK[..], &hex("00 00 FF 06 FA D5 03 32 01 06 07 E9 00")].concat(),
        "DCS off by one"
    );

    chip.faults().set_silent(true);
    assert!(exchange(&mut chip, &hex("00 00 FF 02 FE D4 02 2A 00")).is_empty());
    chip.faults().set_silent(false);
    assert_eq!(
        exchange(&mut chip, &hex("00 00 FF 02 FE D4 02 2A 00")).len(),
        6 + 13
    );

    // PowerDown (wake-up on HSU) answers, then the chip needs 0x55 again.
    let out = exchange(&mut chip, &command_frame(&hex("16 10")));
    assert_eq!(
        out,
        [&ACK[..], &hex("00 00 FF 03 FD D5 17 00 14 00")].concat()
    );
    assert!(exchange(&mut chip, &hex("00 00 FF 02 FE D4 02 2A 00")).is_empty());
    assert_eq!(
        exchange(
            &mut chip,
            &[&[0x55, 0x00, 0x00][..], &hex("00 00 FF 02 FE D4 02 2A 00")].concat()
        )
        .len(),
        6 + 13
    );
}
