//! The vendor's package: one folder (and optionally a zip) that a print shop
//! can produce from without a phone call. Written complete or not at all.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::document::{self, Fonts};
use crate::export::{films, pdf, png, svg};
use crate::fsio;
use crate::layout::{self, SceneOptions};
use crate::library::Role;
use crate::lint::json_escape as esc;
use crate::order::{Job, Order, OrderStation, StationBlock};
use crate::review::{self, ReviewLog, sha256_hex};
use crate::routing::Routing;

use crate::scene::Scene;
use crate::validate::Library;

mod jobsheet;

#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    pub zip: bool,
    /// Render only part `i` of `n` (1-based) of the order's files.
    pub shard: Option<(usize, usize)>,
    /// Assemble the package from shard folders written before.
    pub merge_shards: bool,
    /// Document dates (SOURCE_DATE_EPOCH).
    pub epoch: Option<i64>,
    /// PDF/X version of the print files, over the order's own (`--pdfx`).
    pub pdfx: Option<pdf::PdfX>,
}

impl PackageOptions {
    /// The PDF/X version the print files are written in: `--pdfx`, else the
    /// order's `pdfx:`, else PDF/X-4.
    pub fn pdfx(&self, order: &Order) -> pdf::PdfX {
        self.pdfx.or(order.pdfx).unwrap_or_default()
    }
}

/// Resolution of the PNG proofs in a package.
const PROOF_DPI: f64 = 100.0;

/// Write a document of the package (job sheet, manifest, …) into the
/// staged folder as soon as it is made: its bytes are dropped at once, so
/// the documents of a county's order are never all in memory together.
fn stage_doc(staged: &fsio::StagedDir, path: &str, bytes: Vec<u8>) -> Result<Written, Diagnostic> {
    staged.write(path, &bytes)?;
    Ok(Written { path: path.to_string(), len: bytes.len() as u64, sha256: sha256_hex(&bytes) })
}

/// A design file, already in the staged folder: all the manifest and the
/// checksums need of it. The bytes are not kept, so memory does not grow
/// with the number of files.
struct Written {
    path: String,
    len: u64,
    sha256: String,
}

fn io(what: String, e: std::io::Error) -> Diagnostic {
    Diagnostic::io(format!("{what}: {e}")).hint("check that the output folder is writable and has space")
}

/// Build (or merge) the package of an order under `out`, in four steps:
/// [`plan`] (every job checked, cleared and laid out), [`render`] (the
/// design files), [`documents`] (job sheet, contact sheet, README, manifest,
/// checksums), [`install`] (complete or not at all). Returns the folder (and
/// zip) written.
pub fn write(
    lib: &Library,
    log: &ReviewLog,
    order: &Order,
    out: &Path,
    opts: &PackageOptions,
) -> Result<Vec<PathBuf>, Diagnostics> {
    let plan = plan(lib, log, order)?;
    prepare(out, order)?;
    let fingerprint = fingerprint(order, &plan.designs, opts);
    if let Some((i, n)) = opts.shard {
        // A shard: its files and their checksums; documents come at the merge.
        let chosen: Vec<usize> = (0..plan.designs.len()).filter(|k| k % n == i - 1).collect();
        let dir = out.join(format!("{}.shard-{i}-of-{n}", order.name));
        let staged = fsio::StagedDir::new(&dir)?;
        let files = render(lib, order, &plan, &chosen, opts, &staged)?.files;
        let docs = shard_documents(&staged, &files, fingerprint)?;
        install(&dir, staged, &files, &docs, None, None)?;
        return Ok(vec![dir]);
    }
    let dir = out.join(&order.name);
    // Files go into the staged folder as they are rendered; it becomes the
    // package only when everything is written (see install()).
    let staged = fsio::StagedDir::new(&dir)?;
    let all: Vec<usize> = (0..plan.designs.len()).collect();
    // The job sheet needs only the plan, and is made on one thread: it is
    // made while the files render, not after them.
    let (rendered, sheet) =
        rayon::join(|| render(lib, order, &plan, &all, opts, &staged), || job_sheet(lib, order, &plan, opts, &staged));
    let Rendered { files, samples } = rendered?;
    let sheet = sheet?;
    if opts.merge_shards {
        // Nothing from a shard folder is trusted: each of its files must be
        // byte for byte what this process renders for that job.
        check_shards(order, out, &fingerprint, &files)?;
    }
    let docs = documents(lib, order, &plan, &files, &samples, sheet, opts, &staged)?;
    install(&dir, staged, &files, &docs, Some(opts.zip), opts.epoch)?;
    let mut written = vec![dir];
    if opts.zip {
        written.push(zip_path(out, &order.name));
    }
    Ok(written)
}

/// The output folder, with what a crashed run left there finished (its
/// swap) or removed (its temporaries).
fn prepare(out: &Path, order: &Order) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(out).map_err(|e| io(format!("cannot create {}", out.display()), e))?;
    recover(out, &order.name);
    fsio::clean_leftovers(out);
    Ok(())
}

/// What the package is made of, decided before anything is rendered: the
/// order's distinct designs, cleared by the review gate (laid out later, as
/// they are rendered).
struct Plan<'a> {
    designs: Vec<Design<'a>>,
    /// `data/routing.yaml`, for the job sheet's routing notes.
    routing: Routing,
}

/// What [`render`] hands on: the files written, in package order, and the
/// sides of the first page of each item × slogan's first design (for the
/// contact sheet).
struct Rendered {
    files: Vec<Written>,
    samples: Vec<Vec<Scene>>,
}

/// One distinct design: one print file (with its films, cut file, SVGs and
/// proof) for every station that gets the same bytes.
pub(crate) struct Design<'a> {
    /// The first of its jobs: item, slogan, inks, approval and station block
    /// are those of all of them.
    pub job: Job<'a>,
    /// Every station that gets it, with its quantity, in station order.
    pub stations: Vec<(&'a OrderStation, u32)>,
    /// The station block is printed into it: one design per station.
    pub per_station: bool,
    /// A variable-data PDF: the station block printed, one page per station
    /// (the vendor's `variable_data`, digital processes only).
    pub pages: bool,
}

impl Design<'_> {
    /// `apron--fanzha-shuiguotan` for all stations, or
    /// `bag-nonwoven--fanzha-shucaitan--chengguan` for one.
    pub fn base(&self) -> String {
        if self.per_station { self.job.base() } else { format!("{}--{}", self.job.item.id, self.job.slogan.id) }
    }

    /// The name of page `k`'s own files (its SVG and proof): a variable-data
    /// design's pages are named after their stations.
    pub fn page_base(&self, k: usize) -> String {
        match self.stations.get(k) {
            Some((st, _)) if self.pages => format!("{}--{}", self.base(), st.key),
            _ => self.base(),
        }
    }

    pub fn quantity(&self) -> u64 {
        self.stations.iter().map(|(_, q)| u64::from(*q)).sum()
    }

    /// Who gets it, for labels on films and sheets.
    pub fn stations_label(&self) -> String {
        if self.stations.len() <= 3 {
            self.stations.iter().map(|(s, _)| s.station.name.as_str()).collect::<Vec<_>>().join("、")
        } else {
            format!("{} 个派出所共用", self.stations.len())
        }
    }
}

