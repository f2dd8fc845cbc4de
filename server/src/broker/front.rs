//! The authorising front: the thin tokio adapter around [`super::frame`] and
//! [`super::acl`]. One task per client; the client's packets are checked one by one on
//! their way to rumqttd, rumqttd's bytes go back unchanged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use super::acl::{Principal, Users};
use super::frame::{self, ConnackCode, Connect, FrameError, Framer, Packet};
use super::{BrokerError, BrokerSecurity, MAX_PACKET};
use crate::metrics::Metrics;
use crate::mqtt::BrokerUrl;
use crate::store::Store;

/// Time a client has for the TLS handshake and its CONNECT.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);
/// The internal login's user name.
const INTERNAL_USER: &str = "trace-internal";

/// A running embedded broker.
#[derive(Debug)]
pub struct Embedded {
    /// Where clients connect.
    pub public: SocketAddr,
    /// Whether they connect with TLS.
    pub tls: bool,
    /// The loopback broker with the internal login, for the server's own client.
    pub internal: BrokerUrl,
}

/// Starts rumqttd on loopback and the front on `listen` (port 0: a free port). Must run
/// inside a tokio runtime.
pub async fn start(
    listen: SocketAddr,
    security: &BrokerSecurity,
    metrics: Arc<Metrics>,
    store: Arc<dyn Store>,
) -> Result<Embedded, BrokerError> {
    let users = Users::from_entries(&security.users)?;
    if users.is_empty() && !listen.ip().is_loopback() {
        return Err(BrokerError::OpenOnNetwork(listen));
    }
    let tls = security
        .tls
        .as_ref()
        .map(super::tls::acceptor)
        .transpose()?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| BrokerError::Bind {
            addr: listen,
            source,
        })?;
    let public = listener.local_addr().map_err(|source| BrokerError::Bind {
        addr: listen,
        source,
    })?;
    let password = internal_password()?;
    let inner = {
        let password = password.clone();
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        tokio::task::spawn_blocking(move || super::inner::start(loopback, INTERNAL_USER, &password))
            .await
            .map_err(|_| BrokerError::NotListening(loopback))??
    };
    let internal = BrokerUrl {
        host: inner.ip().to_string(),
        port: inner.port(),
        tls: false,
        credentials: Some((INTERNAL_USER.to_owned(), password.clone())),
    };
    let front = Arc::new(Front {
        users,
        inner,
        password: password.into_bytes(),
        tls: tls.clone(),
        metrics,
        store,
    });
    tokio::spawn(accept_loop(listener, front));
    tracing::info!(%public, tls = tls.is_some(), "embedded MQTT broker listening");
    Ok(Embedded {
        public,
        tls: tls.is_some(),
        internal,
    })
}

fn internal_password() -> Result<String, BrokerError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| BrokerError::Tls(format!("no randomness for the internal login: {e}")))?;
    Ok(hex::encode(bytes))
}

struct Front {
    users: Users,
    inner: SocketAddr,
    password: Vec<u8>,
    tls: Option<TlsAcceptor>,
    metrics: Arc<Metrics>,
    store: Arc<dyn Store>,
}

/// Why a client's connection ended early.
#[derive(Debug, thiserror::Error)]
enum SessionError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("malformed packet: {0}")]
    Frame(#[from] FrameError),
    #[error("no CONNECT within {LOGIN_TIMEOUT:?}")]
    Timeout,
    #[error("first packet is not CONNECT")]
    NotConnect,
    #[error("second CONNECT")]
    SecondConnect,
    #[error("{user} may not {action} {topic:?}")]
    Denied {
        user: String,
        action: &'static str,
        topic: String,
    },
}

