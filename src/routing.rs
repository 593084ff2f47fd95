//! Production routing (`data/routing.yaml`): which process suits how many
//! pieces of one design. The job sheet gives every design a routing note
//! from it, and a warning when the design is below its process's minimum;
//! the numbers are data a shop or county can change, not code.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::library::{self, Process};

/// Where the routing data lives in a project.
pub const FILE: &str = "data/routing.yaml";

/// Largest quantity a threshold may name: the order's own line limit.
const MAX_QUANTITY: u64 = 10_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutingFile {
    /// Over/under delivery allowed when neither the rule nor the order says.
    tolerance: Spanned<Tolerance>,
    rules: Vec<Spanned<RuleEntry>>,
}

/// Over/under delivery a shop may make (多印少印), percent of the quantity.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    pub over: f64,
    pub under: f64,
}

impl Tolerance {
    /// `±5 %`, or `+5 % / −3 %` when they differ.
    pub fn zh(&self) -> String {
        if self.over == self.under {
            format!("±{} %", self.over)
        } else {
            format!("多 {} % / 少 {} %", self.over, self.under)
        }
    }

    /// Why the tolerance is not usable, if it is not.
    pub fn problem(&self) -> Option<String> {
        let ok = |v: f64| v.is_finite() && (0.0..=20.0).contains(&v);
        (!ok(self.over) || !ok(self.under))
            .then(|| format!("tolerance over {} % / under {} % is out of range", self.over, self.under))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    process: Process,
    /// Only for items of this product (`product:` of the template), e.g. 无纺布袋.
    #[serde(default)]
    product: Option<String>,
    /// Fewer pieces of a design than this: warned, `below` suggested.
    minimum: u64,
    /// From this many pieces the process is at its usual price per piece.
    economical: u64,
    /// More than this: `above` is cheaper (a note, not a warning).
    #[serde(default)]
    maximum: Option<u64>,
    #[serde(default)]
    below: Option<Process>,
    #[serde(default)]
    above: Option<Process>,
    #[serde(default)]
    tolerance: Option<Tolerance>,
    /// Why, for the shop, in Chinese.
    #[serde(default)]
    note: Option<String>,
}

/// One routing rule, checked.
#[derive(Debug, Clone)]
pub struct Rule {
    pub process: Process,
    pub product: Option<String>,
    pub minimum: u64,
    pub economical: u64,
    pub maximum: Option<u64>,
    pub below: Option<Process>,
    pub above: Option<Process>,
    pub tolerance: Option<Tolerance>,
    pub note: Option<String>,
    /// Its line in the routing file, for messages.
    pub line: u64,
}

/// The routing data, checked: every process has a rule of its own.
#[derive(Debug, Clone)]
pub struct Routing {
    pub file: PathBuf,
    pub tolerance: Tolerance,
    pub rules: Vec<Rule>,
}

/// How a design's quantity sits against its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Below the process's minimum: a warning.
    Below,
    /// At or over the minimum, under the economical run.
    Small,
    Economical,
    /// Over the rule's maximum: another process is cheaper.
    Above,
}

/// A design's routing: the rule it falls under, how it fits, the note in Chinese.
#[derive(Debug, Clone)]
pub struct Advice<'a> {
    pub rule: &'a Rule,
    pub fit: Fit,
    pub note: String,
}

const PROCESSES: [Process; 6] = [
    Process::OffsetCmyk,
    Process::DigitalCmyk,
    Process::ScreenPrint,
    Process::HeatTransfer,
    Process::DyeSublimation,
    Process::Inkjet,
];

impl Routing {
    /// Load `data/routing.yaml` of a project.
    pub fn load(root: &Path) -> Result<Routing, Diagnostics> {
        let path = root.join(FILE);
        let text =
            library::read_text(&path).map_err(|d| d.hint(format!("restore {FILE} from the project's source")))?;
        Routing::parse(&path, &text)
    }

