use std::convert::Infallible;

use trace_proto::event::{Action, Event, EventKind, EventTime, ObjectEvent, TimeZoneOffset};
use trace_proto::signed::{EventHash, GatewayId, SignedEvent, SigningKey};

use super::*;

fn chain(n: u64, salt: &str) -> Vec<SignedEvent> {
    let key = SigningKey::from_bytes(&[7; 32]);
    let gateway = GatewayId::new("gw-1").unwrap();
    let mut prev = EventHash::ZERO;
    (1..=n)
        .map(|seq| {
            let kind = EventKind::Object(ObjectEvent {
                action: Action::Observe,
                epc_list: vec![format!("urn:epc:id:sgtin:0614141.812345.{salt}{seq}")],
                quantity_list: vec![],
                ilmd: None,
            });
            let time = EventTime::from_unix_millis(1_700_000_000_000 + seq as i64).unwrap();
            let event = Event::new(kind, time, TimeZoneOffset::from_minutes(0).unwrap());
            let signed = SignedEvent::sign(&key, gateway.clone(), seq, prev, event).unwrap();
            prev = signed.hash();
            signed
        })
        .collect()
}

fn gw() -> GatewayId {
    GatewayId::new("gw-1").unwrap()
}

fn now() -> EventTime {
    EventTime::from_unix_millis(1_800_000_000_000).unwrap()
}

fn admit(book: &mut ChainBook, events: &[SignedEvent], stored: &[SignedEvent]) -> Admission {
    book.admit(
        &gw(),
        events.to_vec(),
        now(),
        || Ok::<_, Infallible>(None),
        |e| Ok(stored.iter().any(|s| s.hash() == e.hash())),
    )
    .unwrap()
}

fn seqs(events: &[SignedEvent]) -> Vec<u64> {
    events.iter().map(SignedEvent::seq).collect()
}

#[test]
fn in_order_events_are_accepted_and_head_moves_only_on_commit() {
    let events = chain(3, "a");
    let mut book = ChainBook::new(100);
    let admission = admit(&mut book, &events, &[]);
    assert_eq!(seqs(&admission.accepted), [1, 2, 3]);
    assert_eq!(admission.head, Some(events[2].head()));
    assert_eq!(book.head(&gw()), None);
    book.committed(&gw(), events[2].head());
    assert_eq!(book.head(&gw()), Some(events[2].head()));
}

#[test]
fn a_shuffled_round_is_sorted_by_seq() {
    let events = chain(4, "a");
    let shuffled = [
        events[2].clone(),
        events[0].clone(),
        events[3].clone(),
        events[1].clone(),
    ];
    let admission = admit(&mut ChainBook::new(100), &shuffled, &[]);
    assert_eq!(seqs(&admission.accepted), [1, 2, 3, 4]);
}

#[test]
fn events_after_a_gap_wait_until_it_fills() {
    let events = chain(5, "a");
    let mut book = ChainBook::new(100);
    let first = admit(&mut book, &events[..2], &[]);
    book.committed(&gw(), first.head.unwrap());
    let ahead = admit(&mut book, &events[3..], &events[..2]);
    assert!(ahead.accepted.is_empty());
    assert_eq!(ahead.head, None);
    let gaps = book.gaps();
    assert_eq!(gaps.len(), 1);
    assert_eq!((gaps[0].1.from, gaps[0].1.to, gaps[0].1.waiting), (3, 3, 2));
    let filled = admit(&mut book, &events[2..3], &events[..2]);
    assert_eq!(seqs(&filled.accepted), [3, 4, 5]);
    book.committed(&gw(), filled.head.unwrap());
    assert!(book.gaps().is_empty());
}

#[test]
fn replays_are_counted_not_stored_again() {
    let events = chain(3, "a");
    let mut book = ChainBook::new(100);
    let first = admit(&mut book, &events, &[]);
    book.committed(&gw(), first.head.unwrap());
    let again = admit(&mut book, &events, &events);
    assert!(again.accepted.is_empty());
    assert_eq!(again.replays, 3);
    assert!(again.forks.is_empty());
}

