//! Which slogan files define which ids, noted in the user's cache folder
//! (`$XDG_CACHE_HOME/jiediqi/slogan-index/`, never in the project), so that
//! rendering one slogan of a library of 10 000 reads the one file that
//! holds it instead of all 40 (1.6 MB).
//!
//! An entry is noted under a stamp of the slogan folder: every file's name
//! and identity (device, inode, size, modification and change time; the
//! change time no user can set and every write changes), and only by a run
//! that read every file, found no problem, and saw files that had settled
//! (changed at least 100 ms before). A run trusts an entry only under the
//! same stamp, so any edit, new or removed file means every file is read
//! again. The index only chooses which files are read; what they say is
//! parsed and checked as always, and approval is still decided by the
//! review log from the exact wording read. A forged index can hide a slogan
//! (it reads as unknown) or a second definition of an id, never put words
//! in a print file that no reviewer approved.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::fsio::{self, Durability};

const MAGIC: &str = "jiediqi slogan index 1";
/// Files changed this recently are not indexed (coarse file-system clocks).
const SETTLED: Duration = Duration::from_millis(100);
/// Ids noted per project at most; past it the index starts again.
const MAX_IDS: usize = 20_000;
/// The largest index file read.
const MAX_BYTES: u64 = 4 << 20;

/// A slogan folder's YAML files as listed now, with their stamp.
pub struct Listing {
    pub files: Vec<PathBuf>,
    stamp: String,
    settled: bool,
    index: Option<PathBuf>,
    /// The index's entries, if it is one of this stamp (read once).
    entries: Option<BTreeMap<String, BTreeSet<String>>>,
}

impl Listing {
    /// List `dir` (the project's `slogans/`) and stamp it. Without a cache
    /// folder the listing still serves, and nothing is noted.
    pub fn read(dir: &Path) -> Result<Listing, crate::diag::Diagnostic> {
        let files = crate::library::yaml_files(dir)?;
        let now = SystemTime::now();
        let mut listed = String::new();
        let mut settled = true;
        for f in &files {
            let Ok(m) = std::fs::metadata(f) else {
                // Gone or unreadable: the read that follows says so; note nothing.
                settled = false;
                continue;
            };
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            listed.push_str(&format!("{name}\0{}\n", fsio::identity(&m)));
            settled &= fsio::settled(&m, now, SETTLED);
        }
        let stamp = crate::review::sha256_hex(listed.as_bytes());
        let index = fsio::cache_base().and_then(|base| {
            let abs = dir.canonicalize().ok()?;
            let id = crate::review::sha256_hex(abs.to_string_lossy().as_bytes());
            Some(base.join("jiediqi").join("slogan-index").join(&id[..32]))
        });
        let entries = index.as_deref().and_then(|i| entries(i, &stamp));
        Ok(Listing { files, stamp, settled, index, entries })
    }

    /// The files that define `ids`, if every one of them is noted under
    /// this listing's stamp.
    pub fn noted(&self, ids: &[String]) -> Option<Vec<PathBuf>> {
        let entries = self.entries.as_ref()?;
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for id in ids {
            names.extend(entries.get(id.as_str())?.iter().map(String::as_str));
        }
        // Every noted file is one listed now (the stamp covers names, but a
        // damaged index must not name a file outside the folder).
        let chosen: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|f| f.file_name().and_then(|n| n.to_str()).is_some_and(|n| names.contains(n)))
            .cloned()
            .collect();
        (chosen.len() == names.len()).then_some(chosen)
    }

    /// Note where each found id is defined (best effort: a cache that
    /// cannot be written only makes the next run slower).
    pub fn note(&self, found: &BTreeMap<String, BTreeSet<PathBuf>>) {
        let Some(path) = &self.index else { return };
        if !self.settled || found.is_empty() {
            return;
        }
        let mut entries = self.entries.clone().unwrap_or_default();
        let mut changed = false;
        for (id, files) in found {
            let names: BTreeSet<String> =
                files.iter().filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
            if id.contains(['\t', '\n']) || names.iter().any(|n| n.contains(['\t', '\n'])) {
                continue;
            }
            if entries.get(id) != Some(&names) {
                entries.insert(id.clone(), names);
                changed = true;
            }
        }
        if !changed {
            return;
        }
        if entries.len() > MAX_IDS {
            entries.retain(|id, _| found.contains_key(id));
        }
        let mut text = format!("{MAGIC}\n{}\n", self.stamp);
        for (id, names) in &entries {
            text.push_str(id);
            for n in names {
                text.push('\t');
                text.push_str(n);
            }
            text.push('\n');
        }
        if let Some(dir) = path.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = fsio::write_atomic(path, text.as_bytes(), Durability::Rename);
        }
    }
}

/// The entries of the index at `path` if it is one of `stamp`.
fn entries(path: &Path, stamp: &str) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let bytes = crate::library::read_bounded(path, MAX_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MAGIC || lines.next()? != stamp {
        return None;
    }
    let mut out = BTreeMap::new();
    for line in lines {
        let mut parts = line.split('\t');
        let id = parts.next()?;
        out.insert(id.to_string(), parts.map(str::to_string).collect());
    }
    Some(out)
}
