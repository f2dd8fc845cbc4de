//! `trace-server demo`: a whole traceability system on one machine, in one command.
//!
//! The server starts in-process (embedded broker, redb store) in a fresh data folder;
//! every site of three supply chains ([`sites`]) is a real `trace-gateway` process
//! ([`spawn`]) with an emulated UHF reader acting out a scenario, enrolled with its own
//! key; [`play`] drives the phases in order and issues the recalls. Then the demo checks
//! the record ([`check`]), prints the pages to open, and serves until Ctrl-C, or with
//! `--once` prints a summary and exits (status 1 on any mismatch).

pub mod check;
pub mod play;
pub mod render;
pub mod sites;
pub mod spawn;

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use trace_proto::code::{self, Form};
use trace_proto::company_prefix::CompanyPrefixes;

use crate::auth::{Auth, Role};
use crate::config::{BrokerChoice, Settings};
use crate::state::AppState;
use crate::{prefixes, serve, trace};
use play::{ChainReport, Stage};

/// `trace-server demo` options.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Run the story to its end, check the traces, print a summary and exit (status 1 on
    /// any mismatch) instead of serving.
    #[arg(long)]
    once: bool,
    /// Data folder, new or empty, kept afterwards [default: a new folder under the system's
    /// temp dir, removed at the end unless a check failed].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// HTTP listen address [default: 127.0.0.1:8080, or a free port when it is taken].
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Embedded broker listen address [default: 127.0.0.1:1883, or a free port when it
    /// is taken].
    #[arg(long, value_name = "ADDR")]
    mqtt_listen: Option<SocketAddr>,
    /// The trace-gateway binary [default: the one beside this program, else on PATH].
    #[arg(long, value_name = "PATH")]
    gateway_bin: Option<PathBuf>,
}

/// Runs the demo; `Ok(false)` when a check failed.
pub fn run(args: DemoArgs) -> anyhow::Result<bool> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,rumqttd=off,trace_server::recall=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let exe = std::env::current_exe().ok();
    let gateway = spawn::find_gateway(
        args.gateway_bin.as_deref(),
        exe.as_deref(),
        std::env::var_os("PATH"),
    )?;
    let (dir, temporary) = data_folder(args.dir.as_deref())?;
    let http = listen_address("HTTP", args.http, 8080);
    let mqtt = listen_address("MQTT", args.mqtt_listen, 1883);
    let token = demo_token()?;
    let mut auth = Auth::default();
    auth.add_token(&token, "demo-desk", Role::Supervisor);
    let settings = Settings {
        data: dir.join("server"),
        store: None,
        http,
        broker: BrokerChoice::Embedded(mqtt),
        broker_security: Default::default(),
        gap_timeout: Duration::from_secs(60),
        auth,
        prefixes: prefixes::load(&[] as &[PathBuf])?,
        rate_limits: crate::rate_limit::RateLimits::default(),
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let running = runtime.block_on(serve::start(settings))?;
    let broker = running
        .mqtt
        .context("the demo needs the embedded broker")
        .map(local)?;
    println!(
        "rfid-trace demo: server on http://{}, broker on mqtt://{broker}, data in {}",
        local(running.http),
        dir.display()
    );
    let chains = sites::chains();
    let stage = Stage {
        gateway: &gateway,
        dir: &dir,
        broker,
        state: &running.state,
        runtime: runtime.handle().clone(),
        started: Instant::now(),
    };
    let reports = std::thread::scope(|scope| {
        let handles: Vec<_> = chains
            .iter()
            .map(|chain| scope.spawn(|| play::play(&stage, chain)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| bail!("a chain's thread panicked"))
            })
            .collect::<anyhow::Result<Vec<ChainReport>>>()
    })?;
    let passed = summary(&running.state, &chains, &reports)?;
    if !args.once {
        print_pages(&running.state, local(running.http), &chains, &token);
        runtime.block_on(async {
            tokio::select! {
                result = running.wait() => result,
                _ = tokio::signal::ctrl_c() => Ok(()),
            }
        })?;
    }
    // A folder the demo made up goes, unless a check failed and it holds the evidence
    // (best effort: a leftover temp folder is harmless).
    if temporary && (passed || !args.once) {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(passed)
}

