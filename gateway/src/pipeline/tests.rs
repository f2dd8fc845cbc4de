use super::*;
use crate::outbox::SledOutbox;
use trace_proto::event::{Disposition, EventTime};
use trace_proto::mqtt::{Recall, RecallList};
use trace_proto::signed::ChainHead;

const EXAMPLE: &str = include_str!("../../examples/dock-door.toml");
const T0: u64 = 1_764_000_000_000;

struct Rig {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    config: Config,
    key: SigningKey,
    recalls: Arc<RwLock<RecallSet>>,
    status: Arc<StatusBoard>,
}

impl Rig {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            path: dir.path().join("outbox"),
            _dir: dir,
            config: Config::parse(EXAMPLE).unwrap(),
            key: SigningKey::from_bytes(&[7; 32]),
            recalls: Arc::default(),
            status: Arc::new(StatusBoard::new([
                ("dock-1-uhf", "uhf-m100"),
                ("pack-1-board", "link"),
            ])),
        }
    }

    fn pipeline(&self, budget: u64) -> (Pipeline, Arc<SledOutbox>) {
        let outbox = Arc::new(SledOutbox::open(&self.path, budget).unwrap());
        let p = Pipeline::new(
            &self.config,
            self.key.clone(),
            outbox.clone(),
            self.recalls.clone(),
            self.status.clone(),
        );
        (p, outbox)
    }
}

/// A read committed at once, as the run loop does for a lone read.
fn read(
    p: &mut Pipeline,
    reader: usize,
    tag: &str,
    now_ms: u64,
) -> Result<Vec<SignedEvent>, PipelineError> {
    p.read(reader, 0, tag, now_ms)?;
    p.commit()
}

fn tag(n: u64) -> String {
    format!("urn:epc:id:sgtin:0614141.812345.{n}")
}

