//! Pictograms: the project's own single-ink drawings, one per slogan file
//! (`pictograms/<stem>.svg` for `slogans/<stem>.yaml`), placed by template
//! zones with `shape: pictogram`.
//!
//! A pictogram file is a small subset of SVG, checked before anything is
//! drawn: a root `<svg viewBox="0 0 100 100">` holding only `<path d="…">`
//! elements, filled with the nonzero rule in the zone's ink. No strokes,
//! fills, colours, transforms, gradients, text or images: what is in the
//! file is the shape, so the same file prints the same on every item and in
//! every ink. The path data itself is read by usvg (already here with resvg).
//!
//! The print check: the narrowest stroke and the narrowest gap of a drawing
//! are measured once from its geometry (the distance-transform measure of
//! [`crate::fonts::stem`]; a gap is a stroke of the unfilled space inside
//! the drawing's box), in units of the 100-unit box, and compared with an
//! item's `minimums.stroke` at the size the zone places it.

use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use resvg::usvg;

use crate::diag::{Diagnostic, Location};
use crate::fonts::stem::{self, Measure, Stems};
use crate::scene::{Path, Seg};

/// Side of the drawing box, units (`viewBox="0 0 100 100"`).
pub const SIDE: f64 = 100.0;

/// Largest pictogram file read, bytes (the shipped ones are 1–6 KB).
const MAX_BYTES: u64 = 512 * 1024;

/// Raster scale of the measure, pixels per unit: the box at 1000 pixels,
/// so the narrowest allowed feature of the shipped set (6 units) is 60
/// pixels across and a width is read within a twentieth of a unit.
const MEASURE_SCALE: f32 = 10.0;

/// A stroke or gap counts as thin only where it stays thin along this much
/// ridge (units): shorter stretches are where two shapes meet at an angle or
/// a curve turns, which ink fills either way.
const THIN_RUN: f32 = 2.0;

/// One checked pictogram.
#[derive(Debug)]
pub struct Pictogram {
    /// The file stem, which is the slogan file's stem (`fanzha`).
    pub name: String,
    pub file: PathBuf,
    /// The outline in box units (0–100, y down), nonzero fill.
    pub path: Path,
    /// SHA-256 of the file's bytes: the key of the shipped measures ([`measured`]).
    sum: String,
    thin: OnceLock<Thin>,
}

/// The narrowest stroke and gap of a drawing, box units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thin {
    pub stroke: f64,
    /// `None` for a drawing with no gap (one solid blob).
    pub gap: Option<f64>,
}

impl Pictogram {
    /// Read and check one pictogram file.
    pub fn load(file: &FsPath) -> Result<Pictogram, Diagnostic> {
        let hint = "a pictogram is an SVG file of `<path d>` elements only; see pictograms/README.md";
        let size = std::fs::metadata(file)
            .map_err(|e| Diagnostic::io(format!("cannot read pictogram: {e}")).in_file(file).hint(hint))?
            .len();
        if size > MAX_BYTES {
            return Err(Diagnostic::data(format!("pictogram is {size} bytes, more than {MAX_BYTES}"))
                .in_file(file)
                .hint("simplify the drawing"));
        }
        let text = std::fs::read_to_string(file)
            .map_err(|e| Diagnostic::io(format!("cannot read pictogram: {e}")).in_file(file).hint(hint))?;
        Pictogram::parse(file, &text)
    }

