//! `trace-gateway`: the command line of the rfid-trace edge gateway.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::{Parser, Subcommand};
use trace_emulators::Scenario;
use trace_gateway::config::Config;
use trace_gateway::lot::LotEntry;
use trace_gateway::outbox::{Outbox, SledOutbox};
use trace_gateway::status::{LocalStatus, status_file_path};
use trace_gateway::uplink::UplinkTuning;
use trace_gateway::{emulated, keyfile, run};

/// rfid-trace edge gateway: tag reads in, signed EPCIS events out over MQTT.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the gateway's ed25519 signing key (mode 0600; never overwrites) and
    /// print its public key for enrollment.
    Keygen {
        /// Where to write the key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the gateway's key with a new one (mode 0600) and print the new public key
    /// and the first seq it signs, for an admin to register (`POST
    /// /api/v1/gateways/{id}/keys`). Run it with the gateway stopped; register the key
    /// before starting the gateway again.
    RotateKey {
        /// The TOML configuration of the gateway.
        #[arg(long)]
        config: PathBuf,
    },
    /// Run the gateway: read tags, sign events, publish them until the server acks.
    Run {
        /// The TOML configuration (see examples/dock-door.toml).
        #[arg(long)]
        config: PathBuf,
    },
    /// Show queue depth, last ack, chain head, alarms and readers.
    Status {
        /// The TOML configuration of the gateway to inspect.
        #[arg(long)]
        config: PathBuf,
    },
    /// Rehearse a site: run the gateway with its serial modules and LLRP readers replaced
    /// by byte-exact emulators acting out a scenario file (tags entering and leaving,
    /// line faults); events go to the configured broker as in production.
    Simulate {
        /// The TOML configuration.
        #[arg(long)]
        config: PathBuf,
        /// Scenario file, one step per line: `<time> <action> [arguments]`, e.g.
        /// `0 enter urn:epc:id:sgtin:0614141.812345.6789 antenna=1`, `2s leave …`.
        #[arg(long)]
        scenario: PathBuf,
        /// Stop after this many seconds (default: run until killed).
        #[arg(long)]
        seconds: Option<u64>,
    },
    /// Check a configuration file and exit.
    Check {
        /// The TOML configuration.
        #[arg(long)]
        config: PathBuf,
    },
    /// Set the lot (and its production date, expiry and origin) a commissioning or
    /// transformation station writes from now on. A running gateway applies it within a
    /// second; a stopped one starts with it. Values not given are left out of the ILMD.
    Lot {
        /// The TOML configuration of the gateway.
        #[arg(long)]
        config: PathBuf,
        /// The station's name.
        #[arg(long)]
        station: String,
        /// Lot number (GS1 characters, at most 20).
        #[arg(long)]
        lot: String,
        /// Production date, YYYY-MM-DD.
        #[arg(long)]
        production_date: Option<String>,
        /// Expiry date, YYYY-MM-DD.
        #[arg(long)]
        expiry: Option<String>,
        /// Country of origin, ISO 3166-1 alpha-2 (e.g. FR).
        #[arg(long)]
        origin: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Keygen { out } => {
            let key = keyfile::generate(&out)?;
            println!("wrote {}", out.display());
            println!("public key: {}", hex(&key.verifying_key().to_bytes()));
            Ok(())
        }
        Command::RotateKey { config } => rotate_key(&Config::load(&config)?),
        Command::Run { config } => {
            let config = Config::load(&config)?;
            let stop = stop_on_signals()?;
            run::run(&config, UplinkTuning::default(), &stop)?;
            Ok(())
        }
        Command::Status { config } => status(&Config::load(&config)?),
        Command::Simulate {
            config,
            scenario,
            seconds,
        } => {
            let mut config = Config::load(&config)?;
            let text = std::fs::read_to_string(&scenario)
                .with_context(|| format!("cannot read {}", scenario.display()))?;
            let scenario = Scenario::parse(&text)
                .with_context(|| format!("scenario {}", scenario.display()))?;
            let _emulators = emulated::emulate_readers(&mut config, &scenario)?;
            let stop = stop_on_signals()?;
            if let Some(seconds) = seconds {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_secs(seconds));
                    stop.store(true, std::sync::atomic::Ordering::SeqCst);
                });
            }
            run::run(&config, UplinkTuning::default(), &stop)?;
            Ok(())
        }
        Command::Lot {
            config,
            station,
            lot,
            production_date,
            expiry,
            origin,
        } => {
            let config = Config::load(&config)?;
            let entry = LotEntry {
                lot: Some(lot),
                production_date,
                expiry_date: expiry,
                country_of_origin: origin,
            };
            let lot = trace_gateway::lot::set(&config, &station, entry)?;
            println!(
                "station {station}: lot {}, produced {}, expires {}, origin {}",
                lot.lot.as_deref().unwrap_or("-"),
                lot.production_date.map_or("-".into(), |d| d.to_string()),
                lot.expiry_date.map_or("-".into(), |d| d.to_string()),
                lot.country_of_origin.as_deref().unwrap_or("-"),
            );
            println!("a running gateway applies it within a second (see `trace-gateway status`)");
            Ok(())
        }
        Command::Check { config } => {
            let config = Config::load(&config)?;
            println!(
                "ok: gateway {}, {} readers, {} stations",
                config.gateway.id,
                config.readers.len(),
                config.stations.len()
            );
            Ok(())
        }
    }
}

