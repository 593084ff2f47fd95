//! Performance workloads on the shipped fonts and data (issue: "fast at one
//! poster and at ten thousand"). Run with `cargo bench --bench perf`.
//!
//! Reports medians over several runs, and peak memory (max RSS) where
//! `/usr/bin/time` is installed (Debian package `time`). Writing a thousand
//! files to disk costs as much as rendering them: set JIEDIQI_BENCH_DIR=/dev/shm
//! to time the renderer alone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_jiediqi");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Run jiediqi once; panics on failure so a broken workload is never timed.
fn run(project: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let o = Command::new(BIN)
        .arg("--root")
        .arg(project)
        .args(args)
        .env("JIEDIQI_KEY_FILE", bench_key())
        .output()
        .expect("run jiediqi");
    let d = t.elapsed();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    d
}

/// A review key for the benchmark's projects, outside them.
fn bench_key() -> &'static Path {
    static KEY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("jiediqi-bench-key-{}", std::process::id())).join("review.key");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
        jiediqi::review::key::Keyring::create(&path, &root()).expect("bench key");
        path
    })
}

/// Peak RSS in MB of one run, via GNU time, if installed.
fn peak_rss(project: &Path, args: &[&str]) -> Option<f64> {
    let o = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(BIN)
        .arg("--root")
        .arg(project)
        .args(args)
        .env("JIEDIQI_KEY_FILE", bench_key())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&o.stderr);
    let kb: f64 = text.lines().last()?.trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// Output goes under JIEDIQI_BENCH_DIR (e.g. /dev/shm to leave the disk
