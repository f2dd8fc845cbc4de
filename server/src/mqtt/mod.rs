//! The MQTT side of the server: one client that takes gateway batches off the shared
//! subscription, hands them to [`Ingest`] in rounds, and publishes acks, the retained
//! recall list, and nothing else.
//!
//! Ingest runs on its own thread because a durable commit blocks; the event loop keeps
//! reading meanwhile, into a bounded channel, so a slow disk pushes back on the broker
//! rather than growing memory. Acks are published only after [`Ingest::process`]
//! returned, i.e. after the commit. The client uses a clean session and resubscribes on
//! every connection: anything lost in flight is still in a gateway's outbox, unacked.
//!
//! Whenever the events subscription is (re)made and after a failed commit, the server
//! announces every enrolled gateway's stored head as an ack (`announce_heads`):
//! what gateways published while nobody was subscribed, or in a round that was not
//! committed, is gone, and a gateway takes an ack that does not move while it has events
//! in flight as the cue to send them again, instead of waiting for its resend timeout.

mod url;

use std::sync::Arc;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};
use trace_proto::mqtt::{
    Ack, EVENTS_SHARED_SUBSCRIPTION, GatewayTopic, Payload, RECALLS_TOPIC, STATUS_FILTER,
    gateway_topic, parse_gateway_topic,
};

use crate::ingest::{Incoming, Ingest};
use crate::state::AppState;
use crate::store::Store;
pub use url::{BrokerUrl, BrokerUrlError};

/// Messages taken into one ingest round at most (each ≤ 10 KiB).
const MAX_ROUND: usize = 512;
/// How soon an idle ingest thread looks again at gaps (see `ingest_thread`).
const GAP_POLL: Duration = Duration::from_millis(20);
/// Messages buffered between the event loop and ingest.
const CHANNEL: usize = 4096;

/// Publishes what the server owes the gateways.
#[derive(Clone)]
pub struct Publisher {
    client: AsyncClient,
    /// Held while the recall list is read and queued, so that of two recalls issued at
    /// once the list queued last is read last and holds both: the retained message is
    /// replaced, never merged, so a stale list queued after a newer one would drop a recall.
    recalls: Arc<tokio::sync::Mutex<()>>,
}

impl Publisher {
    /// Replaces the retained recall list every gateway sees with the store's current one
    /// (also when empty: the list on the broker is this store's, not an earlier one's).
    pub async fn publish_recalls(&self, store: Arc<dyn Store>) -> anyhow::Result<()> {
        let _turn = self.recalls.lock().await;
        let list = tokio::task::spawn_blocking(move || crate::recall::list(&*store)).await??;
        let payload = Payload::RecallList(list).encode()?;
        self.client
            .publish(RECALLS_TOPIC, QoS::AtLeastOnce, true, payload)
            .await?;
        Ok(())
    }
}

/// Connects to the broker and starts the event loop and the ingest thread. Returns the
/// publisher at once, and a flag that turns true once the events subscription is in
/// place; connecting and reconnecting happen in the background.
pub fn start(
    options: MqttOptions,
    ingest: Ingest,
    state: Arc<AppState>,
) -> (Publisher, watch::Receiver<bool>) {
    let (client, event_loop) = AsyncClient::new(options, 1024);
    let (tx, rx) = mpsc::channel(CHANNEL);
    let (subscribed, subscribed_rx) = watch::channel(false);
    tokio::spawn(event_loop_task(
        event_loop,
        client.clone(),
        tx,
        state.clone(),
        subscribed,
    ));
    let handle = Handle::current();
    let ingest_client = client.clone();
    let spawned = std::thread::Builder::new()
        .name("ingest".into())
        .spawn(move || ingest_thread(ingest, rx, ingest_client, handle, state));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the ingest thread");
    }
    let recalls = Arc::default();
    (Publisher { client, recalls }, subscribed_rx)
}

