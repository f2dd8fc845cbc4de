//! The MQTT side: publish the outbox to the server, take its acks, keep the retained
//! status and the recall list current (rumqttc 0.25, blocking client, QoS 1).
//!
//! rumqttc's known behaviour (design.md, "Transport") shapes this module:
//! - with a clean session, publishes queued or in flight when the connection drops are
//!   discarded on reconnect, so the publisher starts over from the server's ack after
//!   every (re)connect, and also when acks stall for [`UplinkTuning::resend_after`];
//!   the server drops what it already has (a seq at or below its chain head);
//! - it has no reconnect back-off, so the connection thread sleeps on errors, doubling
//!   up to [`UplinkTuning::max_backoff`];
//! - subscriptions die with a clean session, so they are made again on every connect;
//! - its default maximum packet size (10 KiB) is too small for the retained recall
//!   list, so incoming packets may be up to [`MAX_INCOMING_PACKET`].
//!
//! Two threads: the connection thread drives rumqttc's event loop and handles what
//! arrives (acks, recalls); the publisher thread is the only one that sends, so the
//! event loop never waits on a thread that waits on it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use rumqttc::{Client, Connection, Event, LastWill, MqttOptions, Packet, QoS, Transport};
use trace_proto::event::EventTime;
use trace_proto::mqtt::{GatewayTopic, Payload, Presence, RECALLS_TOPIC, gateway_topic};
use trace_proto::signed::GatewayId;

use crate::config::BrokerConfig;
use crate::outbox::Outbox;
use crate::recall::RecallSet;
use crate::status::StatusBoard;

/// Largest packet accepted from the broker (the retained recall list can be large).
pub const MAX_INCOMING_PACKET: usize = 16 * 1024 * 1024;

/// Timings of the uplink; [`Default`] is for production.
#[derive(Debug, Clone, Copy)]
pub struct UplinkTuning {
    /// First pause after a connection error.
    pub min_backoff: Duration,
    /// Longest pause after repeated errors.
    pub max_backoff: Duration,
    /// Without ack progress for this long, unacked events are sent again.
    pub resend_after: Duration,
    /// Events sent but not yet acked, at most.
    pub window: u64,
    /// Interval of the retained status.
    pub status_every: Duration,
    /// MQTT keep-alive.
    pub keep_alive: Duration,
}

impl Default for UplinkTuning {
    fn default() -> Self {
        Self {
            min_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            resend_after: Duration::from_secs(30),
            window: 2000,
            status_every: Duration::from_secs(10),
            keep_alive: Duration::from_secs(30),
        }
    }
}

