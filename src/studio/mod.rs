//! The studio (`jiediqi serve`): the library, previews and review states in
//! a browser, for officers, reviewers and admins. Another edge over the same
//! library as the CLI: it loads, lints, lays out and exports with the same
//! functions and keeps no rules of its own. Everything it serves is in the
//! binary (htmx and the style sheet are embedded), so it runs on an intranet
//! with no internet.
//!
//! Security, in one place: every route but sign-in, health and the two
//! assets needs a session; sessions are HttpOnly SameSite=Strict cookies
//! whose tokens the database keeps only hashed; every state-changing form
//! carries the session's CSRF token; sign-in needs a token of its own
//! (double-submit) and is rate-limited per name; every response forbids
//! framing and outside resources (CSP).

mod admin;
mod api;
pub mod db;
mod orders;
mod pages;
mod queue;
mod write;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::layout::{self, SceneOptions};
use crate::review::ReviewLog;
use crate::review::key::Keyring;
use crate::validate::Library;
use db::{Db, Session};

const SESSION_COOKIE: &str = "jiediqi_session";
const LOGIN_COOKIE: &str = "jiediqi_login";
/// Failed sign-ins per name before it must wait, and how long.
const MAX_FAILURES: usize = 5;
/// Failed sign-ins from one address, whatever the names.
const MAX_ADDRESS_FAILURES: usize = 30;
/// Failed sign-ins for one name, whatever the addresses.
const MAX_NAME_FAILURES: usize = 100;
const FAILURE_WINDOW: i64 = 600;

