//! The query string of `GET /epcis/events` → a [`Query`]: the SimpleEventQuery parameters
//! this server answers, values separated by `|` as the REST binding's `pipeDelimited`
//! style has it. A parameter it does not know, a bad value, or a repeated parameter is a
//! [`ParamError`] naming it (EPCIS `QueryParameterException`).

use trace_proto::company_prefix::CompanyPrefixes;
use trace_proto::event::{Action, BizStep, Disposition, EventTime};

use super::page::PageToken;

/// Events per page when `perPage` is not given (the standard's default).
pub const DEFAULT_PER_PAGE: usize = 30;
/// Largest `perPage` honoured; larger values are lowered to it.
pub const MAX_PER_PAGE: usize = 1000;

/// Which identifiers of an event a `MATCH_…` parameter looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// `MATCH_epc`: `epcList` or `childEPCs`.
    Epc,
    /// `MATCH_parentID`.
    ParentId,
    /// `MATCH_inputEPC`.
    InputEpc,
    /// `MATCH_outputEPC`.
    OutputEpc,
    /// `MATCH_anyEPC`: any of the above.
    AnyEpc,
    /// `MATCH_epcClass`: `quantityList` or `childQuantityList`.
    EpcClass,
    /// `MATCH_anyEPCClass`: those and the input and output quantity lists.
    AnyEpcClass,
}

/// The field results are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderBy {
    /// `eventTime`.
    EventTime,
    /// `recordTime`.
    RecordTime,
}

/// A parsed query; `None` and empty lists constrain nothing.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// `eventType`.
    pub event_types: Option<Vec<String>>,
    /// `GE_eventTime`.
    pub ge_event_time: Option<EventTime>,
    /// `LT_eventTime`.
    pub lt_event_time: Option<EventTime>,
    /// `GE_recordTime`.
    pub ge_record_time: Option<EventTime>,
    /// `LT_recordTime`.
    pub lt_record_time: Option<EventTime>,
    /// `EQ_action`.
    pub actions: Option<Vec<Action>>,
    /// `EQ_bizStep`.
    pub biz_steps: Option<Vec<BizStep>>,
    /// `EQ_disposition`.
    pub dispositions: Option<Vec<Disposition>>,
    /// `EQ_persistentDisposition_set`.
    pub persistent_set: Option<Vec<Disposition>>,
    /// `EQ_readPoint`, canonical URIs.
    pub read_points: Option<Vec<String>>,
    /// `EQ_bizLocation`, canonical URIs.
    pub biz_locations: Option<Vec<String>>,
    /// `MATCH_…` parameters with their canonical URIs or patterns.
    pub matches: Vec<(Match, Vec<String>)>,
    /// `EQ_eventID`.
    pub event_ids: Option<Vec<String>>,
    /// `orderBy` and whether `orderDirection` is ascending; `None` is record order.
    pub order: Option<(OrderBy, bool)>,
    /// `eventCountLimit`.
    pub event_count_limit: Option<usize>,
    /// `perPage`, at most [`MAX_PER_PAGE`].
    pub per_page: usize,
    /// `nextPageToken`.
    pub page: Option<PageToken>,
}

/// A parameter that cannot be answered, named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

fn bad(name: &str, value: &str, why: impl std::fmt::Display) -> ParamError {
    ParamError(format!("{name}={value:?}: {why}"))
}

/// Times in query strings often arrive with `+` decoded to a space.
fn time(name: &str, value: &str) -> Result<EventTime, ParamError> {
    value
        .replace(' ', "+")
        .parse()
        .map_err(|e| bad(name, value, e))
}

fn list<T>(
    name: &str,
    value: &str,
    each: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, ParamError> {
    value
        .split('|')
        .map(|item| each(item.trim()).map_err(|why| bad(name, item, why)))
        .collect()
}

fn count(name: &str, value: &str) -> Result<usize, ParamError> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(bad(name, value, "must be a positive integer")),
    }
}

/// An identifier as the store keeps it: any code form trace-proto reads (Digital Link,
/// element string …) becomes its EPC URI; patterns and URIs outside GS1 stay as given.
fn identifier(value: &str, prefixes: &dyn CompanyPrefixes) -> Result<String, String> {
    if value.is_empty() {
        return Err("empty identifier".into());
    }
    if value.starts_with("urn:") {
        return Ok(value.to_owned());
    }
    let decoded = trace_proto::code::decode(value, trace_proto::code::Form::Auto, prefixes);
    Ok(decoded
        .ok()
        .and_then(|d| d.epc_uri)
        .unwrap_or_else(|| value.to_owned()))
}

