//! Ingest throughput: signed events through the embedded MQTT broker, verified, chained
//! and durably stored, measured from the first publish to the last gateway's final ack.
//!
//! `cargo bench -p trace-server --bench ingest [-- EVENTS GATEWAYS]`
//! (defaults: 200000 events over 8 gateways). Also prints the batch-verify rate alone on
//! this machine, the ceiling ingest cannot pass. Run without `--bench` (as `cargo test
//! --all-targets` does) it ingests 2000 events once, to prove it works.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use trace_proto::event::{
    Action, BizStep, Event as TraceEvent, EventKind, EventTime, Location, ObjectEvent,
    TimeZoneOffset,
};
use trace_proto::mqtt::{GatewayTopic, Payload, gateway_topic, payload_budget, split_batch};
use trace_proto::signed::{EventHash, GatewayId, SignedEvent, SigningKey, verify_batch};
use trace_server::auth::Auth;
use trace_server::config::{BrokerChoice, Settings};
use trace_server::registry::{self, Enrollment};

fn chain(gateway: usize, count: usize) -> (GatewayId, SigningKey, Vec<SignedEvent>) {
    let key = SigningKey::from_bytes(&[gateway as u8 + 1; 32]);
    let id = GatewayId::new(&format!("bench-{gateway}")).unwrap();
    let mut prev = EventHash::ZERO;
    let events = (1..=count as u64)
        .map(|seq| {
            let kind = EventKind::Object(ObjectEvent {
                action: Action::Observe,
                epc_list: vec![format!("urn:epc:id:sgtin:0614141.812345.{gateway}{seq:08}")],
                quantity_list: vec![],
                ilmd: None,
            });
            let time = EventTime::from_unix_millis(1_790_000_000_000 + seq as i64).unwrap();
            let mut event = TraceEvent::new(kind, time, TimeZoneOffset::from_minutes(60).unwrap());
            event.biz_step = Some(BizStep::Receiving);
            event.read_point = Some(Location {
                id: format!("urn:epc:id:sgln:0614141.00001.{gateway}"),
                extensions: vec![],
            });
            let signed = SignedEvent::sign(&key, id.clone(), seq, prev, event).unwrap();
            prev = signed.hash();
            signed
        })
        .collect();
    (id, key, events)
}

fn verify_rate(events: &[SignedEvent], key: &SigningKey) -> f64 {
    let verifying = key.verifying_key();
    let items: Vec<_> = events.iter().map(|e| (e, &verifying)).collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let start = Instant::now();
    std::thread::scope(|s| {
        for part in items.chunks(items.len().div_ceil(threads)) {
            s.spawn(move || verify_batch(part).unwrap());
        }
    });
    items.len() as f64 / start.elapsed().as_secs_f64()
}

async fn gateway(port: u16, id: GatewayId, events: Vec<SignedEvent>) -> Duration {
    let mut options = MqttOptions::new(format!("client-{}", id.as_str()), "127.0.0.1", port);
    options
        .set_max_packet_size(16 << 20, 16 << 20)
        .set_inflight(200);
    let (client, mut event_loop) = AsyncClient::new(options, 4096);
    // A loaded machine (CI runs this once in debug beside other work) may take longer than
    // rumqttc's 5 s to connect: wait longer, and only start the clock once subscribed.
    event_loop.network_options.set_connection_timeout(60);
    client
        .subscribe(gateway_topic(&id, GatewayTopic::Ack), QoS::AtLeastOnce)
        .await
        .unwrap();
    loop {
        match event_loop.poll().await {
            Ok(Event::Incoming(Packet::SubAck(_))) => break,
            Ok(_) => {}
            Err(e) => panic!("gateway {} cannot connect: {e}", id.as_str()),
        }
    }
    let topic = gateway_topic(&id, GatewayTopic::Events);
    let last = events.last().unwrap().seq();
    let batches = split_batch(&events, payload_budget(&topic)).unwrap();
    let start = Instant::now();
    let publisher = client.clone();
    tokio::spawn(async move {
        for batch in batches {
            let payload = Payload::EventBatch(batch).encode().unwrap();
            publisher
                .publish(topic.clone(), QoS::AtLeastOnce, false, payload)
                .await
                .unwrap();
        }
    });
    loop {
        let event = event_loop
            .poll()
            .await
            .unwrap_or_else(|e| panic!("gateway {} lost the broker: {e}", id.as_str()));
        if let Event::Incoming(Packet::Publish(p)) = event
            && let Ok(Payload::Ack(ack)) = Payload::decode(&p.payload)
            && ack.highest_contiguous_seq >= last
        {
            return start.elapsed();
        }
    }
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let total = args
        .first()
        .copied()
        .unwrap_or(if measuring { 200_000 } else { 2_000 });
    let gateways = args.get(1).copied().unwrap_or(8);
    let per_gateway = total / gateways;
    let chains: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..gateways)
            .map(|g| s.spawn(move || chain(g, per_gateway)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    println!(
        "batch verify alone: {:.0} events/s",
        verify_rate(&chains[0].2, &chains[0].1)
    );

    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let settings = Settings {
            data: dir.path().join("data"),
            store: None,
            http: "127.0.0.1:0".parse().unwrap(),
            broker: BrokerChoice::Embedded("127.0.0.1:0".parse().unwrap()),
            broker_security: Default::default(),
            gap_timeout: Duration::from_secs(60),
            auth: Auth::default(),
            prefixes: trace_proto::company_prefix::PrefixTable::default(),
            rate_limits: trace_server::rate_limit::RateLimits::default(),
        };
        let running = trace_server::serve::start(settings).await.unwrap();
        let port = running.mqtt.unwrap().port();
        for (id, key, _) in &chains {
            let enrollment = Enrollment {
                id: id.as_str().to_owned(),
                public_key: hex::encode(key.verifying_key().to_bytes()),
                party: None,
                site: None,
                description: String::new(),
            };
            registry::enroll(&*running.state.store, &enrollment).unwrap();
        }
        let start = Instant::now();
        let tasks: Vec<_> = chains
            .into_iter()
            .map(|(id, _, events)| tokio::spawn(gateway(port, id, events)))
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let elapsed = start.elapsed();
        let stored = running.state.store.stats().unwrap().events;
        assert_eq!(stored, (per_gateway * gateways) as u64);
        println!(
            "ingest: {stored} events from {gateways} gateways in {:.2} s = {:.0} events/s \
             (verified, chained, durably stored, acked)",
            elapsed.as_secs_f64(),
            stored as f64 / elapsed.as_secs_f64()
        );
    });
}