/// What a running studio holds.
pub struct Studio {
    root: PathBuf,
    db: Mutex<Db>,
    pub(crate) keys: Option<Keyring>,
    /// The library as last loaded, the data files' stamp it was loaded at,
    /// and when that stamp was last compared with the files.
    lib: Mutex<(Stamp, Option<Arc<Library>>, Option<std::time::Instant>)>,
    /// Slots for drawing (previews, a slogan's findings): about one per
    /// core, so fifty requests at once share the cores instead of each
    /// holding its own working memory.
    render_slots: (Mutex<usize>, std::sync::Condvar),
    /// What was derived from that library (emptied when it is reloaded).
    views: Mutex<Views>,
    /// Held while wording is saved with its author, and while the four-eyes
    /// rule is checked and a decision logged: a decision never sees new
    /// wording before its author is recorded.
    pub(crate) wording: Mutex<()>,
    /// The last verified review log and the stamps it was verified at.
    log_cache: Mutex<Option<LogEntry>>,
    /// This studio, once it serves (so loading a library can start warming it).
    me: std::sync::OnceLock<std::sync::Weak<Studio>>,
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

/// Derived from one version of the library: lint's word lists, a slogan's
/// findings and previews. Previews are bounded by size; all of it goes when
/// the library is reloaded, so nothing outlives the data it came from.
#[derive(Default)]
struct Views {
    /// The library these belong to (its address; that library is alive
    /// while anyone compares with it): work on an older version is neither
    /// read from nor stored here.
    of: usize,
    /// Whether every slogan's findings are being worked out in the background.
    warming: bool,
    words: Option<Arc<crate::lint::Words>>,
    findings: HashMap<String, Arc<Vec<crate::lint::Finding>>>,
    /// (item, slogan, side) → its scene without a station: lint lays a
    /// slogan out on every side of every item for its findings, and the
    /// previews are drawn from those same layouts.
    scenes: HashMap<(String, String, usize), Arc<crate::scene::Scene>>,
    /// (item, slogan, side, marked as proof) → SVG.
    svgs: HashMap<(String, String, usize, bool), axum::body::Bytes>,
    svg_bytes: usize,
}

/// One file's identity and times, or absent.
type FileStamp = Option<(u64, u64, u64, i64, i64, i64, i64)>;
/// The verified log, keyed by project and keys, with the stamps it was verified at.
type LogEntry = ((PathBuf, Option<Vec<String>>), Vec<FileStamp>, Option<PathBuf>, Arc<ReviewLog>);

/// Where a library is in memory: which version a view belongs to.
fn addr(lib: &Library) -> usize {
    std::ptr::from_ref(lib) as usize
}

/// How long the data files' stamp is trusted before the files are looked at
/// again: an edit made with the CLI shows within this time.
const RESTAT: std::time::Duration = std::time::Duration::from_millis(500);

/// Preview SVGs kept in memory at most.
const SVG_CACHE_BYTES: usize = 64 << 20;

/// Scenes kept at most (one is a few kilobytes; 340 slogans on 8 items
/// are 2 720): past it, scenes are made for each use and not kept.
const MAX_SCENES: usize = 8192;

/// Every data file with its modification time and size.
type Stamp = Vec<(PathBuf, std::time::SystemTime, u64)>;

/// The project's data, reloaded when a file under slogans/, layouts/,
/// lint/, pictograms/ or mockups/ changed (a CLI user's edits show at the next page).
fn stamp(root: &Path) -> Stamp {
    let mut out = Vec::new();
    for dir in ["slogans", "layouts", "lint", "fonts", "pictograms", "mockups"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for e in entries.flatten() {
            if let Ok(m) = e.metadata() {
                out.push((e.path(), m.modified().unwrap_or(std::time::UNIX_EPOCH), m.len()));
            }
        }
    }
    out.sort();
    out
}

impl Studio {
    pub fn new(root: &Path, db: Db, keys: Option<Keyring>) -> Studio {
        Studio {
            root: root.to_path_buf(),
            db: Mutex::new(db),
            keys,
            lib: Mutex::new((Vec::new(), None, None)),
            render_slots: (
                Mutex::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)),
                std::sync::Condvar::new(),
            ),
            views: Mutex::new(Views::default()),
            wording: Mutex::new(()),
            log_cache: Mutex::new(None),
            me: std::sync::OnceLock::new(),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Work on the accounts database (the CLI's `user` commands, tests).
    pub fn with_db<T>(&self, f: impl FnOnce(&Db) -> T) -> T {
        f(&self.db())
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The library, loaded again if its files changed.
    pub fn library(&self) -> Result<Arc<Library>, Diagnostic> {
        {
            let guard = self.lib.lock().unwrap_or_else(|p| p.into_inner());
            if let (Some(lib), Some(at)) = (&guard.1, guard.2)
                && at.elapsed() < RESTAT
            {
                return Ok(lib.clone());
            }
        }
        let now = stamp(&self.root);
        let mut guard = self.lib.lock().unwrap_or_else(|p| p.into_inner());
        let mut loaded = false;
        if guard.0 != now || guard.1.is_none() {
            let lib = Library::load(&self.root)
                .map_err(|d| d.0.into_iter().next().unwrap_or_else(|| Diagnostic::data("the project does not load")))?;
            let lib = Arc::new(lib);
            *self.views.lock().unwrap_or_else(|p| p.into_inner()) = Views { of: addr(&lib), ..Views::default() };
            *guard = (now, Some(lib), None);
            loaded = true;
        }
        guard.2 = Some(std::time::Instant::now());
        let lib = guard.1.clone().expect("loaded above");
        drop(guard);
        // A new version: its findings and layouts are worked out at once, in
        // the background, not at each slogan's first page or preview.
        if let Some(me) = self.me.get().and_then(std::sync::Weak::upgrade)
            && loaded
        {
            me.warm(&lib);
        }
        Ok(lib)
    }

    /// After the studio wrote a data file: the next request looks again.
    pub(crate) fn forget_library(&self) {
        self.lib.lock().unwrap_or_else(|p| p.into_inner()).2 = None;
    }

    /// Draw in one of the render slots (waiting for one to be free).
    pub fn render<T>(&self, f: impl FnOnce() -> T) -> T {
        let (count, freed) = &self.render_slots;
        {
            let mut n = count.lock().unwrap_or_else(|p| p.into_inner());
            while *n == 0 {
                n = freed.wait(n).unwrap_or_else(|p| p.into_inner());
            }
            *n -= 1;
        }
        struct Release<'a>(&'a (Mutex<usize>, std::sync::Condvar));
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                *self.0.0.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                self.0.1.notify_one();
            }
        }
        let _release = Release(&self.render_slots);
        f()
    }

