//! MFRC522 driver against SPI transcripts (embedded-hal-mock): the register traffic
//! of readers.md's initialisation and of REQA / anticollision / SELECT / HLTA.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use embedded_hal_mock::eh1::spi::{Mock, Transaction};
use trace_firmware::event::{ReaderEvent, TagSighting};
use trace_firmware::mfrc522::{Mfrc522, Mfrc522Config};
use trace_proto::link::{FaultKind, TagId, Uid};

type Spi = Transaction<u8>;

const COMMAND: u8 = 0x01;
const COM_IRQ: u8 = 0x04;
const ERROR: u8 = 0x06;
const FIFO_DATA: u8 = 0x09;
const FIFO_LEVEL: u8 = 0x0A;
const CONTROL: u8 = 0x0C;
const BIT_FRAMING: u8 = 0x0D;
const COLL: u8 = 0x0E;
const TX_CONTROL: u8 = 0x14;
const VERSION: u8 = 0x37;

fn write(register: u8, value: u8) -> Vec<Spi> {
    vec![
        Spi::transaction_start(),
        Spi::write_vec(vec![register << 1, value]),
        Spi::transaction_end(),
    ]
}

fn read(register: u8, value: u8) -> Vec<Spi> {
    vec![
        Spi::transaction_start(),
        Spi::transfer_in_place(vec![0x80 | (register << 1), 0], vec![0, value]),
        Spi::transaction_end(),
    ]
}

/// Soft reset (first poll), then the set-up of readers.md (second poll).
fn init() -> Vec<Spi> {
    [
        write(COMMAND, 0x0F),
        read(COMMAND, 0x00),
        read(VERSION, 0x92),
        write(0x2A, 0x80),
        write(0x2B, 0xA9),
        write(0x2C, 0x03),
        write(0x2D, 0xE8),
        write(0x15, 0x40),
        write(0x11, 0x3D),
        write(COLL, 0x00),
        read(TX_CONTROL, 0x80),
        write(TX_CONTROL, 0x83),
    ]
    .concat()
}

/// Starts a transceive of `bytes`; `framing` is the BitFramingReg value.
fn transmit(bytes: &[u8], framing: u8) -> Vec<Spi> {
    let mut fifo = vec![FIFO_DATA << 1];
    fifo.extend_from_slice(bytes);
    [
        write(COMMAND, 0x00),
        write(COM_IRQ, 0x7F),
        write(FIFO_LEVEL, 0x80),
        vec![
            Spi::transaction_start(),
            Spi::write_vec(fifo),
            Spi::transaction_end(),
        ],
        write(COMMAND, 0x0C),
        write(BIT_FRAMING, framing),
    ]
    .concat()
}

/// The card's answer: RxIRq, no error, the FIFO holding `bytes`, whole last byte.
fn answer(bytes: &[u8]) -> Vec<Spi> {
    let address = 0x80 | (FIFO_DATA << 1);
    let mut expected = vec![address; bytes.len()];
    expected.push(0);
    let mut response = vec![0];
    response.extend_from_slice(bytes);
    [
        read(COM_IRQ, 0x30),
        read(ERROR, 0x00),
        read(FIFO_LEVEL, u8::try_from(bytes.len()).unwrap()),
        vec![
            Spi::transaction_start(),
            Spi::transfer_in_place(expected, response),
            Spi::transaction_end(),
        ],
        read(CONTROL, 0x00),
    ]
    .concat()
}

/// No card answered before the chip's timer ran out.
fn silence() -> Vec<Spi> {
    read(COM_IRQ, 0x01)
}

fn crc_a(bytes: &[u8]) -> [u8; 2] {
    crc::Crc::<u16>::new(&crc::CRC_16_ISO_IEC_14443_3_A)
        .checksum(bytes)
        .to_le_bytes()
}

/// SELECT of one cascade level: `sel` then the 4 bytes and their BCC.
fn select(sel: u8, four: [u8; 4]) -> Vec<u8> {
    let bcc = four.iter().fold(0, |a, b| a ^ b);
    let mut frame = vec![sel, 0x70];
    frame.extend(four);
    frame.push(bcc);
    let crc = crc_a(&frame);
    frame.extend(crc);
    frame
}

