//! ROSpecs as the emulated reader holds them: parsed from ADD_ROSPEC, checked, and timed.
//!
//! Supported: start triggers Null and Immediate; stop triggers Null and Duration (ROSpec and
//! AISpec); AISpecs with antenna lists (0 = all) and Gen2 InventoryParameterSpecs; an
//! ROReportSpec ([`super::report`]). Periodic and GPI triggers, RF surveys and loop specs
//! are refused with an LLRPStatus naming them.

use std::time::Duration;

use super::codes::{Refusal, param, status, truncated};
use super::report::ReportSpec;
use super::wire::Reader;

/// ROSpec states (ROSpec CurrentState field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoState {
    /// Added, not enabled.
    Disabled = 0,
    /// Enabled, waiting for its start trigger.
    Inactive = 1,
    /// Running.
    Active = 2,
}

/// One antenna inventory spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiSpec {
    /// Antennas to read; 0 in the list means every antenna.
    pub antennas: Vec<u16>,
    /// How long it runs before the next AISpec; `None` until the ROSpec stops.
    pub duration: Option<Duration>,
    /// ID of its first InventoryParameterSpec.
    pub inventory_spec_id: u16,
}

/// A ROSpec held by the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoSpec {
    /// ROSpecID.
    pub id: u32,
    /// Current state.
    pub state: RoState,
    /// Starts on ENABLE (Immediate) rather than on START_ROSPEC.
    pub immediate: bool,
    /// Stops on its own after this long.
    pub duration: Option<Duration>,
    /// Its AISpecs, run in order.
    pub ai_specs: Vec<AiSpec>,
    /// Its ROReportSpec, if it has one.
    pub report: Option<ReportSpec>,
    /// Emulated time it went active.
    pub started: Duration,
    /// The ROSpec parameter as added, echoed by GET_ROSPECS.
    pub encoded: Vec<u8>,
}

impl RoSpec {
    /// Parses the ROSpec parameter of an ADD_ROSPEC body; `antennas` is the reader's count.
    pub fn parse(body: &[u8], antennas: u16) -> Result<RoSpec, Refusal> {
        let mut reader = Reader::new(body);
        let whole = reader.rest();
        let (kind, spec) = reader.tlv().ok_or_else(|| {
            Refusal::new(status::MISSING_PARAMETER, "ADD_ROSPEC carries no ROSpec")
        })?;
        if kind != param::ROSPEC {
            return Err(Refusal::new(
                status::MISSING_PARAMETER,
                format!("expected ROSpec (177), found parameter {kind}"),
            ));
        }
        let encoded = whole
            .get(..whole.len() - reader.rest().len())
            .unwrap_or_default()
            .to_vec();
        let mut fields = Reader::new(spec);
        let id = fields.u32().ok_or_else(|| truncated("ROSpec"))?;
        let _priority = fields.u8().ok_or_else(|| truncated("ROSpec"))?;
        let state = fields.u8().ok_or_else(|| truncated("ROSpec"))?;
        if id == 0 {
            return Err(Refusal::new(status::FIELD_ERROR, "ROSpecID 0 is reserved"));
        }
        if state != RoState::Disabled as u8 {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                "a new ROSpec must be in state Disabled",
            ));
        }
        let mut rospec = RoSpec {
            id,
            state: RoState::Disabled,
            immediate: false,
            duration: None,
            ai_specs: Vec::new(),
            report: None,
            started: Duration::ZERO,
            encoded,
        };
        let mut boundary = false;
        while let Some((kind, body)) = fields.tlv() {
            match kind {
                param::RO_BOUNDARY_SPEC => {
                    (rospec.immediate, rospec.duration) = parse_boundary(body)?;
                    boundary = true;
                }
                param::AI_SPEC => rospec.ai_specs.push(parse_ai_spec(body, antennas)?),
                param::RO_REPORT_SPEC => {
                    rospec.report = Some(super::report::parse_report_spec(body)?)
                }
                other => {
                    return Err(Refusal::new(
                        status::UNSUPPORTED_PARAMETER,
                        format!("parameter {other} in a ROSpec is not supported"),
                    ));
                }
            }
        }
        if !fields.rest().is_empty() {
            return Err(truncated("a ROSpec parameter"));
        }
        if !boundary {
            return Err(Refusal::new(
                status::MISSING_PARAMETER,
                "ROSpec has no ROBoundarySpec",
            ));
        }
        if rospec.ai_specs.is_empty() {
            return Err(Refusal::new(
                status::MISSING_PARAMETER,
                "ROSpec has no AISpec",
            ));
        }
        Ok(rospec)
    }

    /// The AISpec running `elapsed` after the start, or `None` once the ROSpec is done.
    pub fn ai_spec_at(&self, elapsed: Duration) -> Option<(usize, &AiSpec)> {
        if self.duration.is_some_and(|limit| elapsed >= limit) {
            return None;
        }
        let mut begins = Duration::ZERO;
        for (index, ai) in self.ai_specs.iter().enumerate() {
            match ai.duration {
                Some(length) if elapsed >= begins + length => begins += length,
                _ => return Some((index, ai)),
            }
        }
        None
    }

    /// The ROSpec parameter as GET_ROSPECS returns it: as added, with the current state.
    pub fn encode_current(&self) -> Vec<u8> {
        let mut encoded = self.encoded.clone();
        // Header (4) + ROSpecID (4) + Priority (1), then CurrentState.
        if let Some(state) = encoded.get_mut(9) {
            *state = self.state as u8;
        }
        encoded
    }
}

