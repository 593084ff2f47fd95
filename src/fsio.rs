//! The one writer: every file jiediqi makes goes through here, so every file
//! is whole or absent and every leftover has a name we can recognise.
//!
//! A file is written to a temporary sibling `.<name>.<run>.jiediqi-tmp` and
//! renamed over the target, so a crash never leaves a half-written file nor
//! replaces a good one with a broken one. A crashed run leaves only such
//! temporaries (and the journals of [`Pair`]); [`clean_leftovers`] removes
//! the ones whose process is gone, and every command that writes into a
//! folder calls it first. `<run>` is `<host>-<pid>`: a tag of the machine
//! (and pid namespace) and the process id, so a run on another machine
//! sharing the folder is never taken for a dead one here.
//!
//! Temporaries are always created new (`O_EXCL`), after removing whatever
//! stands at their name: a symlink planted there is never followed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// The suffix of every temporary file or folder we make.
pub const TMP_SUFFIX: &str = ".jiediqi-tmp";
/// The suffix of a render pair's journal (see [`Pair`]).
pub const PAIR_SUFFIX: &str = ".jiediqi-pair";

/// This machine and pid namespace, as 8 hex digits: the hostname and the
/// kernel's id of our pid namespace, hashed.
fn host_tag() -> &'static str {
    static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let ns = std::fs::read_link("/proc/self/ns/pid").map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        crate::review::sha256_hex(format!("{}\n{ns}", host.trim()).as_bytes())[..8].to_string()
    })
}

/// `<host>-<pid>` of this process.
pub fn run_token() -> String {
    format!("{}-{}", host_tag(), std::process::id())
}

/// `dir/.<name>.<run>.jiediqi-tmp` beside `path`.
pub fn temp_path(path: &Path) -> PathBuf {
    temp_path_tagged(path, "")
}

/// As [`temp_path`], with a tag before the run (`.<name>.<tag>.<run>.jiediqi-tmp`).
pub fn temp_path_tagged(path: &Path, tag: &str) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tag = if tag.is_empty() { String::new() } else { format!(".{tag}") };
    dir.join(format!(".{name}{tag}.{}{TMP_SUFFIX}", run_token()))
}

