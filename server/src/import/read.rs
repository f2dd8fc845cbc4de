//! The I/O side of the import: the four CSV files read side by side in `event_id`
//! order, each event's rows gathered and built into a [`StoredEvent`], and full batches
//! handed to the committing thread.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc::SyncSender;

use trace_proto::event::EventTime;

use super::build::{self, key};
use super::rows::{AggregationRow, EpcRow, EventRow, FieldError, TransformationRow};
use super::{BATCH_EVENTS, ImportError};
use crate::store::{CommitBatch, Origin, StoredEvent};

/// One CSV file read row by row, with one row of look-ahead.
struct Table<T> {
    file: &'static str,
    reader: csv::Reader<BufReader<File>>,
    record: csv::StringRecord,
    parse: fn(&[&str]) -> Result<T, FieldError>,
    next: Option<(u64, T)>,
    rows: u64,
}

impl<T> Table<T> {
    fn open(
        dir: &Path,
        file: &'static str,
        parse: fn(&[&str]) -> Result<T, FieldError>,
    ) -> Result<Self, ImportError> {
        let path = dir.join(file);
        let handle = File::open(&path).map_err(|source| ImportError::Io { path, source })?;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::with_capacity(1 << 20, handle));
        let mut table = Self {
            file,
            reader,
            record: csv::StringRecord::new(),
            parse,
            next: None,
            rows: 0,
        };
        table.advance()?;
        Ok(table)
    }

    /// Reads the next row into the look-ahead.
    fn advance(&mut self) -> Result<(), ImportError> {
        let read =
            self.reader
                .read_record(&mut self.record)
                .map_err(|e| ImportError::Inconsistent {
                    file: self.file,
                    line: e.position().map_or(0, csv::Position::line),
                    detail: e.to_string(),
                })?;
        if !read {
            self.next = None;
            return Ok(());
        }
        self.rows += 1;
        let line = self.record.position().map_or(0, csv::Position::line);
        let fields: Vec<&str> = self.record.iter().collect();
        let row = (self.parse)(&fields).map_err(|e| ImportError::Field {
            file: self.file,
            line,
            column: e.column,
            problem: e.problem,
        })?;
        self.next = Some((line, row));
        Ok(())
    }

    /// The rows of event `id` (the next ones, as the file is in `event_id` order); a row of
    /// an earlier event than `id` was not taken by any event, which is an error.
    fn take(&mut self, id: u64, event_of: fn(&T) -> u64) -> Result<Vec<T>, ImportError> {
        let mut taken = Vec::new();
        while let Some((line, row)) = &self.next {
            let event = event_of(row);
            if event > id {
                break;
            }
            if event < id {
                return Err(ImportError::Inconsistent {
                    file: self.file,
                    line: *line,
                    detail: format!(
                        "event {event} is not in events.csv or out of event_id order (the \
                         import reads every file in event_id order)"
                    ),
                });
            }
            if let Some((_, row)) = self.next.take() {
                taken.push(row);
            }
            self.advance()?;
        }
        Ok(taken)
    }

    /// Fails on a row left after the last event.
    fn finish(&self) -> Result<(), ImportError> {
        match &self.next {
            Some((line, _)) => Err(ImportError::Inconsistent {
                file: self.file,
                line: *line,
                detail: "names an event after the last one of events.csv".into(),
            }),
            None => Ok(()),
        }
    }
}

/// Reads the workload in `dir`, sending batches of events with the number of CSV rows
/// they came from; stops quietly when the receiver is gone (the committer failed).
pub(super) fn batches(
    dir: &Path,
    namespace: &str,
    send: SyncSender<(CommitBatch, u64)>,
) -> Result<(), ImportError> {
    let mut events = Table::open(dir, "events.csv", EventRow::parse)?;
    let mut epcs = Table::open(dir, "event_epcs.csv", EpcRow::parse)?;
    let mut aggregations = Table::open(dir, "aggregations.csv", AggregationRow::parse)?;
    let mut transformations = Table::open(dir, "transformations.csv", TransformationRow::parse)?;
    let recorded = EventTime::now();
    let origin = Origin::Captured {
        captured_by: "import".into(),
    };
    let mut batch = CommitBatch::default();
    let mut rows_sent = 0;
    let mut previous = 0;
    while let Some((line, row)) = events.next.take() {
        if row.id <= previous {
            return Err(ImportError::Inconsistent {
                file: events.file,
                line,
                detail: format!("event {} follows event {previous}: out of order", row.id),
            });
        }
        previous = row.id;
        events.advance()?;
        let id = row.id;
        let named = epcs.take(id, |r| r.event)?;
        let contained = aggregations.take(id, |r| r.event)?;
        let transformed = transformations.take(id, |r| r.event)?;
        let named = named.into_iter().map(|r| (r.epc, r.role)).collect();
        let event = build::event(row, named, &contained, &transformed).map_err(|m| {
            ImportError::Inconsistent {
                file: events.file,
                line,
                detail: format!("{}: {}", m.file, m.detail),
            }
        })?;
        batch.events.push(StoredEvent {
            key: key(namespace, id),
            recorded,
            event,
            origin: origin.clone(),
        });
        if batch.events.len() >= BATCH_EVENTS {
            let rows = events.rows + epcs.rows + aggregations.rows + transformations.rows;
            if send
                .send((std::mem::take(&mut batch), rows - rows_sent))
                .is_err()
            {
                return Ok(());
            }
            rows_sent = rows;
        }
    }
    epcs.finish()?;
    aggregations.finish()?;
    transformations.finish()?;
    let rows = events.rows + epcs.rows + aggregations.rows + transformations.rows;
    if !batch.events.is_empty() || rows > rows_sent {
        // A closed receiver here means the committer failed; it reports why.
        let _ = send.send((batch, rows - rows_sent));
    }
    Ok(())
}
