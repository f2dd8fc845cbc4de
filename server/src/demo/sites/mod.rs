//! The demo's three supply chains as data: the sites (each one gateway), the phases
//! they act out in order, the recalls issued between them, and what the `--once` check
//! expects to find afterwards.
//!
//! A site's gateway runs one station at a time (one process per phase), because a
//! `trace-gateway simulate` run plays one scenario to every reader it has: two stations
//! on one gateway would both see every tag. Phases of one chain run one after the
//! other, so event times follow the story; the three chains run side by side.

use super::check::Expectation;

mod drug;
mod equipment;
mod food;

pub use drug::drug;
pub use equipment::equipment;
pub use food::food;

/// The GS1 Company Prefix of every identifier in the demo (GS1's example prefix).
const CP: &str = "0614141";

/// A site: one enrolled gateway acting for one party at one place.
#[derive(Debug, Clone)]
pub struct Site {
    /// Gateway id.
    pub id: String,
    /// What a person calls the site.
    pub name: String,
    /// The party the site acts for (PGLN URI).
    pub party: String,
    /// Where it is (SGLN URI): read point and business location of its events.
    pub location: String,
}

/// Lot master data a commissioning station writes (ILMD).
#[derive(Debug, Clone)]
pub struct Lot {
    /// Lot number, if the product has lots.
    pub lot: Option<String>,
    /// Production date, `YYYY-MM-DD`.
    pub production_date: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expiry_date: Option<String>,
    /// ISO 3166-1 alpha-2 country of origin.
    pub country: String,
}

/// What a tag arriving at the station means.
#[derive(Debug, Clone)]
pub enum Profile {
    /// One ObjectEvent OBSERVE per tag.
    Observe,
    /// One ObjectEvent ADD with ILMD per tag.
    Commission(Lot),
    /// Items read with a container (SSCC) are packed into it.
    Pack,
    /// Items read with a container (SSCC) are taken out of it.
    Unpack,
}

/// Tags that pass a reader together: a container and its items, or loose items.
#[derive(Debug, Clone)]
pub struct Group {
    /// The container (SSCC URI), if any.
    pub container: Option<String>,
    /// Item URIs.
    pub items: Vec<String>,
}

/// One gateway process acting one station over one scenario.
#[derive(Debug, Clone)]
pub struct Run {
    /// Index into [`Chain::sites`].
    pub site: usize,
    /// CBV business step.
    pub biz_step: &'static str,
    /// CBV disposition.
    pub disposition: &'static str,
    /// The station profile.
    pub profile: Profile,
    /// What passes the reader, in order.
    pub groups: Vec<Group>,
}

impl Run {
    /// Events the run's gateway signs: one per tag, or one per non-empty container when
    /// packing or unpacking.
    pub fn expected_events(&self) -> u64 {
        let count = match self.profile {
            Profile::Observe | Profile::Commission(_) => self
                .groups
                .iter()
                .map(|g| g.items.len() + usize::from(g.container.is_some()))
                .sum(),
            Profile::Pack | Profile::Unpack => self
                .groups
                .iter()
                .filter(|g| g.container.is_some() && !g.items.is_empty())
                .count(),
        };
        u64::try_from(count).unwrap_or(u64::MAX)
    }
}

/// One step of a chain's story.
#[derive(Debug, Clone)]
pub enum Step {
    /// Gateways run side by side until each has stored its events; a site's several
    /// runs take turns, in order.
    Phase {
        /// What happens, for the progress line.
        title: String,
        /// The gateway runs.
        runs: Vec<Run>,
    },
    /// A supervisor recalls a code; the gateways of the previous phase stay up until they
    /// hold the new recall list.
    Recall {
        /// The recalled code (canonical URI).
        code: String,
        /// Why.
        reason: String,
    },
}

/// A supply chain: its sites, its story, what the checks expect, and the units worth
/// showing a person.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Short name (`food`, `drug`, `equipment`).
    pub name: &'static str,
    /// The sites, each one gateway.
    pub sites: Vec<Site>,
    /// The story, in order.
    pub steps: Vec<Step>,
    /// What `--once` checks.
    pub expect: Vec<Expectation>,
    /// Units to open in a browser, with a caption.
    pub showcase: Vec<(String, String)>,
}

fn site(id: &str, name: &str, number: u32) -> Site {
    Site {
        id: id.to_owned(),
        name: name.to_owned(),
        party: format!("urn:epc:id:pgln:{CP}.{number:05}"),
        location: format!("urn:epc:id:sgln:{CP}.{number:05}.0"),
    }
}

fn sgtin(item_ref: &str, serial: u32) -> String {
    format!("urn:epc:id:sgtin:{CP}.{item_ref}.{serial}")
}

fn sscc(serial: u32) -> String {
    format!("urn:epc:id:sscc:{CP}.{serial:010}")
}

fn lgtin(item_ref: &str, lot: &str) -> String {
    format!("urn:epc:class:lgtin:{CP}.{item_ref}.{lot}")
}

fn loose(items: Vec<String>) -> Vec<Group> {
    vec![Group {
        container: None,
        items,
    }]
}

fn tags(tags: Vec<String>) -> Vec<Group> {
    tags.into_iter()
        .map(|tag| Group {
            container: None,
            items: vec![tag],
        })
        .collect()
}

fn run(site: usize, biz_step: &'static str, disposition: &'static str, groups: Vec<Group>) -> Run {
    Run {
        site,
        biz_step,
        disposition,
        profile: Profile::Observe,
        groups,
    }
}

fn phase(title: &str, runs: Vec<Run>) -> Step {
    Step::Phase {
        title: title.to_owned(),
        runs,
    }
}

fn with(profile: Profile, run: Run) -> Run {
    Run { profile, ..run }
}

/// `run` with `profile` split into one run per container: a run whose gateway reads one
/// container with its items at once pairs them right however late the gateway starts,
/// where several containers in one run would need it reading before the second arrives.
fn one_per_container(profile: Profile, run: Run) -> Vec<Run> {
    run.groups
        .iter()
        .map(|group| Run {
            profile: profile.clone(),
            groups: vec![group.clone()],
            ..run.clone()
        })
        .collect()
}

/// All three chains.
pub fn chains() -> Vec<Chain> {
    vec![food(), drug(), equipment()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_names_a_site_and_makes_events() {
        for chain in chains() {
            for step in &chain.steps {
                if let Step::Phase { runs, .. } = step {
                    for run in runs {
                        assert!(run.site < chain.sites.len(), "{}", chain.name);
                        assert!(run.expected_events() > 0, "{}", chain.name);
                    }
                }
            }
        }
    }

    #[test]
    fn packing_counts_containers_and_observing_counts_tags() {
        let chain = food();
        let counts: Vec<u64> = chain
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Phase { runs, .. } => Some(runs.iter().map(Run::expected_events).sum()),
                Step::Recall { .. } => None,
            })
            .collect();
        assert_eq!(counts[..4], [12, 12, 4, 4]);
        let Some(Step::Phase { runs, .. }) = chain.steps.get(2) else {
            panic!("the third food step packs");
        };
        assert_eq!(runs.len(), 4, "one run per case");
    }
}
