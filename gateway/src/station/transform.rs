//! The transform profile: a production run at a station, input lots in, an output lot
//! out.
//!
//! The first tag entering opens a run; every tag entering within `window_ms` of it
//! joins. An SGTIN of the configured output product is an output (a tagged unit or case
//! of the new lot); any other tag is an input (an ingredient's container, a raw
//! material's lot tag). When the window has passed, or the operator changes the lot,
//! the run becomes one TransformationEvent: the inputs, the output units, the output
//! lot `urn:epc:class:lgtin:{output_product}.{lot}` as an output quantity of unspecified
//! amount, and the lot's ILMD.
//!
//! A run without inputs transformed nothing, and one without any output (no output
//! tag read and no lot set) names no product; both make no event and are logged, so
//! an operator can fix the line.

use trace_proto::event::{Event, EventKind, QuantityElement, TimeError, TransformationEvent};

use super::{Station, ilmd};
use crate::config::Profile;

/// A production run being gathered.
#[derive(Debug)]
pub(super) struct Run {
    opened_ms: u64,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

impl Station {
    /// A tag entered a transform station at `at_ms`.
    pub(super) fn transform_entry(
        &mut self,
        tag: &str,
        at_ms: u64,
    ) -> Result<Vec<Event>, TimeError> {
        let Profile::Transform(t) = &self.config.profile else {
            return Ok(Vec::new());
        };
        let output = tag
            .strip_prefix("urn:epc:id:sgtin:")
            .and_then(|rest| rest.strip_prefix(t.output_product.as_str()))
            .is_some_and(|serial| serial.starts_with('.'));
        let events = self.close_run_due(at_ms)?;
        let run = self.run.get_or_insert_with(|| Run {
            opened_ms: at_ms,
            inputs: Vec::new(),
            outputs: Vec::new(),
        });
        let list = if output {
            &mut run.outputs
        } else {
            &mut run.inputs
        };
        if !list.iter().any(|t| t == tag) {
            list.push(tag.to_owned());
        }
        Ok(events)
    }

    /// Closes the run if its window has passed by `now_ms`.
    pub(super) fn close_run_due(&mut self, now_ms: u64) -> Result<Vec<Event>, TimeError> {
        let window_ms = self.window_ms();
        let due = self
            .run
            .as_ref()
            .is_some_and(|r| now_ms.saturating_sub(r.opened_ms) > window_ms);
        if due {
            self.close_run()
        } else {
            Ok(Vec::new())
        }
    }

    /// Closes the run, if any, into its TransformationEvent.
    pub(super) fn close_run(&mut self) -> Result<Vec<Event>, TimeError> {
        let (Some(run), Profile::Transform(t)) = (self.run.take(), &self.config.profile) else {
            return Ok(Vec::new());
        };
        let name = &self.config.name;
        let lot_class = t
            .lot
            .lot
            .as_deref()
            .map(|lot| lgtin_class(&t.output_product, lot));
        if run.inputs.is_empty() {
            tracing::warn!(station = %name, outputs = run.outputs.len(), "production run without inputs: no transformation event");
            return Ok(Vec::new());
        }
        if run.outputs.is_empty() && lot_class.is_none() {
            tracing::error!(station = %name, inputs = run.inputs.len(), "production run with no output tag and no lot set: no transformation event (set one with `trace-gateway lot`)");
            return Ok(Vec::new());
        }
        let kind = EventKind::Transformation(TransformationEvent {
            transformation_id: None,
            input_epc_list: run.inputs,
            input_quantity_list: Vec::new(),
            output_epc_list: run.outputs,
            output_quantity_list: lot_class
                .into_iter()
                .map(|epc_class| QuantityElement {
                    epc_class,
                    quantity: None,
                    uom: None,
                })
                .collect(),
            ilmd: Some(ilmd(&t.lot)),
        });
        Ok(vec![self.event(kind, run.opened_ms, false)?])
    }
}

/// `urn:epc:class:lgtin:{product}.{lot}`, the lot escaped as the EPC URI syntax wants
/// (the lot was checked to be CSET 82 when it was set).
fn lgtin_class(product: &str, lot: &str) -> String {
    let mut uri = format!("urn:epc:class:lgtin:{product}.");
    for c in lot.chars() {
        match c {
            '"' | '%' | '&' | '/' | '<' | '>' | '?' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_proto::epc::Lgtin;

    #[test]
    fn the_output_lot_class_is_a_valid_lgtin_with_the_lot_escaped() {
        for lot in ["LOT42", "L/42&<b>?%\"x"] {
            let uri = lgtin_class("0614141.812345", lot);
            let parsed = Lgtin::parse(&uri).unwrap();
            assert_eq!(parsed.lot(), lot, "{uri}");
            assert_eq!(parsed.item_reference(), "812345");
        }
    }
}
