//! An emulator behind a pseudo-terminal: programs open [`PtyServer::path`] as they would
//! open `/dev/ttyUSB0`.
//!
//! The server keeps its own handle on the terminal side, set to raw mode, so the line
//! discipline neither echoes nor edits bytes and the terminal outlives the programs that
//! open and close it. Baud rate settings a program makes are accepted and have no effect.
//! While nobody reads the terminal, up to the kernel's queue size (4 KiB) of output waits
//! for the next reader and the rest is lost.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fs::{Mode, OFlags};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{OptionalActions, tcgetattr, tcsetattr};

use super::{Link, Session, Shared, TICK, Worker, pump};
use crate::emulator::Emulator;
use crate::scenario::Scenario;

/// The controlling side of the pseudo-terminal.
struct Master {
    file: File,
}

impl io::Read for Master {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl io::Write for Master {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.file.write(buf) {
            // The terminal's input queue is full because nobody reads it: the bytes are
            // lost, as on a UART nobody listens to.
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => Ok(buf.len()),
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Link for Master {
    fn read_tick(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let timeout = Timespec {
            tv_sec: 0,
            tv_nsec: i64::try_from(TICK.as_nanos()).unwrap_or(5_000_000),
        };
        let mut fds = [PollFd::new(&self.file, PollFlags::IN)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => Ok(None),
            Ok(_) => io::Read::read(&mut self.file, buf).map(Some),
            Err(errno) => Err(errno.into()),
        }
    }
}

/// A running pseudo-terminal server.
#[derive(Debug)]
pub struct PtyServer<E> {
    path: PathBuf,
    worker: Worker<E>,
}

impl<E: Emulator + 'static> PtyServer<E> {
    /// Serves `emulator` on a new pseudo-terminal.
    pub fn start(emulator: E, scenario: Scenario) -> io::Result<Self> {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY)?;
        rustix::io::ioctl_fionbio(&master, true)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let path = PathBuf::from(
            ptsname(&master, Vec::new())?
                .into_string()
                .map_err(io::Error::other)?,
        );
        let terminal = rustix::fs::open(&path, OFlags::RDWR | OFlags::NOCTTY, Mode::empty())?;
        let mut termios = tcgetattr(&terminal)?;
        termios.make_raw();
        tcsetattr(&terminal, OptionalActions::Now, &termios)?;
        let terminal = File::from(terminal);
        let mut master = Master {
            file: File::from(master),
        };
        let name = format!("emulator-pty-{}", emulator.kind());
        let worker = Worker::spawn(
            Session::new(emulator, scenario),
            &name,
            move |shared, stop| {
                let result = serve(&mut master, &shared, &stop);
                drop(terminal);
                result
            },
        )?;
        Ok(Self { path, worker })
    }

    /// The terminal device a program opens (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        &self.path
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

/// The terminal is always "connected": whoever has it open reads what the module sends.
fn serve<E: Emulator>(
    master: &mut Master,
    shared: &Shared<E>,
    stop: &AtomicBool,
) -> io::Result<()> {
    while !stop.load(Ordering::Relaxed) {
        pump(master, shared, stop)?;
    }
    Ok(())
}