fn millis(value: u32) -> Duration {
    Duration::from_millis(u64::from(value))
}

/// (starts immediately, stops after) from an ROBoundarySpec.
fn parse_boundary(body: &[u8]) -> Result<(bool, Option<Duration>), Refusal> {
    let mut reader = Reader::new(body);
    let (mut immediate, mut duration) = (None, None);
    while let Some((kind, body)) = reader.tlv() {
        let mut fields = Reader::new(body);
        match kind {
            param::ROSPEC_START_TRIGGER => match fields.u8() {
                Some(0) => immediate = Some(false),
                Some(1) => immediate = Some(true),
                Some(other) => {
                    return Err(Refusal::new(
                        status::FIELD_ERROR,
                        format!(
                            "ROSpecStartTrigger type {other} is not supported (Null and Immediate are)"
                        ),
                    ));
                }
                None => return Err(truncated("ROSpecStartTrigger")),
            },
            param::ROSPEC_STOP_TRIGGER => {
                let (kind, value) = (fields.u8(), fields.u32());
                duration = match (kind, value) {
                    (Some(0), Some(_)) => None,
                    (Some(1), Some(ms)) => Some(millis(ms)),
                    (Some(other), Some(_)) => {
                        return Err(Refusal::new(
                            status::FIELD_ERROR,
                            format!(
                                "ROSpecStopTrigger type {other} is not supported (Null and Duration are)"
                            ),
                        ));
                    }
                    _ => return Err(truncated("ROSpecStopTrigger")),
                };
            }
            other => {
                return Err(Refusal::new(
                    status::UNSUPPORTED_PARAMETER,
                    format!("parameter {other} in an ROBoundarySpec is not supported"),
                ));
            }
        }
    }
    let immediate = immediate.ok_or_else(|| {
        Refusal::new(
            status::MISSING_PARAMETER,
            "ROBoundarySpec has no ROSpecStartTrigger",
        )
    })?;
    Ok((immediate, duration))
}

fn parse_ai_spec(body: &[u8], antennas: u16) -> Result<AiSpec, Refusal> {
    let mut reader = Reader::new(body);
    let count = reader.u16().ok_or_else(|| truncated("AISpec"))?;
    let mut ids = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let id = reader
            .u16()
            .ok_or_else(|| truncated("AISpec antenna list"))?;
        if id > antennas {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("antenna {id} does not exist (the reader has {antennas})"),
            ));
        }
        ids.push(id);
    }
    let (mut duration, mut inventory_spec_id) = (None, None);
    while let Some((kind, body)) = reader.tlv() {
        let mut fields = Reader::new(body);
        match kind {
            param::AI_SPEC_STOP_TRIGGER => {
                duration = match (fields.u8(), fields.u32()) {
                    (Some(0), Some(_)) => None,
                    (Some(1), Some(ms)) => Some(millis(ms)),
                    (Some(other), Some(_)) => {
                        return Err(Refusal::new(
                            status::FIELD_ERROR,
                            format!(
                                "AISpecStopTrigger type {other} is not supported (Null and Duration are)"
                            ),
                        ));
                    }
                    _ => return Err(truncated("AISpecStopTrigger")),
                };
            }
            param::INVENTORY_PARAMETER_SPEC => {
                let id = fields
                    .u16()
                    .ok_or_else(|| truncated("InventoryParameterSpec"))?;
                if fields.u8() != Some(1) {
                    return Err(Refusal::new(
                        status::FIELD_ERROR,
                        "InventoryParameterSpec ProtocolID must be 1 (EPCglobal Class 1 Gen 2)",
                    ));
                }
                inventory_spec_id.get_or_insert(id);
            }
            other => {
                return Err(Refusal::new(
                    status::UNSUPPORTED_PARAMETER,
                    format!("parameter {other} in an AISpec is not supported"),
                ));
            }
        }
    }
    Ok(AiSpec {
        antennas: ids,
        duration,
        inventory_spec_id: inventory_spec_id.ok_or_else(|| {
            Refusal::new(
                status::MISSING_PARAMETER,
                "AISpec has no InventoryParameterSpec",
            )
        })?,
    })
}
