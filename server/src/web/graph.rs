//! The chain of a trace as an SVG drawn on the server: lots, units, containers and places
//! in four columns, with "made in lot", "packed in" and "was at" links between them.
//! Plain SVG with classes (no inline styles), so the page's CSP and stylesheet apply.

use std::collections::{BTreeMap, BTreeSet};

use maud::{Markup, html};

use super::i18n::{self, Lang};
use super::short;
use crate::trace::Trace;

/// The four columns, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    Lot,
    Unit,
    Container,
    Place,
}

impl Column {
    fn class(self) -> &'static str {
        match self {
            Self::Lot => "lot",
            Self::Unit => "unit",
            Self::Container => "container",
            Self::Place => "place",
        }
    }

    fn heading(self) -> &'static i18n::Text {
        match self {
            Self::Lot => &i18n::LOTS,
            Self::Unit => &i18n::UNITS,
            Self::Container => &i18n::CONTAINERS,
            Self::Place => &i18n::PLACES,
        }
    }

    fn of(identifier: &str) -> Self {
        if identifier.starts_with("urn:epc:class:") {
            Self::Lot
        } else if identifier.starts_with("urn:epc:id:sscc:") {
            Self::Container
        } else if identifier.starts_with("urn:epc:id:sgln:") {
            Self::Place
        } else {
            Self::Unit
        }
    }
}

/// At most this many boxes per column; the rest are counted in a last box.
const MAX_PER_COLUMN: usize = 40;
const BOX_W: u32 = 205;
const BOX_H: u32 = 28;
const ROW: u32 = 38;
const COL: u32 = 228;
const TOP: u32 = 40;

/// The boxes of a trace by column, and the links between them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Chain {
    columns: BTreeMap<Column, Vec<String>>,
    links: BTreeSet<(String, String, bool)>,
    recalled: BTreeSet<String>,
}

impl Chain {
    /// The chain behind `trace`; `lots` maps units to their lot class, `recalled` units
    /// get a red border.
    pub fn of(trace: &Trace, lots: &BTreeMap<String, String>, recalled: &BTreeSet<String>) -> Self {
        let mut chain = Self {
            recalled: recalled.clone(),
            ..Self::default()
        };
        for identifier in &trace.reached {
            chain.add(identifier);
        }
        for (unit, lot) in lots {
            chain.add(unit);
            chain.add(lot);
            chain.links.insert((lot.clone(), unit.clone(), false));
        }
        for hop in &trace.events {
            chain.add(&hop.subject);
            let holder = match &hop.via {
                Some(via) => {
                    chain.add(via);
                    chain.links.insert((hop.subject.clone(), via.clone(), true));
                    via
                }
                None => &hop.subject,
            };
            if let Some(place) = hop.biz_location.as_ref().or(hop.read_point.as_ref()) {
                chain.add(place);
                chain.links.insert((holder.clone(), place.clone(), false));
            }
        }
        for unit in &trace.units {
            if let Some(container) = &unit.container {
                chain.add(container);
                chain
                    .links
                    .insert((unit.id.clone(), container.clone(), true));
            }
        }
        chain
    }

    fn add(&mut self, identifier: &str) {
        let column = self.columns.entry(Column::of(identifier)).or_default();
        if !column.iter().any(|i| i == identifier) {
            column.push(identifier.to_owned());
        }
    }

    /// Where a node's box is, if drawn.
    fn position(&self, identifier: &str) -> Option<(u32, u32)> {
        let column = Column::of(identifier);
        let row = self
            .columns
            .get(&column)?
            .iter()
            .position(|i| i == identifier)?;
        (row < MAX_PER_COLUMN).then(|| (column as u32 * COL + 10, TOP + row as u32 * ROW))
    }

    /// The SVG.
    pub fn svg(&self, lang: Lang) -> Markup {
        let rows = self
            .columns
            .values()
            .map(|c| c.len().min(MAX_PER_COLUMN + 1))
            .max()
            .unwrap_or(0) as u32;
        let (width, height) = (4 * COL, TOP + rows.max(1) * ROW + 10);
        let count = self.columns.values().map(Vec::len).sum::<usize>();
        html! {
            svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height)
                viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="graph-title" {
                title id="graph-title" { (lang.t(&i18n::GRAPH)) ": " (count) }
                @for column in [Column::Lot, Column::Unit, Column::Container, Column::Place] {
                    text.head x=(column as u32 * COL + 10) y="20" { (lang.t(column.heading())) }
                }
                @for (from, to, packed) in &self.links {
                    @if let (Some((x1, y1)), Some((x2, y2))) = (self.position(from), self.position(to)) {
                        @let (sx, sy, ex, ey) = (x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2);
                        @let mid = (sx + ex) / 2;
                        path class=(if *packed { "packed" } else { "link" })
                            d={ "M" (sx) " " (sy) " C" (mid) " " (sy) " " (mid) " " (ey) " " (ex) " " (ey) } {}
                    }
                }
                @for (column, ids) in &self.columns {
                    @for (row, id) in ids.iter().take(MAX_PER_COLUMN).enumerate() {
                        @let (x, y) = (*column as u32 * COL + 10, TOP + row as u32 * ROW);
                        g class={ "node " (column.class()) @if self.recalled.contains(id) { " recalled" } } {
                            title { (id) }
                            rect x=(x) y=(y) width=(BOX_W) height=(BOX_H) rx="4" {}
                            text x=(x + 6) y=(y + 18) { (label(id)) }
                        }
                    }
                    @if ids.len() > MAX_PER_COLUMN {
                        text x=(*column as u32 * COL + 10) y=(TOP + MAX_PER_COLUMN as u32 * ROW + 18) {
                            "+" (ids.len() - MAX_PER_COLUMN)
                        }
                    }
                }
            }
        }
    }
}

/// A box label: the short form, cut to fit.
fn label(identifier: &str) -> String {
    let text = short(identifier);
    if text.chars().count() > 27 {
        let cut: String = text.chars().take(26).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Direction, UnitStatus};

    #[test]
    fn units_go_to_containers_lots_to_units() {
        let unit = "urn:epc:id:sgtin:0614141.812345.101".to_owned();
        let case = "urn:epc:id:sscc:0614141.1234567890".to_owned();
        let lot = "urn:epc:class:lgtin:0614141.812345.LOT42".to_owned();
        let trace = Trace {
            start: lot.clone(),
            direction: Direction::Forward,
            reached: vec![lot.clone(), unit.clone(), case.clone()],
            events: vec![],
            units: vec![UnitStatus {
                id: unit.clone(),
                last_event: None,
                last_time: None,
                location: None,
                custodian: None,
                disposition: None,
                container: Some(case.clone()),
                recalls: vec![],
            }],
            notes: vec![],
        };
        let lots = BTreeMap::from([(unit.clone(), lot.clone())]);
        let chain = Chain::of(&trace, &lots, &BTreeSet::from([unit.clone()]));
        assert_eq!(chain.columns[&Column::Unit], std::slice::from_ref(&unit));
        assert_eq!(
            chain.columns[&Column::Container],
            std::slice::from_ref(&case)
        );
        assert!(chain.links.contains(&(unit.clone(), case.clone(), true)));
        assert!(chain.links.contains(&(lot.clone(), unit.clone(), false)));
        let svg = chain.svg(Lang::En).into_string();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("class=\"node unit recalled\""));
        assert!(svg.contains("SSCC 0614141.1234567890"));
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(!svg.contains("style="));
    }
}
