//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run jiediqi on a copy of the project whose slogans are all approved
/// (through `jiediqi approve`, as a reviewer would).
pub fn jiediqi(args: &[&str]) -> Output {
    jiediqi_in(approved_root(), args)
}

/// The shipped project itself: nothing approved.
pub fn jiediqi_shipped(args: &[&str]) -> Output {
    jiediqi_in(&root(), args)
}

pub fn approved_root() -> &'static Path {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let p = project_copy("approved");
        approve_all(&p);
        p
    })
}

/// Approve every slogan of a project.
pub fn approve_all(project: &Path) {
    let lib = jiediqi::validate::Library::load(project).expect("project loads");
    // Tests add slogans that lint rejects (too long for an item): a reviewer overrides.
    let mut args = vec!["approve", "--by", "测试审核员", "--override-lint", "测试用"];
    args.extend(lib.slogans.iter().map(|s| s.id.as_str()));
    let o = jiediqi_in(project, &args);
    assert!(o.status.success(), "approve failed: {}", stderr(&o));
}

pub fn jiediqi_in(project: &Path, args: &[&str]) -> Output {
    command_in(project, args).output().expect("run jiediqi")
}

/// The command `jiediqi_in` runs, for tests that set more of its environment.
pub fn command_in(project: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiediqi"));
    c.arg("--root")
        .arg(project)
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("JIEDIQI_TEST_CRASH_AT")
        .env("JIEDIQI_KEY_FILE", test_key())
        // This run's cache folder (fonts hashed, review-log indexes), not the user's.
        .env("XDG_CACHE_HOME", test_cache());
    c
}

/// The cache folder of this test run.
pub fn test_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cache-{}", std::process::id()))
}

/// The reviewers' key of this test run, outside every project (as the
/// README asks): made once per test binary.
pub fn test_key() -> &'static Path {
    static KEY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let tmp = std::env::temp_dir();
        // A static is never dropped: the keys of earlier runs whose process
        // is gone are removed here instead, so test runs leave none behind.
        for e in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("jiediqi-test-key-")
                && pid.parse::<u32>().is_ok()
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let dir = tmp.join(format!("jiediqi-test-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("review.key");
        jiediqi::review::key::Keyring::create(&path, &root()).expect("make the test key");
        path
    })
}

/// The project's review log, verified with the test key.
pub fn review_log(project: &Path) -> jiediqi::review::ReviewLog {
    let keys = jiediqi::review::key::Keyring::load(test_key(), project).expect("test key");
    jiediqi::review::ReviewLog::load(project, Some(&keys)).expect("the log verifies")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Run an external checking tool (poppler-utils, qpdf, ghostscript, librsvg2-bin); `.ci/run` installs them.
pub fn tool(cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `{cmd}` ({e}); install poppler-utils, qpdf, ghostscript and librsvg2-bin (see .ci/run)")
    })
}

pub fn tool_ok(cmd: &str, args: &[&str]) -> String {
    let o = tool(cmd, args);
    assert!(o.status.success(), "{cmd} {args:?} failed: {}", stderr(&o));
    stdout(&o)
}

/// A copy of the project's data (fonts linked) that a test may break.
pub fn project_copy(name: &str) -> PathBuf {
    let dir = scratch(name);
    for sub in ["layouts", "slogans", "examples", "lint", "orders", "pictograms", "mockups", "data"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    std::os::unix::fs::symlink(root().join("fonts"), dir.join("fonts")).unwrap();
    dir
}

/// Files in a folder, sorted by name.
pub fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The four numbers of a box line of `pdfinfo -box`.
pub fn pdf_box(info: &str, name: &str) -> [f64; 4] {
    let line = info.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} in {info}"));
    let v: Vec<f64> = line[name.len() + 1..].split_whitespace().map(|x| x.parse().unwrap()).collect();
    [v[0], v[1], v[2], v[3]]
}

pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Run jiediqi on `project` with space-separated arguments, then `--out out`.
pub fn run_words(project: &Path, words: &str, out: &Path) -> Output {
    let mut args: Vec<&str> = words.split_whitespace().collect();
    let out = out.to_str().unwrap();
    args.extend(["--out", out]);
    jiediqi_in(project, &args)
}

