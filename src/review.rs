//! The review log: reviewers approve wording, bound to its exact text.
//!
//! `reviews/log.yaml` is an append-only YAML list, one record per decision.
//! A slogan's state is its latest decision whose wording hash matches the
//! current wording; an approval for other wording makes it *stale*.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Location};
use crate::library;
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

/// One decision, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub slogan: String,
    /// SHA-256 of the canonical wording, hex.
    pub wording: String,
    pub decision: Decision,
    pub reviewer: String,
    /// UTC, RFC 3339.
    pub time: String,
    #[serde(default)]
    pub note: Option<String>,
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
                format!("stale: approved by {} on {}, but the wording has changed since", r.reviewer, r.time)
            }
        }
    }
}

/// The wording a decision is bound to: the lines and the tip exactly as
/// loaded (trimmed at the ends); any change inside, spaces included, counts.
pub fn canonical_wording(s: &Slogan) -> String {
    let norm = |t: &str| t.trim().to_string();
    let mut out = String::new();
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
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The log, loaded.
#[derive(Debug, Clone, Default)]
pub struct ReviewLog {
    pub records: Vec<Record>,
}

pub fn log_path(root: &Path) -> PathBuf {
    root.join("reviews").join("log.yaml")
}

impl ReviewLog {
    /// Read `reviews/log.yaml`; a missing log is an empty one.
    pub fn load(root: &Path) -> Result<ReviewLog, Diagnostic> {
        let path = log_path(root);
        if !path.exists() {
            return Ok(ReviewLog::default());
        }
        let text = library::read_text(&path)?;
        ReviewLog::parse(&path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<ReviewLog, Diagnostic> {
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            return Ok(ReviewLog::default());
        }
        // The log is written by us in one fixed shape: read that shape
        // directly (a YAML parse cost 60 000 instructions a record); anything
        // else goes through the YAML parser, which points at the problem.
        let records: Vec<Record> = match parse_own_format(text) {
            Some(r) => r,
            None => library::parse_yaml(path, text)?,
        };
        for r in &records {
            if r.wording.len() != 64 || !r.wording.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Diagnostic::data(format!("review of `{}`: `{}` is not a SHA-256", r.slogan, r.wording))
                    .at(Location::file(path))
                    .hint("the log is written by jiediqi approve/reject; restore it from git"));
            }
        }
        Ok(ReviewLog { records })
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
}

fn yaml_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if !yaml_printable(c) => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters YAML lets stand as they are in a quoted scalar (and that no
/// reader mistakes for a line break or a byte-order mark).
fn yaml_printable(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
        && !matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

/// Undo [`yaml_quote`]; `None` if the text is not in that form.
fn yaml_unquote(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let unit = u32::from_str_radix(&hex, 16).ok()?;
                    if (0xD800..0xDC00).contains(&unit) {
                        // A surrogate pair, as yaml_quote writes characters beyond the BMP.
                        let rest: String = chars.by_ref().take(6).collect();
                        let low = u32::from_str_radix(rest.strip_prefix("\\u")?, 16).ok()?;
                        out.push(char::decode_utf16([unit as u16, low as u16]).next()?.ok()?);
                    } else {
                        out.push(char::from_u32(unit)?);
                    }
                }
                _ => return None,
            },
            '"' => return None,
            c if !yaml_printable(c) => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// Records exactly as [`record_yaml`] writes them, or `None`.
fn parse_own_format(text: &str) -> Option<Vec<Record>> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String, Decision, String, String, Option<String>)> = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(id) = line.strip_prefix("- slogan: ") {
            if let Some((slogan, wording, decision, reviewer, time, note)) = cur.take() {
                out.push(Record { slogan, wording, decision, reviewer, time, note });
            }
            let field = |prefix: &str, l: Option<&str>| l.and_then(|l| l.strip_prefix(prefix)).map(str::to_string);
            let wording = field("  wording: ", lines.next())?;
            let decision = match field("  decision: ", lines.next())?.as_str() {
                "approved" => Decision::Approved,
                "rejected" => Decision::Rejected,
                "changes-requested" => Decision::ChangesRequested,
                _ => return None,
            };
            let reviewer = yaml_unquote(&field("  reviewer: ", lines.next())?)?;
            let time = field("  time: ", lines.next())?;
            if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || time.contains(' ') {
                return None;
            }
            let note = match lines.peek().and_then(|l| l.strip_prefix("  note: ")) {
                Some(n) => {
                    let n = yaml_unquote(n)?;
                    lines.next();
                    Some(n)
                }
                None => None,
            };
            cur = Some((id.to_string(), wording, decision, reviewer, time, note));
        } else {
            return None;
        }
    }
    if let Some((slogan, wording, decision, reviewer, time, note)) = cur {
        out.push(Record { slogan, wording, decision, reviewer, time, note });
    }
    Some(out)
}

