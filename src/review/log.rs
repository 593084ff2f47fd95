//! The review log on disk: `reviews/log.yaml`, a YAML list of records that
//! form a hash chain, each authenticated with the review key.
//!
//! Each record carries its number (`seq`, from 1), the chain hash of the
//! record before it (`prev`), the id of the key that signed it (`key`) and an
//! HMAC-SHA256 over all of its fields (`mac`). Verification walks the chain:
//! a record added, edited, reordered or removed by hand breaks a number, a
//! `prev` or a `mac`. Removing records from the *end* leaves a valid shorter
//! chain, so every machine also keeps the last head it has seen of each log
//! (`heads/<log id>` beside its key) and refuses a log that is shorter than
//! that or differs from it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;
use sha2::{Digest, Sha256};

use super::index;
use super::key::{self, Keyring};
use super::{Decision, Record};
use crate::diag::{Diagnostic, Location};
use crate::fsio::{self, Durability};
use crate::library;

/// `prev` of the first record in unit tests. A real log's first record
/// holds a random log id there instead, so two logs never share a head file.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const HEADER: &str = "# jiediqi review log: one record per decision, chained and signed (written by jiediqi).\n\
                      # Do not edit: a changed, added or removed record makes the log fail verification.\n";

const REPAIR: &str = "restore reviews/log.yaml from a backup or from git (`git checkout reviews/log.yaml`); a decision typed into the log is not a decision: a reviewer makes it again with `jiediqi approve`, `reject` or `request-changes`";

pub fn log_path(root: &Path) -> PathBuf {
    root.join("reviews").join("log.yaml")
}

/// A record as read, before verification: the signing fields are optional
/// so that an old unsigned log can be recognised and migrated.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    #[serde(default)]
    seq: Option<u64>,
    slogan: String,
    wording: String,
    decision: Decision,
    reviewer: String,
    time: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    prev: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    mac: Option<String>,
}

/// The bytes a record's MAC covers: every field, length-prefixed, so no two
/// different records share them.
fn signed_bytes(r: &Record) -> Vec<u8> {
    let mut out = b"jiediqi review record 2\n".to_vec();
    let note_flag = if r.note.is_some() { "1" } else { "0" };
    let fields: [(&str, &str); 10] = [
        ("seq", &r.seq.to_string()),
        ("prev", &r.prev),
        ("slogan", &r.slogan),
        ("wording", &r.wording),
        ("decision", r.decision.label()),
        ("reviewer", &r.reviewer),
        ("time", &r.time),
        ("has-note", note_flag),
        ("note", r.note.as_deref().unwrap_or("")),
        ("key", &r.key),
    ];
    for (name, value) in fields {
        out.extend_from_slice(format!("{name} {} ", value.len()).as_bytes());
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The chain hash of a record: what the next record's `prev` holds.
pub fn chain_hash(r: &Record) -> String {
    let mut h = Sha256::new();
    h.update(signed_bytes(r));
    h.update(b"mac ");
    h.update(r.mac.as_bytes());
    super::hex(&h.finalize())
}

/// A decision to record; the log gives it its number, chain link, time and MAC.
#[derive(Debug, Clone)]
pub struct Draft {
    pub slogan: String,
    pub wording: String,
    pub decision: Decision,
    pub reviewer: String,
    pub note: Option<String>,
}

/// The log, read and verified.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    pub records: Vec<Record>,
}

fn problem(path: &Path, line: Option<u64>, message: String) -> Diagnostic {
    let loc = match line {
        Some(l) => Location::at(path, l, 1),
        None => Location::file(path),
    };
    Diagnostic::data(message).at(loc).hint(REPAIR)
}

/// Read the log's text; `None` when there is no log yet.
fn read(path: &Path) -> Result<Option<String>, Diagnostic> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    // A dangling symlink is not "no log": its records are somewhere else.
    let bytes = library::read_bounded(path, MAX_LOG_BYTES)?;
    String::from_utf8(bytes).map(Some).map_err(|e| {
        problem(path, None, format!("the review log is not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
    })
}

/// The largest review log read: about 690 000 records (a record is about
/// 390 bytes). Other data files stop at [`library::MAX_FILE_BYTES`]; a county
/// library of 10 000 slogans reviewed ten times over is a 39 MB log.
pub const MAX_LOG_BYTES: u64 = 256 << 20;

/// Records with the line each starts on.
fn parse(path: &Path, text: &str) -> Result<Vec<(u64, RawRecord)>, Diagnostic> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(Vec::new());
    }
    // Our own fixed shape is read directly (a YAML parse cost 60 000
    // instructions a record); anything else goes through the YAML parser,
    // which points at the problem.
    if let Some(r) = parse_own_format(text) {
        return Ok(r);
    }
    // The YAML parser gets no more than any other data file.
    if text.len() as u64 > library::MAX_FILE_BYTES {
        return Err(problem(
            path,
            None,
            format!(
                "the review log is larger than {} KiB and not in the shape jiediqi writes",
                library::MAX_FILE_BYTES / 1024
            ),
        ));
    }
    let records: Vec<Spanned<RawRecord>> = library::parse_yaml(path, text)
        .map_err(|d| d.hint(format!("the review log is written by jiediqi only; {REPAIR}")))?;
    Ok(records.into_iter().map(|s| (s.referenced.line(), s.value)).collect())
}