/// Hold the lock file `dir/name` that guards `what` (the review log, the
/// slogan files) against other writers, in this process or another. Says
/// so through `waiting` once a second has passed; gives up after
/// [`crate::review::log::lock_timeout`]. The lock ends when the file is dropped.
pub fn hold_lock(dir: &Path, name: &str, what: &str, waiting: &mut dyn FnMut()) -> Result<std::fs::File, Diagnostic> {
    use std::time::{Duration, Instant};
    let io = |doing: &str, e: std::io::Error| {
        Diagnostic::io(format!("cannot {doing} in {}: {e}", dir.display())).hint("check that the folder is writable")
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create the folder", e))?;
    // Never through a link, never a FIFO (an open would block forever).
    let lock_path = dir.join(name);
    if let Ok(m) = std::fs::symlink_metadata(&lock_path)
        && !m.is_file()
    {
        return Err(Diagnostic::io(format!("{} is not a regular file", lock_path.display()))
            .hint("remove it; jiediqi makes the lock file itself"));
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| io("open the lock file", e))?;
    let started = Instant::now();
    let mut told = false;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&format!("lock {what}"), e)),
        }
        let waited = started.elapsed();
        if !told && waited >= Duration::from_secs(1) {
            waiting();
            told = true;
        }
        if waited >= crate::review::log::lock_timeout() {
            return Err(Diagnostic::io(format!(
                "{what} is locked by another jiediqi process; gave up after {} s",
                waited.as_secs()
            ))
            .in_file(&lock_path)
            .hint("wait for the other command (or the studio's save) to finish, then try again"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Remove whatever stands at `path` (a file, a symlink — not what it points
/// at — or a folder), then create a new file there, failing if anything
/// appeared in between.
pub fn create_fresh(path: &Path) -> std::io::Result<std::fs::File> {
    remove_entry(path);
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// Remove a file, symlink or folder at `path`, never following a link.
fn remove_entry(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    let hint = if e.raw_os_error() == Some(28) {
        "the disk is full: free some space"
    } else {
        "check that the folder exists and is writable"
    };
    Diagnostic::io(format!("cannot write {}: {e}", path.display())).hint(hint)
}

/// How hard to push the bytes to the disk before the rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Rename only: a crash leaves the old file or the new one. Syncing a
    /// thousand small print files cost more than rendering them.
    Rename,
    /// Also fsync the file and its folder: for the review log, where a lost
    /// record is a lost decision.
    Sync,
}

/// A file's identity as `stat` gives it: device, inode, size, modification
/// and change time. The change time no user can set, and every write or
/// rename changes it: the caches keyed on files (verified fonts, the review
/// and slogan indexes) note this, not the bytes.
pub fn identity(m: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt as _;
    format!("{} {} {} {}.{} {}.{}", m.dev(), m.ino(), m.len(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec())
}

/// Whether a file last changed at least `settle` before `at`: on file
/// systems with coarse clocks a second change within the same tick could
/// keep its change time, so only settled files are noted in a cache.
pub fn settled(m: &std::fs::Metadata, at: std::time::SystemTime, settle: std::time::Duration) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let changed = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::new(m.ctime().max(0) as u64, m.ctime_nsec().clamp(0, 999_999_999) as u32);
    at.duration_since(changed).is_ok_and(|d| d >= settle)
}

/// The user's cache folder: `$XDG_CACHE_HOME`, else `$HOME/.cache`.
pub fn cache_base() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache")))
}

/// Write `bytes` to `path` atomically. A symlink at `path` is replaced, not
/// followed: an output file never writes through a link someone planted.
pub fn write_atomic(path: &Path, bytes: &[u8], durability: Durability) -> Result<(), Diagnostic> {
    write_atomic_at(path, path, bytes, durability)
}

/// As [`write_atomic`], but a symlink at `path` is followed to a `.yaml`
/// file, which receives the bytes while the link stays (a review log shared
/// by link). A link to anything else is refused.
pub fn write_atomic_through_link(path: &Path, bytes: &[u8], durability: Durability) -> Result<(), Diagnostic> {
    let target = resolve_link(path).map_err(|e| io_error(path, &e))?;
    if target != path && target.extension().is_none_or(|x| x != "yaml") {
        return Err(Diagnostic::io(format!(
            "{} is a link to {}, which is not a .yaml file: not written through",
            path.display(),
            target.display()
        ))
        .hint("replace the link with the file itself, or point it at a review log (.yaml)"));
    }
    write_atomic_at(path, &target, bytes, durability)
}

fn write_atomic_at(path: &Path, target: &Path, bytes: &[u8], durability: Durability) -> Result<(), Diagnostic> {
    let target = target.to_path_buf();
    let tmp = temp_path(&target);
    let result = (|| {
        let mut f = create_fresh(&tmp)?;
        f.write_all(bytes)?;
        if durability == Durability::Sync {
            f.sync_all()?;
        }
        drop(f);
        crate::fault::point("write.rename");
        std::fs::rename(&tmp, &target)?;
        if durability == Durability::Sync
            && let Some(dir) = target.parent()
        {
            // The rename itself reaches the disk with the folder.
            std::fs::File::open(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })?.sync_all()?;
        }
        Ok(())
    })();
    result.map_err(|e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, &e)
    })
}