fn with_bcc(four: [u8; 4]) -> Vec<u8> {
    let mut bytes = four.to_vec();
    bytes.push(four.iter().fold(0, |a, b| a ^ b));
    bytes
}

fn sak(value: u8) -> Vec<u8> {
    let mut bytes = vec![value];
    bytes.extend(crc_a(&[value]));
    bytes
}

/// Polls at 0, 1, 2, … until the transcript is used up; returns the events.
fn run(expectations: &[Spi], polls: u64) -> Vec<ReaderEvent> {
    let mut spi = Mock::new(expectations);
    let mut driver = Mfrc522::new(spi.clone(), Mfrc522Config::default());
    let events = (0..polls)
        .filter_map(|now| driver.poll(now).unwrap())
        .collect();
    spi.done();
    events
}

fn card(uid: &[u8]) -> ReaderEvent {
    ReaderEvent::Tag(TagSighting::new(TagId::Iso14443a(
        Uid::from_slice(uid).unwrap(),
    )))
}

#[test]
fn reads_a_single_size_uid() {
    let uid = [0x90, 0x1F, 0x2A, 0xA4];
    let transcript = [
        init(),
        transmit(&[0x26], 0x87),
        answer(&[0x04, 0x00]),
        transmit(&[0x93, 0x20], 0x80),
        answer(&with_bcc(uid)),
        transmit(&select(0x93, uid), 0x80),
        answer(&sak(0x08)),
        transmit(&[0x50, 0x00, 0x57, 0xCD], 0x80),
        silence(),
    ]
    .concat();
    assert_eq!(run(&transcript, 8), [ReaderEvent::Ready, card(&uid)]);
}

#[test]
fn reads_a_double_size_uid_over_two_cascade_levels() {
    let uid = [0x04, 0x52, 0x3A, 0x12, 0x9C, 0x5D, 0x80];
    let level1 = [0x88, 0x04, 0x52, 0x3A];
    let level2 = [0x12, 0x9C, 0x5D, 0x80];
    let transcript = [
        init(),
        transmit(&[0x26], 0x87),
        answer(&[0x44, 0x00]),
        transmit(&[0x93, 0x20], 0x80),
        answer(&with_bcc(level1)),
        transmit(&select(0x93, level1), 0x80),
        answer(&sak(0x04)),
        transmit(&[0x95, 0x20], 0x80),
        answer(&with_bcc(level2)),
        transmit(&select(0x95, level2), 0x80),
        answer(&sak(0x00)),
        transmit(&[0x50, 0x00, 0x57, 0xCD], 0x80),
        silence(),
    ]
    .concat();
    assert_eq!(run(&transcript, 10), [ReaderEvent::Ready, card(&uid)]);
}

#[test]
fn two_cards_are_told_apart_by_anticollision() {
    // Cards 12 34 56 78 and 12 36 9A BC collide at bit 10 (CollPos 10); the driver
    // follows the card with a 1 there.
    let fifo = 0x80 | (FIFO_DATA << 1);
    let collision = [
        read(COM_IRQ, 0x32),
        read(ERROR, 0x08),
        read(COLL, 0x0A),
        read(FIFO_LEVEL, 2),
        vec![
            Spi::transaction_start(),
            Spi::transfer_in_place(vec![fifo, fifo, 0], vec![0, 0x12, 0x00]),
            Spi::transaction_end(),
        ],
    ]
    .concat();
    let bcc = 0x12 ^ 0x36 ^ 0x9A ^ 0xBC;
    let transcript = [
        init(),
        transmit(&[0x26], 0x87),
        answer(&[0x04, 0x00]),
        transmit(&[0x93, 0x20], 0x80),
        collision,
        // NVB 0x32: SEL, NVB, one byte and 2 bits; RxAlign 2 and TxLastBits 2.
        transmit(&[0x93, 0x32, 0x12, 0x02], 0xA2),
        answer(&[0x34, 0x9A, 0xBC, bcc]),
        transmit(&select(0x93, [0x12, 0x36, 0x9A, 0xBC]), 0x80),
        answer(&sak(0x08)),
        transmit(&[0x50, 0x00, 0x57, 0xCD], 0x80),
        silence(),
    ]
    .concat();
    assert_eq!(
        run(&transcript, 9),
        [ReaderEvent::Ready, card(&[0x12, 0x36, 0x9A, 0xBC])]
    );
}

