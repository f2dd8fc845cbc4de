//! Scenarios: what happens in front of a reader and on its wire, over emulated time.
//!
//! A scenario is a list of timed [`Action`]s applied to any [`Scene`] (every emulator is
//! one). Built in code with [`Scenario::at`] or read from text, one step per line:
//!
//! ```text
//! # time   action   arguments
//! 0        enter    urn:epc:id:sgtin:0614141.812345.6789 antenna=2 rssi=-48
//! 0        enter    em4100:100086F444
//! 150ms    noise    FF 00 13
//! 200ms    corrupt  2             # the next 2 frames carry a bad check value
//! 1s       dribble  on
//! 2s       silent   1500ms        # no answers for 1.5 s; `silent` alone lasts until `resume`
//! 2.5s     leave    em4100:100086F444
//! 4s       clear
//! ```
//!
//! Times are `<n>ms`, `<n>s` (decimals allowed) or a bare number of milliseconds. Tags use
//! the forms of [`crate::tag`].

use std::time::Duration;

use crate::field::{DEFAULT_ANTENNA, DEFAULT_RSSI, Scene};
use crate::tag::{Tag, TagError, parse_hex};

/// One thing that happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A tag comes in range of an antenna.
    Enter {
        /// The tag.
        tag: Tag,
        /// The antenna, from 1.
        antenna: u16,
        /// Received signal strength, dBm.
        rssi: i8,
    },
    /// A tag goes out of range of one antenna, or of all.
    Leave {
        /// The tag.
        tag: Tag,
        /// The antenna, or `None` for every antenna.
        antenna: Option<u16>,
    },
    /// Every tag leaves.
    Clear,
    /// Bytes of line noise between two frames.
    Noise(Vec<u8>),
    /// The next n frames carry a wrong check value.
    Corrupt(u32),
    /// The module stops (`true`) or resumes (`false`) answering.
    Silent(bool),
    /// The host gets one byte per read (`true`) or whatever is there (`false`).
    Dribble(bool),
}

impl Action {
    /// Applies the action to a scene.
    pub fn apply(&self, scene: &mut dyn Scene) {
        match self {
            Action::Enter { tag, antenna, rssi } => {
                scene.field().enter(tag.clone(), *antenna, *rssi)
            }
            Action::Leave { tag, antenna } => {
                scene.field().leave(tag, *antenna);
            }
            Action::Clear => scene.field().clear(),
            Action::Noise(bytes) => scene.faults().inject_noise(bytes),
            Action::Corrupt(frames) => scene.faults().corrupt_next(*frames),
            Action::Silent(silent) => scene.faults().set_silent(*silent),
            Action::Dribble(dribble) => scene.faults().set_dribble(*dribble),
        }
    }
}

/// An action and when it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Emulated time since the start.
    pub at: Duration,
    /// What happens.
    pub action: Action,
}

/// Why a scenario text was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A line that does not follow `<time> <action> [arguments]`.
    #[error("line {line}: {reason}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A tag or hex argument that does not parse.
    #[error("line {line}: {source}")]
    Tag {
        /// 1-based line number.
        line: usize,
        /// The tag error.
        source: TagError,
    },
}

/// Timed steps, applied in time order (steps at the same time in the order given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scenario {
    steps: Vec<Step>,
    applied: usize,
}

impl Scenario {
    /// An empty scenario.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `action` at `at` (builder form).
    pub fn at(mut self, at: Duration, action: Action) -> Self {
        self.push(at, action);
        self
    }

    /// Adds `action` at `at`.
    pub fn push(&mut self, at: Duration, action: Action) {
        let index = self
            .steps
            .partition_point(|step| step.at <= at)
            .max(self.applied);
        self.steps.insert(index, Step { at, action });
    }

    /// Reads the text form described in the module documentation.
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        let mut scenario = Self::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let content = raw.split('#').next().unwrap_or_default();
            let words: Vec<&str> = content.split_whitespace().collect();
            let [time, action, args @ ..] = words.as_slice() else {
                if words.is_empty() {
                    continue;
                }
                return Err(syntax(line, "expected <time> <action> [arguments]"));
            };
            let at =
                parse_duration(time).ok_or_else(|| syntax(line, &format!("bad time {time:?}")))?;
            for (offset, action) in parse_action(action, args, line)? {
                scenario.push(at + offset, action);
            }
        }
        Ok(scenario)
    }

    /// Every step, in time order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Applies every step due at or before `now` that has not been applied; returns how
    /// many were.
    pub fn apply_due(&mut self, now: Duration, scene: &mut dyn Scene) -> usize {
        let due = self
            .steps
            .iter()
            .skip(self.applied)
            .take_while(|step| step.at <= now)
            .count();
        for step in self.steps.iter().skip(self.applied).take(due) {
            step.action.apply(scene);
        }
        self.applied += due;
        due
    }

    /// When the next step not yet applied is due.
    pub fn next_due(&self) -> Option<Duration> {
        self.steps.get(self.applied).map(|step| step.at)
    }
}

fn syntax(line: usize, reason: &str) -> ScenarioError {
    ScenarioError::Syntax {
        line,
        reason: reason.to_owned(),
    }
}

/// `150ms`, `2s`, `1.5s` or a bare number of milliseconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 1e-3)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1e-3)
    };
    let value: f64 = number.parse().ok()?;
    Duration::try_from_secs_f64(value * scale).ok()
}