/// The file a path names, through any chain of symlinks (at most 40, as the
/// kernel allows); the path itself if it does not exist.
pub fn resolve_link(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Swap two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`): a
/// package folder is replaced without a moment in which it is missing.
pub fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    rustix::fs::renameat_with(rustix::fs::CWD, a, rustix::fs::CWD, b, rustix::fs::RenameFlags::EXCHANGE)
        .map_err(std::io::Error::from)
}

/// The run in a leftover's name, `.<name>[.<tag>].<host>-<pid>.jiediqi-tmp`
/// or `.<name>.<host>-<pid>.jiediqi-pair`: its host tag and pid.
fn leftover_run(name: &str) -> Option<(&str, u32)> {
    let stem = name.strip_suffix(TMP_SUFFIX).or_else(|| name.strip_suffix(PAIR_SUFFIX))?;
    if !name.starts_with('.') {
        return None;
    }
    let (host, pid) = stem.rsplit('.').next()?.split_once('-')?;
    (host.len() == 8 && host.bytes().all(|b| b.is_ascii_hexdigit())).then_some(())?;
    Some((host, pid.parse::<u32>().ok()?))
}

/// Whether `path` is one of our temporaries or journals whose run is over.
pub fn leftover_finished(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    leftover_run(&name).is_some_and(|(host, pid)| finished(host, pid, path))
}

/// Whether a leftover's run is over: on this machine, its process is gone;
/// from another machine (or pid namespace), which we cannot ask, only when
/// it is a day old.
fn finished(host: &str, pid: u32, path: &Path) -> bool {
    if host == host_tag() {
        return pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists();
    }
    let age = std::fs::symlink_metadata(path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
    age.is_some_and(|a| a > std::time::Duration::from_secs(24 * 3600))
}

/// Remove what crashed runs left in `dir`: temporaries and unfinished render
/// pairs (every file a journal names, so a pair is whole or absent). Only
/// names we make are touched, and only when their process is gone. Returns
/// how many were removed.
pub fn clean_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    let mut entries: Vec<_> = entries.flatten().collect();
    // Journals first: they name the temporaries' targets.
    entries.sort_by_key(|e| !e.file_name().to_string_lossy().ends_with(PAIR_SUFFIX));
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some((host, pid)) = leftover_run(&name) else { continue };
        let path = e.path();
        if !finished(host, pid, &path) {
            continue;
        }
        // A journal from another machine (or an old planted one) is removed,
        // but its files are only removed by a run of the machine that wrote it.
        if let Some(stem) = name.strip_suffix(PAIR_SUFFIX)
            && host == host_tag()
        {
            // Only the pair's own files: `<base>.pdf|svg|png`, where the
            // journal is `.<base>.<run>.jiediqi-pair` (a planted journal
            // cannot name anything else).
            let base = stem.strip_prefix('.').and_then(|s| s.rsplit_once('.')).map(|(b, _)| b).unwrap_or("");
            let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() < 4096);
            if let Some(list) = regular.then(|| std::fs::read_to_string(&path).ok()).flatten() {
                for f in list.lines().filter(|l| is_pair_file(base, l)) {
                    let _ = std::fs::remove_file(dir.join(f));
                }
            }
        }
        remove_entry(&path);
        removed += 1;
    }
    removed
}

/// One of a render pair's files: `<base>.pdf`, `.cut.pdf`, `.svg`,
/// `.ink-<ink id>.svg` or `.png`.
fn is_pair_file(base: &str, name: &str) -> bool {
    let film = |ext: &str| {
        ext.strip_prefix(".ink-").and_then(|e| e.strip_suffix(".svg")).is_some_and(|id| {
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
    };
    // The back of a two-sided item has its own single-page files: `<base>--back.png`.
    let back = |ext: &str| ext.strip_prefix("--back").is_some_and(|e| matches!(e, ".svg" | ".png") || film(e));
    !base.is_empty()
        && !name.contains('/')
        && name
            .strip_prefix(base)
            .is_some_and(|ext| matches!(ext, ".pdf" | ".cut.pdf" | ".svg" | ".png") || film(ext) || back(ext))
}

/// Files that belong together (the PDF, SVG and PNG of one render): all are
/// written to temporaries first; a journal naming them is written before the
/// first rename and removed after the last. If the process dies between, the
/// next run's [`clean_leftovers`] removes every file the journal names, so a
/// pair is never left half old, half new.
pub struct Pair {
    dir: PathBuf,
    files: Vec<(PathBuf, PathBuf)>,
    journal: PathBuf,
}

impl Pair {
    /// Write every file to its temporary. On failure nothing is left behind.
    pub fn stage(dir: &Path, base: &str, files: &[(String, Vec<u8>)]) -> Result<Pair, Diagnostic> {
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let target = dir.join(name);
            let tmp = temp_path(&target);
            let written = create_fresh(&tmp).and_then(|mut f| f.write_all(bytes));
            crate::fault::point("pair.stage");
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                for (t, _) in &staged {
                    let _ = std::fs::remove_file(t);
                }
                return Err(io_error(&target, &e));
            }
            staged.push((tmp, target));
        }
        let journal = dir.join(format!(".{base}.{}{PAIR_SUFFIX}", run_token()));
        Ok(Pair { dir: dir.to_path_buf(), files: staged, journal })
    }

    /// Rename every temporary into place, under the journal.
    pub fn commit(self) -> Result<Vec<PathBuf>, Diagnostic> {
        let names: String = self
            .files
            .iter()
            .filter_map(|(_, t)| t.file_name().map(|n| format!("{}\n", n.to_string_lossy())))
            .collect();
        let fail = |p: &Path, e: std::io::Error, files: &[(PathBuf, PathBuf)]| {
            for (tmp, _) in files {
                let _ = std::fs::remove_file(tmp);
            }
            io_error(p, &e)
        };
        // One file needs no journal: its rename alone is all or nothing.
        let journal = self.files.len() > 1;
        if journal && let Err(e) = create_fresh(&self.journal).and_then(|mut f| f.write_all(names.as_bytes())) {
            return Err(fail(&self.dir, e, &self.files));
        }
        crate::fault::point("pair.journal");
        let mut done = Vec::with_capacity(self.files.len());
        for (tmp, target) in &self.files {
            if let Err(e) = std::fs::rename(tmp, target) {
                // Whole or absent: take back what this pair already put in place.
                for t in &done {
                    let _ = std::fs::remove_file(t);
                }
                let d = fail(target, e, &self.files);
                let _ = std::fs::remove_file(&self.journal);
                return Err(d);
            }
            crate::fault::point("pair.rename");
            done.push(target.clone());
        }
        if journal {
            let _ = std::fs::remove_file(&self.journal);
        }
        Ok(done)
    }
}

/// A folder built in a temporary sibling (`.<name>.<pid>.jiediqi-tmp`),
/// then put in place in one step: swapped with the folder already there
/// ([`exchange`]), so there is never a moment without one. The old folder
/// ends up at the temporary path and is removed with it.
pub struct StagedDir {
    tmp: PathBuf,
    dir: PathBuf,
}

impl StagedDir {
    pub fn new(dir: &Path) -> Result<StagedDir, Diagnostic> {
        let tmp = temp_path(dir);
        remove_entry(&tmp);
        // Made new here (not `create_dir_all`): nothing planted at the name is used.
        std::fs::create_dir(&tmp).map_err(|e| io_error(&tmp, &e))?;
        Ok(StagedDir { tmp, dir: dir.to_path_buf() })
    }

    /// The folder being filled, to read back what was written into it.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Write one file at `rel` (a `/`-separated path) inside the folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let path = self.tmp.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| io_error(p, &e))?;
        }
        create_fresh(&path).and_then(|mut f| f.write_all(bytes)).map_err(|e| io_error(&path, &e))?;
        crate::fault::point("install.file");
        Ok(())
    }

    /// Put the folder in place: swapped with an existing one, else renamed.
    pub fn swap_in(&self) -> Result<(), Diagnostic> {
        let had_old = std::fs::symlink_metadata(&self.dir).is_ok();
        let r = if had_old { exchange(&self.tmp, &self.dir) } else { std::fs::rename(&self.tmp, &self.dir) };
        r.map_err(|e| io_error(&self.dir, &e))?;
        crate::fault::point("install.swap");
        Ok(())
    }
}

impl Drop for StagedDir {
    /// The old folder (swapped out) or the unfinished new one. A crash skips
    /// this; [`clean_leftovers`] removes it on the next run.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

/// A file written whole to a temporary sibling named with `tag`, to be
/// renamed into place later with [`StagedFile::commit`] (or removed).
pub struct StagedFile {
    tmp: PathBuf,
    target: PathBuf,
}

impl StagedFile {
    pub fn new(target: &Path, tag: &str, bytes: &[u8]) -> Result<StagedFile, Diagnostic> {
        let tmp = temp_path_tagged(target, tag);
        if let Err(e) = create_fresh(&tmp).and_then(|mut f| f.write_all(bytes)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(io_error(target, &e));
        }
        Ok(StagedFile { tmp, target: target.to_path_buf() })
    }

    /// A file written by `fill` through a buffer, as it goes (a zip of a
    /// whole package is never held in memory). On failure nothing is left.
    pub fn stream<T>(
        target: &Path,
        tag: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> Result<T, Diagnostic>,
    ) -> Result<(StagedFile, T), Diagnostic> {
        let tmp = temp_path_tagged(target, tag);
        // Made here, so a failure below removes it on drop.
        let staged = StagedFile { tmp: tmp.clone(), target: target.to_path_buf() };
        let file = create_fresh(&tmp).map_err(|e| io_error(target, &e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let value = fill(&mut w)?;
        w.into_inner().map_err(|e| io_error(target, e.error()))?;
        Ok((staged, value))
    }

    pub fn commit(self) -> Result<(), Diagnostic> {
        std::fs::rename(&self.tmp, &self.target).map_err(|e| io_error(&self.target, &e))
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        // After a commit the temporary is gone and this does nothing.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names_carry_their_run() {
        assert_eq!(leftover_run(".a.pdf.0a1b2c3d-123.jiediqi-tmp"), Some(("0a1b2c3d", 123)));
        assert_eq!(leftover_run(".pkg.zip.m0a1b2c.0a1b2c3d-77.jiediqi-tmp"), Some(("0a1b2c3d", 77)));
        assert_eq!(leftover_run(".poster-a3--x.0a1b2c3d-4242.jiediqi-pair"), Some(("0a1b2c3d", 4242)));
        assert_eq!(leftover_run("a.pdf.0a1b2c3d-123.jiediqi-tmp"), None, "not hidden: not ours");
        assert_eq!(leftover_run(".a.pdf.123.jiediqi-tmp"), None);
        assert_eq!(leftover_run(".notes.txt"), None);
    }

    #[test]
    fn a_pair_names_its_cut_file_and_films_and_nothing_else() {
        let b = "mousepad-small--x";
        for ok in
            [".pdf", ".cut.pdf", ".svg", ".png", ".ink-red.svg", ".ink-pms-186.svg", "--back.png", "--back.ink-red.svg"]
        {
            assert!(is_pair_file(b, &format!("{b}{ok}")), "{ok}");
        }
        for bad in
            [".ink-.svg", ".ink-../a.svg", ".ink-Red.svg", ".ink-red.pdf", ".cut.svg", ".txt", "/x.pdf", "--back.pdf"]
        {
            assert!(!is_pair_file(b, &format!("{b}{bad}")), "{bad}");
        }
        assert!(!is_pair_file("", ".pdf"));
    }

    #[test]
    fn a_dead_runs_leftovers_go_and_others_stay() {
        let dir = std::env::temp_dir().join(format!("jiediqi-fsio-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // pid 0x7fff_fffe is never a running process here.
        let dead = format!("{}-2147483646", host_tag());
        let me = run_token();
        let elsewhere = "ffffffff-1";
        std::fs::write(dir.join(format!(".a.pdf.{dead}{TMP_SUFFIX}")), b"x").unwrap();
        std::fs::write(dir.join("b.pdf"), b"half a pair").unwrap();
        std::fs::write(dir.join("notes.docx"), b"someone's").unwrap();
        std::fs::write(dir.join(format!(".b.{dead}{PAIR_SUFFIX}")), "b.pdf\nnotes.docx\n../escape\n").unwrap();
        std::fs::write(dir.join(format!(".c.pdf.{me}{TMP_SUFFIX}")), b"mine").unwrap();
        std::fs::write(dir.join(format!(".d.pdf.{elsewhere}{TMP_SUFFIX}")), b"another machine's, in use").unwrap();
        assert_eq!(clean_leftovers(&dir), 2);
        let mut left: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                format!(".c.pdf.{me}{TMP_SUFFIX}"),
                format!(".d.pdf.{elsewhere}{TMP_SUFFIX}"),
                "notes.docx".to_string()
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_symlink_planted_at_a_temporary_name_is_not_followed() {
        let dir = std::env::temp_dir().join(format!("jiediqi-fsio-plant-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("victim.key"), b"secret").unwrap();
        let target = dir.join("out.pdf");
        std::os::unix::fs::symlink(dir.join("victim.key"), temp_path(&target)).unwrap();
        write_atomic(&target, b"%PDF", Durability::Rename).unwrap();
        assert_eq!(std::fs::read(dir.join("victim.key")).unwrap(), b"secret");
        assert_eq!(std::fs::read(&target).unwrap(), b"%PDF");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_symlink_keeps_pointing_at_the_file_it_names() {
        let dir = std::env::temp_dir().join(format!("jiediqi-fsio-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("real")).unwrap();
        std::fs::write(dir.join("real/log.yaml"), b"old").unwrap();
        std::os::unix::fs::symlink("real/log.yaml", dir.join("log.yaml")).unwrap();
        write_atomic_through_link(&dir.join("log.yaml"), b"new", Durability::Sync).unwrap();
        assert!(std::fs::symlink_metadata(dir.join("log.yaml")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(dir.join("real/log.yaml")).unwrap(), b"new");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
