//! The running gateway: inputs → pipeline → outbox → uplink, plus the status file, the
//! operator's lot file and the clock watch.
//!
//! The pipeline runs on the calling thread of [`run`]; it is the only writer of the
//! outbox, so the chain is extended by one thread in one order. Every accepted event is
//! durable at once, so a `kill -9` loses nothing but reads not yet accepted. A graceful
//! stop (`stop` set, e.g. by SIGTERM) goes further: the inputs stop and what they had
//! delivered is processed, present tags exit and open pack windows and production runs
//! close into events, those are committed, the status file is written a last time,
//! and the uplink publishes a final retained status and disconnects cleanly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use trace_proto::event::EventTime;

use crate::config::{Config, ModuleKind, ReaderSource};
use crate::input::{self, InputEvent, unix_ms};
use crate::keyfile::{self, KeyFileError};
use crate::lot::{LotWatch, lot_file_path};
use crate::outbox::{Outbox, OutboxError, SledOutbox};
use crate::pipeline::{Pipeline, PipelineError};
use crate::recall;
use crate::recall::RecallSet;
use crate::status::{
    ClockWatch, StatusBoard, recall_file_path, status_file_path, write_status_file,
};
use crate::uplink::{Shared, Uplink, UplinkError, UplinkTuning};

/// How often timers (exits, pack windows) are advanced.
const TICK: Duration = Duration::from_millis(50);
/// Most input events staged before one commit (one disk sync).
const MAX_GROUP: usize = 256;
/// Input events waiting for the pipeline, at most; a flooding reader then waits.
const INPUT_QUEUE: usize = 16 * 1024;
/// How often the status file is rewritten and the clock checked.
const STATUS_FILE_EVERY: Duration = Duration::from_secs(1);
/// How often the operator's lot file is looked at.
const LOT_FILE_EVERY: Duration = Duration::from_millis(500);

/// Why the gateway cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The key file.
    #[error(transparent)]
    Key(#[from] KeyFileError),
    /// The outbox.
    #[error("outbox {path}: {source}")]
    Outbox {
        /// Its directory.
        path: std::path::PathBuf,
        /// The error.
        source: OutboxError,
    },
    /// The MQTT uplink.
    #[error(transparent)]
    Uplink(#[from] UplinkError),
    /// A thread could not be started.
    #[error("cannot start a thread: {0}")]
    Thread(std::io::Error),
}

/// The status-board kind of a reader.
fn reader_kind(source: &ReaderSource) -> &'static str {
    match source {
        ReaderSource::Link { .. } => "link",
        ReaderSource::Module { kind, .. } => ModuleKind::name(*kind),
        ReaderSource::Llrp { .. } => "llrp",
        ReaderSource::Simulate { .. } => "simulate",
    }
}