/// Step 1: the order's jobs (items, slogans, stations checked), their
/// wording cleared at the review gate, grouped into distinct designs: all
/// problems at once, before anything is written. The designs are laid out
/// as they are rendered (see [`render`]), so that no more than a few
/// scenes are in memory at once, whatever the number of stations.
fn plan<'a>(lib: &'a Library, log: &ReviewLog, order: &'a Order) -> Result<Plan<'a>, Diagnostics> {
    let routing = Routing::load(&lib.root)?;
    let (mut jobs, mut problems) = order.expand(lib);
    clear(log, order, &mut jobs, &mut problems);
    let jobs = problems.into_result(jobs)?;
    Ok(Plan { designs: designs(jobs, order.vendor.variable_data), routing })
}

/// What the job sheet warns about an order (designs below their process's
/// minimum, from `data/routing.yaml`), for the edges to show before they
/// build the package; problems of the order itself are left to [`write`].
pub fn routing_warnings(lib: &Library, order: &Order) -> Result<Vec<Diagnostic>, Diagnostics> {
    let routing = Routing::load(&lib.root)?;
    let (jobs, _) = order.expand(lib);
    Ok(jobsheet::warnings(order, &designs(jobs, order.vendor.variable_data), &routing))
}

/// Whether a job's scene depends on its station: its block printed into a
/// footer or QR zone, or the station's name in the wording (it is kept whole
/// as a word when lines are broken).
fn per_station(j: &Job) -> bool {
    if j.station_block != StationBlock::Print {
        return false;
    }
    let zones = j.item.zones.iter().any(|z| z.role == Role::Qr || (z.role == Role::Footer && z.text.is_some()));
    let s = j.slogan;
    let name = j.station.station.name.as_str();
    zones || [&s.heading, &s.topic].into_iter().chain(&s.lines).chain(&s.tip).any(|t| t.contains(name))
}

/// The jobs grouped into designs: one per item and slogan, or one per item,
/// slogan and station where the station is in the design — unless the
/// vendor takes variable data and the item is printed digitally, when the
/// stations' versions are the pages of one design. Jobs come sorted by item,
/// slogan and station, so designs keep that order.
fn designs(jobs: Vec<Job>, variable_data: bool) -> Vec<Design> {
    let mut out: Vec<Design> = Vec::new();
    for j in jobs {
        let per = per_station(&j);
        let pages = per && variable_data && digital(j.item.process);
        if let Some(d) = out.last_mut()
            && (!per || pages)
            && !d.per_station
            && d.pages == pages
            && d.job.item.id == j.item.id
            && d.job.slogan.id == j.slogan.id
        {
            d.stations.push((j.station, j.quantity));
            continue;
        }
        out.push(Design { stations: vec![(j.station, j.quantity)], per_station: per && !pages, pages, job: j });
    }
    out
}

/// Processes that print each piece from the file, with no plates or screens:
/// a page per station costs nothing extra.
fn digital(p: crate::library::Process) -> bool {
    use crate::library::Process::*;
    matches!(p, DigitalCmyk | Inkjet | DyeSublimation | HeatTransfer)
}

/// The review gate for the order: each job gets the record that approves
/// its wording; each line's slogan that is not cleared is a problem.
fn clear(log: &ReviewLog, order: &Order, jobs: &mut [Job], problems: &mut Diagnostics) {
    let gate = log.clear(jobs.iter().map(|j| j.slogan));
    let mut told = std::collections::BTreeSet::new();
    for j in jobs.iter_mut() {
        j.approval = gate.approved.get(&j.slogan.id).cloned();
        if let Some(d) = gate.refused.get(&j.slogan.id)
            && told.insert((j.line, &j.slogan.id))
        {
            problems.push(
                Diagnostic { message: format!("{}: {}", j.at(), d.message), ..d.clone() }
                    .in_file(&order.file)
                    .hint(format!("a reviewer runs `jiediqi approve {} --by NAME`", j.slogan.id)),
            );
        }
    }
}

/// A design's pages (one, or one per station for a variable-data PDF),
/// with the order's ink swaps applied. A design without its station block
/// is laid out without a station; a variable-data design once for each of
/// its stations.
fn lay_out(lib: &Library, d: &Design) -> Result<Vec<Scene>, Diagnostics> {
    let j = &d.job;
    let pages = if d.pages { d.stations.len() } else { 1 };
    // A two-sided item: each station's front, then its back.
    let scenes: Vec<Result<Vec<Scene>, Diagnostic>> = (0..pages)
        .into_par_iter()
        .map(|p| {
            let station = (j.station_block == StationBlock::Print).then_some(&d.stations[p].0.station);
            let mut sides = layout::build_sides(lib, j.item, j.slogan, &SceneOptions { station })?;
            for scene in &mut sides {
                // The order's ink swaps: same indices, other spot colours.
                scene.inks = j.inks.clone();
            }
            Ok(sides)
        })
        .collect();
    let mut problems = Diagnostics::default();
    let mut out = Vec::with_capacity(pages);
    for (p, s) in scenes.into_iter().enumerate() {
        match s {
            Ok(s) => out.extend(s),
            Err(e) => {
                let name = d.page_base(p);
                problems.push(Diagnostic { message: format!("{name}: {}", e.message), ..e })
            }
        }
    }
    problems.into_result(out)
}

