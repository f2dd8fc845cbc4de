#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! RDM6300-class EM4100 module: frames byte for byte and the fault knobs.

use std::time::Duration;

use trace_emulators::em4100::{Em4100Reader, REPEAT};
use trace_emulators::scenario::{Action, Scenario};
use trace_emulators::{Emulator, Scene, Tag};

const FOB: &[u8; 14] = b"\x02100086F44426\x03";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fob() -> Tag {
    "em4100:100086F444".parse().unwrap()
}

fn run(reader: &mut Em4100Reader, until: Duration) -> Vec<u8> {
    reader.advance(until);
    let mut out = Vec::new();
    while reader.poll(&mut out) > 0 {}
    out
}

#[test]
fn frame_is_the_readers_md_example_and_repeats_every_50_ms() {
    let mut reader = Em4100Reader::default();
    reader.field().enter(fob(), 1, -50);
    reader.advance(ms(0));
    let out = run(&mut reader, ms(120));
    assert_eq!(REPEAT, ms(50));
    assert_eq!(
        out,
        [&FOB[..], FOB, FOB].concat(),
        "frames at 0, 50 and 100 ms"
    );
}

#[test]
fn frame_stops_when_the_tag_leaves_and_the_next_tag_is_read() {
    let other: Tag = "em4100:0A0B0C0D0E".parse().unwrap();
    let mut scenario = Scenario::new()
        .at(
            ms(0),
            Action::Enter {
                tag: fob(),
                antenna: 1,
                rssi: -50,
            },
        )
        .at(
            ms(0),
            Action::Enter {
                tag: other,
                antenna: 1,
                rssi: -50,
            },
        )
        .at(
            ms(60),
            Action::Leave {
                tag: fob(),
                antenna: None,
            },
        );
    let mut reader = Em4100Reader::default();
    let mut out = Vec::new();
    for t in (0..=100).step_by(10) {
        scenario.apply_due(ms(t), &mut reader);
        reader.advance(ms(t));
        reader.poll(&mut out);
    }
    // 0 and 50 ms: the first fob (it came first); from 60 ms the second.
    let second = b"\x020A0B0C0D0E0E\x03";
    assert_eq!(out, [&FOB[..], FOB, second].concat());
}

#[test]
fn corrupted_frame_has_a_wrong_but_printable_checksum() {
    let mut reader = Em4100Reader::default();
    reader.field().enter(fob(), 1, -50);
    reader.faults().corrupt_next(1);
    reader.advance(ms(0));
    let out = run(&mut reader, ms(50));
    assert_eq!(&out[..14], b"\x02100086F44427\x03");
    assert_eq!(&out[14..], FOB, "only one frame is corrupted");
}

#[test]
fn noise_lands_between_frames() {
    let mut reader = Em4100Reader::default();
    reader.field().enter(fob(), 1, -50);
    let mut out = run(&mut reader, ms(0));
    reader.faults().inject_noise(&[0xFF, 0x00, 0x13]);
    out.extend(run(&mut reader, ms(50)));
    assert_eq!(out, [&FOB[..], &[0xFF, 0x00, 0x13], FOB].concat());
}

#[test]
fn silent_module_sends_nothing_then_resumes() {
    let mut reader = Em4100Reader::default();
    reader.field().enter(fob(), 1, -50);
    reader.faults().set_silent(true);
    assert!(run(&mut reader, ms(200)).is_empty());
    reader.faults().set_silent(false);
    assert_eq!(run(&mut reader, ms(250)), FOB);
}

#[test]
fn dribble_hands_out_one_byte_per_poll() {
    let mut reader = Em4100Reader::default();
    reader.field().enter(fob(), 1, -50);
    reader.faults().set_dribble(true);
    reader.advance(ms(0));
    let mut out = Vec::new();
    for expected in FOB {
        assert_eq!(reader.poll(&mut out), 1);
        assert_eq!(out.last(), Some(expected));
    }
    assert_eq!(reader.poll(&mut out), 0);
}

#[test]
fn host_bytes_are_ignored() {
    let mut reader = Em4100Reader::default();
    reader.feed(b"anything");
    assert!(run(&mut reader, ms(100)).is_empty());
}