/// Why the uplink cannot start.
#[derive(Debug, thiserror::Error)]
pub enum UplinkError {
    /// The CA file cannot be read.
    #[error("broker CA file {path}: {source}")]
    Ca {
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A status payload does not encode.
    #[error("status payload: {0}")]
    Encode(#[from] trace_proto::mqtt::MqttError),
}

/// What the uplink shares with the rest of the gateway.
#[derive(Clone)]
pub struct Shared {
    /// The gateway.
    pub gateway_id: GatewayId,
    /// The outbox it drains.
    pub outbox: Arc<dyn Outbox>,
    /// Health board, also published.
    pub status: Arc<StatusBoard>,
    /// The recall list it keeps current.
    pub recalls: Arc<RwLock<RecallSet>>,
    /// Where the last recall list is kept, so a restarted gateway flags recalled units
    /// before the broker delivers the list again.
    pub recall_file: Option<std::path::PathBuf>,
}

/// The running uplink.
pub struct Uplink {
    stop: Arc<AtomicBool>,
    publisher: Option<JoinHandle<()>>,
    connection: Option<JoinHandle<()>>,
}

impl Uplink {
    /// Connects to `broker` and starts both threads.
    pub fn start(
        broker: &BrokerConfig,
        shared: Shared,
        tuning: UplinkTuning,
    ) -> Result<Self, UplinkError> {
        let status_topic = gateway_topic(&shared.gateway_id, GatewayTopic::Status);
        let will = Payload::Status(shared.status.mqtt_status(
            &shared.gateway_id,
            Presence::Offline,
            shared.outbox.as_ref(),
            EventTime::now(),
        ))
        .encode()?;
        let mut options = MqttOptions::new(shared.gateway_id.as_str(), &broker.host, broker.port);
        options
            .set_keep_alive(tuning.keep_alive)
            .set_clean_session(true)
            .set_max_packet_size(MAX_INCOMING_PACKET, MAX_INCOMING_PACKET)
            .set_request_channel_capacity(256)
            .set_last_will(LastWill::new(status_topic, will, QoS::AtLeastOnce, true));
        if let (Some(user), Some(password)) = (&broker.username, &broker.password) {
            options.set_credentials(user, password);
        }
        if let Some(path) = &broker.ca_file {
            let ca = std::fs::read(path).map_err(|source| UplinkError::Ca {
                path: path.clone(),
                source,
            })?;
            options.set_transport(Transport::tls(ca, None, None));
        }
        let (client, connection) = Client::new(options, 256);
        let stop = Arc::new(AtomicBool::new(false));
        let epoch = Arc::new(AtomicU64::new(0));
        let connection = {
            let (shared, stop, epoch) = (shared.clone(), stop.clone(), epoch.clone());
            std::thread::Builder::new()
                .name("mqtt-connection".into())
                .spawn(move || run_connection(connection, &shared, &stop, &epoch, tuning))
        };
        let publisher = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("mqtt-publisher".into())
                .spawn(move || Publisher::new(client, shared, epoch, tuning).run(&stop))
        };
        Ok(Self {
            stop,
            publisher: publisher.ok(),
            connection: connection.ok(),
        })
    }

    /// Publishes the offline status, disconnects and waits for both threads.
    pub fn shutdown(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for handle in [self.publisher.take(), self.connection.take()]
            .into_iter()
            .flatten()
        {
            if handle.join().is_err() {
                tracing::error!("an MQTT thread panicked");
            }
        }
    }
}

fn run_connection(
    mut connection: Connection,
    shared: &Shared,
    stop: &AtomicBool,
    epoch: &AtomicU64,
    tuning: UplinkTuning,
) {
    let ack_topic = gateway_topic(&shared.gateway_id, GatewayTopic::Ack);
    let mut backoff = tuning.min_backoff;
    for notification in connection.iter() {
        match notification {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!("connected to the broker");
                backoff = tuning.min_backoff;
                shared.status.set_connected(true);
                epoch.fetch_add(1, Ordering::SeqCst);
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                if publish.topic == ack_topic {
                    on_ack(shared, &publish.payload);
                } else if publish.topic == RECALLS_TOPIC {
                    on_recalls(shared, &publish.payload);
                }
            }
            Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) if stop.load(Ordering::SeqCst) => {
                break;
            }
            Ok(_) => {}
            Err(e) => {
                shared.status.set_connected(false);
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                tracing::warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "broker connection lost; retrying");
                crate::input::sleep_unless_stopped(stop, backoff);
                backoff = (backoff * 2).min(tuning.max_backoff);
            }
        }
    }
}

fn on_ack(shared: &Shared, payload: &[u8]) {
    match Payload::decode(payload) {
        Ok(Payload::Ack(ack)) if ack.gateway_id == shared.gateway_id => {
            match shared.outbox.ack(ack.highest_contiguous_seq) {
                Ok(removed) => {
                    tracing::debug!(seq = ack.highest_contiguous_seq, removed, "server ack");
                    shared.status.acked(EventTime::now());
                }
                Err(e) => tracing::error!(error = %e, "outbox ack failed"),
            }
        }
        Ok(_) => tracing::warn!("ack topic carried another gateway's ack or another payload"),
        Err(e) => tracing::warn!(error = %e, "undecodable ack"),
    }
}

fn on_recalls(shared: &Shared, payload: &[u8]) {
    match Payload::decode(payload) {
        Ok(Payload::RecallList(list)) => {
            let set = RecallSet::from_list(&list);
            tracing::info!(
                recalls = list.recalls.len(),
                identifiers = set.len(),
                "recall list updated"
            );
            shared.status.set_recall_identifiers(set.len());
            if let Ok(mut current) = shared.recalls.write() {
                *current = set;
            }
            if let Some(path) = &shared.recall_file
                && let Err(e) = crate::recall::save(path, payload)
            {
                tracing::warn!(path = %path.display(), error = %e, "cannot keep the recall list");
            }
        }
        Ok(_) => tracing::warn!("recall topic carried another payload kind"),
        Err(e) => tracing::warn!(error = %e, "undecodable recall list"),
    }
}

mod publisher;
use publisher::Publisher;