    /// Parse and check routing data (`path` names it in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Routing, Diagnostics> {
        let raw: RoutingFile = library::parse_yaml(path, text)?;
        let mut problems = Diagnostics::default();
        let at = |s: &serde_saphyr::Location| Location::at(path, s.line(), s.column());
        if let Some(m) = raw.tolerance.value.problem() {
            problems.push(Diagnostic::data(m).at(at(&raw.tolerance.referenced)).hint("give 0–20 % (5 is usual)"));
        }
        let mut rules: Vec<Rule> = Vec::new();
        for r in raw.rules {
            let loc = at(&r.referenced);
            let e = r.value;
            let what = match &e.product {
                Some(p) => format!("routing rule for {} on {p}", e.process.label()),
                None => format!("routing rule for {}", e.process.label()),
            };
            let mut bad = |m: String, hint: &str| problems.push(Diagnostic::data(m).at(loc.clone()).hint(hint));
            if e.minimum == 0 || e.minimum > MAX_QUANTITY || e.economical > MAX_QUANTITY {
                bad(
                    format!("{what}: minimum {} is out of range", e.minimum),
                    "give a minimum of 1 to 10 000 000 pieces",
                );
            }
            if e.economical < e.minimum {
                bad(
                    format!("{what}: economical {} is below the minimum {}", e.economical, e.minimum),
                    "the economical run is at least the minimum",
                );
            }
            match (e.maximum, e.above) {
                (Some(m), _) if m < e.economical || m > MAX_QUANTITY => bad(
                    format!("{what}: maximum {m} is below the economical run {} or too large", e.economical),
                    "give a maximum of at least `economical`, or none",
                ),
                (Some(_), None) => {
                    bad(format!("{what}: a maximum without `above`"), "name the process to use above it")
                }
                (None, Some(_)) => {
                    bad(format!("{what}: `above` without a maximum"), "give the maximum, or remove `above`")
                }
                _ => {}
            }
            if e.below.is_some_and(|p| p == e.process) || e.above.is_some_and(|p| p == e.process) {
                bad(format!("{what}: suggests its own process"), "name another process in `below`/`above`");
            }
            if e.product.as_ref().is_some_and(|p| p.trim().is_empty()) {
                bad(
                    format!("{what}: the product is empty"),
                    "name the product as templates do (无纺布袋), or remove it",
                );
            }
            if let Some(m) = e.tolerance.and_then(|t| t.problem()) {
                bad(format!("{what}: {m}"), "give 0–20 % (5 is usual)");
            }
            if e.note.as_ref().is_some_and(|n| n.chars().count() > 120 || n.chars().any(char::is_control)) {
                bad(format!("{what}: the note is too long or has line breaks"), "at most 120 characters on one line");
            }
            if let Some(first) = rules.iter().find(|x| x.process == e.process && x.product == e.product) {
                bad(
                    format!("{what} is given twice (first on line {})", first.line),
                    "keep one rule per process and product",
                );
            }
            rules.push(Rule {
                process: e.process,
                product: e.product,
                minimum: e.minimum,
                economical: e.economical,
                maximum: e.maximum,
                below: e.below,
                above: e.above,
                tolerance: e.tolerance,
                note: e.note,
                line: loc.line.unwrap_or(0),
            });
        }
        for p in PROCESSES {
            if !rules.iter().any(|r| r.process == p && r.product.is_none()) {
                problems.push(
                    Diagnostic::data(format!("no routing rule for {} (without `product`)", p.label()))
                        .in_file(path)
                        .hint(format!("add `- {{ process: {}, minimum: 1, economical: 1 }}`", kebab(p))),
                );
            }
        }
        problems.into_result(Routing { file: path.to_path_buf(), tolerance: raw.tolerance.value, rules })
    }

    /// The rule for an item: its product's, else its process's.
    pub fn rule(&self, process: Process, product: &str) -> &Rule {
        self.rules
            .iter()
            .find(|r| r.process == process && r.product.as_deref() == Some(product))
            .or_else(|| self.rules.iter().find(|r| r.process == process && r.product.is_none()))
            .expect("parse checks that every process has a rule")
    }

    /// The over/under delivery for an item when the order names none.
    pub fn tolerance(&self, process: Process, product: &str) -> Tolerance {
        self.rule(process, product).tolerance.unwrap_or(self.tolerance)
    }

    /// The routing of `quantity` pieces of one design of an item.
    pub fn advise(&self, process: Process, product: &str, quantity: u64) -> Advice<'_> {
        let rule = self.rule(process, product);
        // Short: the job sheet's section names the process and its rule.
        let mut note = match rule.maximum {
            _ if quantity < rule.minimum => {
                let mut s = format!("低于起订量 {} 件", rule.minimum);
                if let Some(b) = rule.below {
                    s += &format!("，建议改{}或加量", b.zh());
                }
                s
            }
            Some(max) if quantity > max => match rule.above {
                Some(a) => format!("超过 {max} 件，改{}更经济", a.zh()),
                None => format!("超过 {max} 件"),
            },
            _ if quantity < rule.economical => format!("可做；不足经济批量 {} 件，单价偏高", rule.economical),
            _ if rule.economical > rule.minimum => format!("已达经济批量（≥ {} 件）", rule.economical),
            _ => "按件计价，无起订量".to_string(),
        };
        let fit = match rule.maximum {
            _ if quantity < rule.minimum => Fit::Below,
            Some(max) if quantity > max => Fit::Above,
            _ if quantity < rule.economical => Fit::Small,
            _ => Fit::Economical,
        };
        if fit == Fit::Below {
            note.insert(0, '！');
        }
        Advice { rule, fit, note }
    }

    /// A rule in Chinese, for the head of a job-sheet section: thresholds,
    /// what to do outside them, and why.
    pub fn explain(rule: &Rule) -> String {
        let name = rule.process.zh();
        let mut s = if rule.minimum <= 1 {
            format!("{name}：无起订量")
        } else {
            format!("{name}：每个设计 {} 件起订，{} 件以上为经济批量", rule.minimum, rule.economical)
        };
        if let Some(b) = rule.below.filter(|_| rule.minimum > 1) {
            s += &format!("；少于起订量建议改{}", b.zh());
        }
        if let (Some(m), Some(a)) = (rule.maximum, rule.above) {
            s += &format!("；超过 {m} 件建议改{}", a.zh());
        }
        if let Some(n) = &rule.note {
            s += &format!("。{n}");
        }
        s
    }
}