    /// Check `text` (the file's contents) against the subset and read its paths.
    pub fn parse(file: &FsPath, text: &str) -> Result<Pictogram, Diagnostic> {
        let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let hint = "a pictogram is `<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\">` \
                    holding `<path d=\"…\"/>` elements only; see pictograms/README.md";
        let doc = usvg::roxmltree::Document::parse(text)
            .map_err(|e| Diagnostic::data(format!("pictogram is not well-formed XML: {e}")).in_file(file).hint(hint))?;
        let at = |node: usvg::roxmltree::Node| {
            let p = doc.text_pos_at(node.range().start);
            Location::at(file, u64::from(p.row), u64::from(p.col))
        };
        let bad = |node: usvg::roxmltree::Node, what: String| Diagnostic::data(what).at(at(node)).hint(hint);
        let root = doc.root_element();
        if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some("http://www.w3.org/2000/svg") {
            return Err(bad(root, "pictogram's root is not an SVG `<svg>` element".into()));
        }
        let mut view_box = None;
        for a in root.attributes() {
            match a.name() {
                "viewBox" => view_box = Some(a.value()),
                other => return Err(bad(root, format!("pictogram's `<svg>` has attribute `{other}`"))),
            }
        }
        let numbers: Option<Vec<f64>> = view_box
            .and_then(|v| v.split([' ', ',']).filter(|s| !s.is_empty()).map(|s| s.parse::<f64>().ok()).collect());
        if numbers.as_deref() != Some(&[0.0, 0.0, SIDE, SIDE][..]) {
            return Err(bad(root, format!("pictogram's viewBox is {:?}, not \"0 0 100 100\"", view_box.unwrap_or(""))));
        }
        let mut paths = 0;
        for node in root.children() {
            if node.is_comment() {
                continue;
            }
            if node.is_text() {
                if node.text().is_some_and(|t| !t.trim().is_empty()) {
                    return Err(bad(node, "pictogram has text outside a path; text is drawn as paths".into()));
                }
                continue;
            }
            if !node.is_element() {
                return Err(bad(node, "pictogram holds something other than `<path>` elements".into()));
            }
            let tag = node.tag_name().name();
            if tag != "path" {
                return Err(bad(node, format!("pictogram has a `<{tag}>` element; only `<path d>` is allowed")));
            }
            if node.has_children() {
                return Err(bad(node, "pictogram's `<path>` has content".into()));
            }
            for a in node.attributes() {
                if a.name() != "d" {
                    return Err(bad(
                        node,
                        format!("pictogram's `<path>` has attribute `{}`; the zone's ink fills it", a.name()),
                    ));
                }
            }
            if node.attribute("d").is_none_or(|d| d.trim().is_empty()) {
                return Err(bad(node, "pictogram's `<path>` has no `d`".into()));
            }
            paths += 1;
        }
        if paths == 0 {
            return Err(bad(root, "pictogram has no `<path>`".into()));
        }
        let tree = usvg::Tree::from_xmltree(&doc, &usvg::Options::default())
            .map_err(|e| Diagnostic::data(format!("pictogram cannot be read: {e}")).in_file(file).hint(hint))?;
        let mut segs = Vec::new();
        collect(tree.root(), &mut segs);
        let path = Path(segs);
        let [x0, y0, x1, y1] = path.bounds().ok_or_else(|| {
            Diagnostic::data("pictogram's paths draw nothing").in_file(file).hint("draw the shape with `d`")
        })?;
        // A hundredth of a unit of slack for the decimals a drawing tool writes.
        if x0 < -0.01 || y0 < -0.01 || x1 > SIDE + 0.01 || y1 > SIDE + 0.01 {
            return Err(Diagnostic::data(format!(
                "pictogram leaves its 100 × 100 box: it spans x {x0:.2}–{x1:.2}, y {y0:.2}–{y1:.2}"
            ))
            .in_file(file)
            .hint("keep every point of the drawing inside the viewBox"));
        }
        let sum = crate::review::sha256_hex(text.as_bytes());
        Ok(Pictogram { name, file: file.to_path_buf(), path, sum, thin: OnceLock::new() })
    }

    /// The narrowest stroke and gap, box units: from the shipped measures
    /// when the file's bytes are one of the shipped drawings, else measured
    /// (once per process).
    pub fn thin(&self) -> Thin {
        *self.thin.get_or_init(|| measured::lookup(&self.sum).unwrap_or_else(|| self.measure_thin()))
    }

    /// The narrowest stroke and gap, measured from the outline now (about
    /// 300 M instructions, 30 ms: a 1000 × 1000 raster and two distance
    /// transforms).
    pub fn measure_thin(&self) -> Thin {
        let stroke = thin_run(&self.measure(Measure::Strokes)).unwrap_or(0.0);
        let gap = thin_run(&self.measure(Measure::Gaps));
        Thin { stroke, gap }
    }

