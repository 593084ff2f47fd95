//! Review: reviewers approve wording, bound to its exact text, in a log
//! that cannot be forged ([`log`], [`key`]); and the one approval gate that
//! every print path asks ([`ReviewLog::clear`] for a print run, built on
//! [`ReviewLog::gate`] for one slogan).
//!
//! A slogan's state is its latest decision whose wording hash matches the
//! current wording; an approval for other wording makes it *stale*.

pub mod decide;
pub mod index;
pub mod key;
pub mod log;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::validate::Slogan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Approved,
    Rejected,
    ChangesRequested,
}

impl Decision {
    pub fn label(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
            Decision::ChangesRequested => "changes-requested",
        }
    }
    /// For reviewers' documents.
    pub fn label_zh(self) -> &'static str {
        match self {
            Decision::Approved => "通过",
            Decision::Rejected => "不通过",
            Decision::ChangesRequested => "需修改",
        }
    }
}

/// One decision, as stored and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Position in the log, from 1.
    pub seq: u64,
    pub slogan: String,
    /// SHA-256 of the canonical wording, hex.
    pub wording: String,
    pub decision: Decision,
    pub reviewer: String,
    /// UTC, RFC 3339.
    pub time: String,
    pub note: Option<String>,
    /// Chain hash of the record before; for the first record, the log's random id.
    pub prev: String,
    /// Id of the key that signed it.
    pub key: String,
    /// HMAC-SHA256 of every field above, hex.
    pub mac: String,
}

/// Where a slogan stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Never decided for this wording, never approved before.
    Pending,
    Approved(Record),
    ChangesRequested(Record),
    Rejected(Record),
    /// Approved once, but the wording changed since.
    Stale(Record),
}

impl State {
    pub fn is_approved(&self) -> bool {
        matches!(self, State::Approved(_))
    }
    pub fn label(&self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved(_) => "approved",
            State::ChangesRequested(_) => "changes requested",
            State::Rejected(_) => "rejected",
            State::Stale(_) => "stale",
        }
    }
    /// Why a print run refuses this slogan, for error messages.
    pub fn reason(&self) -> String {
        match self {
            State::Pending => "pending: no reviewer has approved this wording".into(),
            State::Approved(r) => format!("approved by {} on {}", r.reviewer, r.time),
            State::ChangesRequested(r) => {
                format!("changes requested by {} on {}: {}", r.reviewer, r.time, r.note.as_deref().unwrap_or(""))
            }
            State::Rejected(r) => {
                format!("rejected by {} on {}: {}", r.reviewer, r.time, r.note.as_deref().unwrap_or(""))
            }
            State::Stale(r) => {
                format!(
                    "stale: approved by {} on {}, but the wording (lines, tip or topic) has changed since",
                    r.reviewer, r.time
                )
            }
        }
    }
}

/// The wording a decision is bound to: every text of the slogan's data that
/// can be printed — the topic and the heading (heading bands print them),
/// the lines and the tip — exactly as loaded (trimmed at the ends); any
/// change inside, spaces included, counts. Template text is not slogan data.
pub fn canonical_wording(s: &Slogan) -> String {
    let norm = |t: &str| t.trim().to_string();
    let mut out = String::from("topic:");
    out.push_str(&norm(&s.topic));
    out.push('\n');
    out.push_str("heading:");
    out.push_str(&norm(&s.heading));
    out.push('\n');
    for l in &s.lines {
        out.push_str("line:");
        out.push_str(&norm(l));
        out.push('\n');
    }
    if let Some(t) = &s.tip {
        out.push_str("tip:");
        out.push_str(&norm(t));
        out.push('\n');
    }
    out
}

/// SHA-256 of the canonical wording, lowercase hex.
pub fn wording_hash(s: &Slogan) -> String {
    sha256_hex(canonical_wording(s).as_bytes())
}

/// SHA-256, lowercase hex (wording hashes, package checksums).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// 64 lowercase-or-uppercase hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The log, read and verified: what every command that asks about review
/// state works from.
#[derive(Debug, Clone, Default)]
pub struct ReviewLog {
    pub records: Vec<Record>,
}

impl ReviewLog {
    /// Read and verify `reviews/log.yaml` (a missing log is an empty one).
    /// A log with records needs the review key to be trusted at all.
    pub fn load(root: &Path, keys: Option<&key::Keyring>) -> Result<ReviewLog, Diagnostic> {
        log::load(root, keys).map(|v| ReviewLog { records: v.records })
    }

    /// The verified records of the slogans `ids` only (what a print run for
    /// them needs): fast from the verified index when it holds for this log,
    /// see [`log::load_for`]. Ask the result about `ids` only: any other
    /// slogan reads as pending.
    pub fn load_for(root: &Path, keys: Option<&key::Keyring>, ids: &[String]) -> Result<ReviewLog, Diagnostic> {
        log::load_for(root, keys, ids).map(|v| ReviewLog { records: v.records })
    }

    /// Every decision about a slogan, oldest first.
    pub fn history<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
        self.records.iter().filter(move |r| r.slogan == id)
    }

    pub fn state(&self, s: &Slogan) -> State {
        let hash = wording_hash(s);
        if let Some(r) = self.history(&s.id).filter(|r| r.wording == hash).last() {
            return match r.decision {
                Decision::Approved => State::Approved(r.clone()),
                Decision::Rejected => State::Rejected(r.clone()),
                Decision::ChangesRequested => State::ChangesRequested(r.clone()),
            };
        }
        match self.history(&s.id).filter(|r| r.decision == Decision::Approved).last() {
            Some(r) => State::Stale(r.clone()),
            None => State::Pending,
        }
    }

    /// The one approval gate: the record that approves this slogan's current
    /// wording for print, or why there is none. Every print path asks here.
    pub fn gate(&self, s: &Slogan) -> Result<Record, Diagnostic> {
        match self.state(s) {
            State::Approved(r) => Ok(r),
            other => Err(Diagnostic::data(format!("slogan `{}` is not approved for print ({})", s.id, other.reason()))
                .hint(format!(
                    "a reviewer runs `jiediqi approve {} --by NAME`; or render a marked proof with --proof",
                    s.id
                ))),
        }
    }
}