/// A process as the YAML spells it.
fn kebab(p: Process) -> &'static str {
    match p {
        Process::OffsetCmyk => "offset-cmyk",
        Process::DigitalCmyk => "digital-cmyk",
        Process::ScreenPrint => "screen-print",
        Process::HeatTransfer => "heat-transfer",
        Process::DyeSublimation => "dye-sublimation",
        Process::Inkjet => "inkjet",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Routing {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Routing::load(root).unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn the_shipped_routing_sends_small_bag_runs_to_heat_transfer() {
        let r = shipped();
        let a = r.advise(Process::ScreenPrint, "无纺布袋", 300);
        assert_eq!(a.fit, Fit::Below);
        assert_eq!(a.note, "！低于起订量 1000 件，建议改热转印或加量");
        // An apron is no bag: its own, lower minimum.
        assert_eq!(r.advise(Process::ScreenPrint, "围裙", 120).fit, Fit::Small);
        // Offset below its minimum goes digital; digital past its maximum goes offset.
        let a = r.advise(Process::OffsetCmyk, "海报", 20);
        assert_eq!(a.fit, Fit::Below);
        assert_eq!(a.note, "！低于起订量 500 件，建议改数码四色或加量");
        assert_eq!(r.advise(Process::OffsetCmyk, "海报", 5000).fit, Fit::Economical);
        let a = r.advise(Process::DigitalCmyk, "贴纸", 1500);
        assert_eq!(a.fit, Fit::Above);
        assert_eq!(a.note, "超过 1000 件，改胶印四色更经济");
        assert_eq!(r.tolerance(Process::OffsetCmyk, "海报"), Tolerance { over: 3.0, under: 3.0 });
        assert_eq!(r.tolerance(Process::ScreenPrint, "无纺布袋"), Tolerance { over: 5.0, under: 5.0 });
    }

    #[test]
    fn bad_rules_are_named_with_their_line() {
        let p = Path::new("data/routing.yaml");
        let text = "tolerance: { over: 5, under: 5 }\nrules:\n  - { process: offset-cmyk, minimum: 500, economical: 100 }\n  - { process: offset-cmyk, minimum: 5, economical: 10 }\n";
        let e = Routing::parse(p, text).unwrap_err().to_string();
        assert!(
            e.contains("data/routing.yaml:3:5: routing rule for offset CMYK: economical 100 is below the minimum 500"),
            "{e}"
        );
        assert!(
            e.contains("data/routing.yaml:4:5: routing rule for offset CMYK is given twice (first on line 3)"),
            "{e}"
        );
        assert!(e.contains("no routing rule for inkjet"), "{e}");
        // Unknown fields and processes are errors with their place.
        let e = Routing::parse(
            p,
            "tolerance: { over: 5, under: 5 }\nrules:\n  - { process: offset, minimum: 1, economical: 1 }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("data/routing.yaml:3:"), "{e}");
        let e =
            Routing::parse(p, "tolerance: { over: 5, under: 50 }\nrules: []\nminimum: 3\n").unwrap_err().to_string();
        assert!(e.contains("data/routing.yaml:3:1: unknown field `minimum`"), "{e}");
    }
}