/// Step 2: every design laid out, and the chosen ones rendered, in
/// parallel; files are written into the staged folder as they come and
/// only their names, sizes and checksums kept. Every layout problem of the
/// order is reported (designs not chosen are laid out to check them);
/// once one is found, nothing more is rendered. Files in package order.
fn render(
    lib: &Library,
    order: &Order,
    plan: &Plan,
    chosen: &[usize],
    opts: &PackageOptions,
    staged: &fsio::StagedDir,
) -> Result<Rendered, Diagnostics> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let groups = proof_groups(&plan.designs);
    let mut proof = vec![false; plan.designs.len()];
    for g in &groups {
        proof[g.start] = true;
    }
    let mut wanted = vec![false; plan.designs.len()];
    for &k in chosen {
        wanted[k] = true;
    }
    // Every path once: two designs named alike would overwrite each other
    // and leave a package whose checksums list one file twice.
    let named = std::sync::Mutex::new(std::collections::HashSet::new());
    let put = |path: String, bytes: Vec<u8>| -> Result<Written, Diagnostic> {
        if crate::fault::fails("package.file") {
            return Err(Diagnostic::io(format!("cannot write {path}: injected failure (JIEDIQI_TEST_FAIL_AT)")));
        }
        if !named.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(path.clone()) {
            return Err(Diagnostic::data(format!("two files of the package would be named {path}"))
                .hint("give the stations (or slogans) ids that differ by more than a `--back` or a `--`"));
        }
        let sha256 = sha256_hex(&bytes);
        staged.write(&path, &bytes)?;
        Ok(Written { path, len: bytes.len() as u64, sha256 })
    };
    let failed = AtomicBool::new(false);
    type Out = Result<(Vec<Written>, Option<Vec<Scene>>), Diagnostics>;
    let results: Vec<Out> = (0..plan.designs.len())
        .into_par_iter()
        .map(|k| {
            let d = &plan.designs[k];
            let scenes = lay_out(lib, d).inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
            if !wanted[k] || failed.load(Ordering::Relaxed) {
                return Ok((Vec::new(), None));
            }
            let files = render_files(lib, order, d, &scenes, opts, proof[k], &put).map_err(|e| {
                failed.store(true, Ordering::Relaxed);
                Diagnostics::from(e)
            })?;
            Ok((files, proof[k].then(|| scenes.into_iter().take(d.job.item.side_count()).collect())))
        })
        .collect();
    let mut problems = Diagnostics::default();
    let mut out = Rendered { files: Vec::new(), samples: Vec::new() };
    for r in results {
        match r {
            Ok((files, sample)) => {
                out.files.extend(files);
                out.samples.extend(sample);
            }
            Err(e) => problems.0.extend(e.0),
        }
    }
    problems.into_result(out)
}

/// The designs of each item × slogan, as ranges of the plan's designs
/// (which come sorted by item, slogan and station). Each range has one PNG
/// proof and one contact-sheet cell, drawn from its first design's first
/// page: where the station block is printed, the first station's version
/// stands for all (they differ only in that block).
pub(crate) fn proof_groups(designs: &[Design]) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (k, d) in designs.iter().enumerate() {
        match out.last_mut() {
            Some(g)
                if designs[g.start].job.item.id == d.job.item.id
                    && designs[g.start].job.slogan.id == d.job.slogan.id =>
            {
                g.end = k + 1
            }
            _ => out.push(k..k + 1),
        }
    }
    out
}

/// The proof of one side of an item × slogan:
/// `proofs/poster-a3--fanzha-qiandaizi.png`, `proofs/card-contact--fanzha-96110--back.png`.
pub(crate) fn proof_path(d: &Design, side: usize) -> String {
    format!("proofs/{}--{}{}.png", d.job.item.id, d.job.slogan.id, layout::side_suffix(side))
}

/// The cut file of an item × slogan: `print/mousepad-desk--fanzha-qiandaizi.cut.pdf`.
/// The die line is the item's, so every station's design of it is cut
/// from the same file (one file, not one a station).
pub(crate) fn cut_path(d: &Design) -> String {
    format!("print/{}--{}.cut.pdf", d.job.item.id, d.job.slogan.id)
}

/// The station whose version a group's proof shows, when the station block
/// is printed in it (else the proof is the very design of every station).
pub(crate) fn proof_station<'a>(group: &[Design<'a>]) -> Option<&'a OrderStation> {
    let varies = group.len() > 1 || group.iter().any(|d| d.per_station || d.pages);
    varies.then(|| group.first().and_then(|d| d.stations.first()).map(|(s, _)| *s)).flatten()
}

fn render_files(
    lib: &Library,
    order: &Order,
    design: &Design,
    scenes: &[Scene],
    opts: &PackageOptions,
    proof: bool,
    put: &(dyn Fn(String, Vec<u8>) -> Result<Written, Diagnostic> + Sync),
) -> Result<Vec<Written>, Diagnostic> {
    // All pages share the item: its die line and films are those of the first.
    let scene = &scenes[0];
    let (job, base) = (&design.job, design.base());
    if job.approval.is_none() {
        // Jobs made without the review log (for `check`) never print.
        return Err(Diagnostic::data(format!("{base}: no approval was checked for this job")));
    }
    let mut v = Vec::new();
    // Dated when the wording was approved, unless SOURCE_DATE_EPOCH says otherwise.
    let approved = job.approval.as_ref().and_then(|r| review::log::parse_time(&r.time));
    // Screen printers want text outlined (PRINT.md) and a film per screen.
    let screen = job.item.process == crate::library::Process::ScreenPrint;
    let pdf_opts = pdf::PdfOptions {
        marks: true,
        outline_text: screen,
        epoch: opts.epoch.or(approved),
        pdfx: Some(opts.pdfx(order)),
    };
    let pdf_bytes = pdf::export_pages(scenes, &pdf_opts).map_err(|e| Diagnostic::data(format!("{base}.pdf: {e}")))?;
    v.push(put(format!("print/{base}.pdf"), pdf_bytes)?);
    if screen {
        let (job_label, order_label) = (format!("print/{base}.pdf"), format!("订单 {}", order.name));
        let station = design.stations_label();
        let text =
            job_label.chars().chain(order_label.chars()).chain(station.chars()).chain("第版正片白墨打底先印".chars());
        let fonts = lib.fonts.chain_for("sans", text)?;
        let film_opts = films::FilmOptions {
            job: job_label,
            order: order_label,
            station,
            fonts,
            epoch: pdf_opts.epoch,
            pdfx: pdf_opts.pdfx,
        };
        let bytes = films::export(scene, &film_opts).map_err(|e| Diagnostic::data(format!("{base} films: {e}")))?;
        v.push(put(format!("films/{base}.pdf"), bytes)?);
    }
    // The die line beside its print files, never in them: one per item ×
    // slogan, written with the group's proof.
    if proof
        && let Some(cut) =
            pdf::export_cut(scene, &pdf_opts).map_err(|e| Diagnostic::data(format!("{}: {e}", cut_path(design))))?
    {
        v.push(put(cut_path(design), cut)?);
    }
    // SVGs are single pages: one per page, named after its station (and side).
    let sides = job.item.side_count();
    for (k, scene) in scenes.iter().enumerate() {
        let name = format!("{}{}", design.page_base(k / sides), layout::side_suffix(k % sides));
        if order.vendor.svg {
            let svg_opts = svg::PrintOptions { marks: true };
            v.push(put(format!("svg/{name}.svg"), svg::print(scene, &svg_opts).into_bytes())?);
            for (ink, film) in svg::plates(scene, &svg_opts) {
                v.push(put(format!("svg/{name}.ink-{ink}.svg"), film.into_bytes())?);
            }
        }
    }
    // One proof per item × slogan (see proof_groups()) and side, from the
    // first page: the back prints too.
    if proof {
        for (side, scene) in scenes.iter().take(sides).enumerate() {
            let path = proof_path(design, side);
            let png_bytes = png::export(scene, &png::PngOptions { dpi: PROOF_DPI })
                .map_err(|e| Diagnostic::data(format!("{path}: {e}")))?;
            v.push(put(path, png_bytes)?);
        }
    }
    Ok(v)
}

