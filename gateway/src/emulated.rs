//! `trace-gateway simulate`: the configured readers replaced by byte-exact emulators
//! (`trace-emulators`) acting out a scenario, for demos and site rehearsals. Serial
//! modules get a pseudo-terminal, LLRP readers a TCP port on 127.0.0.1; everything after
//! the reader wire (drivers, smoothing, business events, signing, outbox, MQTT) is the
//! real gateway.

use std::io;

use trace_emulators::Scenario;
use trace_emulators::em4100::Em4100Reader;
use trace_emulators::llrp::{LlrpConfig, LlrpReader};
use trace_emulators::m100::M100;
use trace_emulators::pn532::Pn532;
use trace_emulators::transport::pty::PtyServer;
use trace_emulators::transport::tcp::TcpServer;

use crate::config::{Config, ModuleKind, ReaderSource};

/// Interval of the emulated UHF modules' inventory rounds.
const UHF_ROUND: std::time::Duration = std::time::Duration::from_millis(50);

/// A running emulator; dropping it stops it.
#[derive(Debug)]
pub enum Emulated {
    /// An EM4100 module on a pseudo-terminal.
    Em4100(PtyServer<Em4100Reader>),
    /// A PN532 on a pseudo-terminal.
    Pn532(PtyServer<Pn532>),
    /// An M100 module on a pseudo-terminal.
    M100(PtyServer<M100>),
    /// An LLRP reader on TCP.
    Llrp(TcpServer<LlrpReader>),
}

/// Starts an emulator running `scenario` for every module and LLRP reader of `config`
/// and points the reader at it. Firmware links and simulated readers stay as they are.
pub fn emulate_readers(config: &mut Config, scenario: &Scenario) -> io::Result<Vec<Emulated>> {
    let mut running = Vec::new();
    for reader in &mut config.readers {
        match &mut reader.source {
            ReaderSource::Module { kind, port, .. } => {
                let (emulated, path) = match kind {
                    ModuleKind::Em4100 => {
                        let server = PtyServer::start(Em4100Reader::default(), scenario.clone())?;
                        let path = server.path().display().to_string();
                        (Emulated::Em4100(server), path)
                    }
                    ModuleKind::Pn532 => {
                        let server = PtyServer::start(Pn532::new(), scenario.clone())?;
                        let path = server.path().display().to_string();
                        (Emulated::Pn532(server), path)
                    }
                    ModuleKind::UhfM100 => {
                        let server = PtyServer::start(M100::new(UHF_ROUND), scenario.clone())?;
                        let path = server.path().display().to_string();
                        (Emulated::M100(server), path)
                    }
                };
                tracing::info!(reader = %reader.name, kind = kind.name(), pty = %path, "emulated");
                *port = path;
                running.push(emulated);
            }
            ReaderSource::Llrp { address, .. } => {
                let config = LlrpConfig {
                    antennas: 4,
                    ..LlrpConfig::default()
                };
                let server = TcpServer::start(LlrpReader::new(config), scenario.clone())?;
                *address = server.local_addr().to_string();
                tracing::info!(reader = %reader.name, address = %address, "emulated LLRP reader");
                running.push(Emulated::Llrp(server));
            }
            ReaderSource::Link { .. } => {
                tracing::warn!(reader = %reader.name, "a firmware link is not emulated; it stays on its port");
            }
            ReaderSource::Simulate { .. } => {}
        }
    }
    Ok(running)
}
