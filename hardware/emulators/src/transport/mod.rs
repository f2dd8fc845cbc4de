//! Emulators on real byte streams: a TCP listener ([`tcp`]) and a pseudo-terminal
//! ([`pty`], Unix), both driven by the wall clock.
//!
//! A server owns a [`Session`] (the emulator and its scenario) on a background thread.
//! Every few milliseconds it applies the scenario steps that are due, advances the
//! emulator to the time since the server started, feeds it what the host sent and writes
//! back what it answered. Output produced while no host is connected is dropped, as a
//! UART with nobody listening loses its bytes. Dropping the server stops the thread.

#[cfg(unix)]
pub mod pty;
pub mod tcp;

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::emulator::Emulator;
use crate::scenario::Scenario;

/// How often a server looks at its link and advances time.
pub const TICK: Duration = Duration::from_millis(5);
/// Pause between two bytes in dribble mode, so each arrives in its own read.
const DRIBBLE_GAP: Duration = Duration::from_millis(1);

/// An emulator, its scenario and the start of its time.
#[derive(Debug)]
pub struct Session<E> {
    /// The emulator.
    pub emulator: E,
    /// What happens to it.
    pub scenario: Scenario,
    started: Instant,
}

impl<E: Emulator> Session<E> {
    /// A session whose time starts now.
    pub fn new(emulator: E, scenario: Scenario) -> Self {
        Self {
            emulator,
            scenario,
            started: Instant::now(),
        }
    }

    /// Time since the session started.
    pub fn now(&self) -> Duration {
        self.started.elapsed()
    }

    /// Applies due scenario steps and advances the emulator to now.
    pub fn tick(&mut self) {
        let now = self.now();
        self.scenario.apply_due(now, &mut self.emulator);
        self.emulator.advance(now);
    }
}

/// A session shared between a server thread and its owner.
pub(crate) type Shared<E> = Arc<Mutex<Session<E>>>;

fn lock<E>(shared: &Shared<E>) -> MutexGuard<'_, Session<E>> {
    // A poisoned session is still the best state there is; the server keeps serving it.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One end of a byte stream the server can wait on.
pub(crate) trait Link: Read + Write {
    /// Waits up to [`TICK`] for input: `Ok(None)` if none came, `Ok(Some(0))` when the
    /// other end has gone.
    fn read_tick(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>>;
}

/// Serves one connected host until it goes, the emulator hangs up or `stop` is set.
pub(crate) fn pump<E: Emulator>(
    link: &mut impl Link,
    shared: &Shared<E>,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut input = [0u8; 4096];
    let mut output = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let received = match link.read_tick(&mut input)? {
            Some(0) => return Ok(()),
            Some(count) => input.get(..count).unwrap_or_default(),
            None => &[],
        };
        let (dribble, hang_up) = {
            let mut session = lock(shared);
            session.tick();
            session.emulator.feed(received);
            session.emulator.poll(&mut output);
            (
                session.emulator.faults().is_dribble(),
                session.emulator.wants_hang_up(),
            )
        };
        if dribble {
            // One byte per write; the rest waits in the emulator for the next ticks.
            for byte in output.drain(..) {
                link.write_all(&[byte])?;
                link.flush()?;
                thread::sleep(DRIBBLE_GAP);
            }
            drain_dribble(link, shared)?;
        } else if !output.is_empty() {
            link.write_all(&output)?;
            link.flush()?;
            output.clear();
        }
        if hang_up {
            return Ok(());
        }
    }
    Ok(())
}

/// In dribble mode hands the rest of the queued bytes out one per write.
fn drain_dribble<E: Emulator>(link: &mut impl Link, shared: &Shared<E>) -> io::Result<()> {
    let mut byte = Vec::with_capacity(1);
    loop {
        byte.clear();
        if lock(shared).emulator.poll(&mut byte) == 0 {
            return Ok(());
        }
        link.write_all(&byte)?;
        link.flush()?;
        thread::sleep(DRIBBLE_GAP);
    }
}

/// Advances a session nobody is connected to; its output is lost.
pub(crate) fn idle<E: Emulator>(shared: &Shared<E>) {
    let mut session = lock(shared);
    session.tick();
    let mut discarded = Vec::new();
    while session.emulator.poll(&mut discarded) > 0 {
        discarded.clear();
    }
}

/// The background thread of a server and what it shares.
#[derive(Debug)]
pub(crate) struct Worker<E> {
    pub(crate) shared: Shared<E>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<io::Result<()>>>,
}

impl<E: Emulator + 'static> Worker<E> {
    /// Runs `serve` on a new thread with the session and the stop flag.
    pub(crate) fn spawn(
        session: Session<E>,
        name: &str,
        serve: impl FnOnce(Shared<E>, Arc<AtomicBool>) -> io::Result<()> + Send + 'static,
    ) -> io::Result<Self> {
        let shared = Arc::new(Mutex::new(session));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_shared, thread_stop) = (Arc::clone(&shared), Arc::clone(&stop));
        let thread = thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || serve(thread_shared, thread_stop))?;
        Ok(Self {
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// Runs `f` on the session.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Session<E>) -> R) -> R {
        f(&mut lock(&self.shared))
    }

    /// Stops the thread and returns how it ended.
    pub(crate) fn stop(&mut self) -> io::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take().map(thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the emulator thread panicked")),
            None => Ok(()),
        }
    }
}

impl<E> Drop for Worker<E> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // The result was not asked for; the thread is only waited for.
            drop(thread.join());
        }
    }
}