/// Check every record: numbering, chain, times, key and MAC; then this
/// machine's last seen head. `keys` may be `None` only for an empty log.
pub fn verify(path: &Path, text: &str, keys: Option<&Keyring>) -> Result<Verified, Diagnostic> {
    let raw = parse(path, text)?;
    if raw.is_empty() {
        return Ok(Verified::default());
    }
    if raw.iter().all(|(_, r)| r.mac.is_none()) {
        return Err(Diagnostic::data(format!("the review log holds {} records in the old unsigned format", raw.len()))
            .in_file(path)
            .hint("a reviewer checks it against its history, then runs `jiediqi review --migrate` once to sign it"));
    }
    let Some(keys) = keys else {
        return Err(Diagnostic::io("the review log cannot be verified: no review key on this machine")
            .in_file(path)
            .hint("copy the reviewers' key file to ~/.config/jiediqi/review.key (mode 600), or name it with --key or JIEDIQI_KEY_FILE"));
    };
    let mut records: Vec<Record> = Vec::with_capacity(raw.len());
    let mut prev = String::new();
    let mut last_time: Option<i64> = None;
    for (n, (line, r)) in raw.into_iter().enumerate() {
        let want = n as u64 + 1;
        let at = |m: String| problem(path, Some(line), format!("review record {want} (`{}`): {m}", r.slogan));
        let (Some(seq), Some(p), Some(k), Some(mac)) = (r.seq, r.prev.clone(), r.key.clone(), r.mac.clone()) else {
            return Err(at("is not signed: it was not written by jiediqi".into()));
        };
        if seq != want {
            return Err(at(format!("is numbered {seq}: records were added, removed or reordered by hand")));
        }
        // The first record's `prev` is the log's random id; every other one
        // links to the record before it.
        let linked = if n == 0 { super::is_sha256(&p) } else { key::same(&p, &prev) };
        if !linked {
            return Err(at("does not follow the record before it: a record before it was changed or removed".into()));
        }
        let Some(key) = keys.find(&k) else {
            return Err(at(format!(
                "is signed with key {k}, which {} does not hold",
                keys.path.display()
            ))
            .hint("use the reviewers' key file (a rotated key file keeps its retired keys); a record no reviewer's key signed is forged"));
        };
        let record = Record {
            seq,
            slogan: r.slogan.clone(),
            wording: r.wording.clone(),
            decision: r.decision,
            reviewer: r.reviewer.clone(),
            time: r.time.clone(),
            note: r.note.clone(),
            prev: p,
            key: k,
            mac: mac.clone(),
        };
        if !key::same(&key.mac(&signed_bytes(&record)), &mac) {
            return Err(at("does not match its signature: it was changed by hand".into()));
        }
        // Signed records were made by us, but a retired key may have been
        // misused: the time rules hold independently.
        let Some(t) = parse_time(&record.time) else {
            return Err(at(format!("time `{}` is not a UTC time like 2026-11-29T08:00:00Z", record.time)));
        };
        if last_time.is_some_and(|l| t < l) {
            return Err(at(format!("time {} is earlier than the record before it", record.time)));
        }
        if !super::is_sha256(&record.wording) {
            return Err(at(format!("`{}` is not a SHA-256 wording hash", record.wording)));
        }
        last_time = Some(t);
        prev = chain_hash(&record);
        records.push(record);
    }
    check_head(path, keys, &records)?;
    Ok(Verified { records })
}