/// One record as YAML list item text.
pub fn record_yaml(r: &Record) -> String {
    let mut s = format!(
        "- slogan: {}\n  wording: {}\n  decision: {}\n  reviewer: {}\n  time: {}\n",
        r.slogan,
        r.wording,
        r.decision.label(),
        yaml_quote(&r.reviewer),
        r.time
    );
    if let Some(n) = &r.note {
        s.push_str(&format!("  note: {}\n", yaml_quote(n)));
    }
    s
}

/// Append records to the log: under an exclusive lock (so two reviewers at
/// once lose nothing), by writing the old log plus the new records to a
/// temporary file and renaming it over the log (so a crash leaves the old
/// log whole). A log that does not parse is never appended to.
pub fn append(root: &Path, records: &[Record]) -> Result<(), Diagnostic> {
    let dir = root.join("reviews");
    let io = |what: &str, e: std::io::Error| {
        Diagnostic::io(format!("cannot {what} in {}: {e}", dir.display())).hint("check that reviews/ is writable")
    };
    std::fs::create_dir_all(&dir).map_err(|e| io("create the folder", e))?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".log.lock"))
        .map_err(|e| io("open the lock file", e))?;
    lock.lock().map_err(|e| io("lock the review log", e))?;
    let path = log_path(root);
    let old = if path.exists() { library::read_text(&path)? } else { String::new() };
    ReviewLog::parse(&path, &old)?;
    let mut text = old;
    if text.is_empty() {
        text.push_str("# jiediqi review log: append-only, one record per decision (written by jiediqi).\n");
    } else if !text.ends_with('\n') {
        text.push('\n');
    }
    for r in records {
        text.push_str(&record_yaml(r));
    }
    let tmp = dir.join(format!(".log.yaml.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    let _ = lock.unlock();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("write the review log", e)
    })
}

/// Now, UTC, RFC 3339 (seconds).
pub fn now_rfc3339() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    crate::timefmt::rfc3339(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slogan(lines: &[&str], tip: Option<&str>) -> Slogan {
        Slogan::for_test(lines, tip)
    }

    fn record(hash: &str, d: Decision) -> Record {
        Record {
            slogan: "t".into(),
            wording: hash.into(),
            decision: d,
            reviewer: "王".into(),
            time: "2026-11-29T00:00:00Z".into(),
            note: None,
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
    fn records_round_trip_through_yaml() {
        let mut r = record(&"a".repeat(64), Decision::ChangesRequested);
        r.note = Some("把\"严禁\"改成提醒\n语气".into());
        r.reviewer = "李: 审核".into();
        let text = record_yaml(&r);
        let log = ReviewLog::parse(Path::new("log.yaml"), &text).unwrap();
        assert_eq!(log.records, vec![r.clone()]);
        // The fast reader and the YAML parser agree.
        let yaml: Vec<Record> = library::parse_yaml(Path::new("log.yaml"), &text).unwrap();
        assert_eq!(parse_own_format(&text).unwrap(), yaml);
        // Characters YAML would not take raw are escaped, and read back.
        let mut odd = record(&"b".repeat(64), Decision::Approved);
        odd.note = Some("a\u{ffff}b\u{2028}c\u{feff}d😀".into());
        let text = record_yaml(&odd);
        assert!(!text.contains('\u{ffff}') && !text.contains('\u{2028}'), "{text}");
        let yaml: Vec<Record> = library::parse_yaml(Path::new("log.yaml"), &text).unwrap();
        assert_eq!(parse_own_format(&text).unwrap(), yaml);
        assert_eq!(yaml[0], odd);
        // Anything else falls back to YAML, with its errors.
        assert!(parse_own_format("- slogan: x\n  decision: approved\n").is_none());
        let err = ReviewLog::parse(Path::new("log.yaml"), "- slogan: x\n  wording: 1\n  bogus: 2\n").unwrap_err();
        assert!(err.to_string().contains("log.yaml:"), "{err}");
    }
}
