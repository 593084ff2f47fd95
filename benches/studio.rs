//! The studio under load (issue: "50 concurrent clients requesting previews
//! of different slogans on different items: p95 ≤ 30 ms for an item preview
//! and ≤ 100 ms for a whole slogan page"). Run with `cargo bench --bench studio`.
//!
//! Starts the real `jiediqi serve` on loopback as a child process, on a copy
//! of the shipped project with a signed review log (most slogans approved,
//! every tenth sent back for changes, so previews come both clean and marked
//! as proofs) and a throwaway account. Then 50 client threads, each with one
//! keep-alive HTTP/1.1 connection, send requests back to back (no think time,
//! a closed loop: the harshest reading of "50 concurrent clients"). Five
//! sessions are signed in beforehand and shared round-robin by the clients:
//! sign-in runs argon2 and is not what is measured.
//!
//! Each round starts a fresh server and measures, after a warm-up:
//! - item previews, `GET /preview/{item}/{slogan}.svg`, every request a
//!   different (slogan, item) pair;
//! - slogan pages alone, `GET /slogans/{id}`, every one a different slogan;
//! - a slogan page with all its previews, as a browser would fetch them, but
//!   one after another on the client's one connection (a browser opens up to
//!   six; on two busy cores that changes little);
//! - then one client alone, for the time a request takes without queueing;
//! - last, previews again just after a slogan file changed (the studio
//!   reloads the library and keeps nothing of the old version).
//!
//! The server lints every slogan in the background when it starts (and
//! after each change), laying each out on its items; previews are drawn from
//! those layouts. So previews measured after the warm-up find their layout
//! made unless they came before lint; the SVG is always drawn afresh. The
//! last phase is the case where little is ready.
//!
//! Prints p50/p95/p99/max per kind, throughput, the server's RSS at start
//! and its peak (VmHWM), then medians over the rounds and a verdict against
//! the targets. Any response but 200 fails the bench; time never does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_jiediqi");
const CLIENTS: usize = 50;
const SESSIONS: usize = 5;
const PREVIEW_TARGET_MS: f64 = 30.0;
const PAGE_TARGET_MS: f64 = 100.0;
const USER: &str = "bench";
const PASSWORD: &str = "bench-password-1";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh folder under the system's temporary folder.
fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("jiediqi-bench-studio-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A review key for the benchmark's project, outside it.
fn bench_key() -> &'static Path {
    static KEY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let path = fresh_dir("key").join("review.key");
        jiediqi::review::key::Keyring::create(&path, &root()).expect("bench key");
        path
    })
}