    fn review_log(&self) -> Result<Arc<ReviewLog>, Diagnostic> {
        // Verifying reads the whole log and checks every record's MAC, and
        // every page and preview asks for it: keep the last verified log and
        // verify again when a file it was checked against changes (the log,
        // through any link; this log's head file and the folders of head and
        // project records beside the key, which jiediqi writes by rename).
        // A stamp that cannot be read means no cache, so errors stay as they
        // were. Keyed by project and key as well.
        use std::os::unix::fs::MetadataExt as _;
        fn file_stamp(m: std::io::Result<std::fs::Metadata>) -> Result<FileStamp, ()> {
            match m {
                Ok(m) => Ok(Some((m.dev(), m.ino(), m.size(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(_) => Err(()),
            }
        }
        let log_file = crate::review::log::log_path(&self.root);
        let heads = self.keys.as_ref().map(|k| k.heads_dir());
        let stamps = |head: Option<&Path>| -> Result<Vec<FileStamp>, ()> {
            let mut out =
                vec![file_stamp(std::fs::symlink_metadata(&log_file))?, file_stamp(std::fs::metadata(&log_file))?];
            if let Some(h) = &heads {
                out.push(file_stamp(std::fs::metadata(h))?);
                out.push(file_stamp(std::fs::metadata(h.join("projects")))?);
            }
            if let Some(h) = head {
                out.push(file_stamp(std::fs::metadata(h))?);
            }
            Ok(out)
        };
        let id = (
            self.root.clone(),
            self.keys.as_ref().map(|k| {
                std::iter::once(k.path.display().to_string())
                    .chain(std::iter::once(&k.current).chain(&k.retired).map(|k| k.id.clone()))
                    .collect()
            }),
        );
        let mut cache = self.log_cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cid, cstamps, head, log)) = cache.as_ref()
            && *cid == id
            && stamps(head.as_deref()).is_ok_and(|now| now == *cstamps)
        {
            return Ok(Arc::clone(log));
        }
        *cache = None;
        // The log's stamp is taken before it is read: a change while it is
        // read shows as a new stamp at the next request.
        let before = stamps(None);
        let log = ReviewLog::load(&self.root, self.keys.as_ref())?;
        let head = heads.as_ref().zip(log.records.first().and_then(|r| r.prev.get(..32))).map(|(h, id)| h.join(id));
        // Loading may have written this machine's head records; their stamps
        // are taken after, so the next request does not verify again for that.
        if let (Ok(mut before), Ok(after)) = (before, stamps(head.as_deref())) {
            before.truncate(2);
            before.extend_from_slice(&after[2..]);
            let log = Arc::new(log);
            *cache = Some((id, before, head, log.clone()));
            return Ok(log);
        }
        Ok(Arc::new(log))
    }

    /// After the studio appended to the log: the next read must see it
    /// (the file's stamp would say so too; this does not wait for it).
    fn forget_review_log(&self) {
        *self.log_cache.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn views(&self) -> std::sync::MutexGuard<'_, Views> {
        self.views.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The views of this library version, if they are the current ones.
    fn views_of(&self, lib: &Library) -> Option<std::sync::MutexGuard<'_, Views>> {
        let v = self.views();
        (v.of == addr(lib)).then_some(v)
    }

    /// lint's word lists, loaded once per library version.
    pub fn words(&self, lib: &Library) -> Result<Arc<crate::lint::Words>, Diagnostic> {
        if let Some(w) = self.views_of(lib).and_then(|v| v.words.clone()) {
            return Ok(w);
        }
        let w = Arc::new(crate::lint::Words::load(&lib.root)?);
        if let Some(mut v) = self.views_of(lib) {
            v.words = Some(w.clone());
        }
        Ok(w)
    }

    /// A slogan's lint findings (they depend on the library only).
    pub fn findings(&self, lib: &Library, id: &str) -> Result<Arc<Vec<crate::lint::Finding>>, Diagnostic> {
        if let Some(f) = self.views_of(lib).and_then(|v| v.findings.get(id).cloned()) {
            return Ok(f);
        }
        let words = self.words(lib)?;
        let f = Arc::new(self.render(|| {
            crate::lint::lint_using(lib, &words, Some(&[id.to_string()]), &|item, s, side| {
                self.side(lib, item, s, side)
            })
        }));
        if let Some(mut v) = self.views_of(lib) {
            v.findings.insert(id.to_string(), f.clone());
        }
        Ok(f)
    }

    /// Work out every slogan's findings in the background, once per library
    /// version, one render slot at a time: a slogan page's first view then
    /// costs no lint. Stops when the library is reloaded.
    pub fn warm(self: &Arc<Studio>, lib: &Arc<Library>) {
        match self.views_of(lib) {
            Some(mut v) if !v.warming => v.warming = true,
            _ => return,
        }
        let (st, lib) = (self.clone(), lib.clone());
        let _ = std::thread::Builder::new().name("studio-warm".into()).spawn(move || {
            for s in &lib.slogans {
                if st.views_of(&lib).is_none() || st.findings(&lib, &s.id).is_err() {
                    return;
                }
            }
        });
    }

    /// A slogan's preview on an item, drawn once per library version and state.
    pub fn preview(
        &self,
        lib: &Library,
        item: &crate::validate::Item,
        slogan: &crate::validate::Slogan,
        side: usize,
        proof: bool,
    ) -> Result<axum::body::Bytes, Diagnostic> {
        let key = (item.id.clone(), slogan.id.clone(), side, proof);
        if let Some(svg) = self.views_of(lib).and_then(|v| v.svgs.get(&key).cloned()) {
            return Ok(svg);
        }
        let svg = axum::body::Bytes::from(
            self.render(|| scene_svg(lib, item, &*self.side(lib, item, slogan, side)?, side, proof))?,
        );
        let Some(mut v) = self.views_of(lib) else { return Ok(svg) };
        if v.svg_bytes + svg.len() > SVG_CACHE_BYTES {
            v.svgs.clear();
            v.svg_bytes = 0;
        }
        v.svg_bytes += svg.len();
        v.svgs.insert(key, svg.clone());
        Ok(svg)
    }

    /// One side (0 the front) of a slogan's scene on an item without a
    /// station, laid out once per library version (lint's findings and the
    /// previews share it).
    pub fn side(
        &self,
        lib: &Library,
        item: &crate::validate::Item,
        slogan: &crate::validate::Slogan,
        side: usize,
    ) -> Result<Arc<crate::scene::Scene>, Diagnostic> {
        let key = (item.id.clone(), slogan.id.clone(), side);
        if let Some(scene) = self.views_of(lib).and_then(|v| v.scenes.get(&key).cloned()) {
            return Ok(scene);
        }
        let scene = Arc::new(layout::build_side(lib, item, slogan, &SceneOptions { station: None }, side)?);
        if let Some(mut v) = self.views_of(lib)
            && v.scenes.len() < MAX_SCENES
        {
            v.scenes.insert(key, scene.clone());
        }
        Ok(scene)
    }

    fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let token = cookie(headers, SESSION_COOKIE)?;
        let s = self.db().session(&token)?;
        Some((token, s))
    }

    /// Failed sign-ins are counted per name from one address (so a guesser
    /// elsewhere cannot lock an officer out of their own desk), per address
    /// over all names (one machine trying many), and per name over all
    /// addresses at a higher bound (many machines trying one).
    fn failure_keys(name: &str, ip: &str) -> [(String, usize); 3] {
        [
            (format!("{name}\u{0}{ip}"), MAX_FAILURES),
            (format!("\u{0}{ip}"), MAX_ADDRESS_FAILURES),
            (format!("{name}\u{0}"), MAX_NAME_FAILURES),
        ]
    }

    fn locked_out(&self, name: &str, ip: &str) -> bool {
        let now = db::now();
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Looked up, not entered: a sign-in that never failed adds nothing.
        Self::failure_keys(name, ip).into_iter().any(|(key, max)| {
            f.get_mut(&key).is_some_and(|list| {
                list.retain(|&t| t > now - FAILURE_WINDOW);
                list.len() >= max
            })
        })
    }

    fn failed(&self, name: &str, ip: &str) {
        let now = db::now();
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Names are whatever was typed: forget those outside the window (the map
        // is then bounded by the sign-in rate over ten minutes).
        if f.len() > 30_000 {
            f.retain(|_, times| times.iter().any(|&t| t > now - FAILURE_WINDOW));
        }
        for (key, _) in Self::failure_keys(name, ip) {
            f.entry(key).or_default().push(now);
        }
    }
}

/// A cookie's value from the request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// Equal strings, compared in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn set_cookie(name: &str, value: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn html(status: StatusCode, markup: maud::Markup) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], markup.into_string()).into_response()
}

/// What this account may not do: refused with `why`, and recorded.
fn refused(st: &Studio, s: &Session, what: &str, why: &str) -> Response {
    st.db().audit(Some(&s.user.name), "refused", what);
    html(StatusCode::FORBIDDEN, pages::message("没有权限", why))
}

/// A state-changing form without its session's CSRF token: refused, and
/// recorded (another site may be trying to act for this account).
fn csrf_refused(st: &Studio, s: &Session) -> Response {
    st.db().audit(Some(&s.user.name), "refused-csrf", "");
    html(StatusCode::FORBIDDEN, pages::message("操作被拒绝", "表单已过期，请刷新页面再试。"))
}

fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// Headers on every response: no framing, nothing from elsewhere, no sniffing.
async fn secure_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The studio's routes.
pub fn router(studio: Arc<Studio>) -> Router {
    let _ = studio.me.set(Arc::downgrade(&studio));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/assets/htmx.min.js", get(htmx))
        .route("/assets/studio.css", get(css))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/", get(library_page))
        .route("/slogans/{id}", get(slogan_page))
        .route("/slogans/{id}/edit", get(write::edit_page))
        .route("/write", get(write::new_page).post(write::save))
        .route("/write/check", post(write::check))
        .route("/draft/{file}", get(write::draft_svg))
        .route("/slogans/{id}/decide", post(queue::decide_post))
        .route("/review", get(queue::queue_page))
        .route("/review/proof.pdf", get(queue::queue_pdf))
        .route("/proof/{file}", get(queue::proof_pdf))
        .route("/station", get(orders::station_page).post(orders::station_save))
        .route(
            "/station/picture",
            post(orders::picture_save).layer(axum::extract::DefaultBodyLimit::max(orders::MAX_PICTURE + (64 << 10))),
        )
        .route("/station/card/{side}", get(orders::card_svg))
        .route(
            "/orders",
            get(orders::orders_page)
                .post(orders::order_post)
                .layer(axum::extract::DefaultBodyLimit::max(orders::MAX_UPLOAD + (1 << 20))),
        )
        .route("/orders/{id}", get(orders::order_page))
        .route("/orders/{id}/package.zip", get(orders::order_zip))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/slogans", get(api::list).post(api::propose))
        .route("/api/v1/slogans/{id}", get(api::get_one).put(api::edit))
        .route("/api/v1/slogans/{id}/decision", post(api::decide))
        .route("/api/v1/preview/{item}/{slogan}", get(api::preview))
        .route("/api/v1/orders", get(api::orders).post(api::order))
        .route("/api/v1/orders/{id}/package.zip", get(api::package))
        .route("/preview/{item}/{file}", get(preview))
        .route("/admin/audit", get(audit_page))
        .route("/admin/users", get(admin::users_page).post(admin::add))
        .route("/admin/users/{name}/password", post(admin::password))
        .route("/admin/users/{name}/disable", post(admin::disable))
        .route("/admin/users/{name}/enable", post(admin::enable))
        .route("/admin/users/{name}/role", post(admin::role))
        .route("/admin/stations", get(admin::stations_page).post(admin::station_add))
        .route("/admin/stations/{key}/approve", post(admin::station_approve))
        .route("/admin/stations/{key}/discard", post(admin::station_discard))
        .route("/admin/stations/{key}/card/{side}", get(admin::station_card))
        .fallback(|| async {
            html(StatusCode::NOT_FOUND, pages::message("找不到这个页面", "地址不对，回首页看看。"))
        })
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(studio)
}

/// A slogan on an item as the studio shows it: the product mockup (示意图)
/// with the print scene on it, marked 样稿·未审定 when `proof`.
pub fn preview_svg(
    lib: &Library,
    item: &crate::validate::Item,
    slogan: &crate::validate::Slogan,
    proof: bool,
) -> Result<String, Diagnostic> {
    scene_svg(lib, item, &layout::build_scene(lib, item, slogan, &SceneOptions { station: None })?, 0, proof)
}

/// A scene (side `side`, 0 the front) on its product as the studio shows
/// it, marked 样稿·未审定 when `proof`.
pub(super) fn scene_svg(
    lib: &Library,
    item: &crate::validate::Item,
    scene: &crate::scene::Scene,
    side: usize,
    proof: bool,
) -> Result<String, Diagnostic> {
    if proof {
        let mut scene = scene.clone();
        layout::mark_as_proof(lib, &mut scene)?;
        return crate::mockup::for_scene(lib, item, &scene, side);
    }
    crate::mockup::for_scene(lib, item, scene, side)
}

/// Run library work (loading, layout, lint, writes) off the async threads;
/// a problem with the project's data is a page that says so.
pub async fn blocking(f: impl FnOnce() -> Result<Response, Diagnostic> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(r)) => r,
        Ok(Err(d)) => html(StatusCode::SERVICE_UNAVAILABLE, pages::problem(&d)),
        Err(_) => html(StatusCode::INTERNAL_SERVER_ERROR, pages::message("出错了", "页面没能生成。")),
    }
}

