//! The fixed codes of roles and actions inside index keys and records, and the
//! conversions of stored numbers back into the contract's types. Codes are written out
//! here rather than taken from the enums' order, so reordering the contract's enums cannot
//! change what a file means.

use trace_proto::event::{Action, EventTime};

use super::records::{RowRef, corrupt};
use crate::store::{EventKey, IndexEntry, Role, StoreError};

/// The stable code of a role inside index keys and records.
pub(in crate::store) fn role_code(role: Role) -> u8 {
    match role {
        Role::Epc => 0,
        Role::Parent => 1,
        Role::Child => 2,
        Role::Input => 3,
        Role::Output => 4,
        Role::Quantity => 5,
        Role::InputQuantity => 6,
        Role::OutputQuantity => 7,
        Role::ReadPoint => 8,
        Role::BizLocation => 9,
    }
}

/// The role of a code written by [`role_code`].
pub(in crate::store) fn role_of(code: u8) -> Result<Role, StoreError> {
    Ok(match code {
        0 => Role::Epc,
        1 => Role::Parent,
        2 => Role::Child,
        3 => Role::Input,
        4 => Role::Output,
        5 => Role::Quantity,
        6 => Role::InputQuantity,
        7 => Role::OutputQuantity,
        8 => Role::ReadPoint,
        9 => Role::BizLocation,
        other => return Err(corrupt("index row", &format!("role code {other}"))),
    })
}

/// The stable code of an action.
pub(super) fn action_code(action: Action) -> u8 {
    match action {
        Action::Add => 0,
        Action::Observe => 1,
        Action::Delete => 2,
    }
}

/// The action of a code written by [`action_code`].
pub(super) fn action_of(code: u8) -> Result<Action, StoreError> {
    Ok(match code {
        0 => Action::Add,
        1 => Action::Observe,
        2 => Action::Delete,
        other => return Err(corrupt("link", &format!("action code {other}"))),
    })
}

/// An event time kept as milliseconds.
pub(in crate::store) fn time(millis: i64) -> Result<EventTime, StoreError> {
    EventTime::from_unix_millis(millis).map_err(|e| corrupt("event time", &e.to_string()))
}

/// An index row as the trait returns it.
pub(super) fn entry(row: RowRef, key: EventKey) -> Result<IndexEntry, StoreError> {
    Ok(IndexEntry {
        event_time: time(row.time)?,
        key,
        role: role_of(row.role)?,
    })
}