/// out of it), else the system's temporary folder.
fn fresh_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("JIEDIQI_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let d = base.join(format!("jiediqi-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Approve every slogan of a project (print runs refuse unapproved wording).
fn approve_all(project: &Path) {
    let lib = jiediqi::validate::Library::load(project).expect("project loads");
    let mut args = vec!["approve", "--by", "bench"];
    args.extend(lib.slogans.iter().map(|s| s.id.as_str()));
    let _ = run(project, &args);
}

/// A copy of the shipped project with every slogan approved.
fn approved_project() -> PathBuf {
    let dir = fresh_dir("shipped");
    for sub in ["layouts", "examples", "slogans", "lint"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    std::os::unix::fs::symlink(root().join("fonts"), dir.join("fonts")).unwrap();
    approve_all(&dir);
    dir
}

/// A project copy whose slogan library is `n` generated couplets (7 + 7).
fn generated_project(n: usize) -> PathBuf {
    let dir = fresh_dir(&format!("generated{n}"));
    for sub in ["layouts", "examples", "lint"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    std::os::unix::fs::symlink(root().join("fonts"), dir.join("fonts")).unwrap();
    std::fs::create_dir_all(dir.join("slogans")).unwrap();
    let scenes = [
        "买菜", "赶集", "下班", "放学", "上网", "打工", "看店", "出门", "开车", "骑车", "做饭", "睡前", "逛街", "聊天",
        "存钱", "取钱", "过年", "过节", "旅游", "租房", "找活", "看病", "买药", "读书", "散步",
    ];
    let middles = [
        "回家路上",
        "接到电话",
        "收到短信",
        "看到广告",
        "遇到生人",
        "有人敲门",
        "有人借钱",
        "说有中奖",
        "要你转账",
        "让你点击",
        "叫你下载",
        "发来链接",
        "说是亲戚",
        "说是领导",
        "说是客服",
        "说能退款",
        "说能贷款",
        "说能赚钱",
        "要验证码",
        "要身份证",
        "要银行卡",
        "约你见面",
        "拉你进群",
        "请你吃饭",
        "送你礼品",
        "让你投资",
        "教你炒股",
        "给你红包",
        "帮你办卡",
        "说你欠费",
        "说你违章",
        "说你犯事",
        "说你中奖",
        "叫你共享",
        "要你保密",
        "催你快办",
        "让你垫钱",
        "许你高薪",
        "说包过关",
        "说能走后",
    ];
    let endings = [
        "先挂电话问一问",
        "多问一句没有错",
        "钱袋子要捂捂好",
        "打个电话给家人",
        "莫信生人甜言语",
        "天上不会掉馅饼",
        "记住拨打九六一一零",
        "不点链接不转账",
        "问问民警再决定",
        "守好自家钱袋子",
    ];
    let mut yaml = String::from("topic: 压测\nslogans:\n");
    for i in 0..n {
        let a = scenes[i % scenes.len()];
        let b = middles[(i / scenes.len()) % middles.len()];
        let c = endings[i % endings.len()];
        yaml.push_str(&format!("  - id: generated-{i:05}\n    lines: [{a}{b}，, {c}。]\n    audience: [老人]\n"));
    }
    std::fs::write(dir.join("slogans/generated.yaml"), yaml).unwrap();
    approve_all(&dir);
    dir
}

fn main() {
    // `cargo test --benches` runs this with no arguments too; keep it cheap then.
    let quick = std::env::args().all(|a| a != "--bench");
    let runs = if quick { 1 } else { 7 };
    let out = fresh_dir("out");
    let out_s = out.to_str().unwrap().to_string();
    let r = approved_project();
    let poster =
        ["render", "--slogan", "fanzha-qiandaizi", "--item", "poster-a3", "--station", "examples/station.yaml"];

    println!(
        "jiediqi benchmarks ({runs} runs each, medians), output under {}",
        fresh_dir("probe").parent().unwrap().display()
    );
    // 1. One A3 poster PDF as a fresh process.
    let mut a: Vec<&str> = poster.to_vec();
    a.extend(["--format", "pdf", "--out", &out_s]);
    let _ = run(&r, &a);
    let t1 = median((0..runs.max(15)).map(|_| run(&r, &a)).collect());
    let m1 = peak_rss(&r, &a);
    println!("1. one A3 poster PDF, fresh process: {}  peak RSS {}", ms(t1), mb(m1));

    // 2. 1000 poster PDFs, 1000 different slogans, one process.
    let n = if quick { 50 } else { 1000 };
    let generated = generated_project(n);
    let out2 = fresh_dir("out2");
    let a2 = [
        "render",
        "--slogan",
        "all",
        "--item",
        "poster-a3",
        "--format",
        "pdf",
        "--station",
        "examples/station.yaml",
        "--out",
        out2.to_str().unwrap(),
    ];
    let t2 = median((0..runs).map(|_| run(&generated, &a2)).collect());
    let m2 = peak_rss(&generated, &a2);
    println!(
        "2. {n} poster PDFs ({n} slogans), one process: {}  ({:.3} ms per poster)  peak RSS {}",
        ms(t2),
        t2.as_secs_f64() * 1e3 / n as f64,
        mb(m2)
    );

    // 3. One 150 dpi PNG proof of an A3 poster, fresh process; and PNGs in a batch.
    let mut a3: Vec<&str> = poster.to_vec();
    a3.extend(["--format", "png", "--out", &out_s]);
    let t3 = median((0..runs.max(7)).map(|_| run(&r, &a3)).collect());
    let m3 = peak_rss(&r, &a3);
    println!("3. one 150 dpi A3 PNG proof, fresh process: {}  peak RSS {}", ms(t3), mb(m3));
    let np = if quick { 4 } else { 100 };
    let gen_p = generated_project(np);
    let out3 = fresh_dir("out3");
    let a3b = [
        "render",
        "--slogan",
        "all",
        "--item",
        "poster-a3",
        "--format",
        "png",
        "--station",
        "examples/station.yaml",
        "--out",
        out3.to_str().unwrap(),
    ];
    let t3b = median((0..runs.min(3)).map(|_| run(&gen_p, &a3b)).collect());
    println!(
        "   {np} A3 PNG proofs in one process: {}  ({:.2} ms per poster)",
        ms(t3b),
        t3b.as_secs_f64() * 1e3 / np as f64
    );

    // 4. Every shipped slogan × every item, PDF only.
    let out4 = fresh_dir("out4");
    let a4 = [
        "render",
        "--slogan",
        "all",
        "--item",
        "all",
        "--format",
        "pdf",
        "--station",
        "examples/station.yaml",
        "--out",
        out4.to_str().unwrap(),
    ];
    let t4 = median((0..runs).map(|_| run(&r, &a4)).collect());
    let files = std::fs::read_dir(&out4).unwrap().count();
    let m4 = peak_rss(&r, &a4);
    println!(
        "4. every slogan × every item ({files} PDFs): {}  ({:.3} ms per file)  peak RSS {}",
        ms(t4),
        t4.as_secs_f64() * 1e3 / files as f64,
        mb(m4)
    );
    for d in [out, out2, out3, out4, generated, gen_p, r] {
        let _ = std::fs::remove_dir_all(d);
    }
    // 5. Layout work as text grows (issue 8: near-linear, bounded): one
    // slogan line of n characters on the roll-up banner, the largest item,
    // in this process (library call, no files). Texts past what the zone can
    // hold are refused before line breaking.
    let lib = jiediqi::validate::Library::load(&root()).expect("project loads");
    let banner = lib.item("rollup-banner").expect("roll-up template");
    let mut line = String::from("5. layout of one line on the roll-up:");
    for n in [60usize, 240, 960, 3840, 15360] {
        let text: String = "转账之前多核实，".chars().cycle().take(n).collect();
        let slogan = jiediqi::validate::Slogan {
            id: "bench".into(),
            topic: "反诈".into(),
            heading: "防骗小贴士".into(),
            lines: vec![text],
            tip: None,
            audience: vec![],
            items: None,
            notes: None,
            source: None,
            verify: None,
            accept: Default::default(),
            file: PathBuf::new(),
            line: 1,
        };
        let opts = jiediqi::layout::SceneOptions { station: None };
        let t = median(
            (0..runs.max(3))
                .map(|_| {
                    let t = Instant::now();
                    let _ = jiediqi::layout::build_scene(&lib, banner, &slogan, &opts);
                    t.elapsed()
                })
                .collect(),
        );
        line.push_str(&format!("  {n} chars {}", ms(t)));
    }
    println!("{line}");
}

fn mb(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.1} MB")).unwrap_or_else(|| "n/a (install `time`)".into())
}
