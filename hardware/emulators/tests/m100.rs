#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! M100-family UHF module: command/response exchanges and tag notifications byte for byte.

use std::time::Duration;

use trace_emulators::m100::frame::{TYPE_COMMAND, frame};
use trace_emulators::m100::{M100, notification};
use trace_emulators::tag::{Gen2Tag, parse_hex};
use trace_emulators::{Emulator, Scene, Tag};

fn hex(text: &str) -> Vec<u8> {
    parse_hex(text).unwrap()
}

fn exchange(module: &mut M100, bytes: &[u8]) -> Vec<u8> {
    module.feed(bytes);
    let mut out = Vec::new();
    while module.poll(&mut out) > 0 {}
    out
}

fn advance(module: &mut M100, ms: u64) -> Vec<u8> {
    module.advance(Duration::from_millis(ms));
    exchange(module, &[])
}

/// The tag of the readers.md example: PC 0x3400, RSSI −55 dBm.
fn example_tag() -> Gen2Tag {
    Gen2Tag::new(&hex("30751FEB705C5904E3D50D70"))
        .unwrap()
        .with_pc(0x3400)
        .unwrap()
}

const EXAMPLE: &str = "BB 02 22 00 11 C9 34 00 30 75 1F EB 70 5C 59 04 E3 D5 0D 70 3A 76 EF 7E";
const SINGLE: &str = "BB 00 22 00 00 22 7E";
const NO_TAG: &str = "BB 01 FF 00 01 15 16 7E";

#[test]
fn single_inventory_notification_is_the_readers_md_example() {
    let mut module = M100::default();
    module.field().enter(Tag::Gen2(example_tag()), 1, -55);
    assert_eq!(exchange(&mut module, &hex(SINGLE)), hex(EXAMPLE));
    assert_eq!(notification(&example_tag(), -55), hex(EXAMPLE));
}

#[test]
fn single_inventory_without_a_tag() {
    let mut module = M100::default();
    assert_eq!(exchange(&mut module, &hex(SINGLE)), hex(NO_TAG));
}

#[test]
fn epc_containing_frame_bytes_is_framed_by_length() {
    // 0x7E and 0xBB inside the EPC, and a checksum that happens to be anything.
    let tag = Gen2Tag::new(&hex("7E7E BB00 7E01 0000 BB7E 0000")).unwrap();
    let mut module = M100::default();
    module.field().enter(Tag::Gen2(tag.clone()), 1, -40);
    let out = exchange(&mut module, &hex(SINGLE));
    assert_eq!(out.len(), 24);
    assert_eq!(out[5], 0xD8, "RSSI -40");
    assert_eq!(&out[6..8], [0x30, 0x00]);
    assert_eq!(&out[8..20], tag.epc());
    assert_eq!(&out[20..22], tag.crc().to_be_bytes());
    let sum = out[1..22].iter().fold(0u8, |a, b| a.wrapping_add(*b));
    assert_eq!((out[22], out[23]), (sum, 0x7E));
}

#[test]
fn multiple_inventory_repeats_rounds_until_stopped() {
    let mut module = M100::default();
    let other = Gen2Tag::new(&hex("E2000017221101441890AB12")).unwrap();
    module.field().enter(Tag::Gen2(example_tag()), 1, -55);
    module.field().enter(Tag::Gen2(other.clone()), 1, -62);
    module
        .field()
        .enter(Tag::Gen2(Gen2Tag::new(&hex("AAAA")).unwrap()), 2, -30);
    let start = hex("BB 00 27 00 03 22 27 10 83 7E");
    let round = [hex(EXAMPLE), notification(&other, -62)].concat();
    assert_eq!(
        exchange(&mut module, &start),
        round,
        "first round at once; antenna 2 unseen"
    );
    assert!(module.is_polling());
    assert_eq!(advance(&mut module, 19), Vec::<u8>::new());
    assert_eq!(
        advance(&mut module, 45),
        [round.clone(), round].concat(),
        "rounds at 20 and 40 ms"
    );
    module.field().clear();
    assert_eq!(
        advance(&mut module, 60),
        hex(NO_TAG),
        "an empty round reports no tag"
    );
    assert_eq!(
        exchange(&mut module, &hex("BB 00 28 00 00 28 7E")),
        hex("BB 01 28 00 01 00 2A 7E")
    );
    assert!(!module.is_polling());
    module.field().enter(Tag::Gen2(example_tag()), 1, -55);
    assert_eq!(advance(&mut module, 200), Vec::<u8>::new());
}