/// This machine's record of a log: `heads/<log id>` (the first record's
/// `prev`) holds the number and chain hash of the last record it saw.
fn head_file(keys: &Keyring, records: &[Record]) -> Option<PathBuf> {
    let first = records.first()?;
    Some(keys.heads_dir().join(first.prev.get(..32)?))
}

/// A fresh log's id.
fn new_log_id() -> Result<String, Diagnostic> {
    key::random_secret().map(|b| super::hex(&b)).map_err(|e| {
        Diagnostic::io(format!("cannot read random bytes for a new review log: {e}"))
            .hint("this system needs /dev/urandom")
    })
}

fn check_head(path: &Path, keys: &Keyring, records: &[Record]) -> Result<(), Diagnostic> {
    let Some(file) = head_file(keys, records) else { return Ok(()) };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Diagnostic::io(format!(
                "cannot read this machine's record of the log, {}: {e}",
                file.display()
            ))
            .hint(
                "it lies beside the review key; restore it, or remove it only if this machine should forget the log",
            ));
        }
    };
    let mut parts = text.split_whitespace();
    let (Some(seq), Some(hash)) = (parts.next().and_then(|s| s.parse::<usize>().ok()), parts.next()) else {
        return Err(Diagnostic::data(format!("this machine's record of the log, {}, is damaged", file.display()))
            .hint("it lies beside the review key: restore it from a backup (it guards against records removed from the log)"));
    };
    if records.len() < seq {
        return Err(problem(
            path,
            None,
            format!(
                "the review log ends at record {}, but this machine has seen it up to record {seq}: records were removed from its end",
                records.len()
            ),
        ));
    }
    if seq > 0 && !key::same(&chain_hash(&records[seq - 1]), hash) {
        return Err(problem(
            path,
            None,
            format!("record {seq} differs from the one this machine saw: the log was rewritten"),
        ));
    }
    Ok(())
}

/// Remember the head (best effort on reads; the append path reports errors).
fn save_head(keys: &Keyring, records: &[Record]) -> Result<(), Diagnostic> {
    let (Some(file), Some(last)) = (head_file(keys, records), records.last()) else { return Ok(()) };
    let text = format!("{} {}\n", last.seq, chain_hash(last));
    // One writer of head records in this process (the studio reads the log
    // on many threads; each write's temporary has the process's name), and
    // a head only moves forward: a reader holding an older text than the
    // last append must not take the head back.
    static HEADS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = HEADS.lock().unwrap_or_else(|p| p.into_inner());
    match std::fs::read_to_string(&file) {
        Ok(t) if t == text => return Ok(()),
        Ok(t) if t.split(' ').next().and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n > last.seq) => return Ok(()),
        _ => {}
    }
    fsio::clean_leftovers(&keys.heads_dir());
    std::fs::create_dir_all(keys.heads_dir()).map_err(|e| {
        Diagnostic::io(format!("cannot create {}: {e}", keys.heads_dir().display()))
            .hint("the folder of the review key must be writable")
    })?;
    fsio::write_atomic(&file, text.as_bytes(), Durability::Sync)
}

/// Read and verify the log of a project (a missing log is an empty one),
/// remembering its head.
pub fn load(root: &Path, keys: Option<&Keyring>) -> Result<Verified, Diagnostic> {
    load_in(index::cache_base().as_deref(), root, keys)
}

/// [`load`], noting the verified index under the cache folder `cache`.
fn load_in(cache: Option<&Path>, root: &Path, keys: Option<&Keyring>) -> Result<Verified, Diagnostic> {
    let path = log_path(root);
    let read_at = std::time::SystemTime::now();
    let before = std::fs::metadata(&path).ok();
    let Some(text) = read(&path)? else { return Ok(Verified::default()) };
    let v = verify(&path, &text, keys)?;
    if let Some(k) = keys {
        check_project(root, k, &v.records)?;
        // A machine that cannot note the head still verifies the chain.
        let _ = save_head(k, &v.records);
        let _ = save_project(root, k, &v.records);
        if let (Some(cache), Some(before), Some(id)) = (cache, &before, log_id(&v.records)) {
            let (head_text, project_text) = machine_records(root, k, id);
            if !head_text.is_empty() && !project_text.is_empty() {
                let verified = index::Verified {
                    log_path: &path,
                    text: &text,
                    records: &v.records,
                    before,
                    read_at,
                    head_text,
                    project_text,
                };
                index::save(cache, root, k, &verified);
            }
        }
    }
    Ok(v)
}