const SHARD_SUMS: &str = "SHARD-SHA256SUMS";
const SHARD_FINGERPRINT: &str = "SHARD-FINGERPRINT";

/// A shard's own documents: the checksums of its files and the fingerprint
/// of the inputs they were made from.
fn shard_documents(
    staged: &fsio::StagedDir,
    files: &[Written],
    fingerprint: String,
) -> Result<[Written; 2], Diagnostic> {
    let list: String = files.iter().map(|e| format!("{}  {}\n", e.sha256, e.path)).collect();
    Ok([
        stage_doc(staged, SHARD_SUMS, list.into_bytes())?,
        stage_doc(staged, SHARD_FINGERPRINT, fingerprint.into_bytes())?,
    ])
}

/// What every design file depends on, hashed: the tool's version, the
/// options, and per file its name, template text, wording, station and inks.
/// Shards and the merge must agree on it, or the merge would assemble files
/// made from other inputs (say, wording that has since been rejected).
fn fingerprint(order: &Order, designs: &[Design], opts: &PackageOptions) -> String {
    let mut text = format!(
        "jiediqi {}\nsvg {} variable-data {}\nepoch {:?}\npdfx {}\n",
        env!("CARGO_PKG_VERSION"),
        order.vendor.svg,
        order.vendor.variable_data,
        opts.epoch,
        opts.pdfx(order).name()
    );
    // Each template is read and hashed once, not once per file.
    let mut templates: BTreeMap<&Path, String> = BTreeMap::new();
    for d in designs {
        let j = &d.job;
        let template = templates
            .entry(j.item.file.as_path())
            .or_insert_with(|| sha256_hex(&std::fs::read(&j.item.file).unwrap_or_default()));
        let st = &j.station.station;
        // Who gets it is on its films.
        let keys: Vec<&str> = d.stations.iter().map(|(s, _)| s.key.as_str()).collect();
        let _ = writeln!(
            text,
            "{}\n{}\n{} {:?}\n{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}\n{:?}",
            d.base(),
            template,
            review::wording_hash(j.slogan),
            j.approval.as_ref().map(|r| r.time.as_str()),
            st.phone,
            st.hotline,
            st.address,
            st.qr,
            st.name,
            j.station_block,
            keys,
            j.inks.iter().map(|i| i.label()).collect::<Vec<_>>()
        );
    }
    sha256_hex(text.as_bytes())
}

/// The shard folders of this order in `out`: they must be complete, made
/// from the same inputs, and hold exactly `ours` (what this process renders
/// for the whole order), byte for byte. Their checksum lists are not trusted:
/// anyone who can change a shard file can change its list too.
fn check_shards(order: &Order, out: &Path, fingerprint: &str, ours: &[Written]) -> Result<(), Diagnostics> {
    let prefix = format!("{}.shard-", order.name);
    let mut shards: Vec<(usize, usize, PathBuf)> = Vec::new();
    for e in std::fs::read_dir(out).map_err(|e| io(format!("cannot read {}", out.display()), e))?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_prefix(&prefix)
            && let Some((i, n)) = rest.split_once("-of-")
            && let (Ok(i), Ok(n)) = (i.parse::<usize>(), n.parse::<usize>())
        {
            shards.push((i, n, e.path()));
        }
    }
    shards.sort();
    let n = shards.iter().map(|s| s.1).max().unwrap_or(0);
    let complete = n > 0 && shards.len() == n && shards.iter().enumerate().all(|(k, s)| s.0 == k + 1 && s.1 == n);
    if !complete {
        return Err(Diagnostic::data(format!(
            "the shards of `{}` in {} are incomplete or mixed: found {:?}",
            order.name,
            out.display(),
            shards.iter().map(|s| format!("{}/{}", s.0, s.1)).collect::<Vec<_>>()
        ))
        .hint("remove old shard folders, then run every `--shard I/N` for I = 1..N into this folder")
        .into());
    }
    let expected: BTreeMap<&str, &Written> = ours.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut problems = Diagnostics::default();
    for (_, _, dir) in &shards {
        let theirs = small_text(&dir.join(SHARD_FINGERPRINT));
        if theirs.trim() != fingerprint {
            return Err(Diagnostic::data(format!(
                "{} was rendered from other inputs than the order has now",
                dir.display()
            ))
            .hint("the order, a template, a slogan or its approval changed since: render the shards again")
            .into());
        }
        for rel in package_tree(dir).map_err(|e| io(format!("cannot read {}", dir.display()), e))?.0 {
            if rel == SHARD_SUMS || rel == SHARD_FINGERPRINT || rel == MARKER {
                continue;
            }
            let file = dir.join(&rel);
            let Some(want) = expected.get(rel.as_str()) else {
                problems.push(
                    Diagnostic::data(format!("{} is not a file of this order", file.display()))
                        .hint("render the shards again into an empty folder"),
                );
                continue;
            };
            // Never more than the file should hold, and only a regular file;
            // compared by SHA-256 with what this process wrote for it.
            let bytes = crate::library::read_bounded(&file, want.len).unwrap_or_default();
            if bytes.len() as u64 != want.len || sha256_hex(&bytes) != want.sha256 {
                problems.push(
                    Diagnostic::data(format!(
                        "{} differs from what this order renders for it: it was changed after rendering",
                        file.display()
                    ))
                    .hint("render that shard again; do not edit shard files"),
                );
            }
            if let Some(first) = seen.insert(rel.clone(), dir.clone()) {
                problems.push(
                    Diagnostic::data(format!("`{rel}` is in two shards ({} and {})", first.display(), dir.display()))
                        .hint("render the shards again"),
                );
            }
        }
    }
    let missing: Vec<&str> = expected.keys().copied().filter(|p| !seen.contains_key(*p)).collect();
    if !missing.is_empty() {
        problems.push(
            Diagnostic::data(format!("the shards lack {} files of the order, e.g. {}", missing.len(), missing[0]))
                .hint("render the shards again"),
        );
    }
    problems.into_result(())
}

/// What a design file is: its design (`<item>--<slogan>--<station>`), its
/// kind (print, cut, films, svg, film, proof) and, for an SVG film, its ink id.
fn design_file(path: &str) -> (&str, &'static str, Option<&str>) {
    let (dir, rest) = path.split_once('/').unwrap_or(("", path));
    let stem = rest.rsplit_once('.').map(|(b, _)| b).unwrap_or(rest);
    match dir {
        "print" => match stem.strip_suffix(".cut") {
            Some(base) => (base, "cut", None),
            None => (stem, "print", None),
        },
        // The PDF films of a screen print: one page per ink.
        "films" => (stem, "films", None),
        "svg" => match stem.rsplit_once(".ink-") {
            Some((base, ink)) => (base, "film", Some(ink)),
            None => (stem, "svg", None),
        },
        _ => (stem, "proof", None),
    }
}

