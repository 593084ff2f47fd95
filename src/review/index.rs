//! A verified index of a project's review log, kept in the user's cache
//! folder (`$XDG_CACHE_HOME/jiediqi/review-index/`, never in the project),
//! so that a print run for a few slogans need not verify a log of 100 000
//! records (39 MB, about 1.3 s) every time.
//!
//! Written only after the whole log verified (numbering, chain, every MAC,
//! times, this machine's head and project records), it notes the log file's
//! identity (device, inode, size, modification and change time: the change
//! time no user can set, and any write or rename changes it), the head
//! record (number, place, chain hash) and, for every slogan, where each of
//! its records lies. The index is authenticated with the review key
//! (HMAC-SHA256, its own domain label), its header and each of 256 buckets
//! of slogans, a bucket's MAC bound to the header's.
//!
//! A run trusts it only when the key is the current one, the log file's
//! identity is unchanged, the head record at its place is the one noted (and
//! its MAC verifies), and this machine's head and project records agree;
//! then every record of the asked-for slogans is read from the log at its
//! place and checked again: number, slogan and MAC. Anything else — a
//! missing, stale, damaged or forged index — means the whole log is verified
//! as before (and a new index noted). The index can make a run refuse, never
//! approve: a slogan missing from it reads as pending.

use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::Digest as _;

use super::Record;
use super::key::{self, Keyring};
use crate::fsio::{self, Durability};

const BUCKETS: usize = 256;
const MAGIC: &str = "jiediqi review index 1";
/// A log changed this recently is not indexed: on file systems with coarse
/// timestamps a second change within the same tick could keep its change time.
const SETTLED: Duration = Duration::from_millis(100);

pub use crate::fsio::cache_base;

/// The index of one project folder, keyed by its absolute path.
fn cache_dir(base: &Path, root: &Path) -> Option<PathBuf> {
    let abs = root.canonicalize().ok()?;
    let id = super::sha256_hex(abs.to_string_lossy().as_bytes());
    Some(base.join("jiediqi").join("review-index").join(&id[..32]))
}

fn bucket_of(id: &str) -> usize {
    usize::from(sha2::Sha256::digest(id.as_bytes())[0]) % BUCKETS
}

fn header_mac(keys: &Keyring, body: &str) -> String {
    keys.current.mac(format!("{MAGIC} header\n{body}").as_bytes())
}

fn bucket_mac(keys: &Keyring, header: &str, n: usize, body: &str) -> String {
    keys.current.mac(format!("{MAGIC} bucket {n}\n{header}\n{body}").as_bytes())
}

/// Byte ranges of the records of a log in jiediqi's own shape (each from its
/// `- ` line to the next record or the end).
pub(super) fn record_spans(text: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("- ") {
            starts.push(at);
        }
        at += line.len();
    }
    let ends = starts.iter().skip(1).copied().chain(std::iter::once(text.len()));
    starts.iter().copied().zip(ends).collect()
}

/// What the caller knows about the log it just verified in full.
pub(super) struct Verified<'a> {
    pub log_path: &'a Path,
    pub text: &'a str,
    pub records: &'a [Record],
    /// The log's metadata before it was read, and when.
    pub before: &'a std::fs::Metadata,
    pub read_at: SystemTime,
    /// This machine's head and project records, as [`super::log`] keeps them.
    pub head_text: String,
    pub project_text: String,
}

/// Note the index of a log that verified in full (best effort: a cache that
/// cannot be written only makes the next run slower).
pub(super) fn save(base: &Path, root: &Path, keys: &Keyring, v: &Verified) {
    let (Some(dir), Some(first), Some(last)) = (cache_dir(base, root), v.records.first(), v.records.last()) else {
        return;
    };
    // The file read is the file stat'ed before and after, and old enough
    // that any later change shows in its change time.
    let after = std::fs::metadata(v.log_path).ok();
    if after.as_ref().is_none_or(|a| fsio::identity(a) != fsio::identity(v.before))
        || !fsio::settled(v.before, v.read_at, SETTLED)
    {
        return;
    }
    let spans = record_spans(v.text);
    if spans.len() != v.records.len() {
        return;
    }
    let Ok(abs) = root.canonicalize() else { return };
    let (head_at, head_end) = spans[spans.len() - 1];
    let body = format!(
        "{MAGIC}\nproject {}\nlog {}\nfile {}\nhead {} {} {} {}\nkey {}\nmachine {} {}\n",
        abs.display(),
        first.prev,
        fsio::identity(v.before),
        last.seq,
        head_at,
        head_end - head_at,
        super::log::chain_hash(last),
        keys.current.id,
        v.head_text.trim(),
        v.project_text.trim(),
    );
    let header = header_mac(keys, &body);
    let head = format!("{body}mac {header}\n");
    // Noted already (every full read of an unchanged log comes here).
    if std::fs::read_to_string(dir.join("head")).is_ok_and(|t| t == head) {
        return;
    }
    let mut lines: Vec<std::collections::BTreeMap<&str, String>> = vec![Default::default(); BUCKETS];
    for (r, (start, end)) in v.records.iter().zip(&spans) {
        let line = lines[bucket_of(&r.slogan)].entry(r.slogan.as_str()).or_default();
        line.push_str(&format!(" {}:{}:{}", r.seq, start, end - start));
    }
    let write = |name: &str, text: &str| fsio::write_atomic(&dir.join(name), text.as_bytes(), Durability::Rename);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    fsio::clean_leftovers(&dir);
    for (n, slogans) in lines.iter().enumerate() {
        let mut text = String::new();
        for (id, entries) in slogans {
            text.push_str(id);
            text.push_str(entries);
            text.push('\n');
        }
        let mac = bucket_mac(keys, &header, n, &text);
        text.push_str(&format!("mac {mac}\n"));
        if write(&format!("b{n:03}"), &text).is_err() {
            return;
        }
    }
    // The header last: buckets of an older header fail their MAC.
    let _ = write("head", &head);
    prune(&dir);
}