/// The verified records of the slogans `ids` only: from the verified index
/// in the cache folder when it can be trusted for this log (see
/// [`index`]), else from the whole log, verified (and indexed) by [`load`].
/// The result holds no record of any other slogan: ask it about `ids` only.
pub fn load_for(root: &Path, keys: Option<&Keyring>, ids: &[String]) -> Result<Verified, Diagnostic> {
    load_for_in(index::cache_base().as_deref(), root, keys, ids)
}

/// [`load_for`] with the verified index under the cache folder `cache`.
pub(super) fn load_for_in(
    cache: Option<&Path>,
    root: &Path,
    keys: Option<&Keyring>,
    ids: &[String],
) -> Result<Verified, Diagnostic> {
    if let (Some(k), Some(base)) = (keys, cache) {
        let path = log_path(root);
        if let Some(records) = index::lookup(base, root, k, &path, ids, |id| machine_records(root, k, id)) {
            return Ok(Verified { records });
        }
    }
    let mut v = load_in(cache, root, keys)?;
    v.records.retain(|r| ids.contains(&r.slogan));
    Ok(v)
}

/// This machine's head record of the log `log_id` and its record of which
/// log this project holds, as text ("" where there is none).
fn machine_records(root: &Path, keys: &Keyring, log_id: &str) -> (String, String) {
    let head =
        log_id.get(..32).and_then(|id| std::fs::read_to_string(keys.heads_dir().join(id)).ok()).unwrap_or_default();
    let project = std::fs::read_to_string(project_file(root, keys)).unwrap_or_default();
    (head, project)
}

/// One record in jiediqi's own shape, signed and checked on its own (its
/// place in the chain is the caller's to vouch for): `None` if it is not
/// exactly one record, or does not verify.
pub(super) fn read_one(text: &str, keys: &Keyring) -> Option<Record> {
    let mut raw = parse_own_format(text)?;
    if raw.len() != 1 {
        return None;
    }
    let (_, r) = raw.pop()?;
    let record = Record {
        seq: r.seq?,
        slogan: r.slogan,
        wording: r.wording,
        decision: r.decision,
        reviewer: r.reviewer,
        time: r.time,
        note: r.note,
        prev: r.prev?,
        key: r.key?,
        mac: r.mac?,
    };
    let key = keys.find(&record.key)?;
    let ok = key::same(&key.mac(&signed_bytes(&record)), &record.mac)
        && parse_time(&record.time).is_some()
        && super::is_sha256(&record.wording)
        && super::is_sha256(&record.prev);
    ok.then_some(record)
}

/// This machine's record of which log a project folder holds:
/// `heads/projects/<hash of the folder's path>` names the log id. A log
/// copied in from another project (its records are as valid, signed with
/// the same key) has another id, and is refused.
fn project_file(root: &Path, keys: &Keyring) -> PathBuf {
    let abs = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let id = super::sha256_hex(abs.to_string_lossy().as_bytes());
    keys.heads_dir().join("projects").join(&id[..32])
}

fn log_id(records: &[Record]) -> Option<&str> {
    records.first().and_then(|r| r.prev.get(..32))
}

fn check_project(root: &Path, keys: &Keyring, records: &[Record]) -> Result<(), Diagnostic> {
    let file = project_file(root, keys);
    let Ok(seen) = std::fs::read_to_string(&file) else { return Ok(()) };
    let seen = seen.trim();
    match log_id(records) {
        // No records: the log was removed, and nothing prints until a reviewer decides again.
        None => Ok(()),
        Some(id) if id == seen => Ok(()),
        Some(id) => Err(Diagnostic::data(format!(
            "this project's review log is not the one this machine has seen here (log {id}, expected log {seen}): it was replaced, perhaps by another project's log"
        ))
        .in_file(&log_path(root))
        .hint(format!(
            "restore reviews/log.yaml from a backup or git; if the project was given a new log on purpose, a reviewer removes {}",
            file.display()
        ))),
    }
}