/// The file that marks a folder as a package jiediqi wrote, with the
/// checksum of the zip written with it (`zip HEX`) or of the zip it made
/// stale (`stale-zip HEX`).
pub const MARKER: &str = ".jiediqi-package";

fn zip_path(out: &Path, name: &str) -> PathBuf {
    out.join(format!("{name}.zip"))
}

/// Every file and every folder under `dir`, as `/`-separated relative
/// paths: (files sorted, folders).
fn package_tree(dir: &Path) -> std::io::Result<(Vec<String>, Vec<String>)> {
    fn walk(base: &Path, dir: &Path, files: &mut Vec<String>, dirs: &mut Vec<String>) -> std::io::Result<()> {
        for e in std::fs::read_dir(dir)? {
            let e = e?;
            let path = e.path();
            let rel = path.strip_prefix(base).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if e.file_type()?.is_dir() {
                dirs.push(rel);
                walk(base, &path, files, dirs)?;
            } else {
                files.push(rel);
            }
        }
        Ok(())
    }
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    walk(dir, dir, &mut files, &mut dirs)?;
    files.sort();
    Ok((files, dirs))
}

/// A small text file of a folder we may not trust (regular, at most 64 MiB), or "".
fn small_text(path: &Path) -> String {
    crate::library::read_bounded(path, 64 << 20).ok().and_then(|b| String::from_utf8(b).ok()).unwrap_or_default()
}

/// The marker's `zip` and `stale-zip` checksums.
fn marker_zips(dir: &Path) -> (Option<String>, Option<String>) {
    let text = small_text(&dir.join(MARKER));
    let get = |k: &str| text.lines().find_map(|l| l.strip_prefix(k)).map(|v| v.trim().to_string());
    (get("zip "), get("stale-zip "))
}

fn file_sha256(path: &Path) -> Option<String> {
    // Regular files only: a FIFO planted in a package would block the read.
    crate::library::read_bounded(path, 8 << 30).ok().map(|b| sha256_hex(&b))
}

/// A folder we may replace: one we wrote (it has our marker, or an older
/// version's manifest), holding nothing but the files its checksum list
/// names, unchanged. Anything else is a person's data: refuse, naming it.
fn check_owned(dir: &Path) -> Result<(), Diagnostic> {
    let refuse = |what: String| {
        Diagnostic::io(format!("{} {what}", dir.display()))
            .hint("nothing in it is removed: move those files away (or choose another --out), then run again")
    };
    let sums_name = if dir.join(SHARD_SUMS).is_file() { SHARD_SUMS } else { "SHA256SUMS" };
    let ours =
        dir.join(MARKER).is_file() || dir.join("manifest.json").is_file() || dir.join(SHARD_FINGERPRINT).is_file();
    if !dir.is_dir() || !ours {
        return Err(refuse("exists and is not a package jiediqi wrote".into()));
    }
    let sums = small_text(&dir.join(sums_name));
    let listed: BTreeMap<&str, &str> = sums.lines().filter_map(|l| l.split_once("  ")).map(|(h, p)| (p, h)).collect();
    let (files, dirs) = package_tree(dir).map_err(|e| io(format!("cannot read {}", dir.display()), e))?;
    let mut foreign = Vec::new();
    // Folders too: an empty one a person made would go with the old package.
    for sub in dirs {
        if !files.iter().any(|f| f.starts_with(&format!("{sub}/"))) {
            foreign.push(format!("{sub}/"));
        }
    }
    // Hashing the old package is most of replacing it: in parallel.
    let found: Vec<Option<String>> = files
        .par_iter()
        .filter(|rel| ![MARKER, sums_name, SHARD_FINGERPRINT].contains(&rel.as_str()))
        .map(|rel| match listed.get(rel.as_str()) {
            Some(h) if file_sha256(&dir.join(rel)).is_some_and(|have| have == *h) => None,
            Some(_) => Some(format!("{rel} (changed since jiediqi wrote it)")),
            None => Some(rel.clone()),
        })
        .collect();
    foreign.extend(found.into_iter().flatten());
    if foreign.is_empty() {
        return Ok(());
    }
    let more = if foreign.len() > 5 { format!(" and {} more", foreign.len() - 5) } else { String::new() };
    foreign.truncate(5);
    Err(refuse(format!("holds files jiediqi did not write: {}{more}", foreign.join(", "))))
}

/// Finish what a crashed install began. The zip is renamed into place after
/// the folder is swapped; a zip temporary tagged with the checksum of the
/// manifest now in the folder belongs to it (roll forward), any other is
/// from a run that never swapped (removed by [`fsio::clean_leftovers`]). A
/// zip the folder's marker calls stale is removed.
fn recover(out: &Path, name: &str) {
    let dir = out.join(name);
    let zip = zip_path(out, name);
    let Some(manifest) = file_sha256(&dir.join("manifest.json")) else { return };
    let tag = format!(".{name}.zip.m{}.", &manifest[..16]);
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&tag) && fsio::leftover_finished(&e.path()) {
                let _ = std::fs::rename(e.path(), &zip);
            }
        }
    }
    if let (_, Some(stale)) = marker_zips(&dir)
        && file_sha256(&zip).is_some_and(|h| h == stale)
    {
        let _ = std::fs::remove_file(&zip);
    }
}

