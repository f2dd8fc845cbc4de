//! Ports: free loopback ports for servers started with a fixed address, and the check
//! that the system Mosquitto the external-broker tests need is there.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use crate::error::{E2eError, Result};

/// The system Mosquitto's address (conventions: never bind it, use unique ids on it).
pub const MOSQUITTO: &str = "127.0.0.1:1883";

/// A loopback address with a port that was free a moment ago (the listener is closed
/// before returning, so another process may take it; the tests that need a fixed port
/// across restarts accept that small risk, everything else binds port 0).
pub fn free_addr() -> Result<SocketAddr> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(E2eError::io("finding a free loopback port"))
}

/// Fails with set-up instructions unless a broker accepts connections at [`MOSQUITTO`].
pub fn require_mosquitto() -> Result<()> {
    let addr: SocketAddr = MOSQUITTO
        .parse()
        .map_err(|e| E2eError::Setup(format!("{MOSQUITTO}: {e}")))?;
    TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map(drop)
        .map_err(|e| {
            E2eError::Setup(format!(
                "no MQTT broker at {MOSQUITTO} ({e}): apt-get install mosquitto and start it \
                 (scripts/test.sh does both)"
            ))
        })
}