    /// Whether [`Pictogram::thin`] comes from the shipped measures.
    pub fn is_shipped(&self) -> bool {
        measured::lookup(&self.sum).is_some()
    }

    fn measure(&self, what: Measure) -> Stems {
        let side = SIDE as f32;
        // The measure reads outlines y up, as fonts have them: mirror (the
        // nonzero rule does not care which way a contour turns).
        stem::shape_stems([0.0, -side, side, 0.0], MEASURE_SCALE, what, &|b| {
            for s in &self.path.0 {
                match *s {
                    Seg::Move(x, y) => b.move_to(x as f32, -y as f32),
                    Seg::Line(x, y) => b.line_to(x as f32, -y as f32),
                    Seg::Cubic(a, c, d, e, x, y) => {
                        b.curve_to(a as f32, -c as f32, d as f32, -e as f32, x as f32, -y as f32)
                    }
                    Seg::Close => b.close(),
                }
            }
        })
    }

    /// Whether the drawing prints at `side_mm` wide where strokes and gaps
    /// must be at least `min_mm`: the problem in words when it does not.
    pub fn too_thin(&self, side_mm: f64, min_mm: f64) -> Option<String> {
        let t = self.thin();
        let k = side_mm / SIDE;
        // Measured within a twentieth of a unit: no refusal within that.
        let slack = 0.05 * k;
        let mut what = Vec::new();
        if t.stroke * k + slack < min_mm {
            what.push(format!("strokes {:.2} mm", t.stroke * k));
        }
        if let Some(g) = t.gap
            && g * k + slack < min_mm
        {
            what.push(format!("gaps {:.2} mm", g * k));
        }
        if what.is_empty() {
            return None;
        }
        let need = min_mm / t.stroke.min(t.gap.unwrap_or(f64::MAX)).max(1e-6) * SIDE;
        Some(format!(
            "pictogram `{}` at {side_mm:.1} mm has {}, thinner than the item's minimum stroke {min_mm} mm \
             (it needs to be at least {need:.1} mm wide)",
            self.name,
            what.join(" and ")
        ))
    }

    /// The outline placed with its box's top-left corner at (x, y), pt,
    /// `side` pt wide.
    pub fn placed(&self, x: f64, y: f64, side: f64) -> Path {
        let k = side / SIDE;
        self.path.mapped(|a, b| (x + a * k, y + b * k))
    }
}

/// The shipped drawings' measures (`pictograms/thin.txt`, written by the
/// ignored test `pictogram::measured::tests::regenerate`), so a poster does
/// not rasterise its pictogram to learn what it measured when it was drawn:
/// measuring was 96 % of a one-poster run. Keyed by the SHA-256 of the
/// file's bytes, so a changed or new drawing — in this folder or a
/// project's own — is measured instead; a test checks every entry against
/// the measure.
pub mod measured {
    use super::Thin;

    const DATA: &str = include_str!("../pictograms/thin.txt");
    pub const HEAD: &str = "# jiediqi pictogram measures v1: name sha256 stroke gap (box units; - for no gap)";

    /// The measure of the drawing whose bytes hash to `sum`, if shipped.
    pub fn lookup(sum: &str) -> Option<Thin> {
        DATA.lines().skip(1).find_map(|l| {
            let mut f = l.split(' ');
            let (_name, s, stroke, gap) = (f.next()?, f.next()?, f.next()?, f.next()?);
            if s != sum {
                return None;
            }
            let gap = if gap == "-" { None } else { Some(gap.parse().ok()?) };
            Some(Thin { stroke: stroke.parse().ok()?, gap })
        })
    }

    /// One line of the table. `{}` prints an f64 as the shortest text that
    /// reads back as the same number, so the table holds the measure exactly.
    pub fn line(name: &str, sum: &str, t: Thin) -> String {
        let gap = t.gap.map_or_else(|| "-".to_string(), |g| g.to_string());
        format!("{name} {sum} {} {gap}\n", t.stroke)
    }

    #[cfg(test)]
    mod tests {
        use super::super::{Pictogram, Pictograms};
        use super::*;

