//! An emulator behind a TCP listener: one host at a time, the next accepted when the
//! previous one leaves (or the emulator hangs up).

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use super::{Link, Session, Shared, TICK, Worker, idle, lock, pump};
use crate::emulator::Emulator;
use crate::scenario::Scenario;

impl Link for TcpStream {
    fn read_tick(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        match io::Read::read(self, buf) {
            Ok(count) => Ok(Some(count)),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => Ok(Some(0)),
            Err(error) => Err(error),
        }
    }
}

/// A running TCP server.
#[derive(Debug)]
pub struct TcpServer<E> {
    address: SocketAddr,
    worker: Worker<E>,
}

impl<E: Emulator + 'static> TcpServer<E> {
    /// Serves `emulator` on an ephemeral port of 127.0.0.1.
    pub fn start(emulator: E, scenario: Scenario) -> io::Result<Self> {
        Self::bind("127.0.0.1:0", emulator, scenario)
    }

    /// Serves `emulator` on `address`.
    pub fn bind(address: impl ToSocketAddrs, emulator: E, scenario: Scenario) -> io::Result<Self> {
        let listener = TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let name = format!("emulator-tcp-{}", address.port());
        let worker = Worker::spawn(
            Session::new(emulator, scenario),
            &name,
            move |shared, stop| serve(&listener, &shared, &stop),
        )?;
        Ok(Self { address, worker })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Runs `f` on the session (emulator and scenario) while the server keeps running.
    pub fn with<R>(&self, f: impl FnOnce(&mut Session<E>) -> R) -> R {
        self.worker.with(f)
    }

    /// Stops serving; returns the I/O error that ended the server, if one did.
    pub fn stop(mut self) -> io::Result<()> {
        self.worker.stop()
    }
}

fn serve<E: Emulator>(
    listener: &TcpListener,
    shared: &Shared<E>,
    stop: &AtomicBool,
) -> io::Result<()> {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((mut stream, _peer)) => {
                stream.set_nonblocking(false)?;
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(TICK))?;
                lock(shared).emulator.host_connected();
                // A host that breaks the connection ends its session, not the server.
                if let Err(error) = pump(&mut stream, shared, stop)
                    && !matches!(
                        error.kind(),
                        io::ErrorKind::BrokenPipe
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::ConnectionAborted
                    )
                {
                    return Err(error);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                idle(shared);
                thread::sleep(TICK);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(())
}