/// Put a package in place. Its design `files` are already in `staged` (a
/// fresh folder beside `dir`); the documents, the marker and the zip are
/// added, then the folder is swapped with the old one in a single step (so
/// there is never a moment without a package), then the zip renamed beside
/// it. `zip`: `None` for a shard (no zip), `Some(false)` for a package
/// without one (an earlier zip of ours is removed), `Some(true)` with one.
/// Replaces only a folder and zip that we wrote and nobody changed.
fn install(
    dir: &Path,
    staged: fsio::StagedDir,
    files: &[Written],
    docs: &[Written],
    zip: Option<bool>,
    epoch: Option<i64>,
) -> Result<(), Diagnostics> {
    let out = dir.parent().unwrap_or(Path::new("."));
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let had_old = std::fs::symlink_metadata(dir).is_ok();
    if had_old {
        check_owned(dir)?;
    }
    let zip_file = zip_path(out, &name);
    let old_zip = if zip.is_some() { file_sha256(&zip_file) } else { None };
    if let Some(old) = &old_zip {
        // Replaced or removed only if the old package says it wrote it.
        let (ours, _) = if had_old { marker_zips(dir) } else { (None, None) };
        if ours.as_deref() != Some(old.as_str()) {
            return Err(Diagnostic::io(format!("{} exists and was not written with this package", zip_file.display()))
                .hint("move it away (or choose another --out), then run again")
                .into());
        }
    }
    let zip_staged = if zip == Some(true) {
        // Tagged with the manifest's checksum, so a run that dies after
        // the swap is finished by the next (see recover()).
        let manifest = docs.iter().find(|e| e.path == "manifest.json").map(|e| e.sha256.clone());
        let tag = format!("m{}", manifest.as_deref().and_then(|m| m.get(..16)).unwrap_or("0"));
        let (z, sum) = fsio::StagedFile::stream(&zip_file, &tag, |w| write_zip(w, &name, epoch, &staged, files, docs))?;
        crate::fault::point("install.zip");
        Some((z, sum))
    } else {
        None
    };
    let mut marker = String::from("jiediqi package\n");
    if let Some((_, sum)) = &zip_staged {
        marker.push_str(&format!("zip {sum}\n"));
    } else if let Some(old) = &old_zip {
        marker.push_str(&format!("stale-zip {old}\n"));
    }
    staged.write(MARKER, marker.as_bytes())?;
    staged.swap_in()?;
    // From here the new package is in place; what follows only tidies up
    // (and a crash here is finished by the next run's recover()).
    match zip_staged {
        Some((z, _)) => z.commit()?,
        None => {
            if old_zip.is_some() {
                let _ = std::fs::remove_file(&zip_file);
            }
        }
    }
    crate::fault::point("install.zip-rename");
    Ok(())
}

/// The package's zip, written to `w` as it goes: the design files, then the
/// documents, read back from the staged folder a few at a time (deflated in
/// parallel, written in order). Returns the zip's SHA-256.
fn write_zip(
    w: &mut dyn std::io::Write,
    folder: &str,
    epoch: Option<i64>,
    staged: &fsio::StagedDir,
    files: &[Written],
    docs: &[Written],
) -> Result<String, Diagnostic> {
    use sha2::Digest as _;
    struct Hashing<'a> {
        w: &'a mut dyn std::io::Write,
        sha: sha2::Sha256,
    }
    impl std::io::Write for Hashing<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.w.write(buf)?;
            self.sha.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.w.flush()
        }
    }
    let zip_err = |e: std::io::Error| Diagnostic::data(format!("{folder}.zip: {e}")).hint("split the order");
    let mut z = crate::zip::Writer::new(Hashing { w, sha: sha2::Sha256::new() }, folder, epoch);
    // A chunk's files (a few MB) are in memory at once, never the package.
    for chunk in files.chunks(32).chain(docs.chunks(32)) {
        let packed = chunk
            .par_iter()
            .map(|f| {
                let path = staged.path().join(&f.path);
                let data = std::fs::read(&path).map_err(|e| io(format!("cannot read {}", path.display()), e))?;
                let p = crate::zip::pack(&data);
                Ok((data, p))
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        for (f, (data, p)) in chunk.iter().zip(&packed) {
            z.add(&f.path, data, p).map_err(zip_err)?;
        }
    }
    let h = z.finish().map_err(zip_err)?;
    Ok(review::hex(&h.sha.finalize()))
}

/// The job sheet, from the plan alone, staged as soon as it is made.
fn job_sheet(
    lib: &Library,
    order: &Order,
    plan: &Plan,
    opts: &PackageOptions,
    staged: &fsio::StagedDir,
) -> Result<Written, Diagnostic> {
    let fonts = Fonts::load(lib)?;
    let sheet = document::pdf_streamed(
        &|sink| jobsheet::job_sheet(&fonts, order, &plan.designs, &plan.routing, sink),
        opts.epoch,
    )?;
    stage_doc(staged, "生产单.pdf", sheet)
}

/// Step 3: job sheet (made beside [`render`]), contact sheet, README,
/// manifest and checksums, from the plan and the design files (identical
/// for sharded and unsharded runs).
#[allow(clippy::too_many_arguments)]
fn documents(
    lib: &Library,
    order: &Order,
    plan: &Plan,
    files: &[Written],
    samples: &[Vec<Scene>],
    sheet: Written,
    opts: &PackageOptions,
    staged: &fsio::StagedDir,
) -> Result<Vec<Written>, Diagnostic> {
    let fonts = Fonts::load(lib)?;
    let pdfx = opts.pdfx(order);
    let mut docs = Vec::new();
    if let Some(labels) = labels(&fonts, order, &plan.designs, opts)? {
        docs.push(stage_doc(staged, LABELS, labels)?);
    }
    docs.push(sheet);
    let contact = document::pdf(&jobsheet::contact_sheet(lib, &fonts, order, &plan.designs, samples)?, opts.epoch)?;
    docs.push(stage_doc(staged, "样稿总览.pdf", contact)?);
    docs.push(stage_doc(staged, "README.txt", readme(order, pdfx).into_bytes())?);
    // Manifest and checksums cover everything above.
    let manifest = manifest(order, pdfx, &plan.designs, files, &docs);
    docs.push(stage_doc(staged, "manifest.json", manifest.into_bytes())?);
    let mut sums = String::new();
    for e in files.iter().chain(&docs) {
        let _ = writeln!(sums, "{}  {}", e.sha256, e.path);
    }
    docs.push(stage_doc(staged, "SHA256SUMS", sums.into_bytes())?);
    Ok(docs)
}

/// The printing inks in print order: a white underbase first.
pub(crate) fn inks_of(job: &Job) -> Vec<String> {
    let printing = job.inks.iter().filter(|i| !matches!(i.kind, crate::scene::InkKind::Technical { .. }));
    let (under, colour): (Vec<_>, Vec<_>) =
        printing.partition(|i| Some(i.id.as_str()) == job.item.underbase.map(|_| "underbase"));
    under.into_iter().chain(colour).map(|i| i.label()).collect()
}

/// The sticker labels' file, one page (one label) per station.
pub(crate) const LABELS: &str = "labels/station-labels.pdf";
/// A label's size, mm.
pub(crate) const LABEL_SIZE: (f64, f64) = (80.0, 40.0);

/// How many labels each station gets: one per piece of the lines that put
/// the station block on a label, in station order.
pub(crate) fn label_counts<'a>(order: &'a Order, designs: &[Design]) -> Vec<(&'a OrderStation, u64)> {
    let mut counts: Vec<(&OrderStation, u64)> = order.stations.iter().map(|s| (s, 0)).collect();
    for d in designs.iter().filter(|d| d.job.station_block == StationBlock::Label) {
        for (st, q) in &d.stations {
            if let Some(c) = counts.iter_mut().find(|(s, _)| s.key == st.key) {
                c.1 += u64::from(*q);
            }
        }
    }
    counts.retain(|(_, n)| *n > 0);
    counts
}

