//! EPCIS 2.0 queries (`GET /epcis/events`) over the [`Store`], as plain logic: parameters
//! ([`params`]), the predicate ([`filter`]), paging ([`page`]), and the `EPCISQueryDocument`
//! a page is answered with.
//!
//! # How a query finds its events
//!
//! - A query naming exact identifiers (`MATCH_…` without patterns, `EQ_readPoint`,
//!   `EQ_bizLocation`) reads the store's identifier or location index for the first of
//!   them, and `EQ_eventID` reads events by key; those candidates are checked against every
//!   parameter, sorted, and paged by offset.
//! - Any other query scans the store in record order ([`Store::events_recorded`]), starting
//!   at `GE_recordTime` and stopping at `LT_recordTime`. Without `orderBy` it pages by a
//!   cursor, so a page costs the events scanned for it; with `orderBy` every match is
//!   collected and sorted (at most [`MAX_SORTED`], beyond which the query is refused as too
//!   large).

pub mod filter;
pub mod page;
pub mod params;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use trace_proto::event::EventTime;

use super::capture::events_named;
use super::encode::{Namespaces, encode_event_with};
use crate::store::{EventKey, RecordCursor, Role, Store, StoreError, StoredEvent};
pub use filter::{matches, shown_id};
pub use page::PageToken;
pub use params::{Match, OrderBy, ParamError, Query, parse};

/// Most events a query sorts or reads through an index before it is refused.
pub const MAX_SORTED: usize = 100_000;
/// Events read from the store per scan step.
const SCAN_BATCH: usize = 1000;

/// Why a query was not answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// More events than [`MAX_SORTED`] would have to be sorted (`QueryTooLargeException`).
    #[error("{0}")]
    TooLarge(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One page of results and where the next one starts.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The events, in the query's order.
    pub events: Vec<StoredEvent>,
    /// The next page, if there are more events.
    pub next: Option<PageToken>,
}

fn roles(what: Match) -> &'static [Role] {
    match what {
        Match::Epc => &[Role::Epc, Role::Child],
        Match::ParentId => &[Role::Parent],
        Match::InputEpc => &[Role::Input],
        Match::OutputEpc => &[Role::Output],
        Match::AnyEpc => &[
            Role::Epc,
            Role::Parent,
            Role::Child,
            Role::Input,
            Role::Output,
        ],
        Match::EpcClass => &[Role::Quantity],
        Match::AnyEpcClass => &[Role::Quantity, Role::InputQuantity, Role::OutputQuantity],
    }
}

/// The candidate keys from an index, when the query names exact identifiers or event IDs
/// that can all be found by key.
fn candidates(store: &dyn Store, query: &Query) -> Result<Option<Vec<EventKey>>, StoreError> {
    let exact = |values: &[String]| values.iter().all(|v| !v.starts_with("urn:epc:idpat:"));
    let mut keys = BTreeSet::new();
    if let Some((what, values)) = query.matches.iter().find(|(_, v)| exact(v)) {
        for value in values {
            let rows = store.events_naming_in(value, roles(*what))?;
            keys.extend(rows.iter().map(|r| r.key));
        }
        return Ok(Some(keys.into_iter().collect()));
    }
    for (locations, role) in [
        (&query.read_points, Role::ReadPoint),
        (&query.biz_locations, Role::BizLocation),
    ] {
        if let Some(values) = locations {
            for value in values {
                let rows = store.events_at(value)?;
                keys.extend(rows.iter().filter(|r| r.role == role).map(|r| r.key));
            }
            return Ok(Some(keys.into_iter().collect()));
        }
    }
    if let Some(ids) = &query.event_ids {
        for id in ids {
            let named = events_named(store, id)?;
            if named.is_empty() {
                // Not found by key: a gateway event's hash ID, found only by scanning.
                return Ok(None);
            }
            keys.extend(named.iter().map(|e| e.key));
        }
        return Ok(Some(keys.into_iter().collect()));
    }
    Ok(None)
}

fn sort(events: &mut [StoredEvent], order: Option<(OrderBy, bool)>) {
    match order {
        None => events.sort_by_key(|e| (e.recorded, e.key)),
        Some((by, ascending)) => {
            events.sort_by_key(|e| match by {
                OrderBy::EventTime => (e.event.event_time, e.key),
                OrderBy::RecordTime => (e.recorded, e.key),
            });
            if !ascending {
                events.reverse();
            }
        }
    }
}

/// A page of a sorted result, from the token's offset.
fn offset_page(mut all: Vec<StoredEvent>, query: &Query) -> Page {
    sort(&mut all, query.order);
    if let Some(limit) = query.event_count_limit {
        all.truncate(limit);
    }
    let start = match query.page {
        Some(PageToken::Offset(offset)) => offset.min(all.len()),
        _ => 0,
    };
    let end = start.saturating_add(query.per_page).min(all.len());
    let next = (end < all.len()).then_some(PageToken::Offset(end));
    Page {
        events: all.drain(start..end).collect(),
        next,
    }
}

