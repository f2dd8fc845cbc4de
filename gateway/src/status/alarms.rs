//! The rules that turn the health board into alarms, and the clock watch.
//!
//! An alarm is raised while its condition holds: the outbox is full; a reader has been
//! absent or faulted for [`READER_DOWN_AFTER_MS`]; a firmware board refused the
//! configuration it was sent; the wall clock misbehaved within the last
//! [`CLOCK_ALARM_HOLD_MS`]; a recalled unit was scanned (kept until the gateway
//! restarts, so a supervisor sees it even if nobody was watching at that moment).

use trace_proto::event::EventTime;
use trace_proto::link::ReaderState;
use trace_proto::mqtt::{Alarm, AlarmKind};

use super::{Board, BoardConfig};

/// A reader absent or faulted this long raises [`AlarmKind::ReaderDown`]; shorter
/// outages (a board rebooting, a reader re-initialising) only show in its state.
pub const READER_DOWN_AFTER_MS: i64 = 5_000;
/// How long a clock anomaly stays raised after it was seen.
pub const CLOCK_ALARM_HOLD_MS: i64 = 10 * 60 * 1000;
/// A wall clock before this (2020-01-01) is taken for an unset real-time clock.
pub const PLAUSIBLE_AFTER_MS: i64 = 1_577_836_800_000;
/// Wall clock and monotonic clock may drift apart this much between two checks.
pub const MAX_JUMP_MS: i64 = 2_000;

/// The alarms `board` raises at `now`, in a stable order.
pub(super) fn raised(board: &Board, now: EventTime) -> Vec<Alarm> {
    let mut alarms = Vec::new();
    if let Some(since) = board.outbox_full_since {
        alarms.push(Alarm {
            kind: AlarmKind::OutboxFull,
            subject: "outbox".to_owned(),
            detail: format!(
                "disk budget reached: new reads are refused ({} so far) until the server acks",
                board.refused_reads
            ),
            since,
        });
    }
    let down_for = |since: EventTime| now.unix_millis().saturating_sub(since.unix_millis());
    for (reader, since) in board.readers.iter().zip(&board.reader_since) {
        if matches!(reader.state, ReaderState::Absent | ReaderState::Faulted)
            && down_for(*since) >= READER_DOWN_AFTER_MS
        {
            alarms.push(Alarm {
                kind: AlarmKind::ReaderDown,
                subject: reader.name.clone(),
                detail: format!("{} reader {:?}", reader.kind, reader.state),
                since: *since,
            });
        }
    }
    for (reader, config) in board.readers.iter().zip(&board.board_config) {
        if let Some((BoardConfig::Rejected(why), since)) = config {
            alarms.push(Alarm {
                kind: AlarmKind::ReaderConfigRejected,
                subject: reader.name.clone(),
                detail: why.clone(),
                since: *since,
            });
        }
    }
    if let Some((what, since)) = &board.clock
        && now.unix_millis().saturating_sub(since.unix_millis()) < CLOCK_ALARM_HOLD_MS
    {
        alarms.push(Alarm {
            kind: AlarmKind::ClockAnomaly,
            subject: "clock".to_owned(),
            detail: what.clone(),
            since: *since,
        });
    }
    if let Some((tag, at)) = &board.last_recalled {
        alarms.push(Alarm {
            kind: AlarmKind::RecalledUnitScanned,
            subject: tag.clone(),
            detail: format!(
                "{} recalled units scanned since start",
                board.recalled_units
            ),
            since: *at,
        });
    }
    alarms
}

/// Compares the wall clock with the monotonic clock between checks: a wall clock that
/// jumps (an NTP step, a manual change) or reads before 2020 (an RTC without battery)
/// makes event times suspect, which a supervisor must know.
#[derive(Debug, Default)]
pub struct ClockWatch {
    last: Option<(u64, i64)>,
}

impl ClockWatch {
    /// A sample: `mono_ms` from a monotonic clock, `wall_ms` Unix ms. Returns what is
    /// wrong, if anything.
    pub fn check(&mut self, mono_ms: u64, wall_ms: i64) -> Option<String> {
        let last = self.last.replace((mono_ms, wall_ms));
        if wall_ms < PLAUSIBLE_AFTER_MS {
            return Some(format!(
                "wall clock reads {} (before 2020): is the real-time clock set?",
                EventTime::from_unix_millis(wall_ms)
                    .map_or_else(|_| wall_ms.to_string(), |t| t.to_string())
            ));
        }
        let (last_mono, last_wall) = last?;
        let mono = i64::try_from(mono_ms.saturating_sub(last_mono)).unwrap_or(i64::MAX);
        let jump = wall_ms.saturating_sub(last_wall).saturating_sub(mono);
        (jump.abs() > MAX_JUMP_MS).then(|| format!("wall clock jumped by {jump} ms"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::StatusBoard;

    const T: i64 = 1_764_000_000_000;

    fn at(ms: i64) -> EventTime {
        EventTime::from_unix_millis(ms).unwrap()
    }

    #[test]
    fn clock_jumps_and_unset_clocks_are_anomalies_steady_time_is_not() {
        let mut watch = ClockWatch::default();
        assert_eq!(watch.check(0, T), None);
        assert_eq!(watch.check(1_000, T + 1_000), None);
        assert_eq!(watch.check(2_000, T + 2_500), None, "drift within bounds");
        assert_eq!(
            watch.check(3_000, T - 60_000).as_deref(),
            Some("wall clock jumped by -63500 ms")
        );
        assert_eq!(watch.check(4_000, T - 59_000), None, "steady again");
        let unset = watch.check(5_000, 86_400_000).unwrap();
        assert!(unset.contains("before 2020"), "{unset}");
    }

    #[test]
    fn a_reader_is_down_only_after_a_while_and_rejections_and_clock_are_alarms() {
        let board = StatusBoard::new([("door", "llrp"), ("board", "link")]);
        let now = EventTime::now().unix_millis();
        board.reader_state(1, ReaderState::Ready);
        assert!(board.alarms(at(now)).is_empty(), "absent for a moment only");
        let later = at(now + READER_DOWN_AFTER_MS + 1);
        let alarms = board.alarms(later);
        assert_eq!(alarms.len(), 1);
        assert_eq!(
            (alarms[0].kind, alarms[0].subject.as_str()),
            (AlarmKind::ReaderDown, "door")
        );
        board.reader_state(0, ReaderState::Ready);
        board.board_config(1, BoardConfig::Rejected("port 9 does not exist".into()));
        board.set_clock_anomaly(Some(("wall clock jumped by 9000 ms".into(), at(now))));
        board.set_outbox_full(true);
        let kinds: Vec<_> = board.alarms(later).iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                AlarmKind::OutboxFull,
                AlarmKind::ReaderConfigRejected,
                AlarmKind::ClockAnomaly
            ]
        );
        let much_later = at(now + CLOCK_ALARM_HOLD_MS + 1);
        board.set_outbox_full(false);
        board.board_config(1, BoardConfig::Accepted);
        assert!(board.alarms(much_later).is_empty());
    }
}