async fn event_loop_task(
    mut event_loop: EventLoop,
    client: AsyncClient,
    tx: mpsc::Sender<Incoming>,
    state: Arc<AppState>,
    subscribed: watch::Sender<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    let mut announce = false;
    loop {
        match event_loop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                backoff = Duration::from_millis(100);
                tracing::info!("connected to the MQTT broker");
                subscribe(&client).await;
                announce = true;
            }
            Ok(Event::Incoming(Packet::SubAck(_))) => {
                subscribed.send_replace(true);
                if std::mem::take(&mut announce) {
                    // Its own task: publishing waits for the event loop this task drives.
                    tokio::spawn(announce_heads(client.clone(), state.store.clone()));
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let incoming = Incoming {
                    topic: publish.topic,
                    payload: publish.payload.to_vec(),
                };
                match parse_gateway_topic(&incoming.topic) {
                    Ok((gateway, GatewayTopic::Status)) => {
                        state.note_status(gateway, &incoming.payload)
                    }
                    _ => {
                        if tx.send(incoming).await.is_err() {
                            tracing::error!("ingest thread stopped; event loop ends");
                            return;
                        }
                    }
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "MQTT connection lost");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Publishes every enrolled gateway's stored head (0: none yet) as an ack.
async fn announce_heads(client: AsyncClient, store: Arc<dyn Store>) {
    let heads = tokio::task::spawn_blocking(move || {
        store
            .gateways()?
            .into_iter()
            .map(|gateway| {
                let seq = store.chain_head(&gateway.id)?.map_or(0, |head| head.seq);
                Ok(Ack {
                    gateway_id: gateway.id,
                    highest_contiguous_seq: seq,
                })
            })
            .collect::<Result<Vec<Ack>, crate::store::StoreError>>()
    })
    .await;
    let acks = match heads {
        Ok(Ok(acks)) => acks,
        Ok(Err(e)) => return tracing::warn!(error = %e, "heads not announced"),
        Err(e) => return tracing::warn!(error = %e, "heads not announced"),
    };
    for ack in acks {
        publish_ack(&client, ack).await;
    }
}

/// Publishes `ack` on its gateway's ack topic; a failure is logged (the gateway resends).
async fn publish_ack(client: &AsyncClient, ack: Ack) {
    let topic = gateway_topic(&ack.gateway_id, GatewayTopic::Ack);
    let published = match Payload::Ack(ack).encode() {
        Ok(payload) => client
            .publish(topic, QoS::AtLeastOnce, false, payload)
            .await
            .map_err(anyhow::Error::from),
        Err(e) => Err(e.into()),
    };
    if let Err(e) = published {
        tracing::warn!(error = %e, "ack not published; the gateway will resend");
    }
}

async fn subscribe(client: &AsyncClient) {
    for (filter, qos) in [
        (EVENTS_SHARED_SUBSCRIPTION, QoS::AtLeastOnce),
        (STATUS_FILTER, QoS::AtMostOnce),
    ] {
        if let Err(e) = client.subscribe(filter, qos).await {
            tracing::error!(filter, error = %e, "subscribe failed");
        }
    }
}

fn ingest_thread(
    mut ingest: Ingest,
    mut rx: mpsc::Receiver<Incoming>,
    client: AsyncClient,
    runtime: Handle,
    state: Arc<AppState>,
) {
    loop {
        // Events waiting behind a gap may be freed by another instance's commit, which no
        // message announces: look again soon.
        let idle = if ingest.gaps().is_empty() {
            Duration::from_secs(1)
        } else {
            GAP_POLL
        };
        let first = runtime.block_on(async { tokio::time::timeout(idle, rx.recv()).await });
        let messages = match first {
            Ok(None) => return,
            Err(_) if ingest.gaps().is_empty() => {
                state.note_gaps(ingest.gaps());
                continue;
            }
            // Idle with events waiting behind a gap: an empty round reloads those heads,
            // in case another instance sharing the store filled the gap (a store read per
            // waiting gateway; with one instance the gap is real and the read finds it).
            Err(_) => Vec::new(),
            Ok(Some(first)) => {
                let mut messages = vec![first];
                while messages.len() < MAX_ROUND {
                    match rx.try_recv() {
                        Ok(message) => messages.push(message),
                        Err(_) => break,
                    }
                }
                messages
            }
        };
        match ingest.process(messages) {
            Ok(outcome) => {
                for ack in outcome.acks {
                    runtime.block_on(publish_ack(&client, ack));
                }
            }
            Err(e) => {
                // Nothing of the round is acked: the gateways resend it once told the
                // heads. Wait before the next round so a full disk is not hammered.
                tracing::error!(error = %e, "commit failed; round not acked");
                std::thread::sleep(Duration::from_secs(1));
                runtime.block_on(announce_heads(client.clone(), state.store.clone()));
            }
        }
        state.note_gaps(ingest.gaps());
    }
}
