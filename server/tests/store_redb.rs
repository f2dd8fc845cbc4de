//! The store suite on [`RedbStore`], plus what only a file-backed store has: reopening,
//! and refusing files of another schema version or damaged ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
#[macro_use]
mod store_suite;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use tempfile::TempDir;
use trace_proto::event::EventTime;
use trace_proto::signed::GatewayId;
use trace_server::store::redb_store::{FILE_NAME, RedbStore, SCHEMA_VERSION};
use trace_server::store::{Store, StoreError};
use trace_server::trace::{Direction, trace};

fn fresh() -> (TempDir, RedbStore) {
    let dir = TempDir::new().unwrap();
    let store = RedbStore::open(dir.path()).unwrap();
    (dir, store)
}

store_suite_tests!(fresh);

#[test]
fn reopening_keeps_everything() {
    let dir = TempDir::new().unwrap();
    let (scenario, before, stats) = {
        let store = RedbStore::open(dir.path()).unwrap();
        let scenario = support::commit_scenario(&store);
        let before = trace(&store, &scenario.lot, Direction::Forward).unwrap();
        (scenario, before, store.stats().unwrap())
    };
    let store = RedbStore::open(dir.path()).unwrap();
    assert_eq!(
        trace(&store, &scenario.lot, Direction::Forward).unwrap(),
        before
    );
    let after = store.stats().unwrap();
    assert_eq!(
        (after.events, after.gateways),
        (stats.events, stats.gateways)
    );
    assert_eq!(after.events, 18);
    assert!(after.bytes_on_disk > 0);
    let mut gateways = scenario.gateways.clone();
    gateways.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.gateways().unwrap(), gateways, "by id");
    let head = store.chain_head(&scenario.gateways[1].id).unwrap().unwrap();
    assert_eq!(head.seq, 4, "gw-dc signed four events");
    let more = support::commit_cycle(&store);
    assert_eq!(
        store.events_naming(&more.0).unwrap().len(),
        2,
        "numbering goes on"
    );
    assert_eq!(store.stats().unwrap().events, 20);
}