        fn shipped() -> Vec<Pictogram> {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pictograms");
            let pics = Pictograms::new(dir);
            pics.names().unwrap().iter().map(|n| Pictogram::load(&pics.file(n)).unwrap()).collect()
        }

        /// `JIEDIQI_BLESS=1 cargo test --release --lib pictogram::measured -- --ignored`
        /// rewrites pictograms/thin.txt (about a second).
        #[test]
        #[ignore]
        fn regenerate() {
            if std::env::var_os("JIEDIQI_BLESS").is_none() {
                return;
            }
            let mut out = format!("{HEAD}\n");
            for p in shipped() {
                out.push_str(&line(&p.name, &p.sum, p.measure_thin()));
            }
            let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pictograms/thin.txt");
            std::fs::write(file, out).unwrap();
        }

        /// Every shipped drawing is in the table, and the table says exactly
        /// what measuring it now says.
        #[test]
        fn the_table_is_what_the_drawings_measure() {
            let pics = shipped();
            assert!(pics.len() >= 28, "{}", pics.len());
            assert_eq!(DATA.lines().next(), Some(HEAD));
            assert_eq!(DATA.lines().count(), pics.len() + 1, "an entry for a drawing that is gone");
            for p in &pics {
                assert!(p.is_shipped(), "{} is not in pictograms/thin.txt: regenerate it", p.name);
                assert_eq!(p.thin(), p.measure_thin(), "{}", p.name);
            }
        }

        /// A drawing whose bytes differ from the shipped one by one character
        /// (here a space) is measured, not looked up.
        #[test]
        fn a_changed_drawing_is_measured() {
            let p = &shipped()[0];
            let text = std::fs::read_to_string(&p.file).unwrap().replacen("<path", "<path ", 1);
            let changed = Pictogram::parse(&p.file, &text).unwrap();
            assert!(!changed.is_shipped());
            assert_eq!(lookup(&changed.sum), None);
            assert!(lookup(&p.sum).is_some());
        }
    }
}

/// The narrowest width that holds along [`THIN_RUN`] of ridge (or along all
/// of it, for a drawing whose ridges are shorter: a round dot's is a point).
fn thin_run(stems: &Stems) -> Option<f64> {
    let total = stems.weight * stems.widths.len() as f32;
    let need = THIN_RUN.min(total * 0.999);
    let mut run = 0.0;
    for &w in &stems.widths {
        run += stems.weight;
        if run >= need {
            return Some(f64::from(w));
        }
    }
    None
}

/// Every path of a usvg group, in box units (the root's viewBox is the box,
/// so paths' transforms are the identity; applied all the same).
fn collect(group: &usvg::Group, out: &mut Vec<Seg>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => collect(g, out),
            usvg::Node::Path(p) => {
                let t = p.abs_transform();
                let map = |pt: usvg::tiny_skia_path::Point| {
                    let mut q = [pt];
                    t.map_points(&mut q);
                    (f64::from(q[0].x), f64::from(q[0].y))
                };
                let mut last = (0.0, 0.0);
                for seg in p.data().segments() {
                    use usvg::tiny_skia_path::PathSegment as S;
                    match seg {
                        S::MoveTo(a) => {
                            last = map(a);
                            out.push(Seg::Move(last.0, last.1));
                        }
                        S::LineTo(a) => {
                            last = map(a);
                            out.push(Seg::Line(last.0, last.1));
                        }
                        S::QuadTo(c, a) => {
                            // The cubic with the same curve: control points two thirds of the way to c.
                            let (c, a) = (map(c), map(a));
                            let c1 = (last.0 + 2.0 / 3.0 * (c.0 - last.0), last.1 + 2.0 / 3.0 * (c.1 - last.1));
                            let c2 = (a.0 + 2.0 / 3.0 * (c.0 - a.0), a.1 + 2.0 / 3.0 * (c.1 - a.1));
                            out.push(Seg::Cubic(c1.0, c1.1, c2.0, c2.1, a.0, a.1));
                            last = a;
                        }
                        S::CubicTo(c1, c2, a) => {
                            let (c1, c2, a) = (map(c1), map(c2), map(a));
                            out.push(Seg::Cubic(c1.0, c1.1, c2.0, c2.1, a.0, a.1));
                            last = a;
                        }
                        S::Close => out.push(Seg::Close),
                    }
                }
            }
            _ => {}
        }
    }
}

