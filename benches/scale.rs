//! County scale (issue 11, point 9). Run with `cargo bench --bench scale`.
//!
//! 1. One A3 poster PDF as a fresh process, in a project with a library of
//!    10 000 slogans (40 topic files of 250) and a signed review log of
//!    100 000 records, made with the library's own signing code. The first
//!    run after the log changed verifies the whole chain and notes a verified
//!    index in the cache folder; the runs after it use that index.
//! 2. The county order: 200 stations (`scripts/county-stations.py`) × 4
//!    items × 3 slogans, built as a vendor package in a fresh process
//!    (3 runs; JIEDIQI_BENCH_COUNTY_RUNS to change it; JIEDIQI_BENCH_STATIONS=50,200
//!    builds each size in turn, to show memory does not grow with stations;
//!    JIEDIQI_BENCH_ONLY=county skips workload 1, JIEDIQI_BENCH_ONLY=poster
//!    workload 2; JIEDIQI_BENCH_APRON=print orders the aprons with the station
//!    printed, one design per station, instead of the script's default
//!    `station_block: off`).
//!
//! Medians over several runs, p95, and peak memory (max RSS, from
//! `/usr/bin/time`, Debian package `time`). The cache folder is the bench's
//! own (XDG_CACHE_HOME), so the user's is never touched. Output goes under
//! JIEDIQI_BENCH_DIR (e.g. /dev/shm, to leave the disk out), else the
//! system's temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use jiediqi::review::{self, Decision, log};