#[test]
fn an_empty_field_polls_again_after_the_interval() {
    let transcript = [
        init(),
        transmit(&[0x26], 0x87),
        silence(),
        transmit(&[0x26], 0x87),
    ]
    .concat();
    let mut spi = Mock::new(&transcript);
    let mut driver = Mfrc522::new(spi.clone(), Mfrc522Config::default());
    assert_eq!(driver.poll(0).unwrap(), None);
    assert_eq!(driver.poll(1).unwrap(), Some(ReaderEvent::Ready));
    assert_eq!(driver.poll(2).unwrap(), None, "REQA");
    assert_eq!(driver.poll(30).unwrap(), None, "no answer");
    assert_eq!(driver.poll(79).unwrap(), None, "waiting");
    assert_eq!(driver.poll(80).unwrap(), None, "REQA again");
    spi.done();
}

#[test]
fn a_bad_bcc_is_a_crc_fault() {
    let mut bad = with_bcc([0x90, 0x1F, 0x2A, 0xA4]);
    bad[4] ^= 0xFF;
    let transcript = [
        init(),
        transmit(&[0x26], 0x87),
        answer(&[0x04, 0x00]),
        transmit(&[0x93, 0x20], 0x80),
        answer(&bad),
    ]
    .concat();
    let events = run(&transcript, 5);
    assert_eq!(
        events,
        [ReaderEvent::Ready, ReaderEvent::Fault(FaultKind::Crc)]
    );
}

#[test]
fn a_chip_that_stops_answering_times_out() {
    // ComIrq never shows an interrupt: the chip's timer is not running any more.
    let mut transcript = [init(), transmit(&[0x26], 0x87)].concat();
    for _ in 0..2 {
        transcript.extend(read(COM_IRQ, 0x00));
    }
    let mut spi = Mock::new(&transcript);
    let mut driver = Mfrc522::new(spi.clone(), Mfrc522Config::default());
    assert_eq!(driver.poll(0).unwrap(), None);
    assert_eq!(driver.poll(0).unwrap(), Some(ReaderEvent::Ready));
    assert_eq!(driver.poll(0).unwrap(), None);
    assert_eq!(driver.poll(99).unwrap(), None);
    assert_eq!(
        driver.poll(100).unwrap(),
        Some(ReaderEvent::Fault(FaultKind::Timeout))
    );
    assert_eq!(driver.stats().timeouts, 1);
    // Nothing more until the retry time.
    assert_eq!(driver.poll(1099).unwrap(), None);
    spi.done();
}

#[test]
fn no_chip_on_the_bus_is_no_response() {
    let transcript = [
        write(COMMAND, 0x0F),
        read(COMMAND, 0x00),
        read(VERSION, 0x00),
    ]
    .concat();
    let events = run(&transcript, 2);
    assert_eq!(events, [ReaderEvent::Fault(FaultKind::NoResponse)]);
}

#[test]
fn a_chip_stuck_in_reset_times_out() {
    let mut transcript = write(COMMAND, 0x0F);
    for _ in 0..2 {
        transcript.extend(read(COMMAND, 0x10));
    }
    let mut spi = Mock::new(&transcript);
    let mut driver = Mfrc522::new(spi.clone(), Mfrc522Config::default());
    assert_eq!(driver.poll(0).unwrap(), None);
    assert_eq!(driver.poll(50).unwrap(), None);
    assert_eq!(
        driver.poll(100).unwrap(),
        Some(ReaderEvent::Fault(FaultKind::Timeout))
    );
    spi.done();
}