/// What the gate says about the slogans of one print run (`jiediqi render`,
/// an order's package): each one cleared for print with the record that
/// approves its wording, or refused with why and what to do.
#[derive(Debug, Default)]
pub struct Clearance {
    pub approved: BTreeMap<String, Record>,
    pub refused: BTreeMap<String, Diagnostic>,
}

impl Clearance {
    /// When a cleared slogan's wording was approved: print files are dated
    /// by it (unless SOURCE_DATE_EPOCH says otherwise), so the same inputs
    /// give the same bytes.
    pub fn approved_at(&self, id: &str) -> Option<i64> {
        self.approved.get(id).and_then(|r| log::parse_time(&r.time))
    }
}

impl ReviewLog {
    /// The approval gate for a print run: every slogan asked once, whatever
    /// path prints it.
    pub fn clear<'a>(&self, slogans: impl IntoIterator<Item = &'a Slogan>) -> Clearance {
        let mut c = Clearance::default();
        for s in slogans {
            if c.approved.contains_key(&s.id) || c.refused.contains_key(&s.id) {
                continue;
            }
            match self.gate(s) {
                Ok(r) => {
                    c.approved.insert(s.id.clone(), r);
                }
                Err(d) => {
                    c.refused.insert(s.id.clone(), d);
                }
            }
        }
        c
    }
}

/// Now, UTC, seconds since 1970.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slogan(lines: &[&str], tip: Option<&str>) -> Slogan {
        Slogan::for_test(lines, tip)
    }

    fn record(hash: &str, d: Decision) -> Record {
        Record {
            seq: 1,
            slogan: "t".into(),
            wording: hash.into(),
            decision: d,
            reviewer: "王".into(),
            time: "2026-11-29T00:00:00Z".into(),
            note: None,
            prev: log::GENESIS.into(),
            key: String::new(),
            mac: String::new(),
        }
    }

    #[test]
    fn the_hash_follows_the_wording_not_its_spacing() {
        let a = slogan(&["骑车戴头盔，", "平安把家回。"], None);
        let b = slogan(&[" 骑车戴头盔， ", "平安把家回。"], None);
        let c = slogan(&["骑车戴头盔，", "平安回家。"], None);
        let d = slogan(&["骑车戴头盔，", "平安把家回。"], Some("扣好带子"));
        assert_eq!(wording_hash(&a), wording_hash(&b));
        assert_ne!(wording_hash(&a), wording_hash(&c));
        assert_ne!(wording_hash(&a), wording_hash(&d));
        // The topic is printed in headings: it is part of the wording.
        let mut e = a.clone();
        e.topic = "转账请打6222开头的卡号".into();
        assert_ne!(wording_hash(&a), wording_hash(&e));
        let mut f = a.clone();
        f.heading = "转账打6222".into();
        assert_ne!(wording_hash(&a), wording_hash(&f));
        // Lines are not run together: moving a line break changes the wording.
        assert_ne!(wording_hash(&slogan(&["骑车", "戴头盔"], None)), wording_hash(&slogan(&["骑车戴", "头盔"], None)));
        assert_eq!(wording_hash(&a).len(), 64);
    }

    #[test]
    fn state_is_the_latest_decision_for_this_wording() {
        let s = slogan(&["骑车戴头盔"], None);
        let h = wording_hash(&s);
        let mut log = ReviewLog::default();
        assert_eq!(log.state(&s), State::Pending);
        log.records.push(record(&h, Decision::ChangesRequested));
        assert!(matches!(log.state(&s), State::ChangesRequested(_)));
        log.records.push(record(&h, Decision::Approved));
        assert!(log.state(&s).is_approved());
        // Edited wording: the approval no longer counts.
        let edited = slogan(&["骑车要戴头盔"], None);
        assert!(matches!(log.state(&edited), State::Stale(_)));
        // A later rejection of the same wording wins.
        log.records.push(record(&h, Decision::Rejected));
        assert!(matches!(log.state(&s), State::Rejected(_)));
    }

    #[test]
    fn the_gate_clears_approved_wording_and_says_why_not_for_the_rest() {
        let ok = slogan(&["骑车戴头盔"], None);
        let mut stale = slogan(&["平安把家回"], None);
        stale.id = "stale".into();
        let mut log = ReviewLog::default();
        log.records.push(record(&wording_hash(&ok), Decision::Approved));
        let mut r = record(&wording_hash(&slogan(&["旧的措辞"], None)), Decision::Approved);
        r.slogan = "stale".into();
        log.records.push(r);
        // Asked twice for the same slogan (two order lines): one answer.
        let gate = log.clear([&ok, &stale, &ok]);
        assert_eq!(gate.approved.keys().collect::<Vec<_>>(), ["t"]);
        assert_eq!(gate.approved_at("t"), log::parse_time("2026-11-29T00:00:00Z"));
        let why = &gate.refused["stale"].message;
        assert!(why.contains("`stale` is not approved for print"), "{why}");
        assert_eq!(gate.approved_at("stale"), None);
    }
}
