//! The MQTT side: publish the outbox to the server, take its acks, keep the retained
//! status and the recall list current (rumqttc 0.25, blocking client, QoS 1).
//!
//! rumqttc's known behaviour (design.md, "Transport") shapes this module:
//! - with a clean session, publishes queued or in flight when the connection drops are
//!   discarded on reconnect, so the publisher starts over from the server's ack after
//!   every (re)connect, and also when acks stall for [`UplinkTuning::resend_after`];
//!   the server drops what it already has (a seq at or below its chain head);
//! - an ack that does not move while events are in flight means the server lacks them
//!   (it was not subscribed when they passed the broker, a commit failed, or it holds
//!   later events behind a gap; a server announces its heads whenever it subscribes):
//!   the publisher starts over from the ack once acks have not moved for
//!   [`UplinkTuning::stale_ack_resend`], rather than waiting out `resend_after`;
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
    /// After an ack that did not move while events were in flight, unacked events are
    /// sent again once acks have not moved for this long.
    pub stale_ack_resend: Duration,
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
            stale_ack_resend: Duration::from_secs(1),
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
        let signals = Signals::default();
        let connection = {
            let (shared, stop, signals) = (shared.clone(), stop.clone(), signals.clone());
            std::thread::Builder::new()
                .name("mqtt-connection".into())
                .spawn(move || run_connection(connection, &shared, &stop, &signals, tuning))
        };
        let publisher = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("mqtt-publisher".into())
                .spawn(move || Publisher::new(client, shared, signals, tuning).run(&stop))
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

/// What the connection thread tells the publisher, as counters it compares with the
/// values it last saw.
#[derive(Clone, Default)]
struct Signals {
    /// Connections made (ConnAcks).
    epoch: Arc<AtomicU64>,
    /// Acks that did not move the outbox's ack.
    stale_acks: Arc<AtomicU64>,
}

fn run_connection(
    mut connection: Connection,
    shared: &Shared,
    stop: &AtomicBool,
    signals: &Signals,
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
                signals.epoch.fetch_add(1, Ordering::SeqCst);
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                if publish.topic == ack_topic {
                    on_ack(shared, &publish.payload, &signals.stale_acks);
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

fn on_ack(shared: &Shared, payload: &[u8], stale_acks: &AtomicU64) {
    match Payload::decode(payload) {
        Ok(Payload::Ack(ack)) if ack.gateway_id == shared.gateway_id => {
            if ack.highest_contiguous_seq <= shared.outbox.acked() {
                stale_acks.fetch_add(1, Ordering::SeqCst);
            }
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