/// Where a scan starts: after the token's cursor, or just before `GE_recordTime`.
fn scan_start(query: &Query) -> Option<RecordCursor> {
    if let Some(PageToken::After { cursor, .. }) = query.page {
        return Some(cursor);
    }
    let from = query.ge_record_time?;
    let before = EventTime::from_unix_millis(from.unix_millis().checked_sub(1)?).ok()?;
    Some(RecordCursor {
        recorded: before,
        key: EventKey([0xff; 32]),
    })
}

/// Scans in record order from the start, calling `take` with each match until it says stop.
fn scan(
    store: &dyn Store,
    query: &Query,
    mut take: impl FnMut(StoredEvent) -> Result<bool, QueryError>,
) -> Result<(), QueryError> {
    let mut after = scan_start(query);
    loop {
        let batch = store.events_recorded(after.as_ref(), SCAN_BATCH)?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        let exhausted = batch.len() < SCAN_BATCH;
        after = Some(RecordCursor {
            recorded: last.recorded,
            key: last.key,
        });
        for stored in batch {
            if query.lt_record_time.is_some_and(|lt| stored.recorded >= lt) {
                return Ok(());
            }
            if matches(query, &stored) && !take(stored)? {
                return Ok(());
            }
        }
        if exhausted {
            return Ok(());
        }
    }
}

fn too_large() -> QueryError {
    QueryError::TooLarge(format!(
        "more than {MAX_SORTED} events to sort: narrow the query (times, identifiers) or leave out orderBy"
    ))
}

/// Runs `query` and returns the page it asks for.
pub fn run(store: &dyn Store, query: &Query) -> Result<Page, QueryError> {
    if let Some(keys) = candidates(store, query)? {
        if keys.len() > MAX_SORTED {
            return Err(too_large());
        }
        let mut all = Vec::new();
        for key in keys {
            if let Some(stored) = store.event(&key)?
                && matches(query, &stored)
            {
                all.push(stored);
            }
        }
        return Ok(offset_page(all, query));
    }
    if query.order.is_some() {
        let mut all = Vec::new();
        scan(store, query, |stored| {
            if all.len() == MAX_SORTED {
                return Err(too_large());
            }
            all.push(stored);
            Ok(true)
        })?;
        return Ok(offset_page(all, query));
    }
    let served = match query.page {
        Some(PageToken::After { served, .. }) => served,
        _ => 0,
    };
    let room = query
        .event_count_limit
        .map_or(usize::MAX, |limit| limit.saturating_sub(served));
    let want = query.per_page.min(room);
    let mut events = Vec::new();
    let mut more = false;
    scan(store, query, |stored| {
        if events.len() == want {
            more = true;
            return Ok(false);
        }
        events.push(stored);
        Ok(true)
    })?;
    let next = match events.last() {
        Some(last) if more && want < room => Some(PageToken::After {
            cursor: RecordCursor {
                recorded: last.recorded,
                key: last.key,
            },
            served: served + events.len(),
        }),
        _ => None,
    };
    Ok(Page { events, next })
}

/// An event as a query shows it: its JSON-LD with `eventID` (see [`shown_id`]) and
/// `recordTime`.
fn event_json(stored: &StoredEvent, namespaces: &mut Namespaces) -> Value {
    let mut json = encode_event_with(&stored.event, namespaces);
    json.insert("eventID".into(), shown_id(stored).into());
    json.insert("recordTime".into(), stored.recorded.to_string().into());
    Value::Object(json)
}

/// The `EPCISQueryDocument` of a `SimpleEventQuery` answered with `events`.
pub fn document(events: &[StoredEvent], created: EventTime) -> Value {
    let mut namespaces = Namespaces::new();
    let list: Vec<Value> = events
        .iter()
        .map(|e| event_json(e, &mut namespaces))
        .collect();
    json!({
        "@context": namespaces.context(),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": created.to_string(),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": { "eventList": list },
            }
        }
    })
}

/// One event as `GET /events/{eventID}` answers it: stand-alone, with its own `@context`.
pub fn single(stored: &StoredEvent) -> Value {
    let mut namespaces = Namespaces::new();
    let mut json = event_json(stored, &mut namespaces);
    json["@context"] = namespaces.context();
    json
}

/// The event whose `eventID` is `id`, by key when it was captured, else by scanning (a
/// gateway event's hash ID).
pub fn by_id(store: &dyn Store, id: &str) -> Result<Option<StoredEvent>, QueryError> {
    let query = Query {
        event_ids: Some(vec![id.to_owned()]),
        per_page: 1,
        ..Query::default()
    };
    Ok(run(store, &query)?.events.into_iter().next())
}
