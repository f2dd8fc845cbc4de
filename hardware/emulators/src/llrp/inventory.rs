//! The ROSpec lifecycle (add, enable, start, stop, disable, delete) and the inventory
//! rounds that fill and flush the report buffer.

use super::LlrpReader;
use super::codes::{Refusal, msg, status};
use super::report::{ReportTrigger, Sighting, write_tag_report};
use super::rospec::{RoSpec, RoState};
use super::wire::Writer;

impl LlrpReader {
    /// ADD_ROSPEC: checks and stores a new ROSpec, Disabled.
    pub(super) fn add_rospec(&mut self, body: &[u8]) -> Result<(), Refusal> {
        let rospec = RoSpec::parse(body, self.config.antennas)?;
        if self.rospecs.iter().any(|held| held.id == rospec.id) {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("a ROSpec with ID {} already exists", rospec.id),
            ));
        }
        self.rospecs.push(rospec);
        Ok(())
    }

    /// ENABLE/START/STOP/DISABLE/DELETE_ROSPEC on ROSpec `id` (0 = all, where allowed).
    pub(super) fn rospec_command(&mut self, kind: u16, id: u32) -> Result<(), Refusal> {
        let all = id == 0
            && matches!(
                kind,
                msg::DELETE_ROSPEC | msg::ENABLE_ROSPEC | msg::DISABLE_ROSPEC
            );
        let targets: Vec<usize> = (0..self.rospecs.len())
            .filter(|&i| all || self.rospecs.get(i).is_some_and(|r| r.id == id))
            .collect();
        if targets.is_empty() && !all {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("no ROSpec with ID {id}"),
            ));
        }
        for &index in &targets {
            let state = self.rospecs.get(index).map(|r| r.state);
            match (kind, state) {
                (msg::ENABLE_ROSPEC, Some(RoState::Disabled)) => {
                    self.set_state(index, RoState::Inactive);
                    if self.rospecs.get(index).is_some_and(|r| r.immediate) {
                        self.start(index)?;
                    }
                }
                (msg::START_ROSPEC, Some(RoState::Inactive)) => self.start(index)?,
                (msg::START_ROSPEC, _) => {
                    return Err(Refusal::new(
                        status::FIELD_ERROR,
                        format!("ROSpec {id} is not enabled and idle"),
                    ));
                }
                (msg::STOP_ROSPEC, Some(RoState::Active)) => self.stop(index),
                (msg::STOP_ROSPEC, _) => {
                    return Err(Refusal::new(
                        status::FIELD_ERROR,
                        format!("ROSpec {id} is not active"),
                    ));
                }
                (msg::DISABLE_ROSPEC | msg::DELETE_ROSPEC, Some(RoState::Active)) => {
                    self.stop(index);
                    self.set_state(index, RoState::Disabled);
                }
                (msg::DISABLE_ROSPEC, _) => self.set_state(index, RoState::Disabled),
                _ => {}
            }
        }
        if kind == msg::DELETE_ROSPEC {
            for &index in targets.iter().rev() {
                self.rospecs.remove(index);
            }
        }
        Ok(())
    }

    fn set_state(&mut self, index: usize, state: RoState) {
        if let Some(rospec) = self.rospecs.get_mut(index) {
            rospec.state = state;
        }
    }

    fn start(&mut self, index: usize) -> Result<(), Refusal> {
        if let Some(active) = self.rospecs.iter().find(|r| r.state == RoState::Active) {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("ROSpec {} is already active", active.id),
            ));
        }
        let now = self.clock.now();
        if let Some(rospec) = self.rospecs.get_mut(index) {
            rospec.state = RoState::Active;
            rospec.started = now;
        }
        self.next_round = now;
        Ok(())
    }

    /// Ends an active ROSpec: back to Inactive, and what it collected is reported.
    fn stop(&mut self, index: usize) {
        self.set_state(index, RoState::Inactive);
        let trigger = self
            .rospecs
            .get(index)
            .and_then(|r| r.report)
            .unwrap_or(self.default_report)
            .trigger;
        if trigger != ReportTrigger::None {
            self.flush_reports(usize::MAX, false);
        }
    }

    /// Sends RO_ACCESS_REPORTs of up to `per_report` entries each until the buffer is
    /// empty; with `even_if_empty` one report goes out when there is nothing.
    pub(super) fn flush_reports(&mut self, per_report: usize, even_if_empty: bool) {
        if self.reports.is_empty() && !even_if_empty {
            return;
        }
        loop {
            let batch = self.reports.take(per_report.max(1));
            let mut w = Writer::new();
            for seen in &batch {
                let content = self
                    .rospecs
                    .iter()
                    .find(|r| r.id == seen.rospec_id)
                    .and_then(|r| r.report)
                    .unwrap_or(self.default_report)
                    .content;
                write_tag_report(&mut w, seen, &content);
            }
            self.notify(msg::RO_ACCESS_REPORT, w.finish());
            if self.reports.is_empty() {
                break;
            }
        }
    }

    /// Runs the inventory rounds due up to the current time.
    pub(super) fn run_inventory(&mut self) {
        let now = self.clock.now();
        while let Some(index) = self.rospecs.iter().position(|r| r.state == RoState::Active) {
            let Some(rospec) = self.rospecs.get(index) else {
                break;
            };
            let round = self.next_round;
            let ends = rospec.duration.map(|d| rospec.started + d);
            if ends.is_some_and(|end| end <= now && end <= round) {
                self.stop(index);
                break;
            }
            if round > now {
                break;
            }
            let Some((spec_index, ai)) = rospec.ai_spec_at(round - rospec.started) else {
                self.stop(index);
                break;
            };
            let antennas: Vec<u16> = if ai.antennas.contains(&0) {
                (1..=self.config.antennas).collect()
            } else {
                ai.antennas.clone()
            };
            let (rospec_id, inventory_spec_id) = (rospec.id, ai.inventory_spec_id);
            let trigger = rospec.report.unwrap_or(self.default_report).trigger;
            let utc = self.utc_us(round);
            for antenna in antennas {
                for (tag, rssi) in self.field.gen2_on(antenna) {
                    self.reports.record(Sighting {
                        tag: tag.clone(),
                        antenna,
                        peak_rssi: rssi,
                        first_seen_us: utc,
                        last_seen_us: utc,
                        count: 1,
                        rospec_id,
                        spec_index: u16::try_from(spec_index + 1).unwrap_or(u16::MAX),
                        inventory_spec_id,
                    });
                }
            }
            if let ReportTrigger::EveryN(n) = trigger {
                let n = usize::from(n);
                if n > 0 && self.reports.len() >= n {
                    self.flush_reports(n, false);
                }
            }
            self.next_round = round + self.config.read_interval;
        }
    }
}
