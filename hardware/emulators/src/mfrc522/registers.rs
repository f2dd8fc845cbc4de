//! MFRC522 register addresses, command codes, register bits and reset values.

/// Register addresses (datasheet §9.2).
pub mod reg {
    /// Starts and stops commands.
    pub const COMMAND: u8 = 0x01;
    /// Interrupt request bits.
    pub const COM_IRQ: u8 = 0x04;
    /// Interrupt request bits (CRC).
    pub const DIV_IRQ: u8 = 0x05;
    /// Error bits of the last command.
    pub const ERROR: u8 = 0x06;
    /// Communication status bits.
    pub const STATUS1: u8 = 0x07;
    /// FIFO input and output.
    pub const FIFO_DATA: u8 = 0x09;
    /// Bytes in the FIFO; bit 7 flushes it.
    pub const FIFO_LEVEL: u8 = 0x0A;
    /// RxLastBits, TStartNow.
    pub const CONTROL: u8 = 0x0C;
    /// StartSend, RxAlign, TxLastBits.
    pub const BIT_FRAMING: u8 = 0x0D;
    /// First bit collision detected.
    pub const COLL: u8 = 0x0E;
    /// CRC preset.
    pub const MODE: u8 = 0x11;
    /// TxCRCEn.
    pub const TX_MODE: u8 = 0x12;
    /// RxCRCEn.
    pub const RX_MODE: u8 = 0x13;
    /// Antenna driver pins TX1/TX2.
    pub const TX_CONTROL: u8 = 0x14;
    /// CRC result, most significant byte.
    pub const CRC_RESULT_MSB: u8 = 0x21;
    /// CRC result, least significant byte.
    pub const CRC_RESULT_LSB: u8 = 0x22;
    /// Timer settings; bit 7 TAuto.
    pub const T_MODE: u8 = 0x2A;
    /// Chip version.
    pub const VERSION: u8 = 0x37;
}

/// Command codes (CommandReg bits 3..0).
pub mod command {
    /// No action, cancels the current command.
    pub const IDLE: u8 = 0x0;
    /// Runs the CRC coprocessor over the FIFO.
    pub const CALC_CRC: u8 = 0x3;
    /// Sends the FIFO and receives the answer.
    pub const TRANSCEIVE: u8 = 0xC;
    /// MIFARE authentication (not emulated).
    pub const MF_AUTHENT: u8 = 0xE;
    /// Resets the chip.
    pub const SOFT_RESET: u8 = 0xF;
}

pub(super) const FIFO_SIZE: usize = 64;
pub(super) const TX_IRQ: u8 = 0x40;
pub(super) const RX_IRQ: u8 = 0x20;
pub(super) const ERR_IRQ: u8 = 0x02;
pub(super) const TIMER_IRQ: u8 = 0x01;
pub(super) const CRC_IRQ: u8 = 0x04;
pub(super) const PARITY_ERR: u8 = 0x02;
pub(super) const CRC_ERR: u8 = 0x04;
pub(super) const COLL_ERR: u8 = 0x08;
pub(super) const BUFFER_OVFL: u8 = 0x10;
pub(super) const CRC_READY: u8 = 0x20;
pub(super) const START_SEND: u8 = 0x80;
pub(super) const VALUES_AFTER_COLL: u8 = 0x80;
pub(super) const COLL_POS_NOT_VALID: u8 = 0x20;

/// Register values after power-on and SoftReset (datasheet §9.3; unlisted registers 0).
pub(super) const RESET: [(u8, u8); 22] = [
    (0x01, 0x20),
    (0x02, 0x80),
    (0x04, 0x14),
    (0x07, 0x21),
    (0x0B, 0x08),
    (0x0C, 0x10),
    (0x0E, 0xA0),
    (0x11, 0x3F),
    (0x14, 0x80),
    (0x16, 0x10),
    (0x17, 0x84),
    (0x18, 0x84),
    (0x19, 0x4D),
    (0x1C, 0x62),
    (0x1F, 0xEB),
    (0x21, 0xFF),
    (0x22, 0xFF),
    (0x24, 0x26),
    (0x26, 0x48),
    (0x27, 0x88),
    (0x28, 0x20),
    (0x29, 0x20),
];
