//! The rows of the trace workload's CSV files (`../shared/bench/trace-workload/gen.py`,
//! the layout of its `schema.sql`), parsed from their text fields: plain logic, no I/O.
//! Each failure names the column, so the caller can add the file and line.

use trace_proto::event::{Action, BizStep, CbvError, Disposition, EventTime, TimeZoneOffset};

/// A field that does not parse, before the caller names its file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The column's name in `schema.sql`.
    pub column: &'static str,
    /// What is wrong, in words.
    pub problem: String,
}

impl FieldError {
    fn new(column: &'static str, problem: impl Into<String>) -> Self {
        Self {
            column,
            problem: problem.into(),
        }
    }
}

/// The event types of `events.event_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// `O`: ObjectEvent.
    Object,
    /// `A`: AggregationEvent.
    Aggregation,
    /// `T`: TransformationEvent.
    Transformation,
}

/// One row of `events.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// `event_id`.
    pub id: u64,
    /// `event_type`.
    pub kind: EventType,
    /// `action`; `None` for transformations.
    pub action: Option<Action>,
    /// `biz_step`.
    pub biz_step: BizStep,
    /// `disposition`.
    pub disposition: Option<Disposition>,
    /// `read_point`.
    pub read_point: Option<String>,
    /// `biz_location`.
    pub biz_location: Option<String>,
    /// `event_time`.
    pub time: EventTime,
    /// Its offset from UTC, as written.
    pub offset: TimeZoneOffset,
    /// `ilmd_lot`: the LGTIN class URI of the lot a commissioning event creates.
    pub ilmd_lot: Option<String>,
}

/// The role of an identifier in `event_epcs.role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpcRole {
    /// `epc`: in an ObjectEvent's `epcList`.
    Epc,
    /// `parent`: an AggregationEvent's `parentID`.
    Parent,
    /// `child`: in `childEPCs`.
    Child,
    /// `input`: consumed by a transformation (an EPC or a lot class).
    Input,
    /// `output`: produced by a transformation (an EPC or a lot class).
    Output,
    /// `quantity`: a lot class in a `quantityList`.
    Quantity,
}

/// One row of `event_epcs.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpcRow {
    /// `event_id`.
    pub event: u64,
    /// `epc`.
    pub epc: String,
    /// `role`.
    pub role: EpcRole,
}

/// One row of `aggregations.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregationRow {
    /// `parent`.
    pub parent: String,
    /// `child`.
    pub child: String,
    /// `event_id`.
    pub event: u64,
    /// `event_time`.
    pub time: EventTime,
    /// `action`: ADD or DELETE.
    pub action: Action,
}

/// One row of `transformations.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformationRow {
    /// `event_id`.
    pub event: u64,
    /// `input`: an input lot class.
    pub input: String,
    /// `output`: the output lot class.
    pub output: String,
}

/// The fields of a row, checked for count.
fn fields<'a, const N: usize>(record: &'a [&'a str]) -> Result<[&'a str; N], FieldError> {
    <[&str; N]>::try_from(record).map_err(|_| {
        FieldError::new(
            "(row)",
            format!("{} fields where {N} were expected", record.len()),
        )
    })
}

fn id(column: &'static str, text: &str) -> Result<u64, FieldError> {
    text.parse()
        .map_err(|_| FieldError::new(column, format!("{text:?} is not an event id")))
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn required(column: &'static str, text: &str) -> Result<String, FieldError> {
    optional(text).ok_or_else(|| FieldError::new(column, "empty"))
}

fn action(column: &'static str, text: &str) -> Result<Action, FieldError> {
    text.parse()
        .map_err(|_| FieldError::new(column, format!("{text:?} is not ADD, OBSERVE or DELETE")))
}

/// Parses the workload's `YYYY-MM-DD HH:MM:SS+HH` (PostgreSQL `timestamptz` text) through
/// the RFC 3339 parser of the event model.
fn time(column: &'static str, text: &str) -> Result<(EventTime, TimeZoneOffset), FieldError> {
    let bad = |why: String| FieldError::new(column, format!("{text:?}: {why}"));
    let (date, clock) = text
        .split_once(' ')
        .ok_or_else(|| bad("expected 'YYYY-MM-DD HH:MM:SS+HH'".into()))?;
    let split = clock
        .rfind(['+', '-'])
        .ok_or_else(|| bad("no offset from UTC".into()))?;
    let (clock, offset) = clock.split_at(split);
    let offset = if offset.len() == 3 {
        format!("{offset}:00")
    } else {
        offset.to_owned()
    };
    let time = format!("{date}T{clock}{offset}")
        .parse::<EventTime>()
        .map_err(|e| bad(e.to_string()))?;
    let offset = offset
        .parse::<TimeZoneOffset>()
        .map_err(|e| bad(e.to_string()))?;
    Ok((time, offset))
}

/// The URI prefix of business steps the workload names that CBV 2.0 has no term for
/// (`transforming`): kept as a user vocabulary rather than mapped onto a CBV term that
/// means something else.
pub const CUSTOM_BIZ_STEP: &str = "urn:rfid-trace:workload:bizstep:";

fn biz_step(text: &str) -> Result<BizStep, FieldError> {
    match text.parse() {
        Ok(step) => Ok(step),
        Err(CbvError::UnknownWord { .. })
            if text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            Ok(BizStep::Custom(format!("{CUSTOM_BIZ_STEP}{text}")))
        }
        Err(e) => Err(FieldError::new("biz_step", e.to_string())),
    }
}