async fn accept_loop(listener: TcpListener, front: Arc<Front>) {
    loop {
        match listener.accept().await {
            Ok((tcp, peer)) => {
                let front = front.clone();
                tokio::spawn(async move { front.connection(tcp, peer).await });
            }
            Err(e) => {
                // Out of file descriptors, typically: wait rather than spin.
                tracing::warn!(error = %e, "embedded MQTT broker cannot accept");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

impl Front {
    async fn connection(&self, tcp: TcpStream, peer: SocketAddr) {
        let _ = tcp.set_nodelay(true);
        let result = match &self.tls {
            Some(acceptor) => match tokio::time::timeout(LOGIN_TIMEOUT, acceptor.accept(tcp)).await
            {
                Ok(Ok(stream)) => self.session(stream).await,
                Ok(Err(e)) => Err(e.into()),
                Err(_) => Err(SessionError::Timeout),
            },
            None => self.session(tcp).await,
        };
        match result {
            Ok(()) => {}
            Err(e @ SessionError::Denied { .. }) => {
                Metrics::add(&self.metrics.mqtt_denied, 1);
                tracing::warn!(%peer, "MQTT client disconnected: {e}");
            }
            Err(e) => tracing::info!(%peer, "MQTT client dropped: {e}"),
        }
    }

    async fn session<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        mut client: S,
    ) -> Result<(), SessionError> {
        let mut framer = Framer::new(MAX_PACKET);
        let first = tokio::time::timeout(LOGIN_TIMEOUT, next_packet(&mut client, &mut framer))
            .await
            .map_err(|_| SessionError::Timeout)??;
        let connect = match frame::parse(&first) {
            Ok(Packet::Connect(connect)) => connect,
            Ok(_) => return Err(SessionError::NotConnect),
            Err(e @ FrameError::Protocol { .. }) => {
                client
                    .write_all(&frame::connack(ConnackCode::UnacceptableProtocol))
                    .await?;
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        let principal = match self.authorise(&connect).await {
            Ok(principal) => principal,
            Err((code, why)) => {
                Metrics::add(&self.metrics.mqtt_logins_refused, 1);
                tracing::warn!(
                    user = connect.username.as_deref().unwrap_or(""),
                    client_id = connect.client_id,
                    "MQTT login refused: {why}"
                );
                client.write_all(&frame::connack(code)).await?;
                return Ok(());
            }
        };
        let broker = TcpStream::connect(self.inner).await?;
        let _ = broker.set_nodelay(true);
        let (mut from_broker, mut to_broker) = broker.into_split();
        let inner_connect = Connect {
            username: Some(INTERNAL_USER.to_owned()),
            password: Some(self.password.clone()),
            ..connect
        };
        to_broker.write_all(&inner_connect.encode()).await?;
        let (mut from_client, mut to_client) = tokio::io::split(client);
        tokio::select! {
            result = tokio::io::copy(&mut from_broker, &mut to_client) => {
                result.map(drop).map_err(SessionError::from)
            }
            result = forward(&principal, framer, &mut from_client, &mut to_broker) => result,
        }
    }

    /// The principal for a CONNECT, or the CONNACK code refusing it and why.
    async fn authorise(&self, connect: &Connect) -> Result<Principal, (ConnackCode, &'static str)> {
        let refuse = |why| (ConnackCode::NotAuthorised, why);
        let principal = self
            .users
            .login(connect.username.as_deref(), connect.password.as_deref())
            .ok_or(refuse("unknown user or wrong password"))?;
        if !principal.may_use_client_id(&connect.client_id) {
            return Err(refuse("a gateway's client id must be its gateway id"));
        }
        if let Some(will) = &connect.will
            && !principal.may_publish(&will.topic)
        {
            return Err(refuse("last will on a topic it may not publish"));
        }
        if let Principal::Gateway(id) = &principal {
            let (store, id) = (self.store.clone(), id.clone());
            let record = tokio::task::spawn_blocking(move || store.gateway(&id)).await;
            match record {
                Ok(Ok(Some(record))) if record.revoked.is_some() => {
                    return Err(refuse("the gateway is revoked"));
                }
                Ok(Ok(_)) => {}
                _ => return Err((ConnackCode::ServerUnavailable, "the registry is unreadable")),
            }
        }
        Ok(principal)
    }
}

/// Reads until the framer holds a whole packet.
async fn next_packet<S: AsyncRead + Unpin>(
    client: &mut S,
    framer: &mut Framer,
) -> Result<Vec<u8>, SessionError> {
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(packet) = framer.next_packet()? {
            return Ok(packet);
        }
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        framer.push(&buffer[..n]);
    }
}

/// Forwards the client's packets to rumqttd until the client leaves or oversteps.
async fn forward<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    principal: &Principal,
    mut framer: Framer,
    from_client: &mut R,
    to_broker: &mut W,
) -> Result<(), SessionError> {
    let denied = |action, topic: &str| SessionError::Denied {
        user: principal.name().to_owned(),
        action,
        topic: topic.to_owned(),
    };
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        while let Some(packet) = framer.next_packet()? {
            match frame::parse(&packet)? {
                Packet::Publish { topic } if !principal.may_publish(topic) => {
                    return Err(denied("publish to", topic));
                }
                Packet::Subscribe { filters } => {
                    if let Some(filter) = filters.iter().find(|f| !principal.may_subscribe(f)) {
                        return Err(denied("subscribe to", filter));
                    }
                }
                Packet::Connect(_) => return Err(SessionError::SecondConnect),
                Packet::Publish { .. } | Packet::Other => {}
            }
            to_broker.write_all(&packet).await?;
        }
        let n = from_client.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        framer.push(&buffer[..n]);
    }
}