/// Serve until interrupted. Binds `addr` (127.0.0.1 unless told otherwise).
pub fn serve(studio: Studio, addr: SocketAddr) -> Result<(), Diagnostic> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::io(format!("cannot start the studio: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Diagnostic::io(format!("cannot listen on {addr}: {e}")).hint("choose another --addr"))?;
        crate::say!("jiediqi studio on http://{addr}/");
        let studio = Arc::new(studio);
        let app = router(studio.clone());
        // Load (and so start warming) now: the first pages then find every
        // slogan's findings and layouts ready.
        let _ = std::thread::Builder::new().name("studio-start".into()).spawn(move || studio.library());
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Diagnostic::io(format!("the studio stopped: {e}")))
    })
}

async fn htmx() -> Response {
    let js: &'static [u8] = include_bytes!("assets/htmx.min.js");
    ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, "max-age=86400")], js).into_response()
}

async fn css() -> Response {
    let css: &'static str = include_str!("assets/studio.css");
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=86400")], css).into_response()
}

async fn login_page(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    if st.session(&headers).is_some() {
        return Redirect::to("/").into_response();
    }
    let Ok(token) = db::random_token() else {
        return html(StatusCode::INTERNAL_SERVER_ERROR, pages::message("出错了", "服务器没有随机数源。"));
    };
    let mut res = html(StatusCode::OK, pages::login(&token, None));
    res.headers_mut().insert(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &token, 1800));
    res
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    login_token: String,
}