fn save_project(root: &Path, keys: &Keyring, records: &[Record]) -> Result<(), Diagnostic> {
    let Some(id) = log_id(records) else { return Ok(()) };
    static PROJECTS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = PROJECTS.lock().unwrap_or_else(|p| p.into_inner());
    let file = project_file(root, keys);
    if std::fs::read_to_string(&file).is_ok_and(|t| t.trim() == id) {
        return Ok(());
    }
    let dir = keys.heads_dir().join("projects");
    std::fs::create_dir_all(&dir).map_err(|e| {
        Diagnostic::io(format!("cannot create {}: {e}", dir.display()))
            .hint("the folder of the review key must be writable")
    })?;
    fsio::write_atomic(&file, format!("{id}\n").as_bytes(), Durability::Sync)
}

/// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ`, if it is a real UTC time.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d < 1 || d > days_in[(mo - 1) as usize] || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    // Days from civil (Howard Hinnant), the inverse of timefmt::civil.
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
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
                    if hex.len() != 4 {
                        return None;
                    }
                    let unit = u32::from_str_radix(&hex, 16).ok()?;
                    if (0xD800..0xDC00).contains(&unit) {
                        // A surrogate pair, as yaml_quote writes characters beyond the BMP.
                        let rest: String = chars.by_ref().take(6).collect();
                        let low = u32::from_str_radix(rest.strip_prefix("\\u")?, 16).ok()?;
                        out.push(char::decode_utf16([unit as u16, u16::try_from(low).ok()?]).next()?.ok()?);
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

/// A value we write plain (ids, hashes, numbers, times): nothing YAML reads
/// as anything but that text.
fn plain_ok(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b':')
}

/// Records exactly as [`record_yaml`] writes them (new or old format), or `None`.
fn parse_own_format(text: &str) -> Option<Vec<(u64, RawRecord)>> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut take = |prefix: &str| -> Option<String> {
            match lines.peek() {
                Some((_, l)) if l.starts_with(prefix) => {
                    let v = l[prefix.len()..].to_string();
                    lines.next();
                    Some(v)
                }
                _ => None,
            }
        };
        let (seq, slogan) = if let Some(s) = line.strip_prefix("- seq: ") {
            (Some(s.parse::<u64>().ok()?), take("  slogan: ")?)
        } else {
            (None, line.strip_prefix("- slogan: ")?.to_string())
        };
        let wording = take("  wording: ")?;
        let decision = match take("  decision: ")?.as_str() {
            "approved" => Decision::Approved,
            "rejected" => Decision::Rejected,
            "changes-requested" => Decision::ChangesRequested,
            _ => return None,
        };
        let reviewer = yaml_unquote(&take("  reviewer: ")?)?;
        let time = take("  time: ")?;
        let note = match take("  note: ") {
            Some(n) => Some(yaml_unquote(&n)?),
            None => None,
        };
        let (prev, key, mac) = (take("  prev: "), take("  key: "), take("  mac: "));
        for v in [Some(&slogan), Some(&wording), Some(&time), prev.as_ref(), key.as_ref(), mac.as_ref()]
            .into_iter()
            .flatten()
        {
            if !plain_ok(v) {
                return None;
            }
        }
        out.push((n as u64 + 1, RawRecord { seq, slogan, wording, decision, reviewer, time, note, prev, key, mac }));
    }
    Some(out)
}

/// One record as YAML list item text.
pub fn record_yaml(r: &Record) -> String {
    let mut s = format!(
        "- seq: {}\n  slogan: {}\n  wording: {}\n  decision: {}\n  reviewer: {}\n  time: {}\n",
        r.seq,
        r.slogan,
        r.wording,
        r.decision.label(),
        yaml_quote(&r.reviewer),
        r.time
    );
    if let Some(n) = &r.note {
        s.push_str(&format!("  note: {}\n", yaml_quote(n)));
    }
    s.push_str(&format!("  prev: {}\n  key: {}\n  mac: {}\n", r.prev, r.key, r.mac));
    s
}

fn render_log(records: &[Record]) -> String {
    let mut text = HEADER.to_string();
    for r in records {
        text.push_str(&record_yaml(r));
    }
    text
}

/// How long [`append`] waits for another writer before it gives up.
pub fn lock_timeout() -> Duration {
    let secs = std::env::var("JIEDIQI_LOCK_TIMEOUT").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(30);
    Duration::from_secs(secs)
}