/// Rotates the key of a stopped gateway. The outbox stays open (locked) until the new key
/// is written, so the gateway cannot start, and sign with either key, in between.
fn rotate_key(config: &Config) -> anyhow::Result<()> {
    let outbox = SledOutbox::open(&config.gateway.outbox, config.gateway.outbox_budget_bytes)
        .with_context(|| {
            format!(
                "cannot open the outbox {} (stop the gateway before rotating its key)",
                config.gateway.outbox.display()
            )
        })?;
    let from_seq = outbox.head().map_or(1, |head| head.seq + 1);
    let key = keyfile::rotate(&config.gateway.key_file)?;
    drop(outbox);
    let public = hex(&key.verifying_key().to_bytes());
    println!("wrote {}", config.gateway.key_file.display());
    println!("public key: {public}");
    println!("from seq: {from_seq}");
    println!(
        "register it before starting the gateway: POST /api/v1/gateways/{}/keys \
         {{\"public_key\": \"{public}\", \"from_seq\": {from_seq}}}",
        config.gateway.id
    );
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stop flag set by the first SIGTERM or SIGINT, for a graceful shutdown; a second
/// one while shutting down exits at once with status 1.
fn stop_on_signals() -> anyhow::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGINT] {
        flag::register_conditional_shutdown(signal, 1, stop.clone())
            .context("cannot handle SIGTERM/SIGINT")?;
        flag::register(signal, stop.clone()).context("cannot handle SIGTERM/SIGINT")?;
    }
    Ok(stop)
}

/// Prints the outbox's own numbers when the gateway is stopped, and the status file
/// the running gateway writes otherwise (the running gateway holds the outbox lock).
fn status(config: &Config) -> anyhow::Result<()> {
    let outbox_path = &config.gateway.outbox;
    if outbox_path.exists()
        && let Ok(outbox) = SledOutbox::open(outbox_path, config.gateway.outbox_budget_bytes)
    {
        let usage = outbox.usage();
        let head = outbox.head();
        println!("gateway      {} (not running)", config.gateway.id);
        println!(
            "queue depth  {} events, {} of {} bytes",
            usage.events, usage.bytes, usage.budget
        );
        println!("last ack     seq {}", outbox.acked());
        match head {
            Some(h) => println!("chain head   seq {} hash {}", h.seq, h.hash),
            None => println!("chain head   none (no events yet)"),
        }
        let lots = trace_gateway::lot::load(&trace_gateway::lot::lot_file_path(outbox_path))?;
        for (station, l) in &lots.stations {
            let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            println!(
                "lot          {station}: {} produced {} expires {} origin {} (set by `lot`, applied at start)",
                field(&l.lot),
                field(&l.production_date),
                field(&l.expiry_date),
                field(&l.country_of_origin)
            );
        }
        return Ok(());
    }
    let path = status_file_path(outbox_path);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no status file at {} (has the gateway run?)",
            path.display()
        )
    })?;
    let s: LocalStatus = serde_json::from_str(&text).context("status file does not parse")?;
    println!(
        "gateway      {} (running; status written at unix ms {})",
        s.gateway_id, s.written_unix_ms
    );
    println!(
        "broker       {}",
        if s.connected {
            "connected"
        } else {
            "DISCONNECTED"
        }
    );
    println!(
        "queue depth  {} events, {} of {} bytes",
        s.queue_depth, s.outbox_bytes, s.outbox_budget
    );
    println!("last ack     seq {}", s.last_ack_seq);
    println!(
        "chain head   seq {} hash {}",
        s.chain_head_seq,
        s.chain_head_hash.as_deref().unwrap_or("-")
    );
    for a in &s.alarms {
        println!(
            "ALARM        {:?} {}: {} (since {})",
            a.kind, a.subject, a.detail, a.since
        );
    }
    for r in &s.readers {
        println!(
            "reader       {} ({}) {} reads {} errors {}{}",
            r.name,
            r.kind,
            r.state,
            r.reads,
            r.errors,
            r.config
                .as_ref()
                .map_or(String::new(), |c| format!(" config {c}"))
        );
    }
    for l in &s.lots {
        let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        println!(
            "lot          {}: {} produced {} expires {} origin {}",
            l.station,
            field(&l.lot),
            field(&l.production_date),
            field(&l.expiry_date),
            field(&l.country_of_origin)
        );
    }
    Ok(())
}
