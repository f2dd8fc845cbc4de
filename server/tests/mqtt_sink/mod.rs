//! A scenario [`Sink`] that goes through a running server the way gateways do: enrolment
//! over HTTP, signed batches over MQTT, each batch's ack awaited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use serde_json::json;
use trace_proto::signed::{ChainHead, GatewayId, SignedEvent};
use trace_server::store::GatewayRecord;

use crate::harness::{ADMIN, Link, Server};
use crate::support::Sink;

/// Enrols over HTTP and publishes over MQTT, waiting for each batch's ack.
pub struct MqttSink<'a> {
    server: &'a Server,
    links: HashMap<GatewayId, Link>,
}

impl<'a> MqttSink<'a> {
    /// A sink into `server`, which must run an embedded broker.
    pub fn new(server: &'a Server) -> Self {
        Self {
            server,
            links: HashMap::new(),
        }
    }
}

impl Sink for MqttSink<'_> {
    fn enroll(&mut self, record: &GatewayRecord) {
        let body = json!({
            "id": record.id.as_str(),
            "public_key": hex::encode(record.keys[0].public_key),
            "party": record.party,
            "description": record.description,
        });
        let (status, answer) = self.server.post("/api/v1/gateways", Some(ADMIN), &body);
        assert_eq!(status, 201, "{answer}");
        let link = Link::connect(self.server.mqtt_port.unwrap(), &record.id);
        self.links.insert(record.id.clone(), link);
    }

    fn deliver(&mut self, events: &[SignedEvent], head: ChainHead) {
        let link = self.links.get_mut(events[0].gateway_id()).unwrap();
        link.publish(events);
        assert_eq!(link.wait_ack(head.seq), head.seq);
    }
}