fn jiediqi(project: &Path, args: &[&str], stdin: Option<&str>) {
    let mut c = Command::new(BIN);
    c.arg("--root").arg(project).args(args).env("JIEDIQI_KEY_FILE", bench_key());
    c.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("run jiediqi");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// A copy of the shipped project: every slogan approved, then every tenth
/// sent back for changes, so the log is a few hundred signed records.
fn project() -> PathBuf {
    let dir = fresh_dir("project");
    for sub in ["layouts", "examples", "slogans", "lint"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    std::os::unix::fs::symlink(root().join("fonts"), dir.join("fonts")).unwrap();
    let lib = jiediqi::validate::Library::load(&dir).expect("project loads");
    let mut args = vec!["approve", "--by", "bench"];
    args.extend(lib.slogans.iter().map(|s| s.id.as_str()));
    jiediqi(&dir, &args, None);
    for s in lib.slogans.iter().step_by(10) {
        jiediqi(&dir, &["request-changes", &s.id, "--by", "bench", "--reason", "压测"], None);
    }
    dir
}

/// A slogan file of the project (the first by name), to change.
fn first_slogan_file(project: &Path) -> std::ffi::OsString {
    let mut names: Vec<_> =
        std::fs::read_dir(project.join("slogans")).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    names.remove(0)
}

/// The server as a child process; killed when dropped, also on a panic.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    fn start(project: &Path, db: &Path, log: PathBuf) -> Server {
        // A free port: bound and released at once (loopback only).
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(BIN)
            .arg("--root")
            .arg(project)
            .args(["serve", "--addr", &addr, "--db"])
            .arg(db)
            .env("JIEDIQI_KEY_FILE", bench_key())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start jiediqi serve");
        let mut s = Server { child, addr, log };
        let t = Instant::now();
        loop {
            if let Some(status) = s.child.try_wait().unwrap() {
                panic!("jiediqi serve exited ({status}): {}", std::fs::read_to_string(&s.log).unwrap_or_default());
            }
            if let Ok(mut c) = Conn::open(&s.addr)
                && c.request("GET", "/healthz", None, None).is_ok_and(|r| r.status == 200)
            {
                return s;
            }
            assert!(t.elapsed() < Duration::from_secs(60), "jiediqi serve did not answer /healthz in 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// CPU time the server has used, all threads: a cost per request that
    /// other work on the machine does not inflate, unlike latency.
    fn cpu(&self) -> Duration {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }

    /// A field of /proc/PID/status in MB (VmRSS: now; VmHWM: the peak).
    fn memory(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("no {field}"));
        let kb: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kb / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User + system time of a process from its /proc stat file.
fn cpu_of(stat: &str) -> Duration {
    static TICK: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let tick = *TICK.get_or_init(|| {
        let o = Command::new("getconf").arg("CLK_TCK").output().ok();
        o.and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(100.0)
    });
    let text = std::fs::read_to_string(stat).unwrap();
    // Fields after the command name, which may hold spaces: state is the
    // first, utime and stime the 12th and 13th.
    let f: Vec<&str> = text.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    Duration::from_secs_f64(ticks / tick)
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The value a Set-Cookie header gives `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie")).find_map(|(_, v)| {
            let (k, rest) = v.split_once('=')?;
            (k == name).then(|| rest.split(';').next().unwrap_or("").to_string())
        })
    }
}

/// A minimal HTTP/1.1 client on one keep-alive connection: what the studio
/// sends (Content-Length or chunked bodies) and no more.
struct Conn {
    addr: String,
    io: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Conn { addr: addr.to_string(), io: BufReader::new(s) })
    }

    fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> Result<Response, String> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        if let Some(c) = cookie {
            req.push_str(&format!("Cookie: {c}\r\n"));
        }
        if let Some(f) = form {
            req.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{f}",
                f.len()
            ));
        } else {
            req.push_str("\r\n");
        }
        let e = |e: std::io::Error| format!("{method} {path}: {e}");
        self.io.get_mut().write_all(req.as_bytes()).map_err(e)?;
        let mut line = String::new();
        self.io.read_line(&mut line).map_err(e)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("{method} {path}: bad status line {line:?}"))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.io.read_line(&mut line).map_err(e)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let mut r = Response { status, headers, body: Vec::new() };
        if r.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            loop {
                line.clear();
                self.io.read_line(&mut line).map_err(e)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| format!("{method} {path}: bad chunk size {line:?}"))?;
                let start = r.body.len();
                r.body.resize(start + size, 0);
                self.io.read_exact(&mut r.body[start..]).map_err(e)?;
                line.clear();
                self.io.read_line(&mut line).map_err(e)?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = r.header("content-length") {
            let n: usize = n.parse().map_err(|_| format!("{method} {path}: bad Content-Length"))?;
            r.body.resize(n, 0);
            self.io.read_exact(&mut r.body).map_err(e)?;
        } else {
            return Err(format!("{method} {path}: a response with neither Content-Length nor chunks"));
        }
        if r.header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close")) {
            return Err(format!("{method} {path}: the server closed the connection"));
        }
        Ok(r)
    }
}

/// Sign in as the login page does; the session cookie.
fn sign_in(addr: &str) -> String {
    let mut c = Conn::open(addr).unwrap();
    let page = c.request("GET", "/login", None, None).unwrap();
    assert_eq!(page.status, 200, "GET /login");
    let login = page.cookie("jiediqi_login").expect("login cookie");
    let html = String::from_utf8_lossy(&page.body);
    let token = html.split("name=\"login_token\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
    let form = format!("name={USER}&password={PASSWORD}&login_token={token}");
    let r = c.request("POST", "/login", Some(&format!("jiediqi_login={login}")), Some(&form)).unwrap();
    assert_eq!(r.status, 303, "sign-in: {}", String::from_utf8_lossy(&r.body));
    format!("jiediqi_session={}", r.cookie("jiediqi_session").expect("session cookie"))
}

/// One request of a phase: a preview, a page, or a page with its previews.
#[derive(Clone)]
enum Job {
    Preview { item: String, slogan: String },
    Page { slogan: String, previews: usize },
    Full { slogan: String, previews: usize },
}

fn get_ok(c: &mut Conn, path: &str, cookie: &str, kind: &str) -> Result<Response, String> {
    let r = c.request("GET", path, Some(cookie), None)?;
    if r.status != 200 {
        return Err(format!("GET {path}: {} {}", r.status, String::from_utf8_lossy(&r.body)));
    }
    let ty = r.header("content-type").unwrap_or("");
    if !ty.starts_with(kind) {
        return Err(format!("GET {path}: content type {ty}, not {kind}"));
    }
    Ok(r)
}

fn run_job(c: &mut Conn, cookie: &str, job: &Job) -> Result<(), String> {
    match job {
        Job::Preview { item, slogan } => {
            let r = get_ok(c, &format!("/preview/{item}/{slogan}.svg"), cookie, "image/svg+xml")?;
            if !r.body.starts_with(b"<svg")
                && !String::from_utf8_lossy(&r.body[..r.body.len().min(200)]).contains("<svg")
            {
                return Err(format!("preview {item}/{slogan} is not an SVG"));
            }
        }
        Job::Page { slogan, previews } | Job::Full { slogan, previews } => {
            let r = get_ok(c, &format!("/slogans/{slogan}"), cookie, "text/html")?;
            let html = String::from_utf8_lossy(&r.body).into_owned();
            let srcs: Vec<&str> = html.split("src=\"/preview/").skip(1).filter_map(|s| s.split('"').next()).collect();
            if srcs.len() != *previews {
                return Err(format!("page {slogan} shows {} previews, not {previews}", srcs.len()));
            }
            if matches!(job, Job::Full { .. }) {
                for src in srcs {
                    get_ok(c, &format!("/preview/{src}"), cookie, "image/svg+xml")?;
                }
            }
        }
    }
    Ok(())
}

struct Phase {
    times: Vec<Duration>,
    wall: Duration,
    /// CPU time of the server and of this process (the clients) in the phase.
    server_cpu: Duration,
    client_cpu: Duration,
}

/// Run the jobs with `clients` connections, each taking the next job as soon
/// as its last one is answered. Panics on the first failure.
fn phase(server: &Server, sessions: &[String], clients: usize, jobs: &[Job]) -> Phase {
    let addr = server.addr.as_str();
    let (cpu0, own0) = (server.cpu(), cpu_of("/proc/self/stat"));
    let next = AtomicUsize::new(0);
    let times = Mutex::new(Vec::with_capacity(jobs.len()));
    let errors = Mutex::new(Vec::new());
    let start = Barrier::new(clients + 1);
    let wall = std::thread::scope(|s| {
        for n in 0..clients {
            let (next, times, errors, start) = (&next, &times, &errors, &start);
            let cookie = &sessions[n % sessions.len()];
            s.spawn(move || {
                let conn = Conn::open(addr);
                start.wait();
                let mut conn = match conn {
                    Ok(c) => c,
                    Err(e) => return errors.lock().unwrap().push(format!("connect: {e}")),
                };
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let t = Instant::now();
                    if let Err(e) = run_job(&mut conn, cookie, job) {
                        errors.lock().unwrap().push(e);
                        // Stop the others soon: the run is failed anyway.
                        next.store(jobs.len(), Ordering::Relaxed);
                        break;
                    }
                    mine.push(t.elapsed());
                }
                times.lock().unwrap().extend(mine);
            });
        }
        start.wait();
        Instant::now()
    })
    .elapsed();
    let errors = errors.into_inner().unwrap();
    assert!(errors.is_empty(), "{} failed requests; first: {}", errors.len(), errors[0]);
    let mut times = times.into_inner().unwrap();
    times.sort();
    assert_eq!(times.len(), jobs.len());
    let (server_cpu, client_cpu) = (server.cpu() - cpu0, cpu_of("/proc/self/stat") - own0);
    Phase { times, wall, server_cpu, client_cpu }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

/// p50, p95, p99, max (ms), requests per second, and CPU ms per request
/// of the server and of the clients.
#[derive(Clone, Copy)]
struct Stats {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    rate: f64,
    cpu: f64,
    client: f64,
}

impl Stats {
    fn of(p: &Phase, requests: usize) -> Stats {
        Stats {
            p50: pct(&p.times, 0.50),
            p95: pct(&p.times, 0.95),
            p99: pct(&p.times, 0.99),
            max: pct(&p.times, 1.0),
            rate: requests as f64 / p.wall.as_secs_f64(),
            cpu: p.server_cpu.as_secs_f64() * 1e3 / requests as f64,
            client: p.client_cpu.as_secs_f64() * 1e3 / requests as f64,
        }
    }

    fn line(&self, unit: &str) -> String {
        format!(
            "p50 {:6.2}  p95 {:6.2}  p99 {:6.2}  max {:6.2} ms  {:7.1} {unit}/s  CPU/{unit}: server {:5.2} ms, clients {:4.2} ms",
            self.p50, self.p95, self.p99, self.max, self.rate, self.cpu, self.client
        )
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn median_stats(v: &[Stats]) -> Stats {
    let m = |f: fn(&Stats) -> f64| median(v.iter().map(f).collect());
    Stats {
        p50: m(|s| s.p50),
        p95: m(|s| s.p95),
        p99: m(|s| s.p99),
        max: m(|s| s.max),
        rate: m(|s| s.rate),
        cpu: m(|s| s.cpu),
        client: m(|s| s.client),
    }
}

/// A small deterministic shuffle (xorshift), so every run asks the same.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

struct Round {
    preview: Stats,
    page: Stats,
    full: Stats,
    one_preview: Stats,
    one_page: Stats,
    changed: Stats,
    rss_start: f64,
    peak: f64,
}

fn main() {
    // `cargo test --benches` runs this with no arguments too; keep it cheap then.
    let quick = std::env::args().all(|a| a != "--bench");
    let rounds = if quick { 1 } else { 3 };
    let (n_preview, n_page, n_full, n_one) = if quick { (100, 20, 10, 10) } else { (2000, 300, 100, 100) };

    let project = project();
    let lib = jiediqi::validate::Library::load(&project).expect("project loads");
    // What a slogan's page shows: the items it may go on.
    let items_of = |s: &jiediqi::validate::Slogan| -> Vec<String> {
        lib.items.iter().filter(|i| s.items.as_ref().is_none_or(|l| l.contains(&i.id))).map(|i| i.id.clone()).collect()
    };
    let mut pairs: Vec<Job> = lib
        .slogans
        .iter()
        .flat_map(|s| items_of(s).into_iter().map(|item| Job::Preview { item, slogan: s.id.clone() }))
        .collect();
    shuffle(&mut pairs, 0x9e37_79b9_7f4a_7c15);
    let mut slogans: Vec<(String, usize)> = lib.slogans.iter().map(|s| (s.id.clone(), items_of(s).len())).collect();
    shuffle(&mut slogans, 0x2545_f491_4f6c_dd1d);
    let cycle = |n: usize, skip: usize| -> Vec<Job> { pairs.iter().cycle().skip(skip).take(n).cloned().collect() };
    let pages = |n: usize, skip: usize, full: bool| -> Vec<Job> {
        slogans
            .iter()
            .cycle()
            .skip(skip)
            .take(n)
            .map(|(slogan, previews)| {
                let (slogan, previews) = (slogan.clone(), *previews);
                if full { Job::Full { slogan, previews } } else { Job::Page { slogan, previews } }
            })
            .collect()
    };
    let log_records = lib.slogans.len() + lib.slogans.len().div_ceil(10);
    println!(
        "jiediqi studio benchmark: {CLIENTS} clients, keep-alive, {SESSIONS} shared sessions; {} slogans × {} items \
         ({} pairs), review log of {log_records} records; {rounds} round(s), a fresh server each",
        lib.slogans.len(),
        lib.items.len(),
        pairs.len()
    );

    let mut all = Vec::new();
    for round in 1..=rounds {
        let dir = fresh_dir(&format!("round{round}"));
        let db = dir.join("studio.db");
        let db_s = db.to_str().unwrap();
        jiediqi(&project, &["user", "add", USER, "--role", "officer", "--db", db_s], Some(&format!("{PASSWORD}\n")));
        let server = Server::start(&project, &db, dir.join("server.log"));
        let rss_start = server.memory("VmRSS:");
        let sessions: Vec<String> = (0..SESSIONS).map(|_| sign_in(&server.addr)).collect();

        // Warm-up: the library loads on the first request, fonts and word
        // lists on first use. Other pairs and slogans than those measured:
        // every measured preview's SVG and page is the first of its kind.
        let spare = slogans.len().saturating_sub(n_page).max(1);
        phase(&server, &sessions, CLIENTS, &cycle(200, n_preview));
        phase(&server, &sessions, CLIENTS, &pages(spare.min(50), n_page, false));
        let mut peaks = vec![server.memory("VmHWM:")];

        let preview = Stats::of(&phase(&server, &sessions, CLIENTS, &cycle(n_preview, 0)), n_preview);
        peaks.push(server.memory("VmHWM:"));
        let page = Stats::of(&phase(&server, &sessions, CLIENTS, &pages(n_page, 0, false)), n_page);
        peaks.push(server.memory("VmHWM:"));
        // Pages with their previews: the first pages again (there are not
        // enough slogans for all of it to be new).
        let full_jobs = pages(n_full, 0, true);
        let full_requests: usize =
            full_jobs.iter().map(|j| if let Job::Full { previews, .. } = j { previews + 1 } else { 0 }).sum();
        let full = Stats::of(&phase(&server, &sessions, CLIENTS, &full_jobs), n_full);

        // One client alone: the service time, without queueing; previews
        // new, pages those of the warm-up again.
        let one_preview = Stats::of(&phase(&server, &sessions, 1, &cycle(n_one, n_preview + 200)), n_one);
        let n_one_page = n_one.min(spare);
        let one_page = Stats::of(&phase(&server, &sessions, 1, &pages(n_one_page, n_page, false)), n_one_page);
        // Just after a change to the library (an officer saved a slogan):
        // nothing of the new version is kept, its background lint starts
        // again, and every preview lays its slogan out unless lint got there
        // first. The same pairs as the first preview phase.
        let touched = project.join("slogans").join(first_slogan_file(&project));
        let f = std::fs::File::options().append(true).open(&touched).unwrap();
        f.set_modified(std::time::SystemTime::now() + Duration::from_secs(1)).unwrap();
        drop(f);
        std::thread::sleep(Duration::from_millis(600));
        let changed = Stats::of(&phase(&server, &sessions, CLIENTS, &cycle(n_preview, 0)), n_preview);
        let peak = server.memory("VmHWM:");
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);

        println!(
            "round {round}: server RSS at start {rss_start:.1} MB, peak {peak:.1} MB \
             (peak after warm-up {:.1}, previews {:.1}, pages {:.1}, pages with previews {peak:.1})",
            peaks[0], peaks[1], peaks[2]
        );
        println!("  1 client, preview            {}", one_preview.line("req"));
        println!("  {CLIENTS} clients, preview after a change {}", changed.line("req"));
        println!("  1 client, slogan page        {}", one_page.line("req"));
        println!("  {CLIENTS} clients, preview           {}  ({n_preview} requests)", preview.line("req"));
        println!("  {CLIENTS} clients, slogan page       {}  ({n_page} requests)", page.line("req"));
        println!(
            "  {CLIENTS} clients, page + previews   {}  ({n_full} pages, {full_requests} requests)",
            full.line("page")
        );
        all.push(Round { preview, page, full, one_preview, one_page, changed, rss_start, peak });
    }

    let med = |f: fn(&Round) -> Stats| median_stats(&all.iter().map(f).collect::<Vec<_>>());
    let (preview, page, full) = (med(|r| r.preview), med(|r| r.page), med(|r| r.full));
    println!("medians over {rounds} round(s):");
    println!("  1 client, preview            {}", med(|r| r.one_preview).line("req"));
    println!("  1 client, slogan page        {}", med(|r| r.one_page).line("req"));
    println!("  {CLIENTS} clients, preview           {}", preview.line("req"));
    println!("  {CLIENTS} clients, slogan page       {}", page.line("req"));
    println!("  {CLIENTS} clients, page + previews   {}", full.line("page"));
    println!("  {CLIENTS} clients, preview after a change {}", med(|r| r.changed).line("req"));
    println!(
        "  server RSS at start {:.1} MB, peak {:.1} MB",
        median(all.iter().map(|r| r.rss_start).collect()),
        median(all.iter().map(|r| r.peak).collect())
    );
    let verdict = |p95: f64, target: f64| if p95 <= target { "met" } else { "MISSED" };
    println!(
        "verdict: preview p95 {:.1} ms vs {PREVIEW_TARGET_MS} ms: {}; slogan page p95 {:.1} ms vs {PAGE_TARGET_MS} ms: {}",
        preview.p95,
        verdict(preview.p95, PREVIEW_TARGET_MS),
        page.p95,
        verdict(page.p95, PAGE_TARGET_MS)
    );
    let _ = std::fs::remove_dir_all(&project);
    let _ = std::fs::remove_dir_all(bench_key().parent().unwrap());
}