/// A file written before the record-order index existed gets it built at open.
#[test]
fn a_file_without_the_record_order_index_gets_it_at_open() {
    let dir = TempDir::new().unwrap();
    let order = {
        let store = RedbStore::open(dir.path()).unwrap();
        support::commit_scenario(&store);
        let order: Vec<_> = store.events_recorded(None, usize::MAX).unwrap();
        assert_eq!(order.len() as u64, store.stats().unwrap().events);
        order
    };
    {
        let db = Database::open(dir.path().join(FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        let recorded: TableDefinition<(i64, &[u8; 32]), u64> = TableDefinition::new("recorded");
        assert!(txn.delete_table(recorded).unwrap());
        txn.commit().unwrap();
    }
    let store = RedbStore::open(dir.path()).unwrap();
    assert_eq!(store.events_recorded(None, usize::MAX).unwrap(), order);
}

/// A file of schema version 1 (one key per gateway record) opens: its gateways get a key
/// history of that one key, its events stay as they were.
#[test]
fn a_version_1_file_is_upgraded_to_key_histories() {
    #[derive(serde::Serialize)]
    struct GatewayRecordV1<'a> {
        id: &'a GatewayId,
        public_key: [u8; 32],
        party: &'a Option<String>,
        site: &'a Option<String>,
        description: &'a str,
        enrolled: EventTime,
        revoked: Option<EventTime>,
    }
    let dir = TempDir::new().unwrap();
    let (scenario, before) = {
        let store = RedbStore::open(dir.path()).unwrap();
        let scenario = support::commit_scenario(&store);
        let before = trace(&store, &scenario.lot, Direction::Forward).unwrap();
        (scenario, before)
    };
    let revoked = support::at(7, "08:00");
    {
        // Write the gateways table and the version record as version 1 did.
        let db = Database::open(dir.path().join(FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let meta: TableDefinition<&str, u64> = TableDefinition::new("meta");
            txn.open_table(meta)
                .unwrap()
                .insert("schema_version", 1)
                .unwrap();
            let gateways: TableDefinition<&str, &[u8]> = TableDefinition::new("gateways");
            let mut gateways = txn.open_table(gateways).unwrap();
            for (n, record) in scenario.gateways.iter().enumerate() {
                let old = GatewayRecordV1 {
                    id: &record.id,
                    public_key: record.keys[0].public_key,
                    party: &record.party,
                    site: &record.site,
                    description: &record.description,
                    enrolled: record.enrolled,
                    revoked: (n == 0).then_some(revoked),
                };
                let bytes = postcard::to_allocvec(&old).unwrap();
                gateways
                    .insert(record.id.as_str(), bytes.as_slice())
                    .unwrap();
            }
        }
        txn.commit().unwrap();
    }
    let mut expected = scenario.gateways.clone();
    expected[0].revoked = Some(revoked);
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    for _ in 0..2 {
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(store.gateways().unwrap(), expected);
        assert_eq!(
            trace(&store, &scenario.lot, Direction::Forward).unwrap(),
            before
        );
    }
    let db = Database::open(dir.path().join(FILE_NAME)).unwrap();
    let meta: TableDefinition<&str, u64> = TableDefinition::new("meta");
    let txn = db.begin_read().unwrap();
    let version = txn.open_table(meta).unwrap().get("schema_version").unwrap();
    assert_eq!(version.unwrap().value(), u64::from(SCHEMA_VERSION));
}

/// A file of schema version 2 (no packed event bodies) opens as version 3 and reads the
/// same; the events written after are packed beside its plain ones.
#[test]
fn a_version_2_file_is_upgraded_in_place() {
    let dir = TempDir::new().unwrap();
    let (scenario, before) = {
        let store = RedbStore::open(dir.path()).unwrap();
        let scenario = support::commit_scenario(&store);
        (
            scenario.lot.clone(),
            trace(&store, &scenario.lot, Direction::Forward).unwrap(),
        )
    };
    let meta: TableDefinition<&str, u64> = TableDefinition::new("meta");
    let version = |path: &std::path::Path| {
        let db = Database::open(path.join(FILE_NAME)).unwrap();
        let txn = db.begin_read().unwrap();
        let table = txn.open_table(meta).unwrap();
        table.get("schema_version").unwrap().unwrap().value()
    };
    {
        let db = Database::open(dir.path().join(FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(meta)
            .unwrap()
            .insert("schema_version", 2)
            .unwrap();
        txn.commit().unwrap();
    }
    assert_eq!(version(dir.path()), 2);
    {
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(
            trace(&store, &scenario, Direction::Forward).unwrap(),
            before
        );
        support::commit_cycle(&store);
    }
    assert_eq!(version(dir.path()), u64::from(SCHEMA_VERSION));
    let store = RedbStore::open(dir.path()).unwrap();
    assert_eq!(store.stats().unwrap().events, 20);
}

#[test]
fn a_file_of_another_schema_version_is_refused_and_left_alone() {
    let dir = TempDir::new().unwrap();
    drop(RedbStore::open(dir.path()).unwrap());
    let path = dir.path().join(FILE_NAME);
    {
        let db = Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        let meta: TableDefinition<&str, u64> = TableDefinition::new("meta");
        txn.open_table(meta)
            .unwrap()
            .insert("schema_version", 99)
            .unwrap();
        txn.commit().unwrap();
    }
    for _ in 0..2 {
        match RedbStore::open(dir.path()) {
            Err(StoreError::Version {
                found: 99,
                supported,
            }) => assert_eq!(supported, SCHEMA_VERSION),
            Err(other) => panic!("expected a version error, got {other}"),
            Ok(_) => panic!("expected a version error, got a store"),
        }
    }
}

#[test]
fn a_uri_whose_dictionary_hash_is_taken_gets_its_own_number() {
    use sha2::{Digest, Sha256};
    use support::{Gateway, at, event, names, object};
    use trace_proto::event::{Action, BizStep};

    let dir = TempDir::new().unwrap();
    let taken = "urn:epc:id:sgtin:0614141.812345.1";
    let newcomer = "urn:epc:id:sgtin:0614141.812345.2";
    let mut gateway = Gateway::new("gw-1", 1, names::FACTORY_PARTY);
    let observe = |epc: &str| {
        event(
            object(Action::Observe, &[epc], None),
            at(1, "08:00"),
            BizStep::Inspecting,
            names::LINE,
        )
    };
    let first = gateway.stored(observe(taken));
    {
        let store = RedbStore::open(dir.path()).unwrap();
        store
            .commit(&trace_server::store::CommitBatch {
                events: vec![first.clone()],
                ..Default::default()
            })
            .unwrap();
    }
    {
        // Make the newcomer's hash point at the taken URI's number, as a collision would.
        let db = Database::open(dir.path().join(FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let idents: TableDefinition<u64, u64> = TableDefinition::new("idents");
            let mut idents = txn.open_table(idents).unwrap();
            let hash = |uri: &str| u64::from_be_bytes(Sha256::digest(uri)[..8].try_into().unwrap());
            let id = idents.get(hash(taken)).unwrap().unwrap().value();
            idents.insert(hash(newcomer), id).unwrap();
        }
        txn.commit().unwrap();
    }
    let store = RedbStore::open(dir.path()).unwrap();
    assert!(
        store.events_naming(newcomer).unwrap().is_empty(),
        "not the taken URI's rows"
    );
    let second = gateway.stored(observe(newcomer));
    store
        .commit(&trace_server::store::CommitBatch {
            events: vec![second.clone()],
            ..Default::default()
        })
        .unwrap();
    let keys = |uri| {
        store
            .events_naming(uri)
            .unwrap()
            .iter()
            .map(|r| r.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(taken), [first.key]);
    assert_eq!(keys(newcomer), [second.key]);
    let standing = store.standings(&[newcomer]).unwrap().remove(0).unwrap();
    assert_eq!(standing.identifier, newcomer);
}

#[test]
fn a_foreign_redb_file_is_refused() {
    let dir = TempDir::new().unwrap();
    {
        let db = Database::create(dir.path().join(FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        let other: TableDefinition<u64, u64> = TableDefinition::new("something_else");
        txn.open_table(other).unwrap().insert(1, 2).unwrap();
        txn.commit().unwrap();
    }
    assert!(matches!(
        RedbStore::open(dir.path()),
        Err(StoreError::Corrupt { .. })
    ));
}

#[test]
fn a_file_that_is_not_redb_is_refused() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join(FILE_NAME), vec![0x5a; 8192]).unwrap();
    match RedbStore::open(dir.path()) {
        Err(StoreError::Corrupt { .. } | StoreError::Backend(_)) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("garbage opened as a store"),
    }
}

/// Each standing carries where its latest event left it — business location else read
/// point, the named party else the signing gateway's operator, the disposition's word —
/// the same as reading that event, for every identifier of the scenario.
#[test]
fn standings_carry_the_place_of_the_latest_event() {
    use trace_server::store::Origin;
    let (_dir, store) = fresh();
    let scenario = support::commit_scenario(&store);
    let mut identifiers: Vec<&str> = scenario.units.iter().map(String::as_str).collect();
    identifiers.extend([
        scenario.case1.as_str(),
        scenario.pallet.as_str(),
        scenario.boiler.as_str(),
        scenario.sugar.as_str(),
    ]);
    identifiers.extend(scenario.cakes.iter().map(String::as_str));
    let mut placed = 0;
    for standing in store.standings(&identifiers).unwrap() {
        let standing = standing.unwrap();
        let latest = store.event(&standing.latest.unwrap().key).unwrap().unwrap();
        let event = &latest.event;
        let place = standing.latest_place.clone().expect("a place");
        let location = event.biz_location.as_ref().or(event.read_point.as_ref());
        assert_eq!(place.location.as_deref(), location.map(|l| l.id.as_str()));
        let named = [&event.destinations, &event.sources]
            .into_iter()
            .flatten()
            .find(|d| {
                use trace_proto::event::SourceDestType::*;
                matches!(d.kind, PossessingParty | OwningParty)
            })
            .map(|d| d.id.clone());
        let operator = match &latest.origin {
            Origin::Gateway { gateway_id, .. } => store.gateway(gateway_id).unwrap().unwrap().party,
            Origin::Captured { .. } => None,
        };
        let custodian = named.or(operator);
        assert!(
            custodian.is_some(),
            "{}: every scenario event has one",
            standing.identifier
        );
        assert_eq!(place.custodian.as_deref(), custodian.as_deref());
        let word = event
            .disposition
            .as_ref()
            .map(|d| d.word().map_or_else(|| d.to_string(), str::to_owned));
        assert_eq!(place.disposition.as_deref(), word.as_deref());
        placed += usize::from(word.is_some());
    }
    assert!(placed > 0, "some latest events carry a disposition");
}