/// A PDF's objects as text: `qpdf --qdf` unpacks the streams.
pub fn pdf_objects(pdf: &Path) -> String {
    let qdf = pdf.with_extension("qdf.pdf");
    tool_ok("qpdf", &["--qdf", "--object-streams=disable", pdf.to_str().unwrap(), qdf.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    let _ = std::fs::remove_file(qdf);
    text
}

/// A slogan at the length limits (two lines of 24 characters) and templates
/// of the apron and small mouse pad that ask for 60 mm characters: it fits
/// neither. (Every shipped item fits any slogan within the limits.)
pub fn add_slogan_that_does_not_fit(project: &Path, id: &str) {
    let line = "这条标语长到放不进围裙的印刷区这条标语长到放进";
    let text = format!("topic: 反诈\nslogans:\n  - id: {id}\n    lines: [{line}, {line}]\n");
    std::fs::write(project.join(format!("slogans/{id}.yaml")), text).unwrap();
    for (item, from) in
        [("apron", "min_height: 10, max_height: 36"), ("mousepad-small", "min_height: 6, max_height: 24")]
    {
        let path = project.join(format!("layouts/{item}.yaml"));
        let t = std::fs::read_to_string(&path).unwrap();
        assert!(t.contains(from), "{item} template changed: update this helper");
        std::fs::write(&path, t.replacen(from, "min_height: 60, max_height: 80", 1)).unwrap();
    }
}

/// The pages' plates of a PDF, split by Ghostscript's tiffsep at `dpi`:
/// (page, plate name) → an uncompressed 8-bit TIFF.
pub fn tiffsep(pdf: &Path, dpi: u32) -> std::collections::BTreeMap<(usize, String), PathBuf> {
    let dir = pdf.with_extension(format!("plates-{dpi}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let pattern = dir.join("p%d.tif");
    tool_ok(
        "gs",
        &[
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-sDEVICE=tiffsep",
            "-sCompression=none",
            &format!("-r{dpi}"),
            &format!("-sOutputFile={}", pattern.display()),
            pdf.to_str().unwrap(),
        ],
    );
    let mut out = std::collections::BTreeMap::new();
    for f in files(&dir) {
        let Some(rest) = f.strip_prefix('p') else { continue };
        let Some((page, name)) = rest.split_once('(') else { continue };
        let Some(name) = name.strip_suffix(").tif") else { continue };
        out.insert((page.parse().unwrap(), name.to_string()), dir.join(&f));
    }
    out
}

/// One tiffsep plate: width, height and the ink of each pixel, 0 (none) to
/// 255 (full); tiffsep writes 255 for no ink.
pub fn plate(path: &Path) -> (usize, usize, Vec<u8>) {
    let (w, h, spp, px) = tiff_image(path);
    assert_eq!(spp, 1, "{}: one sample per pixel", path.display());
    (w, h, px.into_iter().map(|v| 255 - v).collect())
}

/// An uncompressed little-endian 8-bit TIFF as Ghostscript writes it
/// (tiffsep plates, tiff32nc): width, height, samples per pixel, pixels.
pub fn tiff_image(path: &Path) -> (usize, usize, usize, Vec<u8>) {
    let d = std::fs::read(path).unwrap();
    assert_eq!(&d[..2], b"II", "little-endian TIFF expected");
    let u16at = |o: usize| u16::from_le_bytes([d[o], d[o + 1]]) as usize;
    let u32at = |o: usize| u32::from_le_bytes([d[o], d[o + 1], d[o + 2], d[o + 3]]) as usize;
    let ifd = u32at(4);
    let (mut offsets, mut counts, mut w, mut h, mut spp) = (Vec::new(), Vec::new(), 0, 0, 1);
    for e in 0..u16at(ifd) {
        let at = ifd + 2 + e * 12;
        let (tag, typ, n) = (u16at(at), u16at(at + 2), u32at(at + 4));
        let read = |i: usize| -> usize {
            let size = if typ == 3 { 2 } else { 4 };
            let base = if n * size <= 4 { at + 8 } else { u32at(at + 8) };
            if typ == 3 { u16at(base + i * 2) } else { u32at(base + i * 4) }
        };
        match tag {
            256 => w = read(0),
            257 => h = read(0),
            258 => assert_eq!(read(0), 8, "8-bit TIFF expected"),
            259 => assert_eq!(read(0), 1, "compressed TIFF"),
            273 => offsets = (0..n).map(read).collect(),
            277 => spp = read(0),
            279 => counts = (0..n).map(read).collect(),
            _ => {}
        }
    }
    let mut px = Vec::with_capacity(w * h * spp);
    for (&o, &c) in offsets.iter().zip(&counts) {
        px.extend_from_slice(&d[o..o + c]);
    }
    assert_eq!(px.len(), w * h * spp, "{}: pixels", path.display());
    (w, h, spp, px)
}

/// A one-page PDF split into its plates with Ghostscript's tiffsep at `dpi`:
/// plate name → (width, height, ink 0–255 per pixel, 255 = full ink).
pub fn plates(pdf: &Path, dpi: u32) -> std::collections::BTreeMap<String, (usize, usize, Vec<u8>)> {
    let split = tiffsep(pdf, dpi);
    let out = split.iter().filter(|((page, _), _)| *page == 1).map(|((_, name), f)| (name.clone(), plate(f))).collect();
    if let Some(dir) = split.values().next().and_then(|f| f.parent()) {
        std::fs::remove_dir_all(dir).ok();
    }
    out
}