async fn login(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>,
    Form(f): Form<LoginForm>,
) -> Response {
    // The peer's address (a proxy in front makes every sign-in one address:
    // then the per-name bounds still hold). Tests over the router have none.
    let ip = peer.map_or_else(|| "-".to_string(), |p| p.0.0.ip().to_string());
    // The sign-in form must come from our own page (double-submit token).
    let fresh = || db::random_token().unwrap_or_default();
    if !cookie(&headers, LOGIN_COOKIE).is_some_and(|c| !c.is_empty() && same(&c, &f.login_token)) {
        return html(StatusCode::FORBIDDEN, pages::message("请重新登录", "登录页已过期，请刷新后再试。"));
    }
    let name = f.name.trim().to_string();
    let fail = |st: &Studio, status: StatusCode, msg: &str| {
        let t = fresh();
        let mut res = html(status, pages::login(&t, Some(msg)));
        res.headers_mut().insert(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &t, 1800));
        let _ = st;
        res
    };
    // No account has a longer name or password: refused before anything is
    // stored or hashed.
    if name.chars().count() > 20 || f.password.len() > 1024 {
        return fail(&st, StatusCode::UNAUTHORIZED, "用户名或密码不对。");
    }
    if st.locked_out(&name, &ip) {
        st.db().audit(Some(&name), "sign-in-locked", "");
        return fail(&st, StatusCode::TOO_MANY_REQUESTS, "密码错误次数太多，请十分钟后再试。");
    }
    // The hash check is slow on purpose: off the async threads, and not
    // under the database lock that every request needs.
    let row = st.db().sign_in_row(&name);
    let password = f.password.clone();
    let user = tokio::task::spawn_blocking(move || db::verify_sign_in(row, &password)).await.ok().flatten();
    let Some(user) = user else {
        st.db().audit(Some(&name), "sign-in-failed", "");
        st.failed(&name, &ip);
        return fail(&st, StatusCode::UNAUTHORIZED, "用户名或密码不对。");
    };
    let db = st.db();
    let Ok((token, _)) = db.create_session(&user) else {
        return html(StatusCode::INTERNAL_SERVER_ERROR, pages::message("出错了", "会话没能保存，请再试一次。"));
    };
    db.audit(Some(&user.name), "sign-in", user.role.as_str());
    let mut res = Redirect::to("/").into_response();
    let h = res.headers_mut();
    h.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, db::SESSION_SECONDS));
    h.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0));
    res
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(st): State<Arc<Studio>>, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    let Some((token, s)) = st.session(&headers) else { return to_login() };
    if !same(&s.csrf, &f.csrf) {
        return csrf_refused(&st, &s);
    }
    let db = st.db();
    db.end_session(&token);
    db.audit(Some(&s.user.name), "sign-out", "");
    let mut res = to_login();
    res.headers_mut().insert(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0));
    res
}