impl EventRow {
    /// Parses the nine fields of an `events.csv` row.
    pub fn parse(record: &[&str]) -> Result<Self, FieldError> {
        let [
            event_id,
            kind,
            act,
            step,
            disp,
            read_point,
            biz_location,
            when,
            lot,
        ] = fields::<9>(record)?;
        let kind = match kind {
            "O" => EventType::Object,
            "A" => EventType::Aggregation,
            "T" => EventType::Transformation,
            other => {
                return Err(FieldError::new(
                    "event_type",
                    format!("{other:?} is not O, A or T"),
                ));
            }
        };
        let action = match (kind, act) {
            (EventType::Transformation, "") => None,
            (EventType::Transformation, other) => {
                return Err(FieldError::new(
                    "action",
                    format!("a transformation has no action, found {other:?}"),
                ));
            }
            (_, text) => Some(action("action", text)?),
        };
        let biz_step = biz_step(step)?;
        let disposition = optional(disp)
            .map(|d| d.parse())
            .transpose()
            .map_err(|e| FieldError::new("disposition", format!("{e}")))?;
        let (time, offset) = time("event_time", when)?;
        Ok(Self {
            id: id("event_id", event_id)?,
            kind,
            action,
            biz_step,
            disposition,
            read_point: optional(read_point),
            biz_location: optional(biz_location),
            time,
            offset,
            ilmd_lot: optional(lot),
        })
    }
}

impl EpcRow {
    /// Parses the three fields of an `event_epcs.csv` row.
    pub fn parse(record: &[&str]) -> Result<Self, FieldError> {
        let [event, epc, role] = fields::<3>(record)?;
        let role = match role {
            "epc" => EpcRole::Epc,
            "parent" => EpcRole::Parent,
            "child" => EpcRole::Child,
            "input" => EpcRole::Input,
            "output" => EpcRole::Output,
            "quantity" => EpcRole::Quantity,
            other => {
                return Err(FieldError::new(
                    "role",
                    format!("{other:?} is not epc, parent, child, input, output or quantity"),
                ));
            }
        };
        Ok(Self {
            event: id("event_id", event)?,
            epc: required("epc", epc)?,
            role,
        })
    }
}

impl AggregationRow {
    /// Parses the five fields of an `aggregations.csv` row.
    pub fn parse(record: &[&str]) -> Result<Self, FieldError> {
        let [parent, child, event, when, act] = fields::<5>(record)?;
        let action = action("action", act)?;
        if action == Action::Observe {
            return Err(FieldError::new("action", "containment is ADD or DELETE"));
        }
        Ok(Self {
            parent: required("parent", parent)?,
            child: required("child", child)?,
            event: id("event_id", event)?,
            time: time("event_time", when)?.0,
            action,
        })
    }
}

impl TransformationRow {
    /// Parses the three fields of a `transformations.csv` row.
    pub fn parse(record: &[&str]) -> Result<Self, FieldError> {
        let [event, input, output] = fields::<3>(record)?;
        Ok(Self {
            event: id("event_id", event)?,
            input: required("input", input)?,
            output: required("output", output)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_row_parses_with_its_time_and_empty_fields() {
        let row = EventRow::parse(&[
            "7",
            "O",
            "OBSERVE",
            "shipping",
            "in_transit",
            "urn:epc:id:sgln:0614141.00001.2",
            "",
            "2024-01-02 03:04:05+00",
            "",
        ])
        .unwrap();
        assert_eq!(row.id, 7);
        assert_eq!(row.action, Some(Action::Observe));
        assert_eq!(row.biz_step, BizStep::Shipping);
        assert_eq!(row.biz_location, None);
        assert_eq!(row.time.unix_millis(), 1_704_164_645_000);
    }

    #[test]
    fn bad_fields_name_their_column() {
        let mut fields = [
            "7",
            "T",
            "",
            "transforming",
            "active",
            "",
            "",
            "2024-01-02 03:04:05+00",
            "",
        ];
        assert!(EventRow::parse(&fields).is_ok());
        fields[1] = "X";
        assert_eq!(EventRow::parse(&fields).unwrap_err().column, "event_type");
        fields[1] = "O";
        assert_eq!(EventRow::parse(&fields).unwrap_err().column, "action");
        fields[2] = "ADD";
        fields[7] = "2024-01-02T03:04:05";
        assert_eq!(EventRow::parse(&fields).unwrap_err().column, "event_time");
        fields[7] = "2024-01-02 03:04:05+00";
        assert_eq!(
            EventRow::parse(&fields).unwrap().biz_step,
            BizStep::Custom("urn:rfid-trace:workload:bizstep:transforming".into())
        );
        fields[3] = "cbv:BizStep-shiping";
        assert_eq!(EventRow::parse(&fields).unwrap_err().column, "biz_step");
        assert_eq!(EventRow::parse(&fields[..3]).unwrap_err().column, "(row)");
        let epc = EpcRow::parse(&["x", "urn:epc:id:sscc:0614141.0000000001", "parent"]);
        assert_eq!(epc.unwrap_err().column, "event_id");
        let agg = AggregationRow::parse(&["p", "c", "1", "2024-01-02 03:04:05+00", "OBSERVE"]);
        assert_eq!(agg.unwrap_err().column, "action");
    }
}
