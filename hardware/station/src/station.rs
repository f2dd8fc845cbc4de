//! One App, its reader ports and the gateway link, serviced round by round.

use embedded_io::{Read, ReadReady, Write};
use heapless::{String, Vec};
use trace_firmware::app::{App, Board, Port, Settings};
use trace_firmware::io::service_link;
use trace_proto::link::{
    ConfigRejection, Configure, MAX_BOARD_NAME_LEN, MAX_FIRMWARE_VERSION_LEN, MAX_READERS,
};

use crate::port::ReaderPort;

/// Why a station cannot boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StationError {
    /// The board name does not fit the `Hello` message.
    #[error("board name longer than {MAX_BOARD_NAME_LEN} bytes")]
    BoardNameTooLong,
    /// The firmware version does not fit the `Hello` message.
    #[error("firmware version longer than {MAX_FIRMWARE_VERSION_LEN} bytes")]
    FirmwareVersionTooLong,
    /// More ports than a configuration can address.
    #[error("more than {MAX_READERS} reader ports")]
    TooManyPorts,
    /// The boot configuration does not fit the board.
    #[error("boot configuration rejected: {0}")]
    BootConfig(#[from] ConfigRejection),
}

/// The firmware's main loop body: the [`App`] over a board's reader ports.
pub struct Station<'p, const TAGS: usize = 32> {
    app: App<TAGS>,
    ports: &'p mut [&'p mut dyn ReaderPort],
}

impl<'p, const TAGS: usize> Station<'p, TAGS> {
    /// Boots on `ports` (the board's port table, in the order `Hello` lists them)
    /// with `config`, the board's default reader assignment: starts the assigned
    /// drivers and queues `Hello`.
    pub fn new(
        name: &str,
        firmware_version: &str,
        settings: Settings,
        config: Configure,
        ports: &'p mut [&'p mut dyn ReaderPort],
        now_ms: u64,
    ) -> Result<Self, StationError> {
        let mut table = Vec::new();
        for port in ports.iter() {
            let port = Port {
                port: port.number(),
                bus: port.bus(),
            };
            table.push(port).map_err(|_| StationError::TooManyPorts)?;
        }
        let board = Board {
            name: String::try_from(name).map_err(|_| StationError::BoardNameTooLong)?,
            firmware_version: String::try_from(firmware_version)
                .map_err(|_| StationError::FirmwareVersionTooLong)?,
            ports: table,
        };
        let app = App::new(board, settings, config, now_ms)?;
        assign(ports, app.config());
        Ok(Self { app, ports })
    }

    /// One round at `now_ms`: services every reader port, feeding their events to the
    /// application, then the gateway link. Returns a configuration the gateway sent
    /// and the station has just applied (every driver was restarted for it).
    pub fn step<G: Read + ReadReady + Write>(
        &mut self,
        gateway: &mut G,
        now_ms: u64,
    ) -> Result<Option<Configure>, G::Error> {
        let app = &mut self.app;
        for port in self.ports.iter_mut() {
            let number = port.number();
            port.service(now_ms, &mut |event| app.reader_event(number, event, now_ms));
        }
        let applied = service_link(app, gateway, now_ms)?;
        if let Some(config) = &applied {
            assign(self.ports, config);
        }
        Ok(applied)
    }

    /// The application, e.g. to flush open reads before a reset.
    pub fn app(&mut self) -> &mut App<TAGS> {
        &mut self.app
    }
}

/// Gives every port the driver `config` names for it; unlisted ports are switched off.
fn assign(ports: &mut [&mut dyn ReaderPort], config: &Configure) {
    for port in ports.iter_mut() {
        let kind = config
            .ports
            .iter()
            .find(|assignment| assignment.port == port.number())
            .and_then(|assignment| assignment.kind);
        port.assign(kind, config.uhf_tx_power_cdbm);
    }
}
