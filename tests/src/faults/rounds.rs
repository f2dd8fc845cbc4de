//! Kill rounds: a gateway signs a steady stream of simulated reads and publishes them
//! through a broker to a server; round after round one of them is SIGKILLed at a moment
//! drawn from the seeded [`Rng`], kept down a random while, and restarted on its own
//! files. At the end the gateway restarts without its reader and drains its outbox, the
//! server stops, and the [`Ledger`] counts every accepted seq in the server's store.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{E2eError, Result};
use crate::faults::ledger::Ledger;
use crate::faults::mosquitto::Mosquitto;
use crate::faults::rng::Rng;
use crate::gateway::{GatewaySite, acked, signed};
use crate::net::{MOSQUITTO, free_addr, require_mosquitto};
use crate::process::Process;
use crate::scratch::unique;
use crate::server::{Broker, Server};
use crate::wait::LIVENESS;

/// How long the system runs between two kills, at least and at most.
const UP: (Duration, Duration) = (Duration::from_millis(300), Duration::from_millis(1500));
/// How long a killed process stays down, at least and at most.
const DOWN: (Duration, Duration) = (Duration::from_millis(0), Duration::from_millis(800));
/// Party operating the gateway every faults suite enrols.
pub const PARTY: &str = "urn:epc:id:pgln:0614141.00001";

/// Which broker carries the events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokerSetup {
    /// The server's embedded broker: killing the server kills the broker too.
    Embedded,
    /// The system Mosquitto on 127.0.0.1:1883, shared, never killed.
    System,
    /// A Mosquitto of the test's own on an ephemeral port, killed in some rounds.
    Own,
}

impl BrokerSetup {
    fn name(self) -> &'static str {
        match self {
            Self::Embedded => "embedded broker",
            Self::System => "system Mosquitto",
            Self::Own => "own Mosquitto",
        }
    }
}

/// What a round kills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Victim {
    Gateway,
    Server,
    Broker,
}

/// A run: where, how many rounds, which seed.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// The broker.
    pub broker: BrokerSetup,
    /// Kill rounds.
    pub rounds: usize,
    /// Seed of the kill moments and victims.
    pub seed: u64,
}

/// Kills made, by victim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kills {
    /// Gateway SIGKILLs.
    pub gateway: usize,
    /// Server SIGKILLs.
    pub server: usize,
    /// Broker SIGKILLs.
    pub broker: usize,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Figures {
    /// The plan it ran.
    pub plan: Plan,
    /// Kills made.
    pub kills: Kills,
    /// The per-seq ledger.
    pub ledger: Ledger,
    /// From the drain restart to every accepted event acknowledged.
    pub drain: Duration,
    /// The whole run.
    pub elapsed: Duration,
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "faults kill-rounds [{}] seed={:#x} rounds={} kills: gateway={} server={} broker={} | \
             {} | drain {:.1} s, run {:.0} s",
            self.plan.broker.name(),
            self.plan.seed,
            self.plan.rounds,
            self.kills.gateway,
            self.kills.server,
            self.kills.broker,
            self.ledger,
            self.drain.as_secs_f64(),
            self.elapsed.as_secs_f64(),
        )
    }
}

/// Pause between two simulated reads in the kill rounds.
pub const READ_EVERY_MS: u64 = 20;

/// The gateway's configuration body: one observe station, and with `read_every_ms` a
/// simulated reader reading a new unit that often.
pub fn site_body(read_every_ms: Option<u64>) -> String {
    let reader = read_every_ms.map_or_else(String::new, |ms| {
        format!(
            "[[reader]]\nname = \"stream\"\nkind = \"simulate\"\ninterval_ms = {ms}\n\
             station = \"line\"\n\n"
        )
    });
    format!(
        "[smoothing]\ndwell_ms = 0\nexit_ms = 1000\n\n{reader}[[station]]\nname = \"line\"\n\
         profile = \"observe\"\nread_point = \"urn:epc:id:sgln:0614141.00777.0\"\n\
         biz_step = \"inspecting\"\n"
    )
}

/// The processes of a run and how to restart them.
struct World {
    dir: PathBuf,
    broker: Broker,
    broker_addr: SocketAddr,
    mosquitto: Option<Mosquitto>,
    site: GatewaySite,
    server: Server,
    gateway: Process,
}

