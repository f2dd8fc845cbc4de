#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! MFRC522 over SPI: the published `mfrc522` driver runs unchanged against the emulated
//! chip, and the register-level exchanges of readers.md are checked byte by byte.

use embedded_hal::spi::{Operation, SpiDevice};
use mfrc522::comm::blocking::spi::SpiInterface;
use mfrc522::{Error, Initialized};
use trace_emulators::mfrc522::picc::crc_a;
use trace_emulators::mfrc522::spi::{SharedMfrc522, SpiFault};
use trace_emulators::mfrc522::{Mfrc522, reg};
use trace_emulators::{Scene, Tag};

type Driver = mfrc522::Mfrc522<
    SpiInterface<SharedMfrc522, mfrc522::comm::blocking::spi::DummyDelay>,
    Initialized,
>;

fn chip_with(uids: &[&str]) -> SharedMfrc522 {
    let chip = SharedMfrc522::new(Mfrc522::default());
    for uid in uids {
        chip.lock().unwrap().field().enter(
            format!("iso14443a:{uid}").parse::<Tag>().unwrap(),
            1,
            -40,
        );
    }
    chip
}

fn driver(chip: &SharedMfrc522) -> Driver {
    mfrc522::Mfrc522::new(SpiInterface::new(chip.clone()))
        .init()
        .unwrap()
}

fn read_uid(driver: &mut Driver) -> Result<Vec<u8>, Error<SpiFault>> {
    let atqa = driver.reqa()?;
    Ok(driver.select(&atqa)?.as_bytes().to_vec())
}

fn reqa_error(driver: &mut Driver) -> Error<SpiFault> {
    match driver.reqa() {
        Ok(_) => panic!("a card answered REQA"),
        Err(error) => error,
    }
}

#[test]
fn driver_init_leaves_the_readers_md_register_values() {
    let chip = chip_with(&[]);
    let mut driver = driver(&chip);
    assert_eq!(driver.version().unwrap(), 0x92);
    let mut chip = chip.lock().unwrap();
    assert_eq!(chip.read_register(reg::T_MODE), 0x80);
    assert_eq!(chip.read_register(0x2B), 0xA9, "TPrescaler");
    assert_eq!(
        (chip.read_register(0x2C), chip.read_register(0x2D)),
        (0x03, 0xE8),
        "TReload 1000"
    );
    assert_eq!(chip.read_register(0x15), 0x40, "TxASK 100 %");
    assert_eq!(chip.read_register(reg::MODE), 0x3D);
    assert_eq!(
        chip.read_register(reg::TX_CONTROL) & 0x03,
        0x03,
        "antenna on"
    );
}

#[test]
fn driver_reads_single_double_and_triple_size_uids() {
    for uid in ["901F2AA4", "04A1B2C3D4E5F6", "04A1B2C3D4E5F6A7B8C9"] {
        let chip = chip_with(&[uid]);
        let mut driver = driver(&chip);
        let read = read_uid(&mut driver).unwrap();
        assert_eq!(trace_emulators::tag::hex(&read), uid);
    }
}

#[test]
fn driver_times_out_when_no_card_answers() {
    let chip = chip_with(&[]);
    let mut driver = driver(&chip);
    assert_eq!(reqa_error(&mut driver), Error::Timeout);
}

#[test]
fn anticollision_separates_two_cards_and_halt_lets_the_other_answer() {
    // 0x10 and 0x04 differ first in bit 2 (LSB first); their OR (0x14) is neither card,
    // so only a real collision report leads the driver to a card: the one with a 1 there.
    let chip = chip_with(&["10AABBCC", "04AABBCC"]);
    let mut driver = driver(&chip);
    assert_eq!(read_uid(&mut driver).unwrap(), [0x04, 0xAA, 0xBB, 0xCC]);
    driver.hlta().unwrap();
    assert_eq!(read_uid(&mut driver).unwrap(), [0x10, 0xAA, 0xBB, 0xCC]);
    driver.hlta().unwrap();
    assert_eq!(reqa_error(&mut driver), Error::Timeout, "both halted");
    assert!(driver.wupa().is_ok(), "WUPA wakes halted cards");
}