#[test]
fn a_different_event_at_a_taken_seq_is_a_fork() {
    let events = chain(3, "a");
    let other = chain(3, "b");
    let mut book = ChainBook::new(100);
    let first = admit(&mut book, &events, &[]);
    book.committed(&gw(), first.head.unwrap());
    let forked = admit(&mut book, &other[1..2], &events);
    assert!(forked.accepted.is_empty());
    assert_eq!(forked.forks.len(), 1);
    assert!(forked.forks[0].1.contains("seq 2"), "{}", forked.forks[0].1);
}

#[test]
fn the_next_seq_with_a_wrong_prev_is_a_fork() {
    let events = chain(2, "a");
    let other = chain(2, "b");
    let mut book = ChainBook::new(100);
    let first = admit(&mut book, &events[..1], &[]);
    book.committed(&gw(), first.head.unwrap());
    let forked = admit(&mut book, &other[1..2], &events[..1]);
    assert!(forked.accepted.is_empty());
    assert_eq!(forked.forks.len(), 1);
    assert_eq!(book.head(&gw()), Some(events[0].head()));
}

#[test]
fn a_full_hold_drops_the_newest_and_counts_them() {
    let events = chain(6, "a");
    let mut book = ChainBook::new(2);
    let admission = admit(&mut book, &events[1..], &[]);
    assert!(admission.accepted.is_empty());
    assert_eq!(book.overflowed(), 3);
    let filled = admit(&mut book, &events[..1], &[]);
    assert_eq!(seqs(&filled.accepted), [1, 2, 3]);
}

#[test]
fn reset_forgets_heads_and_held_events() {
    let events = chain(3, "a");
    let mut book = ChainBook::new(100);
    admit(&mut book, &events[2..], &[]);
    book.committed(&gw(), events[0].head());
    book.reset();
    assert!(!book.knows(&gw()));
    assert!(book.gaps().is_empty());
}

#[test]
fn a_gap_another_instance_filled_is_read_from_the_store() {
    let events = chain(5, "a");
    let mut book = ChainBook::new(100);
    let first = admit(&mut book, &events[..1], &[]);
    book.committed(&gw(), first.head.unwrap());
    // Seq 3 waits here while another instance sharing the store stores seqs 2 and 3.
    let ahead = admit(&mut book, &events[2..3], &events[..1]);
    assert!(ahead.accepted.is_empty());
    let stored_elsewhere = Some(events[2].head());
    let next = book
        .admit(
            &gw(),
            events[3..4].to_vec(),
            now(),
            || Ok::<_, Infallible>(stored_elsewhere),
            |e| Ok(events[..3].iter().any(|s| s.hash() == e.hash())),
        )
        .unwrap();
    assert_eq!(seqs(&next.accepted), [4]);
    assert_eq!(next.replays, 1, "the held seq 3 is the stored one");
    assert!(next.forks.is_empty());
    assert!(book.gaps().is_empty());
    assert_eq!(book.head(&gw()), Some(events[2].head()), "the store's head");
}

#[test]
fn a_forgotten_head_is_read_again() {
    let events = chain(2, "a");
    let mut book = ChainBook::new(100);
    book.committed(&gw(), events[0].head());
    book.forget(&gw());
    assert!(!book.knows(&gw()));
    let admission = book
        .admit(
            &gw(),
            events[1..].to_vec(),
            now(),
            || Ok::<_, Infallible>(Some(events[1].head())),
            |e| Ok(e.hash() == events[1].hash()),
        )
        .unwrap();
    assert!(admission.accepted.is_empty());
    assert_eq!(admission.replays, 1);
}

#[test]
fn held_events_freed_by_the_store_head_come_without_a_new_event() {
    let events = chain(3, "a");
    let mut book = ChainBook::new(100);
    let ahead = admit(&mut book, &events[2..], &[]);
    assert!(ahead.accepted.is_empty());
    let freed = book
        .admit(
            &gw(),
            Vec::new(),
            now(),
            || Ok::<_, Infallible>(Some(events[1].head())),
            |_| Ok(false),
        )
        .unwrap();
    assert_eq!(seqs(&freed.accepted), [3]);
    assert_eq!(freed.head, Some(events[2].head()));
}
