//! Acting out one chain: enrol its sites' gateways, then for each phase write the
//! gateways' configurations and scenarios, start them, and wait until the server has
//! stored every event they were to sign; recalls are issued and published between
//! phases, as a supervisor would.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::runtime::Handle;
use trace_proto::mqtt::Payload;
use trace_proto::signed::GatewayId;

use super::render;
use super::sites::{Chain, Profile, Run, Step};
use super::spawn::{GatewayProcess, keygen};
use crate::recall::{self, RecallRequest};
use crate::registry::{self, Enrollment};
use crate::state::AppState;

/// How long a phase may take before the demo gives up on it.
const PHASE_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a gateway may take to receive a new recall list.
const RECALL_TIMEOUT: Duration = Duration::from_secs(30);
/// A phase still running after this long reports how far it is.
const REPORT_EVERY: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(100);
const INSTRUCTIONS: &str = "Take the affected units off sale and out of use, keep them apart, \
     and return them to the supplier.";

/// What every chain shares.
pub struct Stage<'a> {
    /// The `trace-gateway` binary.
    pub gateway: &'a Path,
    /// The data folder.
    pub dir: &'a Path,
    /// Where gateways publish.
    pub broker: SocketAddr,
    /// The running server.
    pub state: &'a Arc<AppState>,
    /// Its runtime, for publishing recall lists.
    pub runtime: Handle,
    /// When the demo started, for progress lines.
    pub started: Instant,
}

/// What a chain did.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// The chain.
    pub name: &'static str,
    /// Its gateways.
    pub gateways: usize,
    /// Events its gateways signed and the server stored.
    pub events: u64,
    /// Units commissioned.
    pub units: usize,
    /// Recalls issued: id and the number of identifiers reached.
    pub recalls: Vec<(String, usize)>,
}

impl Stage<'_> {
    fn say(&self, chain: &str, text: &str) {
        let at = self.started.elapsed().as_secs_f32();
        println!("[{at:5.1}s] {chain:<9} {text}");
    }

    fn site_dir(&self, id: &str) -> PathBuf {
        self.dir.join("gateways").join(id)
    }
}

/// Acts out `chain` to its end.
pub fn play(stage: &Stage<'_>, chain: &Chain) -> anyhow::Result<ChainReport> {
    enrol(stage, chain)?;
    let mut report = ChainReport {
        name: chain.name,
        gateways: chain.sites.len(),
        events: 0,
        units: 0,
        recalls: Vec::new(),
    };
    let mut expected: BTreeMap<usize, u64> = BTreeMap::new();
    // The gateways of the last phase, kept up until the next step starts.
    let mut running: Vec<(usize, GatewayProcess)> = Vec::new();
    for (number, step) in chain.steps.iter().enumerate() {
        match step {
            Step::Phase { title, runs } => {
                let started = Instant::now();
                for (turn, round) in rounds(runs).iter().enumerate() {
                    running.clear();
                    for run in round {
                        let process = start(stage, chain, number, turn, run)?;
                        *expected.entry(run.site).or_default() += run.expected_events();
                        running.push((run.site, process));
                        report.events += run.expected_events();
                        if let Profile::Commission(_) = run.profile {
                            report.units += run.groups.iter().map(|g| g.items.len()).sum::<usize>();
                        }
                    }
                    wait_stored(stage, chain, title, &mut running, &expected)?;
                }
                let events: u64 = runs.iter().map(Run::expected_events).sum();
                stage.say(
                    chain.name,
                    &format!(
                        "{title}: {events} events stored ({:.1}s)",
                        started.elapsed().as_secs_f32()
                    ),
                );
            }
            Step::Recall { code, reason } => {
                let (id, affected) = issue_recall(stage, chain, code, reason, &running)?;
                stage.say(
                    chain.name,
                    &format!(
                        "recall {id} of {code}: {affected} identifiers; {} gateways hold the list",
                        running.len()
                    ),
                );
                report.recalls.push((id, affected));
            }
        }
    }
    Ok(report)
}

/// The runs in turns: each turn takes the next run of every site, so a site's runs
/// follow one another in order and different sites run side by side.
fn rounds(runs: &[Run]) -> Vec<Vec<&Run>> {
    let mut turns: Vec<Vec<&Run>> = Vec::new();
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    for run in runs {
        let turn = taken.entry(run.site).or_default();
        match turns.get_mut(*turn) {
            Some(round) => round.push(run),
            None => turns.push(vec![run]),
        }
        *turn += 1;
    }
    turns
}

/// Generates each site's key and enrols its gateway.
fn enrol(stage: &Stage<'_>, chain: &Chain) -> anyhow::Result<()> {
    for site in &chain.sites {
        let dir = stage.site_dir(&site.id);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let public_key = keygen(stage.gateway, &dir.join("gateway.key"))?;
        registry::enroll(
            &*stage.state.store,
            &Enrollment {
                id: site.id.clone(),
                public_key,
                party: Some(site.party.clone()),
                site: Some(site.location.clone()),
                description: site.name.clone(),
            },
        )
        .with_context(|| format!("enrolling {}", site.id))?;
    }
    stage.say(
        chain.name,
        &format!("{} gateways keyed and enrolled", chain.sites.len()),
    );
    Ok(())
}