/// Remove the indexes of project folders that no longer exist (moved,
/// deleted, a test's copy): only folders holding an index of ours.
fn prune(ours: &Path) {
    let Some(all) = ours.parent() else { return };
    let Ok(entries) = std::fs::read_dir(all) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if path == ours || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path.join("head")) else { continue };
        let project = text.lines().nth(1).and_then(|l| l.strip_prefix("project "));
        if text.starts_with(MAGIC) && project.is_some_and(|p| !Path::new(p).exists()) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// The records of `ids`, from the index and the log, if the index can be
/// trusted for this log (see the module's comment); `None` otherwise.
pub(super) fn lookup(
    base: &Path,
    root: &Path,
    keys: &Keyring,
    log_path: &Path,
    ids: &[String],
    machine: impl Fn(&str) -> (String, String),
) -> Option<Vec<Record>> {
    let dir = cache_dir(base, root)?;
    let text = std::fs::read_to_string(dir.join("head")).ok()?;
    let (body, mac) = text.rsplit_once("mac ")?;
    let header = header_mac(keys, body);
    if !key::same(mac.trim_end(), &header) {
        return None;
    }
    let field = |name: &str| body.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' '));
    let abs = root.canonicalize().ok()?;
    if field("project")? != abs.to_string_lossy() || field("key")? != keys.current.id {
        return None;
    }
    let log_id = field("log")?;
    let meta = std::fs::metadata(log_path).ok()?;
    if field("file")? != fsio::identity(&meta) {
        return None;
    }
    // This machine's records of the log's head and the project's log, as
    // when the index was made.
    let (head_text, project_text) = machine(log_id);
    if field("machine")? != format!("{} {}", head_text.trim(), project_text.trim()) {
        return None;
    }
    let mut head = field("head")?.split(' ');
    let (seq, at, len, hash) = (
        head.next()?.parse::<u64>().ok()?,
        head.next()?.parse::<u64>().ok()?,
        head.next()?.parse::<u64>().ok()?,
        head.next()?,
    );
    if at.checked_add(len)? != meta.len() {
        return None;
    }
    let file = std::fs::File::open(log_path).ok()?;
    let last = read_record(&file, keys, at, len, seq)?;
    if !key::same(&super::log::chain_hash(&last), hash) {
        return None;
    }
    let mut out = Vec::new();
    let mut buckets: std::collections::BTreeMap<usize, String> = Default::default();
    for id in ids {
        let n = bucket_of(id);
        let content = match buckets.entry(n) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let text = std::fs::read_to_string(dir.join(format!("b{n:03}"))).ok()?;
                let (content, mac) = text.rsplit_once("mac ")?;
                if !key::same(mac.trim_end(), &bucket_mac(keys, &header, n, content)) {
                    return None;
                }
                e.insert(content.to_string())
            }
        };
        let Some(line) = content.lines().find(|l| l.split(' ').next() == Some(id.as_str())) else { continue };
        for entry in line.split(' ').skip(1) {
            let mut parts = entry.split(':');
            let (seq, at, len) =
                (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
            let r = read_record(&file, keys, at, len, seq)?;
            if r.slogan != *id {
                return None;
            }
            out.push(r);
        }
    }
    out.sort_by_key(|r| r.seq);
    out.dedup_by_key(|r| r.seq);
    Some(out)
}