/// The pictogram of topics without their own: the shield with a check mark
/// reads as 平安 whatever the topic.
pub const GENERAL: &str = "guoan";

/// Topics (slogan file, topic) whose posters show the general pictogram
/// because `pictograms/` has none of their own: `check` notes them.
pub fn without_own(lib: &crate::validate::Library) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for s in &lib.slogans {
        if let Some(stem) = s.file.file_stem().and_then(|f| f.to_str())
            && !lib.pictograms.has(stem)
            && !out.iter().any(|(f, _)| f == stem)
        {
            out.push((stem.to_string(), s.topic.clone()));
        }
    }
    out
}

/// The pictograms of a project folder, read when first asked for (a poster
/// reads one file, `check` all of them).
#[derive(Debug, Default)]
pub struct Pictograms {
    dir: PathBuf,
    loaded: Mutex<BTreeMap<String, Result<Arc<Pictogram>, Diagnostic>>>,
}

impl Pictograms {
    pub fn new(dir: PathBuf) -> Pictograms {
        Pictograms { dir, loaded: Mutex::default() }
    }

    pub fn dir(&self) -> &FsPath {
        &self.dir
    }

    /// The file of pictogram `name`.
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.svg"))
    }

    /// Whether the folder has a pictogram `name`.
    pub fn has(&self, name: &str) -> bool {
        self.file(name).is_file()
    }

    /// The pictogram `<name>.svg`.
    pub fn get(&self, name: &str) -> Result<Arc<Pictogram>, Diagnostic> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        loaded
            .entry(name.to_string())
            .or_insert_with(|| {
                let file = self.file(name);
                if !file.is_file() {
                    return Err(Diagnostic::data(format!("no pictogram `{name}`"))
                        .in_file(&file)
                        .hint("draw it (see pictograms/README.md), or use a template without a pictogram zone"));
                }
                Pictogram::load(&file).map(Arc::new)
            })
            .clone()
    }

    /// The pictogram of a slogan's file: `slogans/<stem>.yaml` → `<stem>.svg`,
    /// or the general one for a topic that has none of its own yet (a new
    /// slogan file prints before anyone draws for it).
    pub fn for_slogan(&self, slogan: &crate::validate::Slogan) -> Result<Arc<Pictogram>, Diagnostic> {
        match slogan.file.file_stem().and_then(|s| s.to_str()) {
            Some(stem) if !self.has(stem) => self.get(GENERAL),
            Some(stem) => self.get(stem),
            None => Err(Diagnostic::data(format!(
                "slogan `{}` comes from no slogan file, so it has no pictogram",
                slogan.id
            ))
            .hint("use a template without a pictogram zone")),
        }
    }

    /// The names of every `.svg` in the folder, sorted (none when there is no folder).
    pub fn names(&self) -> Result<Vec<String>, Diagnostic> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Diagnostic::io(format!("cannot list pictograms: {e}")).in_file(&self.dir)),
        };
        let mut names = Vec::new();
        for e in entries {
            let e = e.map_err(|e| Diagnostic::io(format!("cannot list pictograms: {e}")).in_file(&self.dir))?;
            let p = e.path();
            if p.extension().is_some_and(|x| x == "svg")
                && let Some(stem) = p.file_stem().and_then(|s| s.to_str())
            {
                names.push(stem.to_string());
            }
        }
        names.sort();
        Ok(names)
    }
}