/// Runs the gateway until `stop` is set.
pub fn run(
    config: &Config,
    tuning: UplinkTuning,
    stop: &Arc<AtomicBool>,
) -> Result<(), StartError> {
    let key = keyfile::load(&config.gateway.key_file)?;
    let outbox: Arc<dyn Outbox> = Arc::new(
        SledOutbox::open(&config.gateway.outbox, config.gateway.outbox_budget_bytes).map_err(
            |source| StartError::Outbox {
                path: config.gateway.outbox.clone(),
                source,
            },
        )?,
    );
    let head = outbox.head();
    tracing::info!(
        gateway = %config.gateway.id,
        chain_head = head.map_or(0, |h| h.seq),
        acked = outbox.acked(),
        queued = outbox.usage().events,
        "outbox open"
    );
    let status = Arc::new(StatusBoard::new(
        config
            .readers
            .iter()
            .map(|r| (r.name.as_str(), reader_kind(&r.source))),
    ));
    let recall_file = recall_file_path(&config.gateway.outbox);
    let kept: RecallSet = recall::load(&recall_file);
    status.set_recall_identifiers(kept.len());
    let recalls = Arc::new(RwLock::new(kept));
    let shared = Shared {
        gateway_id: config.gateway.id.clone(),
        outbox: outbox.clone(),
        status: status.clone(),
        recalls: recalls.clone(),
        recall_file: Some(recall_file),
    };
    let uplink = Uplink::start(&config.broker, shared, tuning)?;
    let (tx, rx) = mpsc::sync_channel(INPUT_QUEUE);
    let mut inputs = Vec::new();
    for (index, reader) in config.readers.iter().enumerate() {
        inputs.push(
            input::spawn(index, reader, tx.clone(), stop.clone()).map_err(StartError::Thread)?,
        );
    }
    drop(tx);
    let mut pipeline = Pipeline::new(config, key, outbox.clone(), recalls, status.clone());
    let status_path = status_file_path(&config.gateway.outbox);
    let mut lots = LotWatch::new(lot_file_path(&config.gateway.outbox));
    let mut clock = ClockWatch::default();
    let started = Instant::now();
    let mut last_tick = Instant::now();
    let mut last_status: Option<Instant> = None;
    let mut last_lots: Option<Instant> = None;
    while !stop.load(Ordering::SeqCst) {
        if last_lots.is_none_or(|at| at.elapsed() >= LOT_FILE_EVERY) {
            last_lots = Some(Instant::now());
            apply_lots(&mut pipeline, &mut lots);
        }
        match rx.recv_timeout(TICK) {
            Ok(event) => {
                handle(&mut pipeline, &status, event);
                for event in rx.try_iter().take(MAX_GROUP - 1) {
                    handle(&mut pipeline, &status, event);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // Every input has ended (e.g. a finite simulation): keep draining the outbox.
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(TICK),
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            if let Err(e) = pipeline.tick(unix_ms()) {
                log_refusal(&e);
            }
        }
        commit(&mut pipeline);
        if last_status.is_none_or(|at| at.elapsed() >= STATUS_FILE_EVERY) {
            last_status = Some(Instant::now());
            let mono_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let now = EventTime::now();
            if let Some(what) = clock.check(mono_ms, now.unix_millis()) {
                tracing::warn!(anomaly = %what, "clock anomaly: event times may be wrong");
                status.set_clock_anomaly(Some((what, now)));
            }
            let local = status.local_status(&config.gateway.id, outbox.as_ref(), now);
            if let Err(e) = write_status_file(&status_path, &local) {
                tracing::warn!(path = %status_path.display(), error = %e, "cannot write the status file");
            }
        }
    }
    tracing::info!("stopping: inputs first, then what they delivered");
    // The inputs see `stop` too; draining the channel meanwhile keeps a reader blocked
    // on a full channel from never seeing it. The channel ends when every input has.
    for event in rx.iter() {
        handle(&mut pipeline, &status, event);
    }
    for handle in inputs {
        if handle.join().is_err() {
            tracing::error!("a reader thread panicked");
        }
    }
    if let Err(e) = pipeline.flush() {
        log_refusal(&e);
    }
    commit(&mut pipeline);
    let local = status.local_status(&config.gateway.id, outbox.as_ref(), EventTime::now());
    if let Err(e) = write_status_file(&status_path, &local) {
        tracing::warn!(path = %status_path.display(), error = %e, "cannot write the status file");
    }
    uplink.shutdown();
    let usage = outbox.usage();
    tracing::info!(
        queued = usage.events,
        acked = outbox.acked(),
        chain_head = outbox.head().map_or(0, |h| h.seq),
        "stopped cleanly"
    );
    Ok(())
}

/// Commits the staged events, if any.
fn commit(pipeline: &mut Pipeline) {
    if pipeline.staged() == 0 {
        return;
    }
    match pipeline.commit() {
        Ok(events) => {
            for e in events {
                tracing::debug!(seq = e.seq(), "event accepted");
            }
        }
        Err(e) => log_refusal(&e),
    }
}

/// Applies the lots the operator changed in the lot file.
fn apply_lots(pipeline: &mut Pipeline, lots: &mut LotWatch) {
    let changes = match lots.changed() {
        Ok(changes) => changes,
        Err(e) => {
            tracing::error!(error = %e, "lot file refused: the stations keep their lots");
            return;
        }
    };
    for (station, lot) in changes {
        match lot {
            Ok(lot) => match pipeline.set_lot(&station, lot.clone()) {
                Ok(true) => tracing::info!(station, lot = ?lot.lot, "lot set by the operator"),
                Ok(false) => tracing::error!(
                    station,
                    "lot file names no commissioning or transformation station"
                ),
                Err(e) => log_refusal(&e),
            },
            Err(e) => {
                tracing::error!(station, error = %e, "lot refused: the station keeps its lot")
            }
        }
    }
}

fn handle(pipeline: &mut Pipeline, status: &StatusBoard, event: InputEvent) {
    match event {
        InputEvent::Read {
            reader,
            antenna,
            tag,
            at_ms,
        } => {
            if let Err(e) = pipeline.read(reader, antenna, &tag, at_ms) {
                log_refusal(&e);
            }
        }
        InputEvent::State { reader, state } => status.reader_state(reader, state),
        InputEvent::Fault { reader } => status.reader_error(reader),
        InputEvent::Configured { reader, state } => status.board_config(reader, state),
    }
}

fn log_refusal(error: &PipelineError) {
    match error {
        // Already logged, counted and raised as an alarm by the pipeline.
        PipelineError::OutboxFull => {}
        other => tracing::error!(error = %other, "read NOT accepted"),
    }
}
