//! The `serve` flags, their environment variables, and the run loop around
//! [`trace_server::serve`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use trace_server::auth::{Auth, Role};
use trace_server::broker::{BrokerSecurity, TlsIdentity};
use trace_server::config::{BrokerChoice, FileConfig, Settings};
use trace_server::mqtt::BrokerUrl;
use trace_server::{prefixes, serve};

/// `trace-server serve` options. Flags win over environment variables, which win over
/// the config file.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML config file (keys: data, store, http, mqtt, mqtt_listen, mqtt_ca, mqtt_tls_cert,
    /// mqtt_tls_key, gap_timeout_secs, gcp_tables, [[tokens]] with name, role, sha256,
    /// [[mqtt_users]] with name, role, sha256).
    #[arg(long, env = "TRACE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data folder [default: ./data].
    #[arg(long, env = "TRACE_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// PostgreSQL store shared by several instances (postgres://user@host:5432/db)
    /// instead of the redb store in the data folder.
    #[arg(long, env = "TRACE_STORE", value_name = "URL")]
    store: Option<String>,
    /// HTTP listen address [default: 127.0.0.1:8080].
    #[arg(long, env = "TRACE_HTTP", value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Embedded broker listen address [default: 127.0.0.1:1883].
    #[arg(
        long,
        env = "TRACE_MQTT_LISTEN",
        value_name = "ADDR",
        conflicts_with = "mqtt"
    )]
    mqtt_listen: Option<SocketAddr>,
    /// External broker instead of the embedded one: mqtt://user:pass@host:1883 or mqtts://….
    #[arg(long, env = "TRACE_MQTT", value_name = "URL")]
    mqtt: Option<String>,
    /// CA certificate (PEM) for an mqtts:// broker.
    #[arg(long, env = "TRACE_MQTT_CA", value_name = "FILE")]
    mqtt_ca: Option<PathBuf>,
    /// Certificate chain (PEM): the embedded broker speaks TLS (mqtts://).
    #[arg(long, env = "TRACE_MQTT_TLS_CERT", value_name = "FILE")]
    mqtt_tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --mqtt-tls-cert.
    #[arg(long, env = "TRACE_MQTT_TLS_KEY", value_name = "FILE")]
    mqtt_tls_key: Option<PathBuf>,
    /// Seconds a gateway chain gap may stay open before it is reported [default: 60].
    #[arg(long, env = "TRACE_GAP_TIMEOUT", value_name = "SECS")]
    gap_timeout: Option<u64>,
    /// Extra GS1 company prefix tables (repeatable).
    #[arg(long = "gcp-table", value_name = "FILE")]
    gcp_tables: Vec<PathBuf>,
}

fn settings(args: ServeArgs) -> anyhow::Result<Settings> {
    let file = match &args.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let mut auth = Auth::from_entries(&file.tokens)?;
    for (var, role) in [
        ("TRACE_ADMIN_TOKEN", Role::Admin),
        ("TRACE_SUPERVISOR_TOKEN", Role::Supervisor),
        ("TRACE_OPERATOR_TOKEN", Role::Operator),
    ] {
        if let Ok(token) = std::env::var(var)
            && !token.is_empty()
        {
            auth.add_token(
                &token,
                &var.trim_start_matches("TRACE_").to_lowercase(),
                role,
            );
        }
    }
    let ca_path = args.mqtt_ca.or(file.mqtt_ca);
    let ca = match &ca_path {
        Some(path) => {
            Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
        }
        None => None,
    };
    let broker = match args.mqtt.or(file.mqtt) {
        Some(url) if args.mqtt_listen.is_none() => BrokerChoice::External {
            url: BrokerUrl::parse(&url)?,
            ca,
        },
        _ => BrokerChoice::Embedded(
            args.mqtt_listen
                .or(file.mqtt_listen)
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 1883))),
        ),
    };
    let read =
        |path: &PathBuf| std::fs::read(path).with_context(|| format!("reading {}", path.display()));
    let tls = match (
        args.mqtt_tls_cert.or(file.mqtt_tls_cert),
        args.mqtt_tls_key.or(file.mqtt_tls_key),
    ) {
        (Some(cert), Some(key)) => Some(TlsIdentity {
            cert_pem: read(&cert)?,
            key_pem: read(&key)?,
        }),
        (None, None) => None,
        _ => anyhow::bail!("--mqtt-tls-cert and --mqtt-tls-key go together"),
    };
    let broker_security = BrokerSecurity {
        users: file.mqtt_users,
        tls,
    };
    let mut tables = file.gcp_tables;
    tables.extend(args.gcp_tables);
    Ok(Settings {
        data: args
            .data
            .or(file.data)
            .unwrap_or_else(|| PathBuf::from("data")),
        store: args.store.or(file.store),
        http: args
            .http
            .or(file.http)
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080))),
        broker,
        broker_security,
        gap_timeout: Duration::from_secs(args.gap_timeout.or(file.gap_timeout_secs).unwrap_or(60)),
        auth,
        prefixes: prefixes::load(&tables)?,
        rate_limits: file.rate_limits,
    })
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,rumqttd=warn,rumqttc=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = settings(args)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let running = serve::start(settings).await?;
        // Stable lines on stdout: scripts and tests read the addresses from here.
        println!("http: http://{}", running.http);
        if let Some(mqtt) = running.mqtt {
            let scheme = if running.mqtt_tls { "mqtts" } else { "mqtt" };
            println!("mqtt: {scheme}://{mqtt}");
        }
        tokio::select! {
            result = running.wait() => result,
            _ = shutdown_signal() => {
                tracing::info!("shutting down");
                Ok(())
            }
        }
    })
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