const BIN: &str = env!("CARGO_BIN_EXE_jiediqi");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn base_dir() -> PathBuf {
    std::env::var_os("JIEDIQI_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
}

fn fresh_dir(name: &str) -> PathBuf {
    let d = base_dir().join(format!("jiediqi-scale-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The bench's key and cache folders, outside every project.
struct Env {
    key: PathBuf,
    cache: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = std::env::temp_dir().join(format!("jiediqi-scale-env-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let key = dir.join("config/review.key");
        jiediqi::review::key::Keyring::create(&key, &root()).expect("bench key");
        Env { key, cache: dir.join("cache") }
    }

    fn command(&self, project: &Path, args: &[&str], timed: bool) -> Command {
        let mut c = if timed {
            let mut c = Command::new("/usr/bin/time");
            // Peak RSS (KB), then user and system CPU seconds.
            c.args(["-f", "%M %U %S"]).arg(BIN);
            c
        } else {
            Command::new(BIN)
        };
        c.arg("--root")
            .arg(project)
            .args(args)
            .env("JIEDIQI_KEY_FILE", &self.key)
            .env("XDG_CACHE_HOME", &self.cache)
            .env_remove("SOURCE_DATE_EPOCH");
        c
    }

    /// Run once; panics on failure so a broken workload is never timed.
    fn run(&self, project: &Path, args: &[&str]) -> Duration {
        let t = Instant::now();
        let o = self.command(project, args, false).output().expect("run jiediqi");
        let d = t.elapsed();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        d
    }

    /// Peak RSS in MB of one run, if GNU time is installed.
    fn peak_rss(&self, project: &Path, args: &[&str]) -> Option<f64> {
        let o = self.command(project, args, true).output().ok()?;
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8_lossy(&o.stderr);
        let kb: f64 = text.lines().last()?.split_whitespace().next()?.parse().ok()?;
        Some(kb / 1024.0)
    }
}

fn copy_project(dir: &Path, with_slogans: bool) {
    let mut subs = vec!["layouts", "examples", "lint", "orders", "data"];
    if with_slogans {
        subs.push("slogans");
    }
    for sub in subs {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    // Read-only inputs the items draw from.
    for sub in ["fonts", "pictograms", "mockups"] {
        std::os::unix::fs::symlink(root().join(sub), dir.join(sub)).unwrap();
    }
}

const FILES: usize = 40;
const PER_FILE: usize = 250;
/// Decisions per slogan in the log: 10 000 slogans × 10 = 100 000 records.
const ROUNDS: usize = 10;

/// Slogan `i` of file `f`: 7 + 7 couplets from a few hundred phrases.
fn slogan_id(f: usize, i: usize) -> String {
    format!("scale-t{f:02}-{i:04}")
}

/// A project with 10 000 generated slogans and a 100 000-record signed log:
/// for every slogan eight decisions about earlier wording (changes requested,
/// rejected, approved), then changes requested and finally approved for its
/// current wording.
fn scale_project(env: &Env) -> PathBuf {
    let dir = fresh_dir("library");
    copy_project(&dir, false);
    std::fs::create_dir_all(dir.join("slogans")).unwrap();
    let a = ["买菜", "赶集", "下班", "放学", "上网", "打工", "看店", "出门", "开车", "骑车"];
    let b = ["回家路上", "接到电话", "收到短信", "看到广告", "遇到生人", "有人敲门", "有人借钱", "说有中奖"];
    let c = [
        "先挂电话问一问",
        "多问一句没有错",
        "钱袋子要捂捂好",
        "打个电话给家人",
        "莫信生人甜言语",
        "天上不会掉馅饼",
        "不点链接不转账",
        "问问民警再决定",
    ];
    for f in 0..FILES {
        let mut yaml = format!("topic: 压测{f:02}\nslogans:\n");
        for i in 0..PER_FILE {
            let n = f * PER_FILE + i;
            yaml.push_str(&format!(
                "  - id: {}\n    lines: [{}{}，, {}。]\n    tip: 第{n}条：转账之前先核实。\n    audience: [老人]\n\n",
                slogan_id(f, i),
                a[n % a.len()],
                b[(n / a.len()) % b.len()],
                c[(n / 7) % c.len()],
            ));
        }
        std::fs::write(dir.join(format!("slogans/scale-{f:02}.yaml")), yaml).unwrap();
    }
    let lib = jiediqi::validate::Library::load(&dir).expect("generated library loads");
    assert_eq!(lib.slogans.len(), FILES * PER_FILE);
    let keys = jiediqi::review::key::Keyring::load(&env.key, &dir).unwrap();
    let mut drafts = Vec::with_capacity(lib.slogans.len() * ROUNDS);
    for round in 0..ROUNDS {
        for s in &lib.slogans {
            let (wording, decision) = match round {
                r if r + 2 < ROUNDS => (
                    review::sha256_hex(format!("{} draft {r}", s.id).as_bytes()),
                    [Decision::ChangesRequested, Decision::Rejected, Decision::Approved][r % 3],
                ),
                r if r + 2 == ROUNDS => (review::wording_hash(s), Decision::ChangesRequested),
                _ => (review::wording_hash(s), Decision::Approved),
            };
            let note = (decision != Decision::Approved).then(|| "语气再口语一些".to_string());
            drafts
                .push(log::Draft { slogan: s.id.clone(), wording, decision, reviewer: "压测审核员".into(), note });
        }
    }
    log::append(&dir, &keys, &drafts, &mut || {}).expect("sign the log");
    dir
}

/// Approve `slogans`' current wording in `project`'s log, signed with the library's own code.
fn approve<'a>(
    project: &Path,
    keys: &jiediqi::review::key::Keyring,
    slogans: impl Iterator<Item = &'a jiediqi::validate::Slogan>,
) {
    let drafts: Vec<log::Draft> = slogans
        .map(|s| log::Draft {
            slogan: s.id.clone(),
            wording: review::wording_hash(s),
            decision: Decision::Approved,
            reviewer: "压测审核员".into(),
            note: None,
        })
        .collect();
    log::append(project, keys, &drafts, &mut || {}).expect("sign the approvals");
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn p95(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[(v.len() * 95).div_ceil(100).saturating_sub(1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn mb(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.1} MB")).unwrap_or_else(|| "n/a (install `time`)".into())
}

fn main() {
    // `cargo test --benches` runs this with no arguments: keep it cheap then.
    let quick = std::env::args().all(|a| a != "--bench");
    let runs =
        if quick { 3 } else { std::env::var("JIEDIQI_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(31) };
    let env = Env::new();
    // JIEDIQI_BENCH_ONLY=county: the county order alone.
    if std::env::var("JIEDIQI_BENCH_ONLY").is_ok_and(|v| v == "county") {
        county(&env, quick);
        if std::env::var_os("JIEDIQI_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(env.key.parent().unwrap().parent().unwrap());
        }
        return;
    }
    let project = scale_project(&env);
    let log_mb = std::fs::metadata(log::log_path(&project)).unwrap().len() as f64 / 1e6;
    println!(
        "jiediqi scale bench: {} slogans in {FILES} files, review log of {} records ({log_mb:.1} MB), {runs} runs",
        FILES * PER_FILE,
        FILES * PER_FILE * ROUNDS
    );
    let out = fresh_dir("out");
    let id = slogan_id(FILES / 2, PER_FILE / 2);
    let poster = ["render", "--slogan", &id, "--item", "poster-a3", "--format", "pdf", "--out", out.to_str().unwrap()];
    // The first run after the log was written verifies the whole chain.
    let first = env.run(&project, &poster);
    let times: Vec<Duration> = (0..runs).map(|_| env.run(&project, &poster)).collect();
    let rss = env.peak_rss(&project, &poster);
    let pdf = out.join(format!("poster-a3--{id}.pdf"));
    assert!(std::fs::metadata(&pdf).is_ok_and(|m| m.len() > 10_000), "no poster at {}", pdf.display());
    println!(
        "1. one A3 poster PDF, fresh process: median {}  p95 {}  peak RSS {}  (first run, full verification: {})",
        ms(median(&times)),
        ms(p95(&times)),
        mb(rss),
        ms(first)
    );
    // For reference, at the same time on the same machine: a poster of the
    // shipped library (340 slogans, each approved once).
    let shipped = fresh_dir("shipped");
    copy_project(&shipped, true);
    let lib = jiediqi::validate::Library::load(&shipped).expect("shipped library loads");
    let keys = jiediqi::review::key::Keyring::load(&env.key, &shipped).unwrap();
    approve(&shipped, &keys, lib.slogans.iter());
    let ship_poster = [
        "render",
        "--slogan",
        "fanzha-qiandaizi",
        "--item",
        "poster-a3",
        "--format",
        "pdf",
        "--out",
        out.to_str().unwrap(),
    ];
    let _ = env.run(&shipped, &ship_poster);
    let ship: Vec<Duration> = (0..runs).map(|_| env.run(&shipped, &ship_poster)).collect();
    println!(
        "   for reference, the shipped library ({} slogans, {} records): median {}  p95 {}",
        lib.slogans.len(),
        lib.slogans.len(),
        ms(median(&ship)),
        ms(p95(&ship))
    );
    let _ = std::fs::remove_dir_all(&shipped);
    // The same poster with the log verified in full every time (no cache).
    let cold: Vec<Duration> = (0..runs.min(7))
        .map(|_| {
            let _ = std::fs::remove_dir_all(env.cache.join("jiediqi/review-index"));
            env.run(&project, &poster)
        })
        .collect();
    println!("   the same, no verified index (whole log verified each run): median {}", ms(median(&cold)));
    // JIEDIQI_BENCH_ONLY=poster: workload 1 alone.
    if !std::env::var("JIEDIQI_BENCH_ONLY").is_ok_and(|v| v == "poster") {
        county(&env, quick);
    }
    if std::env::var_os("JIEDIQI_BENCH_KEEP").is_some() {
        // For profiling by hand: the project, key and cache stay.
        println!(
            "kept: --root {} JIEDIQI_KEY_FILE={} XDG_CACHE_HOME={}",
            project.display(),
            env.key.display(),
            env.cache.display()
        );
        return;
    }
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&project);
    let _ = std::fs::remove_dir_all(env.key.parent().unwrap().parent().unwrap());
}

/// Run once under GNU time: wall time, peak RSS in MB and CPU seconds, user
/// and system (if `time` is installed). CPU time says more than wall time
/// on a machine that others are using.
fn measured(env: &Env, project: &Path, args: &[&str]) -> (Duration, Option<f64>, Option<f64>) {
    let t = Instant::now();
    let o = env.command(project, args, true).output().expect("run jiediqi under /usr/bin/time");
    let d = t.elapsed();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stderr);
    let nums: Vec<f64> = text.lines().last().unwrap_or("").split_whitespace().filter_map(|v| v.parse().ok()).collect();
    let cpu = (nums.len() == 3).then(|| nums[1] + nums[2]);
    (d, nums.first().map(|k| k / 1024.0), cpu)
}

fn tree_size(dir: &Path) -> (usize, u64, usize, u64) {
    // Files, bytes, PNG proofs, bytes of PNG proofs.
    let (mut files, mut bytes, mut pngs, mut png_bytes) = (0, 0, 0, 0);
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                todo.push(e.path());
            } else {
                files += 1;
                bytes += m.len();
                if e.path().extension().is_some_and(|x| x == "png") {
                    pngs += 1;
                    png_bytes += m.len();
                }
            }
        }
    }
    (files, bytes, pngs, png_bytes)
}

/// The county order (workload 2): stations from `scripts/county-stations.py`,
/// 4 items times 3 slogans each, as a vendor package in a fresh process each run.
fn county(env: &Env, quick: bool) {
    // JIEDIQI_BENCH_STATIONS=50,200 builds each size in turn (memory must
    // not grow with the number of stations).
    let sizes: Vec<usize> = match std::env::var("JIEDIQI_BENCH_STATIONS") {
        Ok(v) if !quick => v.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        _ => vec![if quick { 4 } else { 200 }],
    };
    for stations in sizes {
        county_size(env, quick, stations);
    }
}

fn county_size(env: &Env, quick: bool, stations: usize) {
    let runs: usize = if quick {
        1
    } else {
        std::env::var("JIEDIQI_BENCH_COUNTY_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3)
    };
    if runs == 0 {
        return;
    }
    let project = fresh_dir("county");
    copy_project(&project, true);
    let script = root().join("scripts/county-stations.py");
    let apron = std::env::var("JIEDIQI_BENCH_APRON").unwrap_or_else(|_| "off".into());
    let o = Command::new("python3")
        .arg(&script)
        .arg("--stations")
        .arg(stations.to_string())
        .args(["--apron-station-block", &apron])
        .arg(project.join("orders"))
        .output()
        .expect("run python3 scripts/county-stations.py");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Approve the order's slogans with the library's own signing code.
    let order_text = std::fs::read_to_string(project.join("orders/county.yaml")).unwrap();
    let lib = jiediqi::validate::Library::load(&project).expect("project loads");
    let keys = jiediqi::review::key::Keyring::load(&env.key, &project).unwrap();
    approve(&project, &keys, lib.slogans.iter().filter(|s| order_text.contains(s.id.as_str())));
    let out = fresh_dir("county-out");
    let order = project.join("orders/county.yaml");
    let args = ["order", order.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let mut times = Vec::new();
    let mut peaks = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&out);
        let (t, m, c) = measured(env, &project, &args);
        times.push(t);
        peaks.extend(m);
        cpus.extend(c);
    }
    cpus.sort_by(f64::total_cmp);
    let (files, bytes, pngs, png_bytes) = tree_size(&out.join("county"));
    let sheet = std::fs::metadata(out.join("county/样稿总览.pdf")).map(|m| m.len()).unwrap_or(0);
    peaks.sort_by(f64::total_cmp);
    println!(
        "2. county order, {stations} stations × 4 items × 3 slogans ({} jobs, aprons: station block {apron}): median {:.2} s (runs: {})  CPU median {}  peak RSS median {}",
        stations * 12,
        median(&times).as_secs_f64(),
        times.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect::<Vec<_>>().join(", "),
        cpus.get(cpus.len() / 2).map_or("?".into(), |c| format!("{c:.2} s")),
        mb(peaks.get(peaks.len() / 2).copied())
    );
    println!(
        "   package: {files} files, {:.0} MB; {pngs} PNG proofs ({:.0} MB); contact sheet {:.1} MB",
        bytes as f64 / 1e6,
        png_bytes as f64 / 1e6,
        sheet as f64 / 1e6
    );
    if std::env::var_os("JIEDIQI_BENCH_KEEP").is_some() {
        println!(
            "kept: {BIN} --root {} {} JIEDIQI_KEY_FILE={} XDG_CACHE_HOME={}",
            project.display(),
            args.join(" "),
            env.key.display(),
            env.cache.display()
        );
        return;
    }
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&project);
}
