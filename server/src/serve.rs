//! `trace-server serve`: the store, the broker (embedded or external), ingest, and the
//! HTTP API wired together.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{BrokerChoice, Settings};
use crate::ingest::Ingest;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::pg_store::PgStore;
use crate::store::redb_store::RedbStore;
use crate::store::{Store, StoreError};

/// A started server.
pub struct Running {
    /// Where HTTP listens.
    pub http: SocketAddr,
    /// Where the embedded broker listens, if embedded.
    pub mqtt: Option<SocketAddr>,
    /// Whether the embedded broker speaks TLS.
    pub mqtt_tls: bool,
    /// The shared state.
    pub state: Arc<AppState>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Serves until the HTTP server stops (it does not on its own).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.server.await.context("HTTP server task")??;
        Ok(())
    }
}

/// Opens the store, starts the broker (when embedded), ingest and HTTP. Must run inside
/// a multi-threaded tokio runtime.
pub async fn start(settings: Settings) -> anyhow::Result<Running> {
    std::fs::create_dir_all(&settings.data)
        .with_context(|| format!("creating data folder {}", settings.data.display()))?;
    let store: Arc<dyn Store> = match &settings.store {
        Some(url) => Arc::new(PgStore::open(url).context("opening the PostgreSQL store")?),
        None => {
            Arc::new(RedbStore::open(&settings.data).map_err(|e| store_refused(&settings.data, e))?)
        }
    };
    let metrics = Arc::new(Metrics::default());
    let state = Arc::new(
        AppState::new(
            store.clone(),
            metrics.clone(),
            settings.auth,
            settings.prefixes,
            settings.gap_timeout,
        )
        .with_rate_limits(&settings.rate_limits),
    );

    let (options, mqtt, mqtt_tls) = match settings.broker {
        BrokerChoice::Embedded(listen) => {
            let (internal, public, tls) = embedded_broker(
                listen,
                &settings.broker_security,
                metrics.clone(),
                store.clone(),
            )
            .await?;
            (internal.options(&client_id(), None)?, Some(public), tls)
        }
        BrokerChoice::External { url, ca } => {
            (url.options(&client_id(), ca.as_deref())?, None, false)
        }
    };
    let (publisher, mut subscribed) =
        crate::mqtt::start(options, Ingest::new(store.clone(), metrics), state.clone());
    // Ready means ingesting: wait for the subscription, but serve HTTP regardless if the
    // broker is away (the client keeps retrying).
    let wait = subscribed.wait_for(|s| *s);
    if tokio::time::timeout(std::time::Duration::from_secs(10), wait)
        .await
        .is_err()
    {
        tracing::warn!("not subscribed to the broker yet; serving HTTP meanwhile");
    }
    {
        let (publisher, store) = (publisher.clone(), store.clone());
        tokio::spawn(async move {
            if let Err(e) = publisher.publish_recalls(store).await {
                tracing::error!(error = %e, "recall list not published at start-up");
            }
        });
    }
    let _ = state.publisher.set(publisher);

    let listener = TcpListener::bind(settings.http)
        .await
        .with_context(|| format!("HTTP cannot listen on {}", settings.http))?;
    let http = listener.local_addr()?;
    let app = crate::http::router(state.clone());
    // The peer address is what rate limits key on.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    tracing::info!(%http, "HTTP API listening");
    Ok(Running {
        http,
        mqtt,
        mqtt_tls,
        state,
        server,
    })
}

/// Why the redb store did not open. A damaged file is never served (wrong answers
/// would be worse than none): the message names the file and what to do.
fn store_refused(data: &Path, error: StoreError) -> anyhow::Error {
    match error {
        StoreError::Corrupt { .. } => anyhow::anyhow!(
            "{error}\nrefusing to serve a damaged store: restore {} from a backup, or move it \
             aside to start empty (gateways then resend only events not yet acknowledged)",
            data.join(crate::store::redb_store::FILE_NAME).display()
        ),
        other => {
            anyhow::Error::new(other).context(format!("opening the store in {}", data.display()))
        }
    }
}

/// Starts the embedded broker: the internal URL for the server's client, the address
/// clients connect to, and whether they use TLS.
#[cfg(feature = "embedded-broker")]
async fn embedded_broker(
    listen: SocketAddr,
    security: &crate::broker::BrokerSecurity,
    metrics: Arc<Metrics>,
    store: Arc<dyn Store>,
) -> anyhow::Result<(crate::mqtt::BrokerUrl, SocketAddr, bool)> {
    let embedded = crate::broker::start(listen, security, metrics, store).await?;
    Ok((embedded.internal, embedded.public, embedded.tls))
}

#[cfg(not(feature = "embedded-broker"))]
async fn embedded_broker(
    _listen: SocketAddr,
    _security: &crate::broker::BrokerSecurity,
    _metrics: Arc<Metrics>,
    _store: Arc<dyn Store>,
) -> anyhow::Result<(crate::mqtt::BrokerUrl, SocketAddr, bool)> {
    anyhow::bail!("this build has no embedded broker (feature embedded-broker): give --mqtt URL")
}

/// Unique per process, so several instances share a subscription group without
/// taking over each other's session.
fn client_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("trace-server-{}-{nanos:08x}", std::process::id())
}
