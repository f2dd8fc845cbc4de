//! Broker addresses as users write them: `mqtt://user:pass@host:1883`, `mqtts://host`.

use std::time::Duration;

use rumqttc::{MqttOptions, Transport};

/// A broker address that does not parse. The address it names has its password
/// replaced by `***`, so the error can be logged.
#[derive(Debug, thiserror::Error)]
pub enum BrokerUrlError {
    /// Not a URL.
    #[error("broker URL {url:?}: {source}")]
    Syntax {
        /// The text.
        url: String,
        /// Why.
        source: url::ParseError,
    },
    /// Not mqtt:// or mqtts://.
    #[error("broker URL {0:?}: the scheme must be mqtt:// (or tcp://) or mqtts:// (or ssl://)")]
    Scheme(String),
    /// No host.
    #[error("broker URL {0:?} names no host")]
    NoHost(String),
    /// A user name or password that is not valid percent-encoded UTF-8.
    #[error("broker URL {0:?}: the user name or password is not valid UTF-8")]
    Credentials(String),
    /// mqtts:// without a CA certificate.
    #[error("broker URL {0:?} uses TLS: give the broker's CA certificate (PEM) with --mqtt-ca")]
    NoCa(String),
}

/// A parsed broker address.
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// Host name or address.
    pub host: String,
    /// Port (1883 for mqtt://, 8883 for mqtts:// unless given).
    pub port: u16,
    /// Whether to speak TLS.
    pub tls: bool,
    /// User name and password, if any.
    pub credentials: Option<(String, String)>,
}

// The password must never reach a log line.
impl std::fmt::Debug for BrokerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        let user = self.credentials.as_ref().map_or("", |(u, _)| u.as_str());
        write!(f, "{scheme}://{user}@{}:{}", self.host, self.port)
    }
}

impl BrokerUrl {
    /// Parses `mqtt://[user[:password]@]host[:port]` (or `mqtts://`, `tcp://`, `ssl://`).
    pub fn parse(text: &str) -> Result<Self, BrokerUrlError> {
        let url = url::Url::parse(text).map_err(|source| BrokerUrlError::Syntax {
            url: redact(text),
            source,
        })?;
        let tls = match url.scheme() {
            "mqtt" | "tcp" => false,
            "mqtts" | "ssl" => true,
            _ => return Err(BrokerUrlError::Scheme(redact(text))),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| BrokerUrlError::NoHost(redact(text)))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode =
            |s: &str| percent_decode(s).ok_or_else(|| BrokerUrlError::Credentials(redact(text)));
        let credentials = match url.username() {
            "" => None,
            user => Some((decode(user)?, decode(url.password().unwrap_or(""))?)),
        };
        Ok(Self {
            host,
            port: url.port().unwrap_or(if tls { 8883 } else { 1883 }),
            tls,
            credentials,
        })
    }

    /// Client options for this broker. `ca` is the PEM CA certificate, required for TLS.
    pub fn options(
        &self,
        client_id: &str,
        ca: Option<&[u8]>,
    ) -> Result<MqttOptions, BrokerUrlError> {
        let mut options = MqttOptions::new(client_id, self.host.clone(), self.port);
        options
            .set_keep_alive(Duration::from_secs(15))
            .set_clean_session(true)
            // Recall lists are retained whole; a gateway batch stays under MAX_PACKET_SIZE.
            .set_max_packet_size(16 * 1024 * 1024, 16 * 1024 * 1024);
        if let Some((user, password)) = &self.credentials {
            options.set_credentials(user.clone(), password.clone());
        }
        if self.tls {
            let ca = ca.ok_or_else(|| BrokerUrlError::NoCa(format!("{self:?}")))?;
            options.set_transport(Transport::tls(ca.to_vec(), None, None));
        }
        Ok(options)
    }
}

/// `text` with the password of a `[scheme://]user:password@host…` address replaced by `***`,
/// whether or not the rest parses. The last `@` ends the credentials, as a password may
/// hold an unencoded `@`.
fn redact(text: &str) -> String {
    let Some(at) = text.rfind('@') else {
        return text.to_owned();
    };
    let start = text[..at].find("://").map_or(0, |i| i + 3);
    match text[start..at].find(':') {
        Some(colon) => format!("{}***{}", &text[..start + colon + 1], &text[at..]),
        None => text.to_owned(),
    }
}

fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_credentials_host_and_default_ports() {
        let url = BrokerUrl::parse("mqtt://gw%2D1:p%40ss@broker.example:1999").unwrap();
        assert_eq!(url.host, "broker.example");
        assert_eq!(url.port, 1999);
        assert!(!url.tls);
        assert_eq!(url.credentials, Some(("gw-1".into(), "p@ss".into())));
        assert_eq!(BrokerUrl::parse("mqtts://h").unwrap().port, 8883);
        assert_eq!(BrokerUrl::parse("tcp://h").unwrap().port, 1883);
        assert_eq!(BrokerUrl::parse("mqtt://[::1]:7").unwrap().host, "::1");
    }

    #[test]
    fn refuses_other_schemes_missing_hosts_and_tls_without_ca() {
        assert!(matches!(
            BrokerUrl::parse("http://h"),
            Err(BrokerUrlError::Scheme(_))
        ));
        assert!(matches!(
            BrokerUrl::parse("mqtt://"),
            Err(BrokerUrlError::NoHost(_))
        ));
        assert!(matches!(
            BrokerUrl::parse("broker:1883"),
            Err(BrokerUrlError::Scheme(_))
        ));
        let tls = BrokerUrl::parse("mqtts://h").unwrap();
        assert!(matches!(
            tls.options("c", None),
            Err(BrokerUrlError::NoCa(_))
        ));
    }

    #[test]
    fn debug_output_hides_the_password() {
        let url = BrokerUrl::parse("mqtt://u:secret@h").unwrap();
        assert!(!format!("{url:?}").contains("secret"));
    }

    #[test]
    fn errors_never_print_the_password() {
        for text in [
            "http://u:secret@h",
            "mqtt://u:secret@",
            "mqtt://u:secret@h:99999",
            "u:secret@h",
            "mqtt://u:se@cret@:1",
            "mqtt://u:%ff%fesecret@h",
        ] {
            let err = BrokerUrl::parse(text).unwrap_err();
            for shown in [err.to_string(), format!("{err:?}")] {
                assert!(
                    !shown.contains("secret") && !shown.contains("cret"),
                    "{shown}"
                );
                assert!(shown.contains("***"), "{shown}");
            }
        }
        let tls = BrokerUrl::parse("mqtts://u:secret@h").unwrap();
        let err = tls.options("c", None).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert_eq!(redact("mqtt://h:1883"), "mqtt://h:1883");
        assert_eq!(redact("mqtt://user@h"), "mqtt://user@h");
    }
}