/// The station block on sticker labels (digital CMYK, black text on white,
/// fonts embedded as subsets), for the lines that ask for `station_block: label`.
fn labels(
    fonts: &Fonts,
    order: &Order,
    designs: &[Design],
    opts: &PackageOptions,
) -> Result<Option<Vec<u8>>, Diagnostic> {
    let counts = label_counts(order, designs);
    if counts.is_empty() {
        return Ok(None);
    }
    let (w, h) = LABEL_SIZE;
    let mut pages = Vec::new();
    for (st, _) in &counts {
        let s = &st.station;
        let mut elements = Vec::new();
        let mut y = crate::mm(4.0);
        let mut set = |f: &[std::sync::Arc<crate::fonts::Font>], text: &str, size: f64| -> Result<(), Diagnostic> {
            let (runs, height) =
                document::para(f, text, size, (crate::mm(4.0), y), crate::mm(w - 8.0), document::BLACK)?;
            elements.extend(runs);
            y += height + size * 0.5;
            Ok(())
        };
        set(&fonts.heavy, &s.name, 13.0)?;
        if let Some(p) = &s.phone {
            set(&fonts.sans, &format!("值班电话：{p}"), 9.0)?;
        }
        if let Some(hl) = &s.hotline {
            set(&fonts.sans, &format!("反诈专线：{hl}　报警：110"), 9.0)?;
        }
        if let Some(a) = &s.address {
            set(&fonts.sans, &format!("地址：{a}"), 8.0)?;
        }
        pages.push(Scene {
            underbase: None,
            width: crate::mm(w),
            height: crate::mm(h),
            bleed: 0.0,
            inks: document::inks(),
            substrate: crate::scene::Rgb(255, 255, 255),
            background: None,
            elements,
            die_line: None,
            crop_marks_allowed: false,
            folds: Vec::new(),
            title: format!("派出所标签 — {}", s.name),
            slogan_lines: 0,
            split_words: Vec::new(),
            notes: Vec::new(),
        });
    }
    let pdf_opts =
        pdf::PdfOptions { marks: false, outline_text: false, epoch: opts.epoch, pdfx: Some(opts.pdfx(order)) };
    let bytes = pdf::export_pages(&pages, &pdf_opts).map_err(|e| Diagnostic::data(format!("{LABELS}: {e}")))?;
    Ok(Some(bytes))
}

/// Screens or plates to make for a design: one screen per printing ink of
/// a screen print, four plates for offset; digital processes need none.
pub(crate) fn setups(d: &Design) -> usize {
    match d.job.item.process {
        crate::library::Process::ScreenPrint => inks_of(&d.job).len(),
        crate::library::Process::OffsetCmyk => 4,
        _ => 0,
    }
}

/// Spot inks by name; process printing as 四色 (the manifest has the values).
pub(crate) fn ink_summary(j: &Job) -> String {
    if !j.item.process.uses_spot_inks() {
        return "CMYK 四色".into();
    }
    let mut s = format!("专色：{}", inks_of(j).join("、"));
    if let Some((choke, _)) = j.item.underbase {
        let _ = write!(s, "（{} 为白墨打底，先印，比图案每边内缩 {choke} mm）", crate::validate::UNDERBASE);
    }
    s
}

fn manifest(order: &Order, pdfx: pdf::PdfX, designs: &[Design], files: &[Written], docs: &[Written]) -> String {
    let by_base: BTreeMap<String, &Design> =
        designs.iter().flat_map(|d| (0..d.stations.len().max(1)).map(move |k| (d.page_base(k), d))).collect();
    // A proof and a cut file each stand for their item × slogan's designs.
    let groups = proof_groups(designs);
    let proofs: BTreeMap<String, &[Design]> = groups
        .iter()
        .flat_map(|g| {
            let d = &designs[g.start];
            (0..d.job.item.side_count()).map(move |side| (proof_path(d, side), &designs[g.clone()]))
        })
        .collect();
    let cuts: BTreeMap<String, &[Design]> =
        groups.iter().map(|g| (cut_path(&designs[g.start]), &designs[g.clone()])).collect();
    let mut s = String::new();
    let _ = writeln!(s, "{{");
    let _ = writeln!(s, "  \"order\": \"{}\",", esc(&order.name));
    let _ = writeln!(s, "  \"title\": \"{}\",", esc(&order.title));
    let _ = writeln!(
        s,
        "  \"vendor\": {{\"name\": \"{}\", \"contact\": \"{}\"}},",
        esc(&order.vendor.name),
        esc(order.vendor.contact.as_deref().unwrap_or(""))
    );
    let _ = writeln!(s, "  \"due\": \"{}\",", esc(&order.due));
    let c = crate::color::FOGRA39;
    let _ = writeln!(s, "  \"pdfx\": {{\"version\": \"{}\", \"output_intent\": \"{}\"}},", pdfx.label(), c.identifier);
    let _ = writeln!(s, "  \"files\": [");
    let mut rows = Vec::new();
    for e in files {
        let (base, kind, film) = design_file(&e.path);
        // A proof stands for its item × slogan: every station of its designs.
        let (group, sample): (&[Design], String) = match proofs.get(&e.path) {
            Some(g) if kind == "proof" => {
                let sample = proof_station(g).map_or(String::new(), |st| {
                    format!(
                        ", \"sample_station\": {{\"id\": \"{}\", \"name\": \"{}\"}}",
                        esc(&st.key),
                        esc(&st.station.name)
                    )
                });
                (g, sample)
            }
            // A cut file serves every design of its item × slogan.
            _ if kind == "cut" => match cuts.get(&e.path) {
                Some(g) => (*g, String::new()),
                None => continue,
            },
            // A back side's SVGs are named after the page with `--back`.
            _ => match by_base.get(base).or_else(|| by_base.get(base.strip_suffix(layout::side_suffix(1))?)) {
                Some(d) => (std::slice::from_ref(*d), String::new()),
                None => continue,
            },
        };
        let j = &group[0].job;
        let stations: Vec<String> = group
            .iter()
            .flat_map(|d| &d.stations)
            .map(|(st, q)| {
                format!("{{\"id\": \"{}\", \"name\": \"{}\", \"quantity\": {q}}}", esc(&st.key), esc(&st.station.name))
            })
            .collect();
        // A cut file holds only the die line's ink, a film one ink.
        let labels: Vec<String> = match (kind, film) {
            ("cut", _) => j
                .inks
                .iter()
                .filter(|i| matches!(i.kind, crate::scene::InkKind::Technical { .. }))
                .map(|i| i.label())
                .collect(),
            (_, Some(id)) => j.inks.iter().filter(|i| i.id == id).map(|i| i.label()).collect(),
            _ => inks_of(j),
        };
        let inks: Vec<String> = labels.iter().map(|i| format!("\"{}\"", esc(i))).collect();
        rows.push(format!(
            "    {{\"path\": \"{}\", \"kind\": \"{kind}\", \"sha256\": \"{}\", \"bytes\": {}, \"item\": \"{}\", \"product\": \"{}\", \"material\": \"{}\", \"trim_mm\": [{}, {}], \"bleed_mm\": {}, \"process\": \"{}\", \"inks\": [{}], \"quantity\": {}, \"setups\": {}, \"stations\": [{}]{sample}, \"slogan\": \"{}\", \"wording_sha256\": \"{}\", \"approved\": {{\"by\": \"{}\", \"at\": \"{}\"}}}}",
            esc(&e.path),
            e.sha256,
            e.len,
            esc(&j.item.id),
            esc(&j.item.product),
            esc(&j.item.material),
            j.item.width,
            j.item.height,
            j.item.bleed,
            j.item.process.label(),
            inks.join(", "),
            group.iter().map(Design::quantity).sum::<u64>(),
            group.iter().map(setups).sum::<usize>(),
            stations.join(", "),
            esc(&j.slogan.id),
            review::wording_hash(j.slogan),
            esc(j.approval.as_ref().map_or("", |a| a.reviewer.as_str())),
            esc(j.approval.as_ref().map_or("", |a| a.time.as_str())),
        ));
    }
    if let Some(e) = docs.iter().find(|e| e.path == LABELS) {
        let counts: Vec<String> = label_counts(order, designs)
            .iter()
            .map(|(st, q)| {
                format!("{{\"id\": \"{}\", \"name\": \"{}\", \"quantity\": {q}}}", esc(&st.key), esc(&st.station.name))
            })
            .collect();
        rows.push(format!(
            "    {{\"path\": \"{LABELS}\", \"kind\": \"label\", \"sha256\": \"{}\", \"bytes\": {}, \"trim_mm\": [{}, {}], \"process\": \"digital CMYK\", \"stations\": [{}]}}",
            e.sha256,
            e.len,
            LABEL_SIZE.0,
            LABEL_SIZE.1,
            counts.join(", ")
        ));
    }
    let _ = writeln!(s, "{}", rows.join(",\n"));
    let _ = writeln!(s, "  ],");
    let docs: Vec<String> = docs
        .iter()
        .map(|e| format!("    {{\"path\": \"{}\", \"sha256\": \"{}\", \"bytes\": {}}}", esc(&e.path), e.sha256, e.len))
        .collect();
    let _ = writeln!(s, "  \"documents\": [\n{}\n  ]", docs.join(",\n"));
    let _ = writeln!(s, "}}");
    s
}

