//! TLS on the embedded broker's listener (rustls, the provider rumqttc already links).

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

use super::{BrokerError, TlsIdentity};

/// An acceptor for this certificate chain and key.
pub(super) fn acceptor(identity: &TlsIdentity) -> Result<TlsAcceptor, BrokerError> {
    let tls = |what: &str, e: &dyn std::fmt::Display| BrokerError::Tls(format!("{what}: {e}"));
    let certs = CertificateDer::pem_slice_iter(&identity.cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls("certificate file", &e))?;
    if certs.is_empty() {
        return Err(BrokerError::Tls(
            "certificate file: no PEM certificate in it".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&identity.key_pem).map_err(|e| tls("key file", &e))?;
    let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)
        .map_err(|e| tls("protocol versions", &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls("certificate and key", &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