/// Checks every chain's expectations and the quarantine, prints the summary; whether
/// everything passed.
fn summary(
    state: &AppState,
    chains: &[sites::Chain],
    reports: &[ChainReport],
) -> anyhow::Result<bool> {
    let stats = state.store.stats()?;
    let signed: u64 = reports.iter().map(|r| r.events).sum();
    let gateways: usize = reports.iter().map(|r| r.gateways).sum();
    println!("\nsummary");
    println!(
        "  {gateways} gateways, {} events stored ({signed} signed), {} quarantined",
        stats.events, stats.quarantined
    );
    let mut failed = 0;
    let mut passed = 0;
    if stats.quarantined > 0 || stats.events != signed {
        failed += 1;
        println!(
            "  MISMATCH expected {signed} events stored and none quarantined: found {} and {}",
            stats.events, stats.quarantined
        );
    }
    for (chain, report) in chains.iter().zip(reports) {
        let recalls: Vec<String> = report
            .recalls
            .iter()
            .map(|(id, n)| format!("recall {id} reached {n} identifiers"))
            .collect();
        println!(
            "  {}: {} gateways, {} units, {} events; {}",
            chain.name,
            report.gateways,
            report.units,
            report.events,
            if recalls.is_empty() {
                "no recall".to_owned()
            } else {
                recalls.join(", ")
            }
        );
        for expectation in &chain.expect {
            let (start, direction) = expectation.trace_request();
            let outcome = trace::trace(&*state.store, start, direction)
                .map_err(|e| check::Mismatch {
                    expected: expectation.describe(),
                    found: e.to_string(),
                })
                .and_then(|t| expectation.check(&t));
            match outcome {
                Ok(finding) => {
                    passed += 1;
                    println!("    ok       {finding}");
                }
                Err(mismatch) => {
                    failed += 1;
                    println!("    MISMATCH {mismatch}");
                }
            }
        }
    }
    println!("checks: {passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// What to open, with the token the recall desk wants.
fn print_pages(state: &AppState, http: SocketAddr, chains: &[sites::Chain], token: &str) {
    let base = format!("http://{http}");
    println!("\nOpen in a browser:");
    for (unit, caption) in chains.iter().flat_map(|c| &c.showcase) {
        if let Some(path) = resolver_path(&state.prefixes, unit) {
            println!("  {base}{path}\n      {caption}");
        }
    }
    println!("  {base}/\n      enter any code (Digital Link, EPC, element string)");
    println!("  {base}/desk/recalls\n      recall desk; log in at {base}/desk/login");
    println!("\nDemo supervisor token: {token}");
    let sample = chains
        .first()
        .and_then(|c| c.showcase.first())
        .map(|(unit, _)| encode(unit))
        .unwrap_or_default();
    let lot = chains
        .first()
        .and_then(|c| c.steps.iter().find_map(recalled_code))
        .map(|code| encode(&code))
        .unwrap_or_default();
    println!("\nThe same as JSON:");
    println!("  curl {base}/api/v1/codes/{sample}");
    println!("  curl '{base}/api/v1/trace?code={sample}&direction=backward'");
    println!(
        "  curl -H 'Authorization: Bearer {token}' '{base}/api/v1/trace?code={lot}&direction=forward'"
    );
    println!("  curl -H 'Authorization: Bearer {token}' {base}/api/v1/recalls");
    println!("\nServing until Ctrl-C.");
}

fn recalled_code(step: &sites::Step) -> Option<String> {
    match step {
        sites::Step::Recall { code, .. } => Some(code.clone()),
        sites::Step::Phase { .. } => None,
    }
}

/// `text` fit for a URL path segment or query value (`:` and `%` escaped, `.` and `-` kept
/// so the URNs stay readable).
fn encode(text: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    percent_encoding::utf8_percent_encode(text, SET).to_string()
}

/// The Digital Link resolver path of `unit` (`/01/…/21/…`, `/8004/…`).
fn resolver_path(prefixes: &dyn CompanyPrefixes, unit: &str) -> Option<String> {
    let link = code::decode(unit, Form::EpcUri, prefixes)
        .ok()?
        .digital_link?;
    let rest = link.strip_prefix("https://")?;
    rest.find('/').map(|slash| rest[slash..].to_owned())
}

/// The data folder and whether the demo made it up; a given folder must be new or empty.
fn data_folder(given: Option<&Path>) -> anyhow::Result<(PathBuf, bool)> {
    let (dir, temporary) = match given {
        Some(dir) => (dir.to_path_buf(), false),
        None => {
            let millis = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            let name = format!("rfid-trace-demo-{}-{millis}", std::process::id());
            (std::env::temp_dir().join(name), true)
        }
    };
    if dir
        .read_dir()
        .is_ok_and(|mut entries| entries.next().is_some())
    {
        bail!(
            "{} is not empty: the demo starts from a fresh data folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Absolute, so the paths in the gateways' configurations do not depend on a cwd.
    let dir = dir
        .canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))?;
    Ok((dir, temporary))
}

/// The address given, else the default port on 127.0.0.1 if free, else a free port
/// (said on stdout).
fn listen_address(what: &str, given: Option<SocketAddr>, default_port: u16) -> SocketAddr {
    if let Some(addr) = given {
        return addr;
    }
    let default = SocketAddr::from(([127, 0, 0, 1], default_port));
    if crate::broker::port_free(default) {
        return default;
    }
    println!("{what} port {default_port} is taken: using a free port instead");
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// An address a local client can connect to (an unspecified IP becomes 127.0.0.1).
fn local(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    }
}

/// A fresh random supervisor token for this run (32 bytes from the OS, hex).
fn demo_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom for the demo token")?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_units_get_their_resolver_paths() {
        let table = prefixes::load(&[] as &[PathBuf]).unwrap();
        let unit = "urn:epc:id:sgtin:0614141.012345.1001";
        assert_eq!(
            resolver_path(&table, unit).as_deref(),
            Some("/01/00614141123452/21/1001")
        );
        let cylinder = "urn:epc:id:giai:0614141.700003";
        assert_eq!(
            resolver_path(&table, cylinder).as_deref(),
            Some("/8004/0614141700003")
        );
        assert_eq!(encode(unit), "urn%3Aepc%3Aid%3Asgtin%3A0614141.012345.1001");
    }

    #[test]
    fn a_data_folder_with_something_in_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (given, temporary) = data_folder(Some(dir.path())).unwrap();
        assert_eq!(given, dir.path().canonicalize().unwrap());
        assert!(!temporary);
        std::fs::write(dir.path().join("events.redb"), "").unwrap();
        let err = data_folder(Some(dir.path())).unwrap_err();
        assert!(err.to_string().contains("is not empty"), "{err}");
    }

    #[test]
    fn a_given_address_is_kept_and_a_taken_default_gives_way() {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert_eq!(listen_address("HTTP", Some(addr), 8080), addr);
        let taken = std::net::TcpListener::bind(addr).unwrap();
        let port = taken.local_addr().unwrap().port();
        assert_eq!(listen_address("HTTP", None, port), addr);
        drop(taken);
        assert_eq!(listen_address("HTTP", None, port).port(), port);
    }
}
