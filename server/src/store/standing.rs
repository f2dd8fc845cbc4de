//! [`Standing`] derived from the other [`Store`] methods: the default of
//! [`Store::standings`], and the fallback of a trace when a backend keeps an identifier's
//! links incomplete.

use std::sync::Arc;

use super::rows::{link_of, makes_container};
use super::{Link, Role, Standing, Store, StoreError};

/// The standing of `identifier`, read through `events_naming`, `event`, `class_of` and
/// `recalls_affecting`; `None` when none of them knows it.
pub(crate) fn derive<S: Store + ?Sized>(
    store: &S,
    identifier: &str,
) -> Result<Option<Standing>, StoreError> {
    let latest = store.latest_naming(identifier)?;
    let class = store.class_of(identifier)?;
    let recalls = store.recalls_affecting(identifier)?;
    if latest.is_none() && class.is_none() && recalls.is_empty() {
        return Ok(None);
    }
    let linking = [Role::Child, Role::Parent, Role::Input, Role::InputQuantity];
    let rows = store.events_naming_in(identifier, &linking)?;
    let mut links = Vec::new();
    let mut is_container = false;
    for row in &rows {
        let stored = store.event(&row.key)?.ok_or_else(|| StoreError::Corrupt {
            what: format!("index row of {identifier}"),
            detail: format!("it names event {} which is not stored", row.key),
        })?;
        is_container |= makes_container(&stored.event, row.role);
        if let Some((action, parent)) = link_of(&stored.event, row.role) {
            links.push(Link {
                entry: *row,
                action,
                parent: parent.map(Arc::from),
            });
        }
    }
    Ok(Some(Standing {
        identifier: identifier.to_owned(),
        class,
        latest,
        is_container,
        links,
        links_complete: true,
        recalls,
    }))
}