/// The actions a line names, each with its offset from the line's time (`silent <d>`
/// expands into a silence and a resume).
fn parse_action(
    action: &str,
    args: &[&str],
    line: usize,
) -> Result<Vec<(Duration, Action)>, ScenarioError> {
    let tag_error = |source| ScenarioError::Tag { line, source };
    let at_once = |action| Ok(vec![(Duration::ZERO, action)]);
    match (action, args) {
        ("enter", [tag, options @ ..]) => {
            let tag: Tag = tag.parse().map_err(tag_error)?;
            let antenna = option(options, "antenna", line)?.unwrap_or(DEFAULT_ANTENNA);
            let rssi = option(options, "rssi", line)?.unwrap_or(DEFAULT_RSSI);
            at_once(Action::Enter { tag, antenna, rssi })
        }
        ("leave", [tag, options @ ..]) => {
            let tag: Tag = tag.parse().map_err(tag_error)?;
            at_once(Action::Leave {
                tag,
                antenna: option(options, "antenna", line)?,
            })
        }
        ("clear", []) => at_once(Action::Clear),
        ("noise", hex) if !hex.is_empty() => {
            at_once(Action::Noise(parse_hex(&hex.join(" ")).map_err(tag_error)?))
        }
        ("corrupt", []) => at_once(Action::Corrupt(1)),
        ("corrupt", [count]) => {
            let count = count
                .parse()
                .map_err(|_| syntax(line, &format!("bad frame count {count:?}")))?;
            at_once(Action::Corrupt(count))
        }
        ("silent", []) => at_once(Action::Silent(true)),
        ("silent", [length]) => {
            let length = parse_duration(length)
                .ok_or_else(|| syntax(line, &format!("bad duration {length:?}")))?;
            Ok(vec![
                (Duration::ZERO, Action::Silent(true)),
                (length, Action::Silent(false)),
            ])
        }
        ("resume", []) => at_once(Action::Silent(false)),
        ("dribble", ["on"]) => at_once(Action::Dribble(true)),
        ("dribble", ["off"]) => at_once(Action::Dribble(false)),
        _ => Err(syntax(
            line,
            &format!(
                "unknown action or wrong arguments: {action} {}",
                args.join(" ")
            ),
        )),
    }
}

/// The value of `name=value` among `options`, if given.
fn option<T: std::str::FromStr>(
    options: &[&str],
    name: &str,
    line: usize,
) -> Result<Option<T>, ScenarioError> {
    let mut found = None;
    for option in options {
        let Some((key, value)) = option.split_once('=') else {
            return Err(syntax(
                line,
                &format!("expected name=value, got {option:?}"),
            ));
        };
        if !matches!(key, "antenna" | "rssi") {
            return Err(syntax(line, &format!("unknown option {key:?}")));
        }
        if key == name {
            let parsed = value
                .parse()
                .map_err(|_| syntax(line, &format!("bad {name} value {value:?}")))?;
            found = Some(parsed);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Faults, Field};

    #[derive(Default)]
    struct Bench {
        field: Field,
        faults: Faults,
    }

    impl Scene for Bench {
        fn field(&mut self) -> &mut Field {
            &mut self.field
        }
        fn faults(&mut self) -> &mut Faults {
            &mut self.faults
        }
    }

    const TEXT: &str = "
        # a dock door
        0      enter   urn:epc:id:sgtin:0614141.812345.6789 antenna=2 rssi=-48
        0      enter   em4100:100086F444
        150ms  noise   FF 00 13
        200ms  corrupt 2
        2s     silent  1500ms
        2.5s   leave   em4100:100086F444
    ";

    #[test]
    fn text_steps_apply_in_time_order() {
        let mut scenario = Scenario::parse(TEXT).unwrap();
        assert_eq!(scenario.steps().len(), 7);
        let mut bench = Bench::default();
        assert_eq!(scenario.apply_due(Duration::ZERO, &mut bench), 2);
        assert_eq!(bench.field.tags().len(), 2);
        assert_eq!(bench.field.tags()[0].antenna, 2);
        assert_eq!(bench.field.tags()[0].rssi, -48);
        scenario.apply_due(Duration::from_millis(2000), &mut bench);
        assert_eq!(bench.faults.take_noise(), [0xFF, 0x00, 0x13]);
        assert_eq!(bench.faults.corruptions_pending(), 2);
        assert!(bench.faults.is_silent());
        assert_eq!(scenario.next_due(), Some(Duration::from_millis(2500)));
        scenario.apply_due(Duration::from_secs(10), &mut bench);
        assert!(!bench.faults.is_silent());
        assert_eq!(bench.field.tags().len(), 1);
        assert_eq!(scenario.next_due(), None);
    }

    #[test]
    fn errors_name_the_line() {
        let err = Scenario::parse("0 enter em4100:1234\n").unwrap_err();
        assert!(matches!(err, ScenarioError::Tag { line: 1, .. }), "{err}");
        let err = Scenario::parse("\n0 enter em4100:100086F444 power=3\n").unwrap_err();
        assert!(
            matches!(err, ScenarioError::Syntax { line: 2, .. }),
            "{err}"
        );
        let err = Scenario::parse("soon clear").unwrap_err();
        assert!(err.to_string().contains("bad time"), "{err}");
        assert!(Scenario::parse("0 explode").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("150ms"), Some(Duration::from_millis(150)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("20"), Some(Duration::from_millis(20)));
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("abc"), None);
    }
}