impl World {
    fn start(setup: BrokerSetup, dir: &Path) -> Result<Self> {
        let (broker, broker_addr, mosquitto) = match setup {
            BrokerSetup::Embedded => {
                let addr = free_addr()?;
                (Broker::Embedded(addr), addr, None)
            }
            BrokerSetup::System => {
                require_mosquitto()?;
                let addr = MOSQUITTO
                    .parse()
                    .map_err(|e| E2eError::Setup(format!("{MOSQUITTO}: {e}")))?;
                (Broker::External(format!("mqtt://{MOSQUITTO}")), addr, None)
            }
            BrokerSetup::Own => {
                let addr = free_addr()?;
                let mosquitto = Mosquitto::start(addr, dir)?;
                (
                    Broker::External(format!("mqtt://{addr}")),
                    addr,
                    Some(mosquitto),
                )
            }
        };
        let server = start_server(dir, &broker)?;
        let id = unique("faults");
        let site = GatewaySite::create(dir, &id, broker_addr, &site_body(Some(READ_EVERY_MS)))?;
        server.enrol(&id, site.public_key(), PARTY)?;
        let gateway = site.run()?;
        Ok(Self {
            dir: dir.to_owned(),
            broker,
            broker_addr,
            mosquitto,
            site,
            server,
            gateway,
        })
    }

    fn kill_and_restart(&mut self, victim: Victim, down: Duration) -> Result<()> {
        match victim {
            Victim::Gateway => {
                self.gateway.kill();
                std::thread::sleep(down);
                self.gateway = self.site.run()?;
            }
            Victim::Server => {
                self.server.kill();
                std::thread::sleep(down);
                self.server = start_server(&self.dir, &self.broker)?;
            }
            Victim::Broker => {
                if let Some(mosquitto) = &mut self.mosquitto {
                    mosquitto.kill();
                    std::thread::sleep(down);
                    *mosquitto = Mosquitto::start(self.broker_addr, &self.dir)?;
                }
            }
        }
        Ok(())
    }
}

/// Restarts `gateway` (running `site`) without its reader and waits until `server` has
/// stored and acknowledged everything it accepted; returns that head and how long it
/// took.
pub fn drain(
    site: &GatewaySite,
    gateway: &mut Process,
    server: &Server,
) -> Result<(u64, Duration)> {
    gateway.kill();
    site.write_config("", &site_body(None))?;
    *gateway = site.run()?;
    let start = Instant::now();
    let status = site.wait_status(
        gateway,
        "the gateway to see every accepted event acknowledged",
        LIVENESS,
        |s| signed(s) > 0 && acked(s) == signed(s) && s["queue_depth"] == 0,
    )?;
    let drain = start.elapsed();
    let head = signed(&status);
    server.wait_chain_head(site.id(), head, LIVENESS, || {
        gateway.check_running("draining")
    })?;
    Ok((head, drain))
}

fn start_server(dir: &Path, broker: &Broker) -> Result<Server> {
    Server::start(&dir.join("server-data"), broker, &dir.join("server.log"))
}

/// Runs `plan` in `dir` (keys, outbox, store and logs; the caller keeps it for a failed
/// run) and counts. Fails on a fixture error (a process that does not start, a
/// drain that never completes); lost or doubled seqs are in the figures, for the
/// caller to assert on.
pub fn run(plan: Plan, dir: &Path) -> Result<Figures> {
    let started = Instant::now();
    let mut rng = Rng::new(plan.seed);
    let victims: &[Victim] = match plan.broker {
        BrokerSetup::Own => &[Victim::Gateway, Victim::Server, Victim::Broker],
        BrokerSetup::Embedded | BrokerSetup::System => &[Victim::Gateway, Victim::Server],
    };
    let mut world = World::start(plan.broker, dir)?;
    let mut kills = Kills::default();
    for _ in 0..plan.rounds {
        std::thread::sleep(rng.between(UP.0, UP.1));
        let pick = usize::try_from(rng.below(victims.len() as u64)).unwrap_or(0);
        let victim = victims.get(pick).copied().unwrap_or(Victim::Gateway);
        match victim {
            Victim::Gateway => kills.gateway += 1,
            Victim::Server => kills.server += 1,
            Victim::Broker => kills.broker += 1,
        }
        world.kill_and_restart(victim, rng.between(DOWN.0, DOWN.1))?;
    }
    let (head, drain) = drain(&world.site, &mut world.gateway, &world.server)?;
    let health = world.server.health()?;
    if health["open_gaps"] != 0 {
        return Err(E2eError::Setup(format!(
            "the server reports open chain gaps after the drain: {health:#}"
        )));
    }
    world.server.kill();
    world.gateway.kill();
    let ledger = Ledger::from_store(&dir.join("server-data"), world.site.id(), head)?;
    Ok(Figures {
        plan,
        kills,
        ledger,
        drain,
        elapsed: started.elapsed(),
    })
}
