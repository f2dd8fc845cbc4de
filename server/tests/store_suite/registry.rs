//! The suite's checks of what the store keeps beside events: chain heads, quarantine,
//! gateways and recalls.

use trace_proto::event::EventTime;
use trace_proto::signed::{ChainHead, EventHash, GatewayId, SigningKey};
use trace_server::registry::{self, NewKey, RegistryError};
use trace_server::store::{CommitBatch, NewQuarantine, RecallRecord, Store};

use super::{A, B, C, LOT};
use crate::support::{Gateway, at, names};

/// Chain heads are replaced per gateway; quarantine ids increase across commits.
pub fn heads_and_quarantine(store: &dyn Store) {
    let gw1 = GatewayId::new("gw-1").unwrap();
    let gw2 = GatewayId::new("gw-2").unwrap();
    let head = |seq| ChainHead {
        seq,
        hash: EventHash([u8::try_from(seq).unwrap(); 32]),
    };
    let refused = |reason: &str| NewQuarantine {
        gateway_id: "gw-2".into(),
        seq: Some(9),
        received: at(6, "08:00"),
        reason: reason.into(),
        bytes: vec![1, 2, 3],
    };
    store
        .commit(&CommitBatch {
            heads: vec![(gw1.clone(), head(1)), (gw2.clone(), head(5))],
            quarantine: vec![refused("bad signature"), refused("fork")],
            ..CommitBatch::default()
        })
        .unwrap();
    store
        .commit(&CommitBatch {
            heads: vec![(gw1.clone(), head(2))],
            quarantine: vec![refused("gap")],
            ..CommitBatch::default()
        })
        .unwrap();
    assert_eq!(store.chain_head(&gw1).unwrap(), Some(head(2)));
    assert_eq!(store.chain_head(&gw2).unwrap(), Some(head(5)));
    assert_eq!(
        store.chain_head(&GatewayId::new("gw-3").unwrap()).unwrap(),
        None
    );
    let all = store.quarantined(0, 10).unwrap();
    let reasons: Vec<_> = all.iter().map(|q| q.reason.as_str()).collect();
    assert_eq!(reasons, ["bad signature", "fork", "gap"]);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
    assert_eq!(all[0].bytes, [1, 2, 3]);
    let after_first = store.quarantined(all[0].id, 1).unwrap();
    assert_eq!(after_first, all[1..2]);
    assert!(store.quarantined(all[2].id, 10).unwrap().is_empty());
    assert_eq!(store.stats().unwrap().quarantined, 3);
}

/// Gateways are enrolled, listed by id, and updated in place.
pub fn gateways_are_kept(store: &dyn Store) {
    let b = Gateway::new("gw-b", 2, names::DC_PARTY).record();
    let mut a = Gateway::new("gw-a", 1, names::FACTORY_PARTY).record();
    store.put_gateway(&b).unwrap();
    store.put_gateway(&a).unwrap();
    a.revoked = Some(at(7, "08:00"));
    store.put_gateway(&a).unwrap();
    assert_eq!(store.gateways().unwrap(), [a.clone(), b]);
    assert_eq!(store.gateway(&a.id).unwrap(), Some(a));
    assert_eq!(store.stats().unwrap().gateways, 2);
}

/// A gateway's key history comes back whole and in order, with its revocations; the
/// registry's rotations start above the stored chain head, refuse weak and reused keys,
/// and take a retried request as done.
pub fn key_history_is_kept(store: &dyn Store) {
    let record = Gateway::new("gw-k", 3, names::FACTORY_PARTY).record();
    store.put_gateway(&record).unwrap();
    let head = ChainHead {
        seq: 5,
        hash: EventHash([5; 32]),
    };
    store
        .commit(&CommitBatch {
            heads: vec![(record.id.clone(), head)],
            ..CommitBatch::default()
        })
        .unwrap();
    let key = |seed: u8| {
        hex::encode(
            SigningKey::from_bytes(&[seed; 32])
                .verifying_key()
                .to_bytes(),
        )
    };
    let rotate = |public_key: String, from_seq| {
        registry::add_key(
            store,
            "gw-k",
            &NewKey {
                public_key,
                from_seq,
            },
        )
    };
    assert!(matches!(
        rotate(key(4), 5),
        Err(RegistryError::Conflict { .. })
    ));
    assert!(matches!(
        rotate("00".repeat(32), 6),
        Err(RegistryError::Key(_))
    ));
    assert!(matches!(
        registry::add_key(
            store,
            "gw-none",
            &NewKey {
                public_key: key(4),
                from_seq: 6
            }
        ),
        Err(RegistryError::Unknown(_))
    ));
    rotate(key(4), 6).unwrap();
    let revoked = registry::revoke_key(store, "gw-k", &key(3)).unwrap();
    assert_eq!(store.gateway(&record.id).unwrap().as_ref(), Some(&revoked));
    assert_eq!(store.gateways().unwrap(), std::slice::from_ref(&revoked));
    let starts: Vec<u64> = revoked.keys.iter().map(|k| k.from_seq).collect();
    assert_eq!(starts, [1, 6]);
    assert!(revoked.keys[0].revoked.is_some() && revoked.keys[1].revoked.is_none());
    assert_eq!(revoked.key_for(5), revoked.keys.first());
    assert_eq!(revoked.key_for(6), revoked.keys.get(1));
    assert_eq!(
        rotate(key(4), 6).unwrap(),
        revoked,
        "a retry changes nothing"
    );
    assert!(matches!(
        rotate(key(3), 9),
        Err(RegistryError::Conflict { .. })
    ));
    assert!(matches!(
        registry::revoke_key(store, "gw-k", &key(7)),
        Err(RegistryError::UnknownKey { .. })
    ));
}

/// Recalls are stored by id, listed oldest first, and indexed by affected identifier;
/// replacing one moves the index.
pub fn recalls_are_indexed(store: &dyn Store) {
    let recall = |id: &str, issued: EventTime, affected: &[&str]| RecallRecord {
        id: id.into(),
        issued,
        codes: vec![LOT.into()],
        reason: "glass".into(),
        instructions: "stop selling".into(),
        issued_by: "inspector".into(),
        affected: affected.iter().map(|s| s.to_string()).collect(),
    };
    let newer = recall("R-2", at(9, "08:00"), &[A]);
    let older = recall("R-1", at(8, "08:00"), &[A, B, LOT]);
    store.put_recall(&newer).unwrap();
    store.put_recall(&older).unwrap();
    assert_eq!(store.recalls().unwrap(), [older.clone(), newer.clone()]);
    assert_eq!(store.recall("R-1").unwrap(), Some(older));
    assert_eq!(store.recall("R-3").unwrap(), None);
    let mut affecting = store.recalls_affecting(A).unwrap();
    affecting.sort();
    assert_eq!(affecting, ["R-1", "R-2"]);
    assert_eq!(store.recalls_affecting(LOT).unwrap(), ["R-1"]);
    let narrowed = recall("R-1", at(8, "08:00"), &[B]);
    store.put_recall(&narrowed).unwrap();
    assert_eq!(store.recalls_affecting(A).unwrap(), ["R-2"]);
    assert_eq!(store.recalls_affecting(B).unwrap(), ["R-1"]);
    assert!(store.recalls_affecting(LOT).unwrap().is_empty());
    assert!(store.recalls_affecting(C).unwrap().is_empty());
    assert_eq!(
        store.standings(&[B]).unwrap()[0].as_ref().unwrap().recalls,
        ["R-1"]
    );
}
