//! The contract between the [`Station`](crate::Station) and one reader port.

use trace_firmware::app::Bus;
use trace_firmware::event::ReaderEvent;
use trace_proto::link::ReaderKind;

/// A board port that can carry a reader module, with the driver currently assigned.
///
/// Object safe, so a board lists ports of different types in one
/// `&mut [&mut dyn ReaderPort]`.
pub trait ReaderPort {
    /// The port number used in link messages; unique on the board.
    fn number(&self) -> u8;

    /// The bus the port offers, which decides the reader families it accepts.
    fn bus(&self) -> Bus;

    /// Starts a fresh driver for `kind` (or none), with the UHF transmit power in
    /// hundredths of a dBm. Called with every accepted configuration, so every reader
    /// initialises again and reports `Ready` anew. `kind` was validated against
    /// [`bus`](Self::bus); a family the bus cannot drive switches the port off.
    fn assign(&mut self, kind: Option<ReaderKind>, uhf_tx_power_cdbm: i16);

    /// One bounded round at `now_ms`: moves bytes between driver and module without
    /// waiting for the module, and hands every event to `on_event`.
    fn service(&mut self, now_ms: u64, on_event: &mut dyn FnMut(ReaderEvent));
}
