//! De-bounce: one record per tag presence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use trace_firmware::debounce::Debouncer;
use trace_firmware::event::TagSighting;
use trace_proto::link::{EpcBank, TagId, TagRead};

fn uhf(serial: u8, rssi_dbm: i16) -> TagSighting {
    let epc = [
        0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, serial,
    ];
    TagSighting {
        tag: TagId::Gen2(EpcBank::new(0x3000, &epc).unwrap()),
        antenna: 0,
        rssi_cdbm: Some(rssi_dbm * 100),
    }
}

fn read(port: u8, sighting: TagSighting, count: u32, first: u64, last: u64) -> TagRead {
    TagRead {
        port,
        antenna: sighting.antenna,
        tag: sighting.tag,
        rssi_cdbm: sighting.rssi_cdbm,
        count,
        first_seen_ms: first,
        last_seen_ms: last,
    }
}

#[test]
fn reads_within_the_window_merge_into_one_record() {
    let mut table = Debouncer::<8>::new(500, 60_000);
    for (i, rssi) in [-60, -52, -58].into_iter().enumerate() {
        let now = 100 + 30 * u64::try_from(i).unwrap();
        assert_eq!(table.observe(1, uhf(1, rssi), now), None);
    }
    assert_eq!(table.len(), 1);
    assert_eq!(table.pop_due(659), None, "last read at 160, window 500");
    // The strongest reading is kept, as LLRP's PeakRSSI.
    assert_eq!(table.pop_due(660), Some(read(1, uhf(1, -52), 3, 100, 160)));
    assert!(table.is_empty());
}

#[test]
fn a_read_after_the_window_closes_the_old_record_and_opens_a_new_one() {
    let mut table = Debouncer::<8>::new(500, 60_000);
    table.observe(1, uhf(1, -60), 0);
    table.observe(1, uhf(1, -60), 100);
    let closed = table.observe(1, uhf(1, -60), 700);
    assert_eq!(closed, Some(read(1, uhf(1, -60), 2, 0, 100)));
    assert_eq!(table.pop_due(1200), Some(read(1, uhf(1, -60), 1, 700, 700)));
}

#[test]
fn port_antenna_and_tag_keep_records_apart() {
    let mut table = Debouncer::<8>::new(500, 60_000);
    let mut other_antenna = uhf(1, -60);
    other_antenna.antenna = 1;
    table.observe(1, uhf(1, -60), 0);
    table.observe(2, uhf(1, -60), 0);
    table.observe(1, other_antenna, 0);
    table.observe(1, uhf(2, -60), 0);
    assert_eq!(table.len(), 4);
}

#[test]
fn a_full_table_closes_the_least_recently_read_record() {
    let mut table = Debouncer::<2>::new(500, 60_000);
    table.observe(1, uhf(1, -60), 0);
    table.observe(1, uhf(2, -60), 10);
    table.observe(1, uhf(1, -60), 20);
    let evicted = table.observe(1, uhf(3, -60), 30);
    assert_eq!(evicted, Some(read(1, uhf(2, -60), 1, 10, 10)));
    assert_eq!(table.len(), 2);
}

#[test]
fn a_parked_tag_is_reported_after_the_maximum_hold() {
    let mut table = Debouncer::<4>::new(500, 2_000);
    for now in (0..2_000).step_by(100) {
        assert_eq!(table.observe(1, uhf(1, -60), now), None);
    }
    // Read every 100 ms, so never quiet for the window, but open for 2 s.
    let record = table.pop_due(2_000).unwrap();
    assert_eq!(
        (record.count, record.first_seen_ms, record.last_seen_ms),
        (20, 0, 1_900)
    );

    // A read arriving before the caller asks closes the held record itself.
    for now in (2_000..4_000).step_by(100) {
        assert_eq!(table.observe(1, uhf(1, -60), now), None);
    }
    let closed = table.observe(1, uhf(1, -60), 4_000).unwrap();
    assert_eq!((closed.count, closed.first_seen_ms), (20, 2_000));
    assert_eq!(table.len(), 1);
}

#[test]
fn records_come_out_oldest_first_and_all_can_be_flushed() {
    let mut table = Debouncer::<4>::new(500, 60_000);
    table.observe(1, uhf(1, -60), 0);
    table.observe(1, uhf(2, -60), 10);
    table.observe(1, uhf(3, -60), 900);
    assert_eq!(table.pop_due(1000).unwrap().tag, uhf(1, -60).tag);
    assert_eq!(table.pop_due(1000).unwrap().tag, uhf(2, -60).tag);
    assert_eq!(table.pop_due(1000), None);
    assert_eq!(table.pop_any().unwrap().tag, uhf(3, -60).tag);
    assert_eq!(table.pop_any(), None);
}

#[test]
fn a_zero_window_makes_every_read_its_own_record() {
    let mut table = Debouncer::<4>::new(0, 60_000);
    assert_eq!(table.observe(1, uhf(1, -60), 5), None);
    assert_eq!(
        table.observe(1, uhf(1, -60), 5),
        Some(read(1, uhf(1, -60), 1, 5, 5))
    );
}
