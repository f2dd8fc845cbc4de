//! Capture jobs (`GET /epcis/capture/{id}`), kept in memory: the last [`MAX_JOBS`] of this
//! process. A job reports success only after its events are durable in the store, so a
//! job lost with a restart loses no event, only its report.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};
use trace_proto::event::EventTime;

use super::{ErrorBehaviour, problem_details};
use crate::epcis::problem::Problem;

/// Jobs kept; older ones are forgotten first.
pub const MAX_JOBS: usize = 10_000;
/// Problems kept per job, so a thousand jobs of bad documents cannot fill the memory; the
/// last one kept says how many more there were.
pub const MAX_JOB_ERRORS: usize = 1_000;

/// One capture job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureJob {
    /// Its id, the last segment of its URL.
    pub id: String,
    /// When the document was received.
    pub created: EventTime,
    /// When the job ended.
    pub finished: Option<EventTime>,
    /// The behaviour asked for.
    pub behaviour: ErrorBehaviour,
    /// Problems of the events refused (proceed).
    pub errors: Vec<Problem>,
    /// Why the store failed, when it did (nothing of the job is stored then).
    pub failure: Option<String>,
    /// Events newly stored.
    pub stored: usize,
    /// Events that were already stored.
    pub duplicates: usize,
}

impl CaptureJob {
    /// The job as the EPCIS `CaptureJob` resource.
    pub fn to_json(&self) -> Value {
        let mut errors: Vec<Value> = self.errors.iter().map(problem_details).collect();
        if let Some(failure) = &self.failure {
            errors.push(json!({
                "type": "epcisException:ImplementationException",
                "title": failure,
                "status": 500,
            }));
        }
        let mut json = json!({
            "captureID": self.id,
            "createdAt": self.created.to_string(),
            "running": self.finished.is_none(),
            "success": self.errors.is_empty() && self.failure.is_none(),
            "captureErrorBehaviour": self.behaviour.as_str(),
            "errors": errors,
            "storedEvents": self.stored,
            "duplicateEvents": self.duplicates,
        });
        if let Some(finished) = self.finished {
            json["finishedAt"] = finished.to_string().into();
        }
        json
    }
}

#[derive(Debug, Default)]
struct Book {
    next: u64,
    jobs: BTreeMap<u64, CaptureJob>,
}

/// The jobs of this process.
#[derive(Debug)]
pub struct Jobs {
    /// Prefix of every id, from the start time, so ids of an earlier run are not reused.
    epoch: String,
    book: Mutex<Book>,
}

impl Default for Jobs {
    fn default() -> Self {
        Self {
            epoch: format!("{:x}", EventTime::now().unix_millis()),
            book: Mutex::new(Book::default()),
        }
    }
}

impl Jobs {
    fn book(&self) -> MutexGuard<'_, Book> {
        // Every writer replaces whole entries, so a poisoned lock still holds valid data.
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a job; returns its id.
    pub fn start(&self, behaviour: ErrorBehaviour, mut refused: Vec<Problem>) -> String {
        if refused.len() > MAX_JOB_ERRORS {
            let more = refused.len() - (MAX_JOB_ERRORS - 1);
            refused.truncate(MAX_JOB_ERRORS - 1);
            refused.push(Problem {
                path: "$".into(),
                message: format!("… and {more} more problems"),
            });
        }
        let mut book = self.book();
        book.next += 1;
        let number = book.next;
        let id = format!("{}-{number}", self.epoch);
        let job = CaptureJob {
            id: id.clone(),
            created: EventTime::now(),
            finished: None,
            behaviour,
            errors: refused,
            failure: None,
            stored: 0,
            duplicates: 0,
        };
        book.jobs.insert(number, job);
        while book.jobs.len() > MAX_JOBS {
            book.jobs.pop_first();
        }
        id
    }

    /// Ends a job with what the commit did, or why it failed.
    pub fn finish(&self, id: &str, outcome: Result<(usize, usize), String>) {
        let Some(number) = self.number(id) else {
            return;
        };
        let mut book = self.book();
        let Some(job) = book.jobs.get_mut(&number) else {
            return;
        };
        job.finished = Some(EventTime::now());
        match outcome {
            Ok((stored, duplicates)) => {
                job.stored = stored;
                job.duplicates = duplicates;
            }
            Err(reason) => job.failure = Some(reason),
        }
    }

    /// A job by id.
    pub fn get(&self, id: &str) -> Option<CaptureJob> {
        let number = self.number(id)?;
        self.book().jobs.get(&number).cloned()
    }

    fn number(&self, id: &str) -> Option<u64> {
        id.strip_prefix(&self.epoch)?
            .strip_prefix('-')?
            .parse()
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(i: usize) -> Problem {
        Problem {
            path: format!("$.epcisBody.eventList[{i}]"),
            message: "bad".into(),
        }
    }

    #[test]
    fn a_job_runs_then_reports_and_keeps_a_bounded_error_list() {
        let jobs = Jobs::default();
        let id = jobs.start(ErrorBehaviour::Rollback, Vec::new());
        let running = jobs.get(&id).unwrap().to_json();
        assert_eq!(
            (running["running"].clone(), running["success"].clone()),
            (true.into(), true.into())
        );
        jobs.finish(&id, Ok((3, 1)));
        let done = jobs.get(&id).unwrap().to_json();
        assert_eq!(done["running"], false);
        assert_eq!(done["success"], true);
        assert_eq!(
            (
                done["storedEvents"].clone(),
                done["duplicateEvents"].clone()
            ),
            (3.into(), 1.into())
        );

        let failed = jobs.start(ErrorBehaviour::Rollback, Vec::new());
        jobs.finish(&failed, Err("disk full".into()));
        let failed = jobs.get(&failed).unwrap().to_json();
        assert_eq!(failed["success"], false);
        assert_eq!(
            failed["errors"][0]["type"],
            "epcisException:ImplementationException"
        );

        let many = jobs.start(ErrorBehaviour::Proceed, (0..1500).map(problem).collect());
        let many = jobs.get(&many).unwrap();
        assert_eq!(many.errors.len(), MAX_JOB_ERRORS);
        assert_eq!(
            many.errors[MAX_JOB_ERRORS - 1].message,
            "… and 501 more problems"
        );
        assert_eq!(jobs.get("nonsense"), None);
        assert_eq!(jobs.get(&format!("{}-99", jobs.epoch)), None);
    }
}