/// One record read from its place in the log, checked: its number and its MAC.
fn read_record(file: &std::fs::File, keys: &Keyring, at: u64, len: u64, seq: u64) -> Option<Record> {
    if len > 64 * 1024 {
        return None;
    }
    let mut buf = vec![0u8; usize::try_from(len).ok()?];
    file.read_exact_at(&mut buf, at).ok()?;
    let text = std::str::from_utf8(&buf).ok()?;
    let r = super::log::read_one(text, keys)?;
    (r.seq == seq).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::super::log::{self, Draft};
    use super::super::{Decision, ReviewLog, State};
    use super::*;

    fn draft(id: &str, d: Decision) -> Draft {
        let note = (d != Decision::Approved).then(|| "换个说法".to_string());
        Draft { slogan: id.into(), wording: "a".repeat(64), decision: d, reviewer: "王".into(), note }
    }

    fn state(records: Vec<Record>, id: &str) -> &'static str {
        let mut s = crate::validate::Slogan::for_test(&["骑车戴头盔"], None);
        s.id = id.into();
        let log = ReviewLog {
            records: records.into_iter().map(|r| Record { wording: super::super::wording_hash(&s), ..r }).collect(),
        };
        match log.state(&s) {
            State::Approved(_) => "approved",
            State::Rejected(_) => "rejected",
            _ => "other",
        }
    }

    #[test]
    fn the_index_serves_the_log_it_verified_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("jiediqi-index-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("project");
        let cache = dir.join("cache");
        std::fs::create_dir_all(&root).unwrap();
        let keys = Keyring::create(&dir.join("cfg/review.key"), &root).unwrap();
        let drafts = [
            draft("a", Decision::Approved),
            draft("b", Decision::Approved),
            draft("c", Decision::Approved),
            draft("b", Decision::Rejected),
        ];
        log::append(&root, &keys, &drafts, &mut || {}).unwrap();
        let path = log::log_path(&root);
        let ids = ["b".to_string()];
        let machine = |id: &str| {
            let head = std::fs::read_to_string(keys.heads_dir().join(&id[..32])).unwrap_or_default();
            let projects = keys.heads_dir().join("projects");
            let project = std::fs::read_dir(&projects)
                .ok()
                .and_then(|mut d| d.next())
                .and_then(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .unwrap_or_default();
            (head, project)
        };
        // Indexes of projects that are gone are removed when one is noted; nothing else is.
        let gone = cache.join("jiediqi/review-index/0123456789abcdef0123456789abcdef");
        let other = cache.join("jiediqi/review-index/not-ours");
        for (d, text) in
            [(&gone, format!("{MAGIC}\nproject {}\n", dir.join("moved").display())), (&other, "x\n".into())]
        {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join("head"), text).unwrap();
        }
        // Just written: not settled, so not indexed.
        log::load_for_in(Some(&cache), &root, Some(&keys), &ids).unwrap();
        assert!(lookup(&cache, &root, &keys, &path, &ids, machine).is_none());
        std::thread::sleep(SETTLED + Duration::from_millis(50));
        let full = log::load_for_in(Some(&cache), &root, Some(&keys), &ids).unwrap().records;
        assert_eq!(full.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 4]);
        // Indexed now: the same records, from the index.
        let fast = lookup(&cache, &root, &keys, &path, &ids, machine).expect("the index is used");
        assert_eq!(fast, full);
        assert!(!gone.exists() && other.join("head").exists());
        assert_eq!(state(fast, "b"), "rejected");
        assert_eq!(lookup(&cache, &root, &keys, &path, &["x".to_string()], machine), Some(vec![]));

        // A forged bucket (the rejection left out) fails its MAC: the whole log is read.
        let index = cache_dir(&cache, &root).unwrap();
        let bucket = index.join(format!("b{:03}", bucket_of("b")));
        let good = std::fs::read_to_string(&bucket).unwrap();
        let forged = good
            .lines()
            .map(|l| if l.starts_with("b ") { l.rsplit_once(' ').unwrap().0 } else { l })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        assert_ne!(forged, good);
        std::fs::write(&bucket, &forged).unwrap();
        assert!(lookup(&cache, &root, &keys, &path, &ids, machine).is_none());
        let read = log::load_for_in(Some(&cache), &root, Some(&keys), &ids).unwrap().records;
        assert_eq!(state(read, "b"), "rejected");
        // Another key (rotated) does not trust it either.
        let mut rotated = keys.clone();
        rotated.rotate().unwrap();
        assert!(lookup(&cache, &root, &rotated, &path, &ids, machine).is_none());

        // The index noted again; then records edited in place, keeping their
        // length: one of `b`'s, and one of another slogan's. Both are refused.
        std::fs::write(&bucket, &good).unwrap();
        assert!(lookup(&cache, &root, &rotated, &path, &ids, machine).is_none());
        let text = std::fs::read_to_string(&path).unwrap();
        let spans = record_spans(&text);
        for (n, what) in [(3usize, "b's own rejection"), (2, "c's approval")] {
            let (start, end) = spans[n];
            let edited = format!(
                "{}{}{}",
                &text[..start],
                text[start..end].replacen("decision: rejected", "decision: approved", 1).replacen(
                    "reviewer: \"王\"",
                    "reviewer: \"李\"",
                    1
                ),
                &text[end..]
            );
            assert_eq!(edited.len(), text.len(), "{what}");
            std::fs::write(&path, &edited).unwrap();
            assert!(lookup(&cache, &root, &keys, &path, &ids, machine).is_none(), "{what}");
            let e = log::load_for_in(Some(&cache), &root, Some(&keys), &ids).unwrap_err();
            assert!(e.to_string().contains("does not match its signature"), "{what}: {e}");
            std::fs::write(&path, &text).unwrap();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