fn readme(order: &Order, pdfx: pdf::PdfX) -> String {
    // Lines joined with CRLF (Notepad), written out one by one so that their
    // indentation survives (a `\` line continuation eats it).
    let mut lines: Vec<String> = vec![
        order.title.clone(),
        format!("印刷厂：{}    交货日期：{}", order.vendor.name, order.due),
        String::new(),
        "本文件夹内容".into(),
        "  print/        印刷文件（PDF）。文件名：物品--标语编号--派出所；各派出所完全相同的设计只有一个文件".into(),
        "                （物品--标语编号），数量为各所合计，分所数量见生产单。页面 = 成品尺寸 + 出血，".into(),
        "                含 TrimBox/BleedBox 和裁切线；颜色为各物品的印刷油墨（CMYK 或专色）。".into(),
        "                丝网印刷的物品文字已转曲（不含字体），其余物品字体已嵌入子集。".into(),
        "                有刀模（如鼠标垫圆角）的物品另有 物品--标语编号.cut.pdf：只有刀模线（专色 CutContour，".into(),
        "                叠印），这条标语各派出所的文件共用一份；页面和各 Box 与印刷文件相同，供切割或模切".into(),
        "                对位；刀模线不在印刷文件里，不会印出来。".into(),
        format!(
            "                格式为 {}，输出意图 {}（ISO 12647-2:2004 铜版纸胶印），内嵌 ICC 特性文件。",
            pdfx.label(),
            crate::color::FOGRA39.identifier
        ),
        "  films/        丝网印刷的菲林（PDF，正片）：每个印刷文件一份，每种油墨一页，按印刷顺序".into(),
        "                （深色面料先印白墨打底 Underbase）；页边有套准十字、油墨名、文件名和派出所。".into(),
    ];
    if order.vendor.svg {
        lines.extend(
            [
                "  svg/          矢量文件（SVG，毫米单位，含出血和裁切线，不含底色和刀模线）。",
                "                物品--标语编号--派出所.svg 是合成稿：各油墨的 CMYK 值写在每个图形的 style 里",
                "                （Inkscape 可读）和 <metadata> 里，油墨也是文件里的色板；",
                "                专色物品另有每色一个分色文件 .ink-油墨编号.svg：黑色 = 该色下墨处，",
                "                白色 = 被后印颜色镂空处，可直接出菲林。",
            ]
            .map(String::from),
        );
    }
    if order.lines.iter().any(|l| l.station_block == StationBlock::Label) {
        lines.push(format!(
            "  labels/       派出所不干胶标签（{}×{} mm，数码四色）：每页一个派出所，数量见生产单。",
            LABEL_SIZE.0, LABEL_SIZE.1
        ));
    }
    lines.extend(
        [
            "  proofs/       每个设计（物品--标语编号）一张 PNG 样图，颜色按 FOGRA39 特性文件换算，只用来核对，不用于印刷；",
            "                各派出所版本只有派出所信息不同，样图画第一个派出所的版本（见 manifest.json 的 sample_station）。",
            "  样稿总览.pdf  每个设计（物品--标语编号）一个缩略图，及其派出所和数量。",
            "  生产单.pdf    生产单：每个文件的物品、材质、工艺、油墨、成品尺寸、出血、数量，以及各物品合计。",
            "  manifest.json 文件清单：SHA-256、大小、尺寸、出血、工艺、油墨、数量、派出所、标语和审核记录。",
            "  SHA256SUMS    所有文件的 SHA-256 校验值。",
            "",
            "如何核对文件是否完整、没有损坏",
            "  Linux：在本文件夹里运行   sha256sum -c SHA256SUMS",
            "  macOS：在本文件夹里运行   shasum -a 256 -c SHA256SUMS",
            "  Windows：certutil -hashfile print\\文件名.pdf SHA256   然后与 SHA256SUMS 里同名文件的值比较。",
            "  每一行都显示 OK（或值一致）就说明文件完整。",
            "",
        ]
        .map(String::from),
    );
    lines.push(format!(
        "所有标语都已经过审核（审核人和时间见 manifest.json）。如有疑问请联系：{}",
        order.vendor.contact.as_deref().unwrap_or("下单单位")
    ));
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}