fn match_of(name: &str) -> Option<Match> {
    Some(match name {
        "MATCH_epc" => Match::Epc,
        "MATCH_parentID" => Match::ParentId,
        "MATCH_inputEPC" => Match::InputEpc,
        "MATCH_outputEPC" => Match::OutputEpc,
        "MATCH_anyEPC" => Match::AnyEpc,
        "MATCH_epcClass" => Match::EpcClass,
        "MATCH_anyEPCClass" => Match::AnyEpcClass,
        _ => return None,
    })
}

/// Parses the (percent-decoded) parameters of a query string.
pub fn parse(
    pairs: &[(String, String)],
    prefixes: &dyn CompanyPrefixes,
) -> Result<Query, ParamError> {
    let mut query = Query {
        per_page: DEFAULT_PER_PAGE,
        ..Query::default()
    };
    let mut seen: Vec<&str> = Vec::new();
    let (mut order_by, mut direction) = (None, None);
    for (name, value) in pairs {
        if seen.contains(&name.as_str()) {
            return Err(ParamError(format!("{name} is given more than once")));
        }
        seen.push(name);
        let value = value.as_str();
        let id = |v: &str| identifier(v, prefixes);
        match name.as_str() {
            "eventType" => query.event_types = Some(list(name, value, |v| Ok(v.to_owned()))?),
            "GE_eventTime" => query.ge_event_time = Some(time(name, value)?),
            "LT_eventTime" => query.lt_event_time = Some(time(name, value)?),
            "GE_recordTime" => query.ge_record_time = Some(time(name, value)?),
            "LT_recordTime" => query.lt_record_time = Some(time(name, value)?),
            "EQ_action" => {
                query.actions = Some(list(name, value, |v| {
                    v.parse().map_err(|e| format!("{e}"))
                })?)
            }
            "EQ_bizStep" => {
                query.biz_steps = Some(list(name, value, |v| {
                    BizStep::parse(v).map_err(|e| e.to_string())
                })?)
            }
            "EQ_disposition" => {
                query.dispositions = Some(list(name, value, |v| {
                    Disposition::parse(v).map_err(|e| e.to_string())
                })?)
            }
            "EQ_persistentDisposition_set" => {
                query.persistent_set = Some(list(name, value, |v| {
                    Disposition::parse(v).map_err(|e| e.to_string())
                })?)
            }
            "EQ_readPoint" => query.read_points = Some(list(name, value, id)?),
            "EQ_bizLocation" => query.biz_locations = Some(list(name, value, id)?),
            "EQ_eventID" => query.event_ids = Some(list(name, value, |v| Ok(v.to_owned()))?),
            "orderBy" => order_by = Some(value),
            "orderDirection" => direction = Some(value),
            "eventCountLimit" => query.event_count_limit = Some(count(name, value)?),
            "perPage" => query.per_page = count(name, value)?.min(MAX_PER_PAGE),
            "nextPageToken" => {
                query.page = Some(
                    PageToken::parse(value)
                        .ok_or_else(|| bad(name, value, "not a token this server gave"))?,
                )
            }
            other => match match_of(other) {
                Some(kind) => query.matches.push((kind, list(name, value, id)?)),
                None => {
                    return Err(ParamError(format!(
                        "{other} is not a query parameter this server answers"
                    )));
                }
            },
        }
    }
    query.order = match (order_by, direction) {
        (None, None) => None,
        (None, Some(_)) => return Err(ParamError("orderDirection needs orderBy".into())),
        (Some(field), direction) => {
            let field = match field {
                "eventTime" => OrderBy::EventTime,
                "recordTime" => OrderBy::RecordTime,
                other => return Err(bad("orderBy", other, "eventTime or recordTime")),
            };
            let ascending = match direction {
                None | Some("DESC") => false,
                Some("ASC") => true,
                Some(other) => return Err(bad("orderDirection", other, "ASC or DESC")),
            };
            Some((field, ascending))
        }
    };
    Ok(query)
}
