//! Anticollision with two cards in the field, and answers that must not be trusted.

use super::*;

fn transmit_of(step: Step) -> Transmit {
    match step {
        Step::Transmit(transmit) => transmit,
        Step::Done(outcome) => panic!("expected a transmit, got {outcome:?}"),
    }
}

fn after_reqa() -> Activation {
    let (mut activation, reqa) = Activation::start();
    assert_eq!((reqa.bytes(), reqa.tx_last_bits), (&[0x26][..], 7));
    let answer = Reception::Frame {
        bytes: &[0x04, 0x00],
        last_bits: 0,
    };
    let anticollision = transmit_of(activation.on_reception(answer));
    assert_eq!(anticollision.bytes(), [0x93, 0x20]);
    activation
}

#[test]
fn a_collision_follows_the_cards_with_a_one_bit() {
    // Card A: 12 34 56 78, card B: 12 36 9A BC. 0x34 and 0x36 differ first at bit 1 of
    // byte 1, the 10th bit of the level.
    let mut activation = after_reqa();
    let collision = Reception::Collision {
        bytes: &[0x12, 0x00],
        position: 10,
    };
    let retry = transmit_of(activation.on_reception(collision));
    // NVB: 3 whole bytes (SEL, NVB, 0x12) and 2 bits; bit 9 set to follow card B.
    assert_eq!(retry.bytes(), [0x93, 0x32, 0x12, 0x02]);
    assert_eq!((retry.tx_last_bits, retry.rx_align), (2, 2));

    // Card B answers bits 10..39; the two bits below RxAlign in the first byte are junk.
    let bcc = 0x12 ^ 0x36 ^ 0x9A ^ 0xBC;
    let rest = Reception::Frame {
        bytes: &[0x35, 0x9A, 0xBC, bcc],
        last_bits: 0,
    };
    let select = transmit_of(activation.on_reception(rest));
    let [crc_lo, crc_hi] = crc_a(&[0x93, 0x70, 0x12, 0x36, 0x9A, 0xBC, bcc]);
    let expected = [0x93, 0x70, 0x12, 0x36, 0x9A, 0xBC, bcc, crc_lo, crc_hi];
    assert_eq!(select.bytes(), expected);

    let sak = [0x08, crc_a(&[0x08])[0], crc_a(&[0x08])[1]];
    let halt = transmit_of(activation.on_reception(Reception::Frame {
        bytes: &sak,
        last_bits: 0,
    }));
    assert_eq!(halt.bytes(), [0x50, 0x00, 0x57, 0xCD]);
    let done = activation.on_reception(Reception::NoAnswer);
    assert_eq!(
        done,
        Step::Done(Outcome::Card(Uid::Single([0x12, 0x36, 0x9A, 0xBC])))
    );
}

#[test]
fn a_collision_without_progress_ends_the_attempt() {
    let mut activation = after_reqa();
    let first = Reception::Collision {
        bytes: &[0x12, 0x00],
        position: 10,
    };
    transmit_of(activation.on_reception(first));
    let again = Reception::Collision {
        bytes: &[0x00],
        position: 10,
    };
    assert_eq!(
        activation.on_reception(again),
        Step::Done(Outcome::Failed(PiccError::Collision))
    );
}

#[test]
fn a_fourth_cascade_level_is_refused() {
    let mut activation = after_reqa();
    let sak_more = [0x04, crc_a(&[0x04])[0], crc_a(&[0x04])[1]];
    let level = [0x88, 0x01, 0x02, 0x03, 0x88 ^ 0x01 ^ 0x02 ^ 0x03];
    for sel in [0x95, 0x97] {
        transmit_of(activation.on_reception(Reception::Frame {
            bytes: &level,
            last_bits: 0,
        }));
        let next = transmit_of(activation.on_reception(Reception::Frame {
            bytes: &sak_more,
            last_bits: 0,
        }));
        assert_eq!(next.bytes(), [sel, 0x20]);
    }
    transmit_of(activation.on_reception(Reception::Frame {
        bytes: &level,
        last_bits: 0,
    }));
    let refused = activation.on_reception(Reception::Frame {
        bytes: &sak_more,
        last_bits: 0,
    });
    assert_eq!(refused, Step::Done(Outcome::Failed(PiccError::Frame)));
}

#[test]
fn a_short_or_long_uid_answer_is_a_frame_error() {
    for bytes in [
        &[0x12, 0x34, 0x56, 0x78][..],
        &[0x12, 0x34, 0x56, 0x78, 0x08, 0x00],
    ] {
        let mut activation = after_reqa();
        let step = activation.on_reception(Reception::Frame {
            bytes,
            last_bits: 0,
        });
        assert_eq!(step, Step::Done(Outcome::Failed(PiccError::Frame)));
    }
}

#[test]
fn a_sak_with_a_bad_crc_is_a_crc_error() {
    let mut activation = after_reqa();
    let uid = [0x12, 0x34, 0x56, 0x78, 0x12 ^ 0x34 ^ 0x56 ^ 0x78];
    transmit_of(activation.on_reception(Reception::Frame {
        bytes: &uid,
        last_bits: 0,
    }));
    let step = activation.on_reception(Reception::Frame {
        bytes: &[0x08, 0x00, 0x00],
        last_bits: 0,
    });
    assert_eq!(step, Step::Done(Outcome::Failed(PiccError::Crc)));
}