/// `check`'s rules: every file in `pictograms/` is a valid pictogram; when
/// the folder exists, every slogan file has one; and every pictogram a
/// template's zone may place prints there (strokes and gaps at least the
/// item's `minimums.stroke` at the zone's size).
pub fn check(lib: &crate::validate::Library) -> crate::diag::Diagnostics {
    let mut problems = crate::diag::Diagnostics::default();
    let names = match lib.pictograms.names() {
        Ok(n) => n,
        Err(d) => {
            problems.push(d);
            return problems;
        }
    };
    for n in &names {
        if let Err(d) = lib.pictograms.get(n) {
            problems.push(d);
        }
    }
    // Every pictogram a template's zone may place prints there: each topic's
    // own or the general one (which must then exist).
    let mut topics: BTreeMap<&str, &crate::validate::Slogan> = BTreeMap::new();
    for s in &lib.slogans {
        if let Some(stem) = s.file.file_stem().and_then(|f| f.to_str()) {
            topics.entry(stem).or_insert(s);
        }
    }
    let mut missing = std::collections::BTreeSet::new();
    // Every style's zones too: a style may name its own pictogram.
    for item in lib.items.iter().chain(&lib.styled) {
        for z in item.zones.iter().filter(|z| z.shape == crate::library::Shape::Pictogram) {
            let side = z.rect[2].min(z.rect[3]);
            let at = || Location::at(&item.file, z.line, 1);
            // What the zone may place: its own (which must exist), else each topic's.
            let placed: Vec<Arc<Pictogram>> = match &z.pictogram {
                Some(name) => match lib.pictograms.get(name) {
                    Ok(p) => vec![p],
                    Err(d) => {
                        let message = format!("item `{}` zone `{}`: {}", item.id, z.id, d.message);
                        problems.push(Diagnostic { message, ..d }.at(at()));
                        continue;
                    }
                },
                None => topics
                    .values()
                    .filter_map(|s| match lib.pictograms.for_slogan(s) {
                        Ok(p) => Some(p),
                        // A file in the folder had its error reported above; a
                        // missing general pictogram is reported once.
                        Err(d) => {
                            if !lib.pictograms.has(GENERAL) && missing.insert(item.id.as_str()) {
                                problems.push(d);
                            }
                            None
                        }
                    })
                    .collect(),
            };
            for p in placed {
                if let Some(m) = p.too_thin(side, item.minimums.stroke) {
                    problems.push(
                        Diagnostic::data(format!("item `{}` zone `{}`: {m}", item.id, z.id))
                            .at(at())
                            .in_zone(&z.id)
                            .hint("enlarge the zone's box, or redraw the pictogram with wider strokes and gaps"),
                    );
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Pictogram, Diagnostic> {
        Pictogram::parse(FsPath::new("pictograms/t.svg"), text)
    }

    const HEAD: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">"#;

    #[test]
    fn only_filled_paths_are_allowed() {
        let ok = parse(&format!("{HEAD}<path d=\"M10 10 H90 V90 H10 Z\"/></svg>")).unwrap();
        assert_eq!(ok.path.0.len(), 5);
        for (body, want) in [
            ("<circle cx=\"50\" cy=\"50\" r=\"40\"/>", "t.svg:1:63: pictogram has a `<circle>` element"),
            ("<path d=\"M10 10 H90 V90 Z\" fill=\"red\"/>", "`<path>` has attribute `fill`"),
            ("<path d=\"M10 10 H90 V90 Z\" stroke=\"#000\"/>", "`<path>` has attribute `stroke`"),
            ("<text>110</text>", "`<text>` element"),
            ("<image href=\"x.png\"/>", "`<image>` element"),
            ("<linearGradient id=\"g\"/>", "`<linearGradient>` element"),
            ("<g><path d=\"M0 0 H9 V9 Z\"/></g>", "`<g>` element"),
            ("<path/>", "`<path>` has no `d`"),
            ("", "pictogram has no `<path>`"),
            ("<path d=\"M10 10 H120 V90 Z\"/>", "leaves its 100 × 100 box: it spans x 10.00–120.00"),
        ] {
            let e = parse(&format!("{HEAD}{body}</svg>")).err().unwrap_or_else(|| panic!("{body} passed"));
            assert!(e.to_string().contains(want), "{body}: {e}");
            assert!(e.to_string().contains("pictograms/t.svg"), "{e}");
        }
        let e = parse(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M0 0 H9 V9 Z"/></svg>"#)
            .err()
            .unwrap();
        assert!(e.to_string().contains("viewBox is \"0 0 24 24\", not \"0 0 100 100\""), "{e}");
        let e = parse(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="5"><path d="M0 0 H9 V9 Z"/></svg>"#,
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("`<svg>` has attribute `width`"), "{e}");
        let e = parse("<svg viewBox=\"0 0 100 100\"><path d=\"M0 0 H9 V9 Z\"/></svg>").err().unwrap();
        assert!(e.to_string().contains("not an SVG `<svg>`"), "{e}");
        let e = parse("<svg").err().unwrap();
        assert!(e.to_string().contains("not well-formed XML"), "{e}");
    }

    /// A bar `w` units wide, and a bar with a slot `g` units wide through it.
    fn bar(w: f64) -> String {
        format!("{HEAD}<path d=\"M10 {a} H90 V{b} H10 Z\"/></svg>", a = 50.0 - w / 2.0, b = 50.0 + w / 2.0)
    }

    #[test]
    fn strokes_and_gaps_are_measured_from_the_geometry() {
        for w in [3.0, 6.0, 12.5] {
            let t = parse(&bar(w)).unwrap().thin();
            assert!((t.stroke - w).abs() < 0.15, "bar {w}: {t:?}");
        }
        // A ring 8 wide around a hole; two blocks 5 apart: the gap is measured, the box's corners are not gaps.
        let ring = parse(&format!(
            "{HEAD}<path d=\"M50 10 A40 40 0 1 1 50 90 A40 40 0 1 1 50 10 Z M50 18 A32 32 0 1 0 50 82 A32 32 0 1 0 50 18 Z\"/></svg>"
        ))
        .unwrap()
        .thin();
        assert!((ring.stroke - 8.0).abs() < 0.2, "{ring:?}");
        assert!(ring.gap.unwrap() > 60.0, "the hole is 64 across: {ring:?}");
        let slot =
            parse(&format!("{HEAD}<path d=\"M10 10 H45 V90 H10 Z M50 10 H90 V90 H50 Z\"/></svg>")).unwrap().thin();
        assert!((slot.gap.unwrap() - 5.0).abs() < 0.15, "{slot:?}");
        assert!((slot.stroke - 35.0).abs() < 0.3, "{slot:?}");
        let solid = parse(&format!("{HEAD}<path d=\"M10 10 H90 V90 H10 Z\"/></svg>")).unwrap().thin();
        assert_eq!(solid.gap, None, "{solid:?}");
    }

    #[test]
    fn a_thin_pictogram_is_refused_at_its_size() {
        let p = parse(&bar(3.0)).unwrap();
        // 3 units at 20 mm are 0.6 mm: enough for 0.5 mm, not for 0.7 mm.
        assert_eq!(p.too_thin(20.0, 0.5), None);
        let e = p.too_thin(20.0, 0.7).unwrap();
        // Measured within a twentieth of a unit: 0.59–0.61 mm, so 23.0–23.8 mm needed.
        assert!(
            e.starts_with("pictogram `t` at 20.0 mm has strokes 0.59 mm")
                || e.starts_with("pictogram `t` at 20.0 mm has strokes 0.60 mm")
                || e.starts_with("pictogram `t` at 20.0 mm has strokes 0.61 mm"),
            "{e}"
        );
        assert!(e.contains("thinner than the item's minimum stroke 0.7 mm (it needs to be at least 23."), "{e}");
        // A hairline narrower than a raster pixel beside a bold shape still counts.
        let hair = parse(&format!("{HEAD}<path d=\"M10 10 H40 V90 H10 Z M50 50 H90 V50.05 H50 Z\"/></svg>")).unwrap();
        assert!(hair.thin().stroke < 0.2, "{:?}", hair.thin());
        assert!(hair.too_thin(20.0, 0.5).is_some());
        let slot = parse(&format!("{HEAD}<path d=\"M10 10 H48 V90 H10 Z M50 10 H90 V90 H50 Z\"/></svg>")).unwrap();
        let e = slot.too_thin(30.0, 1.0).unwrap();
        assert!(e.contains("gaps 0.5") || e.contains("gaps 0.6"), "{e}");
        assert!(!e.contains("strokes"), "{e}");
    }
}
