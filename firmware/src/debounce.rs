//! Tag de-bounce: raw reads of the same tag, on the same port and antenna, that follow
//! each other within a window become one [`TagRead`] with a count and the first and
//! last time seen. UHF modules report a tag in the field dozens of times a second;
//! the gateway wants one record per presence.

use heapless::Vec;
use trace_proto::link::TagRead;

use crate::event::TagSighting;

/// A bounded table of open sightings.
///
/// A record closes when its tag has not been read for the window, or when it has
/// been open for `max_hold_ms` (a tag parked in front of a reader is still reported
/// periodically). When the table is full, the least recently read record is closed to
/// make room: it is the one most likely to have left the field already.
#[derive(Debug, Clone)]
pub struct Debouncer<const N: usize> {
    window_ms: u32,
    max_hold_ms: u32,
    open: Vec<TagRead, N>,
}

impl<const N: usize> Debouncer<N> {
    /// An empty table merging reads closer than `window_ms`, each record held open for
    /// at most `max_hold_ms`.
    pub fn new(window_ms: u32, max_hold_ms: u32) -> Self {
        Self {
            window_ms,
            max_hold_ms,
            open: Vec::new(),
        }
    }

    /// Changes the window; open records close by the new one.
    pub fn set_window(&mut self, window_ms: u32) {
        self.window_ms = window_ms;
    }

    /// Records a raw read from `port` at `now_ms`. Returns a record closed by it: the
    /// same tag's expired record, or the least recently read one when the table was
    /// full.
    pub fn observe(&mut self, port: u8, sighting: TagSighting, now_ms: u64) -> Option<TagRead> {
        let same =
            |r: &TagRead| r.port == port && r.antenna == sighting.antenna && r.tag == sighting.tag;
        let mut closed = None;
        if let Some(i) = self.open.iter().position(same) {
            let due = self.open.get(i).is_some_and(|r| self.is_due(r, now_ms));
            if !due {
                if let Some(record) = self.open.get_mut(i) {
                    record.count = record.count.saturating_add(1);
                    record.last_seen_ms = record.last_seen_ms.max(now_ms);
                    record.rssi_cdbm = record.rssi_cdbm.max(sighting.rssi_cdbm);
                }
                return None;
            }
            closed = Some(self.open.remove(i));
        } else if self.open.is_full() {
            closed = self.remove_least_recent();
        }
        let record = TagRead {
            port,
            antenna: sighting.antenna,
            tag: sighting.tag,
            rssi_cdbm: sighting.rssi_cdbm,
            count: 1,
            first_seen_ms: now_ms,
            last_seen_ms: now_ms,
        };
        // Room was made above (or N is 0): a failed push can only drop this read.
        if let Err(record) = self.open.push(record) {
            return closed.or(Some(record));
        }
        closed
    }

    /// Removes and returns one record that is due at `now_ms`, oldest first.
    pub fn pop_due(&mut self, now_ms: u64) -> Option<TagRead> {
        let i = self.open.iter().position(|r| self.is_due(r, now_ms))?;
        Some(self.open.remove(i))
    }

    /// Removes and returns the oldest record, due or not (to flush the table).
    pub fn pop_any(&mut self) -> Option<TagRead> {
        (!self.open.is_empty()).then(|| self.open.remove(0))
    }

    /// Open records.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether no record is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    fn is_due(&self, record: &TagRead, now_ms: u64) -> bool {
        now_ms.saturating_sub(record.last_seen_ms) >= u64::from(self.window_ms)
            || now_ms.saturating_sub(record.first_seen_ms) >= u64::from(self.max_hold_ms)
    }

    fn remove_least_recent(&mut self) -> Option<TagRead> {
        let (i, _) = self
            .open
            .iter()
            .enumerate()
            .min_by_key(|(_, r)| r.last_seen_ms)?;
        Some(self.open.remove(i))
    }
}