/// Search over the library: text, topic, review state.
#[derive(Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub state: String,
    /// Only the slogans the signed-in account wrote or edited.
    #[serde(default)]
    pub mine: String,
    /// Only slogans meant for this item.
    #[serde(default)]
    pub item: String,
}

async fn library_page(State(st): State<Arc<Studio>>, headers: HeaderMap, Query(q): Query<Search>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        let mine = st2.db().written_by(&s.user.name);
        Ok(html(StatusCode::OK, pages::library(&s, &lib, &log, &q, &mine)))
    })
    .await
}

#[derive(Deserialize, Default)]
struct SloganQuery {
    #[serde(default)]
    saved: String,
}

async fn slogan_page(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<SloganQuery>,
) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        let Some(slogan) = lib.slogan(&id) else {
            return Ok(html(StatusCode::NOT_FOUND, pages::message("没有这条标语", "它可能改了编号或被删掉了。")));
        };
        st2.warm(&lib);
        let findings = st2.findings(&lib, &slogan.id)?;
        let actions = slogan_actions(&st2, &s, &log, slogan, &findings, !q.saved.is_empty());
        Ok(html(StatusCode::OK, pages::slogan(&s, &lib, &log, slogan, &findings, actions)))
    })
    .await
}

/// What this account can do with a slogan: edit or vary it, decide on it.
fn slogan_actions(
    st: &Studio,
    s: &Session,
    log: &ReviewLog,
    slogan: &crate::validate::Slogan,
    findings: &[crate::lint::Finding],
    saved: bool,
) -> maud::Markup {
    let state = log.state(slogan);
    let hash = crate::review::wording_hash(slogan);
    let authors = st.db().authors_of(&slogan.id, &hash);
    let editable = write::may_edit(st, s, &slogan.id);
    let writer = write::may_write(s);
    let errors = findings.iter().any(|f| f.level == crate::lint::Level::Error);
    let own = queue::four_eyes(st, s, slogan);
    maud::html! {
        @if saved { p.saved role="status" { "已保存，已提交审核。审核人通过以后才能印。" } }
        p.actions {
            @if editable { a.button href={ "/slogans/" (slogan.id) "/edit" } { "修改" } }
            @if writer { a.button href={ "/write?from=" (slogan.id) } { "以此为底稿写一条" } }
            a.button href={ "/proof/" (slogan.id) ".pdf" } { "审核单（PDF）" }
        }
        @if !authors.is_empty() { p.meta { "作者：" (authors.join("、")) } }
        @if s.user.role == db::Role::Reviewer && !state.is_approved() {
            section.decide {
                h2 { "审核" }
                form method="post" action={ "/slogans/" (slogan.id) "/decide" } {
                    input type="hidden" name="csrf" value=(s.csrf);
                    input type="hidden" name="seen" value=(hash);
                    label { "意见（需修改、不通过时必填）" textarea name="note" rows="2" {} }
                    @if errors && own.is_none() {
                        label { "自动检查有错误；确实要通过，写明理由" input name="override_lint"; }
                    }
                    @if let Some(why) = &own {
                        p.foureyes role="note" { (why) }
                    } @else {
                        button.primary type="submit" name="decision" value="approve" { "通过" }
                    }
                    button type="submit" name="decision" value="changes" { "需修改" }
                    button type="submit" name="decision" value="reject" { "不通过" }
                }
            }
        }
    }
}