#[test]
fn a_card_that_leaves_is_gone_and_a_new_one_is_read() {
    let chip = chip_with(&["901F2AA4"]);
    let mut driver = driver(&chip);
    assert_eq!(read_uid(&mut driver).unwrap(), [0x90, 0x1F, 0x2A, 0xA4]);
    chip.lock().unwrap().field().clear();
    assert_eq!(reqa_error(&mut driver), Error::Timeout);
    chip.lock()
        .unwrap()
        .field()
        .enter("iso14443a:04A1B2C3D4E5F6".parse::<Tag>().unwrap(), 1, -40);
    assert_eq!(
        read_uid(&mut driver).unwrap(),
        [0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]
    );
}

#[test]
fn corrupted_sak_crc_is_caught_by_the_driver() {
    let chip = chip_with(&["901F2AA4"]);
    let mut driver = driver(&chip);
    // 1st checked answer: the anticollision BCC, which this driver recomputes instead of
    // checking; 2nd: the CRC_A after SAK, which it checks.
    chip.lock().unwrap().faults().corrupt_next(2);
    assert_eq!(read_uid(&mut driver).unwrap_err(), Error::Crc);
    // The card was selected (ACTIVE): it ignores the next REQA and falls back to IDLE,
    // as ISO 14443-3 has it, so the retry after that succeeds.
    assert_eq!(reqa_error(&mut driver), Error::Timeout);
    assert_eq!(read_uid(&mut driver).unwrap(), [0x90, 0x1F, 0x2A, 0xA4]);
}

#[test]
fn noise_on_an_empty_field_is_a_parity_error() {
    let chip = chip_with(&[]);
    let mut driver = driver(&chip);
    chip.lock().unwrap().faults().inject_noise(&[0x5A, 0xA5]);
    assert_eq!(reqa_error(&mut driver), Error::Parity);
    assert_eq!(reqa_error(&mut driver), Error::Timeout);
}

#[test]
fn a_silent_chip_reads_as_zeros_and_comes_back() {
    let chip = chip_with(&["901F2AA4"]);
    let mut driver = driver(&chip);
    chip.lock().unwrap().faults().set_silent(true);
    assert_eq!(driver.version().unwrap(), 0x00);
    chip.lock().unwrap().faults().set_silent(false);
    assert_eq!(driver.version().unwrap(), 0x92);
    assert_eq!(read_uid(&mut driver).unwrap(), [0x90, 0x1F, 0x2A, 0xA4]);
}

// --- Register level, without a driver -------------------------------------------------

fn write(spi: &mut Mfrc522, register: u8, bytes: &[u8]) {
    spi.transaction(&mut [Operation::Write(&[register << 1]), Operation::Write(bytes)])
        .unwrap();
}

fn read(spi: &mut Mfrc522, register: u8) -> u8 {
    let mut frame = [(register << 1) | 0x80, 0];
    spi.transfer_in_place(&mut frame).unwrap();
    frame[1]
}

/// Transceive as readers.md describes it, the answer's first bit stored at FIFO bit
/// `rx_align`; returns the FIFO and RxLastBits.
fn transceive(spi: &mut Mfrc522, tx: &[u8], tx_last_bits: u8, rx_align: u8) -> (Vec<u8>, u8) {
    write(spi, reg::COMMAND, &[0x00]);
    write(spi, reg::COM_IRQ, &[0x7F]);
    write(spi, reg::FIFO_LEVEL, &[0x80]);
    write(spi, reg::FIFO_DATA, tx);
    write(spi, reg::COMMAND, &[0x0C]);
    write(
        spi,
        reg::BIT_FRAMING,
        &[0x80 | rx_align << 4 | tx_last_bits],
    );
    let level = usize::from(read(spi, reg::FIFO_LEVEL));
    // One transaction: the address repeated, then 0x00 (datasheet §8.1.2.1).
    let mut fifo = vec![(reg::FIFO_DATA << 1) | 0x80; level];
    if let Some(last) = fifo.last_mut() {
        *last = 0;
    }
    spi.transaction(&mut [
        Operation::Write(&[(reg::FIFO_DATA << 1) | 0x80]),
        Operation::TransferInPlace(&mut fifo),
    ])
    .unwrap();
    (fifo, read(spi, reg::CONTROL) & 0x07)
}