#[test]
fn reads_become_one_signed_chained_event_per_entry() {
    let rig = Rig::new();
    let (mut p, outbox) = rig.pipeline(1 << 20);
    let mut chain: Option<ChainHead> = None;
    for n in 1..=3 {
        let events = read(&mut p, 0, &tag(n), T0 + n).unwrap();
        assert_eq!(events.len(), 1);
        assert!(
            read(&mut p, 0, &tag(n), T0 + n + 50).unwrap().is_empty(),
            "same presence"
        );
        let e = &events[0];
        e.verify(&rig.key.verifying_key()).unwrap();
        chain = Some(e.check_link(chain).unwrap());
        assert_eq!(e.gateway_id().as_str(), "dc-berlin-dock-1");
    }
    assert_eq!(outbox.head(), chain);
    assert_eq!(outbox.usage().events, 3);
    let stored = outbox.unacked(0, 10).unwrap();
    assert_eq!(
        stored.iter().map(|e| e.seq()).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn a_restart_continues_the_chain_without_gap_or_fork() {
    let rig = Rig::new();
    let first = {
        let (mut p, _) = rig.pipeline(1 << 20);
        read(&mut p, 0, &tag(1), T0).unwrap().remove(0)
    };
    let (mut p, outbox) = rig.pipeline(1 << 20);
    let second = read(&mut p, 0, &tag(2), T0 + 10).unwrap().remove(0);
    assert_eq!(second.seq(), 2);
    assert_eq!(second.prev(), first.hash());
    assert_eq!(outbox.ack(2).unwrap(), 2);
    drop((p, outbox));
    let (mut p, outbox) = rig.pipeline(1 << 20);
    assert_eq!((outbox.acked(), outbox.usage().events), (2, 0));
    let third = read(&mut p, 0, &tag(3), T0 + 20).unwrap().remove(0);
    assert_eq!((third.seq(), third.prev()), (3, second.hash()));
}

#[test]
fn a_full_outbox_refuses_reads_loudly_and_keeps_what_it_accepted() {
    let rig = Rig::new();
    let (mut p, outbox) = rig.pipeline(RESUME_MARGIN + 2_000);
    let mut accepted = 0u64;
    let mut n = 0;
    while accepted < 1000 {
        n += 1;
        match read(&mut p, 0, &tag(n), T0 + n) {
            Ok(events) => accepted += events.len() as u64,
            Err(PipelineError::OutboxFull) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(rig.status.outbox_full());
    assert!(matches!(
        read(&mut p, 0, &tag(n + 1), T0 + n + 1),
        Err(PipelineError::OutboxFull)
    ));
    let local = rig.status.local_status(
        &rig.config.gateway.id,
        outbox.as_ref(),
        EventTime::from_unix_millis(0).unwrap(),
    );
    assert!(local.outbox_full && local.refused_reads >= 2);
    assert_eq!(
        local.alarms[0].kind,
        trace_proto::mqtt::AlarmKind::OutboxFull
    );
    assert_eq!(
        local.queue_depth, accepted,
        "every accepted event is still there"
    );
    assert_eq!(
        outbox.unacked(0, usize::MAX).unwrap().len() as u64,
        accepted
    );
    // The server acks everything: reads are accepted again, the chain goes on.
    outbox.ack(accepted).unwrap();
    let events = read(&mut p, 0, &tag(n + 2), T0 + n + 2).unwrap();
    assert_eq!(events[0].seq(), accepted + 1);
    assert!(!rig.status.outbox_full());
}

#[test]
fn a_recalled_unit_is_flagged_at_scan_time() {
    let rig = Rig::new();
    *rig.recalls.write().unwrap() = RecallSet::from_list(&RecallList {
        as_of: EventTime::from_unix_millis(0).unwrap(),
        recalls: vec![Recall {
            id: "R-7".into(),
            affected: vec![tag(2)],
            reason: "contamination".into(),
            issued: EventTime::from_unix_millis(0).unwrap(),
            instructions: "hold".into(),
        }],
    });
    let (mut p, outbox) = rig.pipeline(1 << 20);
    let ok = read(&mut p, 0, &tag(1), T0).unwrap().remove(0);
    let bad = read(&mut p, 0, &tag(2), T0).unwrap().remove(0);
    assert_eq!(ok.event().disposition, Some(Disposition::InTransit));
    assert_eq!(bad.event().disposition, Some(Disposition::Recalled));
    let status = rig.status.mqtt_status(
        &rig.config.gateway.id,
        trace_proto::mqtt::Presence::Online,
        outbox.as_ref(),
        EventTime::from_unix_millis(0).unwrap(),
    );
    let alarm = status
        .alarms
        .iter()
        .find(|a| a.kind == trace_proto::mqtt::AlarmKind::RecalledUnitScanned)
        .unwrap();
    assert_eq!(alarm.subject, tag(2));
    assert_eq!(alarm.detail, "1 recalled units scanned since start");
}

#[test]
fn pack_station_events_come_out_of_tick() {
    let rig = Rig::new();
    let (mut p, _) = rig.pipeline(1 << 20);
    assert!(read(&mut p, 1, &tag(1), T0).unwrap().is_empty());
    assert!(
        read(&mut p, 1, "urn:epc:id:sscc:0614141.1234567890", T0 + 100)
            .unwrap()
            .is_empty()
    );
    p.tick(T0 + 5_000).unwrap();
    let events = p.commit().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].seq(), 1);
}

#[test]
fn a_burst_of_reads_is_committed_in_one_chained_write() {
    let rig = Rig::new();
    let (mut p, outbox) = rig.pipeline(1 << 20);
    for n in 1..=50 {
        p.read(0, 0, &tag(n), T0 + n).unwrap();
    }
    assert_eq!(
        (p.staged(), outbox.usage().events),
        (50, 0),
        "nothing accepted before commit"
    );
    let events = p.commit().unwrap();
    assert_eq!(events.len(), 50);
    let mut head = None;
    for e in &events {
        head = Some(e.check_link(head).unwrap());
    }
    assert_eq!(outbox.head(), head);
    assert_eq!(p.staged(), 0);
}