/// `GET /admin/audit`: who signed in, failed to, or was added, and when.
/// Admins only, checked here on the server whatever the page shows.
async fn audit_page(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if s.user.role != db::Role::Admin {
        return refused(&st, &s, "/admin/audit", "这一页只有管理员能看。");
    }
    let entries = st.db().audit_list(500);
    html(StatusCode::OK, pages::audit(&s, &entries))
}

/// `GET /preview/{item}/{slogan}.svg` (and `{slogan}--back.svg`, the back
/// of a two-sided item): the same scene the print files come from, marked
/// 样稿·未审定 unless the wording is approved.
async fn preview(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath((item, file)): UrlPath<(String, String)>,
) -> Response {
    if st.session(&headers).is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(name) = file.strip_suffix(".svg").map(str::to_string) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let st2 = st.clone();
    let svg = tokio::task::spawn_blocking(move || -> Result<Option<axum::body::Bytes>, Diagnostic> {
        let lib = st2.library()?;
        // `ID--back`: the back (ids never hold `--`, see validate::id_ok).
        let (id, side) = name.strip_suffix(layout::side_suffix(1)).map_or((name.as_str(), 0), |id| (id, 1));
        let (Some(item), Some(slogan)) = (lib.item(&item), lib.slogan(id)) else { return Ok(None) };
        if side >= item.side_count() {
            return Ok(None);
        }
        let log = st2.review_log()?;
        Ok(Some(st2.preview(&lib, item, slogan, side, !log.state(slogan).is_approved())?))
    })
    .await;
    match svg {
        Ok(Ok(Some(svg))) => ([(header::CONTENT_TYPE, "image/svg+xml")], Body::from(svg)).into_response(),
        Ok(Ok(None)) => StatusCode::NOT_FOUND.into_response(),
        Ok(Err(d)) => (StatusCode::UNPROCESSABLE_ENTITY, d.message).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
