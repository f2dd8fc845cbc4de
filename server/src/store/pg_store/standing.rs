//! Standings of many identifiers in a handful of queries, whatever their number: latest
//! rows, classes, recalls and linking rows by `= ANY(…)`, then each linking event read and
//! decoded once (a case's packing links its ten units). The links are judged by the same
//! rules as every backend's ([`link_of`], [`makes_container`]).

use std::collections::HashMap;
use std::sync::Arc;

use deadpool_postgres::Client;

use super::read::{entry, events, get, rows};
use crate::store::redb_store::codes::role_code;
use crate::store::redb_store::records::corrupt;
use crate::store::rows::{link_of, makes_container};
use crate::store::{EventKey, IndexEntry, Link, Role, Standing, StoreError, StoredEvent};

/// The rows that can be links, as `views::derive` reads them.
const LINKING: [Role; 4] = [Role::Child, Role::Parent, Role::Input, Role::InputQuantity];

/// What the queries found for one identifier.
#[derive(Default)]
struct Found {
    latest: Option<IndexEntry>,
    class: Option<String>,
    recalls: Vec<String>,
    linking: Vec<IndexEntry>,
}

/// The standings of `identifiers`, in order; `None` for one the store does not know.
pub(super) async fn standings(
    client: &Client,
    identifiers: &[&str],
) -> Result<Vec<Option<Standing>>, StoreError> {
    let mut found: HashMap<&str, Found> =
        identifiers.iter().map(|i| (*i, Found::default())).collect();
    let wanted: Vec<&str> = found.keys().copied().collect();
    let sql = "SELECT DISTINCT ON (identifier) identifier, event_time_ms, key, role FROM naming \
               WHERE identifier = ANY($1) ORDER BY identifier, event_time_ms DESC, key DESC, role DESC";
    for row in rows(client, sql, &[&wanted]).await? {
        if let Some(f) = found.get_mut(get::<&str>(&row, 0)?) {
            f.latest = Some(entry(&row, 1)?);
        }
    }
    let sql = "SELECT uri, class FROM idents WHERE uri = ANY($1) AND class IS NOT NULL";
    for row in rows(client, sql, &[&wanted]).await? {
        if let Some(f) = found.get_mut(get::<&str>(&row, 0)?) {
            f.class = get(&row, 1)?;
        }
    }
    let sql = "SELECT identifier, recall_id FROM recall_affected WHERE identifier = ANY($1) \
               ORDER BY identifier, recall_id";
    for row in rows(client, sql, &[&wanted]).await? {
        if let Some(f) = found.get_mut(get::<&str>(&row, 0)?) {
            f.recalls.push(get(&row, 1)?);
        }
    }
    let codes: Vec<i16> = LINKING.iter().map(|r| i16::from(role_code(*r))).collect();
    let sql = "SELECT identifier, event_time_ms, key, role FROM naming \
               WHERE identifier = ANY($1) AND role = ANY($2) \
               ORDER BY identifier, event_time_ms, key, role";
    for row in rows(client, sql, &[&wanted, &codes]).await? {
        if let Some(f) = found.get_mut(get::<&str>(&row, 0)?) {
            f.linking.push(entry(&row, 1)?);
        }
    }
    let mut keys: Vec<EventKey> = found
        .values()
        .flat_map(|f| f.linking.iter().map(|row| row.key))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let linking: HashMap<EventKey, StoredEvent> = events(client, &keys)
        .await?
        .into_iter()
        .flatten()
        .map(|e| (e.key, e))
        .collect();
    let mut parents: HashMap<String, Arc<str>> = HashMap::new();
    identifiers
        .iter()
        .map(|identifier| {
            let Some(f) = found.get(identifier) else {
                return Ok(None);
            };
            if f.latest.is_none() && f.class.is_none() && f.recalls.is_empty() {
                return Ok(None);
            }
            let mut links = Vec::new();
            let mut is_container = false;
            for row in &f.linking {
                let stored = linking.get(&row.key).ok_or_else(|| {
                    corrupt(
                        &format!("index row of {identifier}"),
                        &format!("it names event {} which is not stored", row.key),
                    )
                })?;
                is_container |= makes_container(&stored.event, row.role);
                if let Some((action, parent)) = link_of(&stored.event, row.role) {
                    let parent = parent.map(|p| {
                        parents
                            .entry(p.to_owned())
                            .or_insert_with(|| Arc::from(p))
                            .clone()
                    });
                    links.push(Link {
                        entry: *row,
                        action,
                        parent,
                    });
                }
            }
            Ok(Some(Standing {
                identifier: (*identifier).to_owned(),
                class: f.class.clone(),
                latest: f.latest,
                is_container,
                links,
                links_complete: true,
                recalls: f.recalls.clone(),
                latest_place: None,
            }))
        })
        .collect()
}