#[test]
fn register_level_reqa_anticollision_select_bytes() {
    let mut chip = Mfrc522::default();
    chip.field()
        .enter("iso14443a:901F2AA4".parse::<Tag>().unwrap(), 1, -40);
    assert_eq!(read(&mut chip, reg::VERSION), 0x92);
    write(&mut chip, reg::TX_CONTROL, &[0x83]);
    assert_eq!(
        transceive(&mut chip, &[0x26], 7, 0),
        (vec![0x04, 0x00], 0),
        "ATQA"
    );
    let (cl1, _) = transceive(&mut chip, &[0x93, 0x20], 0, 0);
    assert_eq!(
        cl1,
        [0x90, 0x1F, 0x2A, 0xA4, 0x90 ^ 0x1F ^ 0x2A ^ 0xA4],
        "UID0..3 + BCC"
    );
    let mut select = vec![0x93, 0x70];
    select.extend(&cl1);
    select.extend(crc_a(0x6363, &select));
    let (sak, _) = transceive(&mut chip, &select, 0, 0);
    assert_eq!(sak[0], 0x08);
    assert_eq!(sak[1..], crc_a(0x6363, &[0x08]));
    assert_eq!(read(&mut chip, reg::ERROR), 0);
}

#[test]
fn register_level_corrupted_bcc_and_crc_coprocessor() {
    let mut chip = Mfrc522::default();
    chip.field()
        .enter("iso14443a:901F2AA4".parse::<Tag>().unwrap(), 1, -40);
    write(&mut chip, reg::TX_CONTROL, &[0x83]);
    transceive(&mut chip, &[0x26], 7, 0);
    chip.faults().corrupt_next(1);
    let (cl1, _) = transceive(&mut chip, &[0x93, 0x20], 0, 0);
    assert_eq!(cl1[..4], [0x90, 0x1F, 0x2A, 0xA4]);
    assert_ne!(cl1[4], 0x90 ^ 0x1F ^ 0x2A ^ 0xA4, "BCC is wrong");

    write(&mut chip, reg::MODE, &[0x3D]);
    write(&mut chip, reg::FIFO_LEVEL, &[0x80]);
    write(&mut chip, reg::FIFO_DATA, &[0x50, 0x00]);
    write(&mut chip, reg::COMMAND, &[0x03]);
    assert_eq!(read(&mut chip, reg::DIV_IRQ) & 0x04, 0x04, "CRCIrq");
    assert_eq!(
        (
            read(&mut chip, reg::CRC_RESULT_LSB),
            read(&mut chip, reg::CRC_RESULT_MSB)
        ),
        (0x57, 0xCD),
        "HLTA CRC_A"
    );
}

#[test]
fn antenna_off_means_no_card_answers() {
    let mut chip = Mfrc522::default();
    chip.field()
        .enter("iso14443a:901F2AA4".parse::<Tag>().unwrap(), 1, -40);
    write(&mut chip, reg::T_MODE, &[0x80]);
    assert_eq!(transceive(&mut chip, &[0x26], 7, 0), (vec![], 0));
    assert_eq!(read(&mut chip, reg::COM_IRQ) & 0x01, 0x01, "TimerIrq");
}

#[test]
fn register_level_collision_positions_count_fifo_bits() {
    let mut chip = Mfrc522::default();
    for uid in ["0110AABB", "0114AABB", "011CAABB"] {
        chip.field()
            .enter(format!("iso14443a:{uid}").parse::<Tag>().unwrap(), 1, -40);
    }
    write(&mut chip, reg::TX_CONTROL, &[0x83]);
    write(&mut chip, reg::COLL, &[0x00]);
    transceive(&mut chip, &[0x26], 7, 0);
    // All three answer: first disagreement at UID bit 10 (byte 1, bit 2).
    let (cl1, _) = transceive(&mut chip, &[0x93, 0x20], 0, 0);
    assert_eq!(read(&mut chip, reg::ERROR) & 0x08, 0x08, "CollErr");
    assert_eq!(read(&mut chip, reg::COLL) & 0x3F, 11);
    assert_eq!(
        cl1,
        [0x01, 0x04, 0x00, 0x00, 0x00],
        "bits after the collision cleared"
    );
    // 11 known bits, the colliding one set: 0x14 and 0x1C answer from bit 11 on and
    // disagree at once. With RxAlign 3 the first received bit is FIFO bit 3: CollPos 4.
    let (rest, _) = transceive(&mut chip, &[0x93, 0x33, 0x01, 0x04], 3, 3);
    assert_eq!(read(&mut chip, reg::COLL) & 0x3F, 4);
    assert_eq!(
        rest[0], 0x08,
        "RxAlign 3: the colliding bit (read as 1) lands in bit 3"
    );
}