/// Hold the log's lock (beside the file a symlinked log points at, so two
/// links to one log share it).
fn lock(target: &Path, waiting: &mut dyn FnMut()) -> Result<std::fs::File, Diagnostic> {
    let dir = target.parent().unwrap_or(Path::new("."));
    fsio::hold_lock(dir, ".log.lock", "the review log", waiting)
}

/// The log's path and the file it names (through a link), with its lock held.
fn locked(root: &Path, waiting: &mut dyn FnMut()) -> Result<(PathBuf, PathBuf, std::fs::File), Diagnostic> {
    let path = log_path(root);
    let target = fsio::resolve_link(&path)
        .map_err(|e| Diagnostic::io(format!("cannot follow {}: {e}", path.display())).hint("fix the symlink"))?;
    let lock = lock(&target, waiting)?;
    Ok((path, target, lock))
}

/// Add a decision as the next record: numbered, chained to the last record
/// (the first to the new log's id), signed with the current key.
fn push_signed(records: &mut Vec<Record>, keys: &Keyring, log_id: &str, d: Draft, time: String) -> Record {
    let mut r = Record {
        seq: records.len() as u64 + 1,
        slogan: d.slogan,
        wording: d.wording,
        decision: d.decision,
        reviewer: d.reviewer,
        time,
        note: d.note,
        prev: records.last().map(chain_hash).unwrap_or_else(|| log_id.to_string()),
        key: keys.current.id.clone(),
        mac: String::new(),
    };
    r.mac = keys.current.mac(&signed_bytes(&r));
    records.push(r.clone());
    r
}

/// Append decisions: under the lock, the whole log is read back and
/// verified (a log that does not verify is never appended to), the new
/// records are numbered, chained, dated (never before the last record) and
/// signed with the current key, and the log is rewritten in one atomic,
/// synced step. A symlinked log keeps its link; its target gets the records.
pub fn append(
    root: &Path,
    keys: &Keyring,
    drafts: &[Draft],
    waiting: &mut dyn FnMut(),
) -> Result<Vec<Record>, Diagnostic> {
    let (path, target, _lock) = locked(root, waiting)?;
    // Under the lock no other writer is busy here: what is left is a crash's.
    if let Some(dir) = target.parent() {
        fsio::clean_leftovers(dir);
    }
    let mut records = match read(&path)? {
        Some(text) => verify(&path, &text, Some(keys))?.records,
        None => Vec::new(),
    };
    check_project(root, keys, &records)?;
    let now = super::now_secs();
    let last = records.last().and_then(|r| parse_time(&r.time)).unwrap_or(i64::MIN);
    let time = crate::timefmt::rfc3339(now.max(last));
    let mut added = Vec::with_capacity(drafts.len());
    let log_id = if records.is_empty() { new_log_id()? } else { String::new() };
    for d in drafts {
        added.push(push_signed(&mut records, keys, &log_id, d.clone(), time.clone()));
    }
    crate::fault::point("log.before-write");
    fsio::write_atomic_through_link(&path, render_log(&records).as_bytes(), Durability::Sync)?;
    crate::fault::point("log.after-write");
    save_head(keys, &records)?;
    save_project(root, keys, &records)?;
    Ok(added)
}