#[test]
fn multiple_inventory_ends_after_its_count() {
    let mut module = M100::default();
    module.field().enter(Tag::Gen2(example_tag()), 1, -55);
    let out = exchange(
        &mut module,
        &frame(TYPE_COMMAND, 0x27, &[0x22, 0x00, 0x03], false),
    );
    assert_eq!(out, hex(EXAMPLE));
    assert_eq!(advance(&mut module, 1000).len(), 2 * 24);
    assert!(!module.is_polling());
}

#[test]
fn power_region_and_module_info() {
    let mut module = M100::default();
    assert_eq!(
        exchange(&mut module, &hex("BB 00 B6 00 02 07 D0 8F 7E")),
        hex("BB 01 B6 00 01 00 B8 7E")
    );
    assert_eq!(
        exchange(&mut module, &hex("BB 00 B7 00 00 B7 7E")),
        hex("BB 01 B7 00 02 07 D0 91 7E")
    );
    assert_eq!(
        exchange(&mut module, &hex("BB 00 07 00 01 04 0C 7E")),
        hex("BB 01 07 00 01 00 09 7E")
    );
    assert_eq!(
        exchange(&mut module, &hex("BB 00 08 00 00 08 7E")),
        hex("BB 01 08 00 01 04 0E 7E")
    );
    let info = exchange(&mut module, &hex("BB 00 03 00 01 00 04 7E"));
    assert_eq!(&info[..6], hex("BB 01 03 00 10 00"));
    assert_eq!(&info[6..21], b"M100 26dBm V1.0");
}

#[test]
fn bad_command_and_bad_checksum() {
    let mut module = M100::default();
    assert_eq!(
        exchange(&mut module, &hex("BB 00 99 00 00 99 7E")),
        hex("BB 01 FF 00 01 17 18 7E")
    );
    assert_eq!(
        exchange(&mut module, &hex("BB 00 22 00 01 05 28 7E")),
        hex("BB 01 FF 00 01 17 18 7E"),
        "0x22 takes no parameter"
    );
    assert!(
        exchange(&mut module, &hex("BB 00 22 00 00 23 7E")).is_empty(),
        "bad checksum: dropped"
    );
    assert!(
        exchange(&mut module, &hex("BB 00 22 00 00 22 7F")).is_empty(),
        "bad end mark: dropped"
    );
    assert_eq!(
        exchange(&mut module, &hex(SINGLE)),
        hex(NO_TAG),
        "resynchronised"
    );
}

#[test]
fn noise_dribble_corruption_and_silence_change_the_bytes() {
    let mut module = M100::default();
    module.field().enter(Tag::Gen2(example_tag()), 1, -55);
    // Noise and dribbled command bytes from the host are skipped and reassembled.
    let mut out = Vec::new();
    for byte in [hex("00 7E 13"), hex(SINGLE)].concat() {
        out.extend(exchange(&mut module, &[byte]));
    }
    assert_eq!(out, hex(EXAMPLE));

    module.faults().inject_noise(&[0x7E, 0x00]);
    module.faults().corrupt_next(1);
    let mut bad = hex(EXAMPLE);
    bad[22] = bad[22].wrapping_add(1);
    assert_eq!(
        exchange(&mut module, &hex(SINGLE)),
        [vec![0x7E, 0x00], bad].concat()
    );

    module.faults().set_dribble(true);
    module.feed(&hex(SINGLE));
    let mut one = Vec::new();
    assert_eq!(module.poll(&mut one), 1);
    assert_eq!(one, [0xBB]);
    module.faults().set_dribble(false);
    assert_eq!(exchange(&mut module, &[]).len(), 23);

    module.faults().set_silent(true);
    assert!(exchange(&mut module, &hex(SINGLE)).is_empty());
    module.faults().set_silent(false);
    assert_eq!(exchange(&mut module, &hex(SINGLE)), hex(EXAMPLE));
}