/// Writes the run's files and starts its gateway.
fn start(
    stage: &Stage<'_>,
    chain: &Chain,
    number: usize,
    turn: usize,
    run: &Run,
) -> anyhow::Result<GatewayProcess> {
    let site = chain
        .sites
        .get(run.site)
        .with_context(|| format!("{}: a run names no site", chain.name))?;
    let dir = stage.site_dir(&site.id);
    let base = dir.join(format!("step-{number:02}-{turn}-{}", run.biz_step));
    let config = base.with_extension("toml");
    let scenario = base.with_extension("scenario");
    let text = render::config(
        site,
        run,
        &dir.join("gateway.key"),
        &dir.join("outbox"),
        stage.broker,
    );
    std::fs::write(&config, text).with_context(|| format!("writing {}", config.display()))?;
    std::fs::write(&scenario, render::scenario(run))
        .with_context(|| format!("writing {}", scenario.display()))?;
    Ok(GatewayProcess::simulate(
        stage.gateway,
        &config,
        &scenario,
        &base.with_extension("log"),
    )?)
}

/// Waits until every gateway of the phase has its expected chain head in the store.
fn wait_stored(
    stage: &Stage<'_>,
    chain: &Chain,
    title: &str,
    running: &mut [(usize, GatewayProcess)],
    expected: &BTreeMap<usize, u64>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut reported = Instant::now();
    loop {
        let mut behind = Vec::new();
        for (index, process) in running.iter_mut() {
            let Some(site) = chain.sites.get(*index) else {
                continue;
            };
            let want = expected.get(index).copied().unwrap_or(0);
            let id = GatewayId::new(&site.id)?;
            let have = stage.state.store.chain_head(&id)?.map_or(0, |h| h.seq);
            if have < want {
                if let Some(status) = process.exited() {
                    bail!(
                        "{}: gateway {} ended ({status}) with {have} of {want} events stored; see {}",
                        chain.name,
                        site.id,
                        process.log().display()
                    );
                }
                behind.push((site.id.as_str(), have, want, process.log().to_path_buf()));
            }
        }
        let Some((id, have, want, log)) = behind.first() else {
            return Ok(());
        };
        if started.elapsed() > PHASE_TIMEOUT {
            bail!(
                "{}: {title}: gateway {id} has {have} of {want} events stored after {}s; see {}",
                chain.name,
                PHASE_TIMEOUT.as_secs(),
                log.display()
            );
        }
        if reported.elapsed() > REPORT_EVERY {
            reported = Instant::now();
            stage.say(
                chain.name,
                &format!("{title}: waiting for {id}, {have} of {want} events stored"),
            );
        }
        std::thread::sleep(POLL);
    }
}

/// Issues the recall, publishes the list, and waits until each running gateway holds
/// it (it keeps the list beside its outbox, so its next run flags recalled units from
/// its first read).
fn issue_recall(
    stage: &Stage<'_>,
    chain: &Chain,
    code: &str,
    reason: &str,
    running: &[(usize, GatewayProcess)],
) -> anyhow::Result<(String, usize)> {
    let store = &*stage.state.store;
    let record = recall::issue(
        store,
        RecallRequest {
            codes: vec![code.to_owned()],
            reason: reason.to_owned(),
            instructions: INSTRUCTIONS.to_owned(),
            issued_by: "demo".to_owned(),
        },
    )?;
    let publisher = stage
        .state
        .publisher
        .get()
        .context("the server has no MQTT connection to publish the recall list")?;
    stage
        .runtime
        .block_on(publisher.publish_recalls(stage.state.store.clone()))?;
    let started = Instant::now();
    for (site, _) in running {
        let Some(site) = chain.sites.get(*site) else {
            continue;
        };
        let kept = stage.site_dir(&site.id).join("outbox.recalls");
        while !holds(&kept, &record.id) {
            if started.elapsed() > RECALL_TIMEOUT {
                bail!(
                    "{}: gateway {} did not receive recall {} within {}s",
                    chain.name,
                    site.id,
                    record.id,
                    RECALL_TIMEOUT.as_secs()
                );
            }
            std::thread::sleep(POLL);
        }
    }
    Ok((record.id, record.affected.len()))
}

/// Whether the recall list a gateway keeps at `path` names recall `id`.
fn holds(path: &Path, id: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    matches!(Payload::decode(&bytes), Ok(Payload::RecallList(list)) if list.recalls.iter().any(|r| r.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sites::food;

    #[test]
    fn a_sites_runs_take_turns_and_other_sites_run_alongside() {
        let chain = food();
        let mut runs: Vec<Run> = chain
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Phase { runs, .. } => Some(runs.clone()),
                Step::Recall { .. } => None,
            })
            .nth(2)
            .unwrap();
        let mut other = runs[0].clone();
        other.site = 0;
        runs.insert(1, other);
        let turns = rounds(&runs);
        let sites: Vec<Vec<usize>> = turns
            .iter()
            .map(|t| t.iter().map(|r| r.site).collect())
            .collect();
        assert_eq!(sites, [vec![1, 0], vec![1], vec![1], vec![1]]);
    }
}