/// Sign an old unsigned log once, keeping every record in its order. The
/// reviewer who runs it vouches for the old records; times must be valid
/// and in order (fix or remove a bad one by hand first, from the history).
/// The old text is kept beside it as `log.yaml.v1-backup`.
pub fn migrate(root: &Path, keys: &Keyring, waiting: &mut dyn FnMut()) -> Result<Vec<Record>, Diagnostic> {
    let (path, target, _lock) = locked(root, waiting)?;
    let Some(text) = read(&path)? else { return Ok(Vec::new()) };
    let raw = parse(&path, &text)?;
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    if raw.iter().any(|(_, r)| r.mac.is_some()) {
        verify(&path, &text, Some(keys))?;
        return Ok(Vec::new());
    }
    // An unsigned log where this machine has seen a signed one is not an
    // old log waiting for migration: it replaced the signed one.
    let seen = project_file(root, keys);
    if seen.exists() {
        return Err(Diagnostic::data(
            "this machine has seen a signed review log in this project; the unsigned log now in its place is not migrated",
        )
        .in_file(&path)
        .hint(format!("restore the signed reviews/log.yaml from a backup or git; {REPAIR}")));
    }
    let mut records: Vec<Record> = Vec::with_capacity(raw.len());
    let log_id = new_log_id()?;
    let mut last = i64::MIN;
    for (n, (line, r)) in raw.into_iter().enumerate() {
        let at = |m: String| {
            Diagnostic::data(format!("old review record {} (`{}`): {m}", n + 1, r.slogan))
                .at(Location::at(&path, line, 1))
                .hint("correct it from the log's history (git log -p reviews/log.yaml) before migrating")
        };
        let t = parse_time(&r.time).ok_or_else(|| at(format!("time `{}` is not a UTC time", r.time)))?;
        if t < last {
            return Err(at(format!("time {} is earlier than the record before it", r.time)));
        }
        if !super::is_sha256(&r.wording) {
            return Err(at(format!("`{}` is not a SHA-256 wording hash", r.wording)));
        }
        last = t;
        let d =
            Draft { slogan: r.slogan, wording: r.wording, decision: r.decision, reviewer: r.reviewer, note: r.note };
        push_signed(&mut records, keys, &log_id, d, r.time);
    }
    let backup = target.with_file_name("log.yaml.v1-backup");
    // An existing backup (or anything planted at its name, link included) is left alone.
    if std::fs::symlink_metadata(&backup).is_err() {
        fsio::write_atomic(&backup, text.as_bytes(), Durability::Sync)?;
    }
    fsio::write_atomic_through_link(&path, render_log(&records).as_bytes(), Durability::Sync)?;
    save_head(keys, &records)?;
    save_project(root, keys, &records)?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(dir: &Path) -> Keyring {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir.join("project")).unwrap();
        Keyring::create(&dir.join("cfg/review.key"), &dir.join("project")).unwrap()
    }

    fn draft(id: &str, d: Decision) -> Draft {
        Draft { slogan: id.into(), wording: "a".repeat(64), decision: d, reviewer: "王".into(), note: None }
    }

    #[test]
    fn times_are_strict_utc() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2026-11-29T00:00:00Z"), Some(1_795_910_400));
        assert_eq!(
            parse_time("2000-02-29T12:00:00Z").map(crate::timefmt::rfc3339).as_deref(),
            Some("2000-02-29T12:00:00Z")
        );
        for bad in [
            "not-a-time",
            "2026-02-30T00:00:00Z",
            "2026-11-29T24:00:00Z",
            "2026-11-29 00:00:00Z",
            "+026-11-29T00:00:00Z",
            "2026-11-29T00:00:00+08:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn records_round_trip_and_every_field_is_signed() {
        let dir = std::env::temp_dir().join(format!("jiediqi-log-{}", std::process::id()));
        let k = keys(&dir);
        let root = dir.join("project");
        let mut d = draft("fanzha-x", Decision::ChangesRequested);
        d.note = Some("把\"严禁\"改成提醒\n语气 a\u{ffff}b\u{2028}😀".into());
        d.reviewer = "李: 审核".into();
        let added = append(&root, &k, &[d, draft("fanzha-y", Decision::Approved)], &mut || {}).unwrap();
        let text = std::fs::read_to_string(log_path(&root)).unwrap();
        assert!(!text.contains('\u{ffff}') && !text.contains('\u{2028}'), "{text}");
        let v = verify(&log_path(&root), &text, Some(&k)).unwrap();
        assert_eq!(v.records, added);
        // Our own shape is read by the fast reader, not the YAML fallback.
        assert_eq!(parse_own_format(&text).map(|r| r.len()), Some(2));
        // The YAML parser reads the same records as the fast reader.
        let yaml: Vec<RawRecord> = library::parse_yaml(Path::new("log.yaml"), &text).unwrap();
        assert_eq!(yaml.len(), 2);
        assert_eq!(yaml[0].note, added[0].note);
        // Any change of a field breaks the signature.
        for (from, to) in
            [("fanzha-y", "fanzha-z"), ("decision: changes-requested", "decision: approved"), ("李: 审核", "局长")]
        {
            let bad = text.replacen(from, to, 1);
            assert_ne!(bad, text);
            let e = verify(&log_path(&root), &bad, Some(&k)).unwrap_err();
            assert!(e.to_string().contains("review record"), "{from}: {e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
