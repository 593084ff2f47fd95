//! The font book: roles → fallback chains of font files, each parsed lazily.
//!
//! A face is read from disk the first time a zone draws with it and parsed on
//! demand by ttf-parser (which only reads the tables it is asked for), so a run
//! that draws one poster opens only the fonts on that poster, once per process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::library::{FontsFile, load_yaml};

pub mod stem;

/// The fonts jiediqi ships, by file name, with their SHA-256. A font decides
/// what the page shows for each character — a font whose 核 draws 汇 turns an
/// approved 多核实 into 多汇款 while the text layer still says 核实 — so a
/// font that is not listed here byte for byte is refused for every page
/// (print files, proofs and their mark, proof sheets). `fonts/README.md`
/// lists the same checksums; a test checks them against `fonts/`.
pub const SHIPPED: &[(&str, &str)] = &[
    ("JiediqiKai-Regular.ttf", "5e9dc5a72521366216c13ac271976781c30c45aebc281b72e17b94124d9502a6"),
    ("JiediqiSans-Bold.ttf", "3a1df53b55e91642ee5edb5de44c8aaa3e3f9a695ec1bc38e9dbb6cf3600f9b1"),
    ("JiediqiSans-Regular.ttf", "24caa8828912f74a93b7ac59b9df230adb21faac65800430e0db823c6bb8a0e0"),
    ("JiediqiSansExt-Bold.ttf", "2a6de6807db9824c35305b23195eafa60322662ddc48527ef92045ed46e33f90"),
    ("JiediqiSansExt-Regular.ttf", "54fb25f1d29ca26f68ee0ce4117711285331c654f995010de2babc7fdfb972c9"),
];

/// Fonts already hashed on this machine. Hashing the two sans faces (4 MB)
/// was a quarter of a one-poster run; a file whose identity and change time
/// (which no user can set) are as they were when it hashed right need not be
/// hashed again. Kept in the user's cache folder, beside nothing of the project.
mod verified {
    use std::path::{Path, PathBuf};

    fn cache_file() -> Option<PathBuf> {
        Some(crate::fsio::cache_base()?.join("jiediqi").join("verified-fonts"))
    }

    fn stamp(m: &std::fs::Metadata, sum: &str) -> String {
        format!("{sum} {}", crate::fsio::identity(m))
    }

    /// Whether `path`, which had `meta`, is noted as having hashed to `sum`
    /// with this very identity and change time (so its bytes are the pinned
    /// ones without reading them all).
    pub fn known(meta: &std::fs::Metadata, sum: &str) -> bool {
        let line = stamp(meta, sum);
        cache_file().and_then(|c| std::fs::read_to_string(c).ok()).is_some_and(|t| t.lines().any(|l| l == line))
    }

    /// Whether `path` still has the identity and change time of `meta`.
    pub fn unchanged(path: &Path, meta: &std::fs::Metadata) -> bool {
        std::fs::metadata(path).ok().is_some_and(|a| stamp(&a, "") == stamp(meta, ""))
    }

    /// Whether `data` (read from `path`, which had `meta` before the read)
    /// has the SHA-256 `sum`: from the cache when the file is unchanged
    /// since it last hashed right, else by hashing (and noting it).
    pub fn matches(path: &Path, meta: &std::fs::Metadata, data: &[u8], sum: &str) -> bool {
        let line = stamp(meta, sum);
        let after = std::fs::metadata(path).ok();
        // Changed while we read it: hash what we have.
        let steady = after.as_ref().is_some_and(|a| stamp(a, sum) == line);
        let cache = cache_file();
        if steady
            && let Some(c) = &cache
            && let Ok(text) = std::fs::read_to_string(c)
            && text.lines().any(|l| l == line)
        {
            return true;
        }
        if crate::review::sha256_hex(data) != sum {
            return false;
        }
        if steady && let Some(c) = &cache {
            let mut text = std::fs::read_to_string(c).unwrap_or_default();
            // One line per font we ship is all it ever needs; start over when it grows.
            if text.lines().count() > 64 {
                text.clear();
            }
            text.push_str(&line);
            text.push('\n');
            if let Some(dir) = c.parent()
                && std::fs::create_dir_all(dir).is_ok()
            {
                let _ = crate::fsio::write_atomic(c, text.as_bytes(), crate::fsio::Durability::Rename);
            }
        }
        true
    }
}

/// One font file, loaded.
#[derive(Debug)]
pub struct Font {
    /// Stable index in the book: identifies the font in scenes.
    pub index: usize,
    pub path: PathBuf,
    /// The file's bytes; in a partial font ([`Font::partial`]) the glyph
    /// outlines of other characters are zeros.
    pub data: Vec<u8>,
    /// `Some` when only some glyphs were read ([`FontBook::expect`]).
    partial: Option<Partial>,
    /// PostScript name (for the PDF's BaseFont).
    pub postscript_name: String,
    pub units_per_em: f64,
    /// Ideographic em box, as fractions of the em: top above the baseline,
    /// bottom below it (positive). They add up to one.
    pub em_top: f64,
    pub em_bottom: f64,
    /// Height of a typical ideograph (国) as a fraction of the em: the
    /// "character height" that legibility minimums are written in.
    pub ideograph_height: f64,
    pub bbox: [f64; 4],
    pub cap_height: f64,
    pub ascender: f64,
    pub descender: f64,
    /// Glyph outlines as SVG path data, made once per glyph (a studio draws
    /// the same few hundred glyphs into thousands of previews).
    pub svg_paths: std::sync::Mutex<std::collections::HashMap<u16, Option<std::sync::Arc<str>>>>,
    /// Stem widths measured per glyph ([`stem`]), made once per glyph.
    pub stems: std::sync::Mutex<std::collections::HashMap<u16, Arc<stem::Stems>>>,
    /// Shaping plans by the text's direction, script and language: making
    /// one reads the font's layout tables, and a scene shapes many short runs.
    plans: std::sync::Mutex<std::collections::HashMap<PlanKey, Plan>>,
}

/// What a partial font holds: every table but `glyf` whole, and of `glyf`
/// the outlines of the glyphs its characters can become.
#[derive(Debug)]
struct Partial {
    /// The characters it was read for, sorted.
    chars: Vec<char>,
    /// By glyph id: whether the outline was read.
    glyphs: Vec<bool>,
}

/// A shaping plan (rustybuzz's has no `Debug`).
#[derive(Clone)]
struct Plan(std::sync::Arc<rustybuzz::ShapePlan>);

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShapePlan")
    }
}

type PlanKey = (rustybuzz::Direction, rustybuzz::Script, Option<rustybuzz::Language>);

/// A glyph's bounding box. For a static TrueType face it is the one stored
/// in the glyph's header (what `glyph_bounding_box` computes by walking the
/// whole outline, which layout cannot afford for every glyph of every
/// zone); other faces are outlined.
pub fn glyph_bbox(face: &ttf_parser::Face, g: ttf_parser::GlyphId) -> Option<ttf_parser::Rect> {
    match face.tables().glyf {
        Some(glyf) if !face.is_variable() => glyf.bbox(g).filter(|b| b.x_min <= b.x_max && b.y_min <= b.y_max),
        _ => face.glyph_bounding_box(g),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn be16(b: &[u8]) -> usize {
    usize::from(u16::from_be_bytes([b[0], b[1]]))
}

fn be32(b: &[u8]) -> usize {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
}

/// Adds to `glyphs` every glyph the face's substitutions can make from them
/// (vertical forms, ligatures, alternates), until nothing new comes.
fn substitutes(face: &ttf_parser::Face, glyphs: &mut Vec<u16>) {
    use ttf_parser::gsub::{SingleSubstitution as One, SubstitutionSubtable as S};
    let Some(gsub) = face.tables().gsub else { return };
    let mut seen: std::collections::BTreeSet<u16> = glyphs.iter().copied().collect();
    let mut todo = glyphs.clone();
    while let Some(g) = todo.pop() {
        let id = ttf_parser::GlyphId(g);
        let mut out = Vec::new();
        for lookup in gsub.lookups {
            for sub in lookup.subtables.into_iter::<S>() {
                let Some(k) = sub.coverage().get(id) else { continue };
                match sub {
                    S::Single(One::Format1 { delta, .. }) => out.push(g.wrapping_add(delta as u16)),
                    S::Single(One::Format2 { substitutes, .. }) => out.extend(substitutes.get(k).map(|v| v.0)),
                    S::Multiple(m) => {
                        out.extend(m.sequences.get(k).into_iter().flat_map(|q| q.substitutes).map(|v| v.0))
                    }
                    S::Alternate(a) => {
                        out.extend(a.alternate_sets.get(k).into_iter().flat_map(|q| q.alternates).map(|v| v.0))
                    }
                    S::Ligature(l) => out.extend(l.ligature_sets.get(k).into_iter().flatten().map(|q| q.glyph.0)),
                    S::ReverseChainSingle(r) => out.extend(r.substitutes.get(k).map(|v| v.0)),
                    // Contexts only call other lookups, which this walks too.
                    S::Context(_) | S::ChainContext(_) => {}
                }
            }
        }
        for o in out {
            if seen.insert(o) {
                glyphs.push(o);
                todo.push(o);
            }
        }
    }
}

/// The glyphs a composite glyph's outline `data` is made of (none for a simple one).
fn components(data: &[u8], out: &mut Vec<u16>) {
    if data.len() < 10 || i16::from_be_bytes([data[0], data[1]]) >= 0 {
        return;
    }
    let mut at = 10;
    while let Some(b) = data.get(at..at + 4) {
        let flags = be16(&b[0..2]);
        out.push(be16(&b[2..4]) as u16);
        at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
        at += if flags & 0x0008 != 0 {
            2
        } else if flags & 0x0040 != 0 {
            4
        } else if flags & 0x0080 != 0 {
            8
        } else {
            0
        };
        if flags & 0x0020 == 0 {
            break;
        }
    }
}

impl Font {
    /// A glyph's outline as SVG path data in font units (`None`: no ink).
    pub fn svg_path(&self, id: u16, make: impl FnOnce() -> Option<String>) -> Option<std::sync::Arc<str>> {
        if let Some(d) = self.svg_paths.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return d.clone();
        }
        let d: Option<std::sync::Arc<str>> = make().map(Into::into);
        self.svg_paths.lock().unwrap_or_else(|p| p.into_inner()).insert(id, d.clone());
        d
    }

    fn parse(index: usize, path: &Path) -> Result<Font, Diagnostic> {
        let cannot = |e: std::io::Error| {
            Diagnostic::io(format!("cannot read font {}: {e}", path.display()))
                .hint("run `python3 fonts/build.py` or restore the file from git")
        };
        // A regular file of a font's size (no FIFO that blocks, no sparse giant).
        let meta = std::fs::metadata(path).map_err(cannot)?;
        if !meta.is_file() || meta.len() > 64 << 20 {
            return Err(Diagnostic::data("not a font file (a regular file of at most 64 MiB)").in_file(path));
        }
        let data = std::fs::read(path).map_err(cannot)?;
        let name = file_name(path);
        // Only one of the SHIPPED fonts, byte for byte, is ever loaded.
        match SHIPPED.iter().find(|(n, _)| *n == name) {
            Some((_, sum)) if verified::matches(path, &meta, &data, sum) => {}
            Some(_) => {
                return Err(Diagnostic::data(format!(
                    "font {name} differs from the one jiediqi ships: a changed font can change what a page says"
                ))
                .in_file(path)
                .hint("restore fonts/ from git (or run `python3 fonts/build.py`); a new font needs a new name"));
            }
            // Fonts draw every page a reviewer looks at (proof sheets,
            // previews, job sheets), not only print files: only ours.
            None => {
                return Err(Diagnostic::data(format!(
                    "font {name} is not one jiediqi ships: a font decides what every page says, proof sheets included"
                ))
                .in_file(path)
                .hint("use the fonts in fonts/README.md; a new font is added there and to SHIPPED in src/fonts.rs"));
            }
        }
        Font::build(index, path, data, None)
    }

    /// Metrics and names from `data` (the whole file, or a partial read).
    fn build(index: usize, path: &Path, data: Vec<u8>, partial: Option<Partial>) -> Result<Font, Diagnostic> {
        let face = ttf_parser::Face::parse(&data, 0)
            .map_err(|e| Diagnostic::data(format!("not a usable font: {e}")).in_file(path))?;
        let upem = f64::from(face.units_per_em());
        let asc = f64::from(face.typographic_ascender().unwrap_or(face.ascender()));
        let desc = f64::from(face.typographic_descender().unwrap_or(face.descender()));
        let span = (asc - desc).max(1.0);
        let ideograph_height = face
            .glyph_index('国')
            .and_then(|g| glyph_bbox(&face, g))
            .map(|b| f64::from(b.y_max - b.y_min) / upem)
            .unwrap_or(0.9);
        let postscript_name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| format!("Font{index}"));
        let b = face.global_bounding_box();
        let font = Font {
            index,
            path: path.to_path_buf(),
            postscript_name,
            units_per_em: upem,
            em_top: asc / span,
            em_bottom: -desc / span,
            ideograph_height,
            bbox: [b.x_min.into(), b.y_min.into(), b.x_max.into(), b.y_max.into()],
            cap_height: f64::from(face.capital_height().unwrap_or(face.ascender())),
            ascender: asc,
            descender: desc,
            data: Vec::new(),
            partial,
            svg_paths: Default::default(),
            stems: Default::default(),
            plans: Default::default(),
        };
        Ok(Font { data, ..font })
    }

    /// The font read for `chars` only: every table but `glyf` (a tenth of
    /// a CJK face), and of `glyf` the outlines of the glyphs those
    /// characters map to, the vertical presentation forms, the digits and 国 (which
    /// layout measures), every glyph the font's substitutions can turn
    /// them into, and the parts of composite glyphs. Reading the two sans
    /// faces whole was most of a one-poster run's kernel time (5.3 MB).
    /// `None` when that cannot be done safely — the file is not noted as
    /// verified with its identity and change time ([`verified`]), it changed
    /// while read, or its tables are not plain TrueType — and the whole
    /// file is read instead.
    fn parse_partial(index: usize, path: &Path, chars: &[char]) -> Option<Font> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || meta.len() > 64 << 20 {
            return None;
        }
        let name = file_name(path);
        let (_, sum) = SHIPPED.iter().find(|(n, _)| *n == name)?;
        if !verified::known(&meta, sum) {
            return None;
        }
        let font = Font::read_partial(index, path, &meta, chars)?;
        // Unchanged while read: the pieces are the verified file's bytes.
        verified::unchanged(path, &meta).then_some(font)
    }

    /// The reading part of [`Font::parse_partial`], which checks the file first.
    fn read_partial(index: usize, path: &Path, meta: &std::fs::Metadata, chars: &[char]) -> Option<Font> {
        use std::os::unix::fs::FileExt as _;
        let file = std::fs::File::open(path).ok()?;
        let len = usize::try_from(meta.len()).ok()?;
        // Zeroed by the allocator's fresh pages: the parts never read are never touched.
        let mut data = vec![0u8; len];
        let read = |data: &mut [u8], at: usize, n: usize| -> Option<()> {
            let end = at.checked_add(n).filter(|&e| e <= data.len())?;
            file.read_exact_at(&mut data[at..end], at as u64).ok()
        };
        read(&mut data, 0, 12)?;
        let tables = usize::from(u16::from_be_bytes([data[4], data[5]]));
        read(&mut data, 12, 16 * tables)?;
        let mut glyf = None;
        for t in 0..tables {
            let r = &data[12 + 16 * t..28 + 16 * t];
            let (tag, at, n) = (&r[0..4], be32(&r[8..12]), be32(&r[12..16]));
            if tag == b"glyf" {
                glyf = Some((at, n));
            } else {
                read(&mut data, at, n)?;
            }
        }
        let (glyf_at, glyf_len) = glyf?;
        let face = ttf_parser::Face::parse(&data, 0).ok()?;
        let count = usize::from(face.number_of_glyphs());
        let head = face.raw_face().table(ttf_parser::Tag::from_bytes(b"head"))?;
        // A copy (37 KB): the outlines are read into `data` while it is used.
        let loca = face.raw_face().table(ttf_parser::Tag::from_bytes(b"loca"))?.to_vec();
        let long = match head.get(50..52)? {
            [0, 0] => false,
            [0, 1] => true,
            _ => return None,
        };
        let range = |g: usize| -> Option<(usize, usize)> {
            let at = |i: usize| -> Option<usize> {
                Some(if long { be32(loca.get(4 * i..4 * i + 4)?) } else { 2 * be16(loca.get(2 * i..2 * i + 2)?) })
            };
            let (a, b) = (at(g)?, at(g + 1)?);
            (a <= b && b <= glyf_len).then_some((glyf_at + a, b - a))
        };
        // Layout also sets marks in their vertical presentation forms (both
        // blocks, rather than its table: fonts know nothing of layout).
        let forms = ('\u{FE10}'..='\u{FE19}').chain('\u{FE30}'..='\u{FE4F}');
        let wanted: Vec<char> = chars.iter().copied().chain(forms).chain('0'..='9').chain(['国']).collect();
        let mut glyphs = vec![false; count];
        let mut todo: Vec<u16> =
            std::iter::once(0).chain(wanted.iter().filter_map(|&c| face.glyph_index(c)).map(|g| g.0)).collect();
        substitutes(&face, &mut todo);
        // In rounds (a composite's parts are known once it is read), each
        // round's outlines in as few reads as the file's order allows:
        // outlines less than a page apart are read with what lies between
        // (the file's own bytes all the same).
        while !todo.is_empty() {
            let mut spans: Vec<(usize, usize)> = Vec::new();
            for g in todo.drain(..) {
                let i = usize::from(g);
                if i >= count || glyphs[i] {
                    continue;
                }
                glyphs[i] = true;
                let (at, n) = range(i)?;
                if n > 0 {
                    spans.push((at, at + n));
                }
            }
            spans.sort_unstable();
            let mut merged: Vec<(usize, usize)> = Vec::new();
            for &(a, b) in &spans {
                match merged.last_mut() {
                    Some(last) if a <= last.1 + 4096 => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
            for &(a, b) in &merged {
                read(&mut data, a, b - a)?;
            }
            for &(a, b) in &spans {
                components(&data[a..b], &mut todo);
            }
        }
        let mut chars = chars.to_vec();
        chars.sort_unstable();
        chars.dedup();
        Font::build(index, path, data, Some(Partial { chars, glyphs })).ok()
    }

    /// Whether only some glyphs were read ([`FontBook::expect`]).
    pub fn is_partial(&self) -> bool {
        self.partial.is_some()
    }

    /// Whether glyph `id`'s outline was read (always, in a whole font).
    pub fn has_glyph(&self, id: u16) -> bool {
        self.partial.as_ref().is_none_or(|p| p.glyphs.get(usize::from(id)).copied().unwrap_or(false))
    }

    /// Whether this font can set every character of `chars` as the whole font would.
    fn covers(&self, chars: &[char]) -> bool {
        self.partial.as_ref().is_none_or(|p| chars.iter().all(|c| p.chars.binary_search(c).is_ok()))
    }

    /// A parsed view of the face; cheap (tables are read lazily).
    pub fn face(&self) -> ttf_parser::Face<'_> {
        // The data parsed once in `Font::parse`, so it parses again.
        ttf_parser::Face::parse(&self.data, 0).expect("font parsed when loaded")
    }

    /// A shaping view of the face.
    pub fn shaper(&self) -> rustybuzz::Face<'_> {
        rustybuzz::Face::from_face(self.face())
    }

    /// Shape `buf` (its segment properties guessed) as `rustybuzz::shape`
    /// with no features would, with this font's plan for its properties.
    pub fn shape(&self, face: &rustybuzz::Face, mut buf: rustybuzz::UnicodeBuffer) -> rustybuzz::GlyphBuffer {
        buf.guess_segment_properties();
        // A guess never sets the unknown script: unknown here means none.
        let key = (buf.direction(), buf.script(), buf.language());
        let cached = self.plans.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        let plan = cached.unwrap_or_else(|| {
            let script = (key.1 != rustybuzz::script::UNKNOWN).then_some(key.1);
            let plan = Plan(std::sync::Arc::new(rustybuzz::ShapePlan::new(face, key.0, script, key.2.as_ref(), &[])));
            self.plans.lock().unwrap_or_else(|p| p.into_inner()).insert(key, plan.clone());
            plan
        });
        rustybuzz::shape_with_plan(face, &plan.0, buf)
    }

    pub fn has_char(&self, c: char) -> bool {
        self.face().glyph_index(c).is_some()
    }
}

/// A font file slot: parsed the first time it is used.
#[derive(Debug)]
struct Slot {
    path: PathBuf,
    font: OnceLock<Result<Arc<Font>, Diagnostic>>,
    /// Read for [`FontBook::expect`]'s characters only (`None`: could not be).
    part: OnceLock<Option<Arc<Font>>>,
}

/// All fonts of the project, by role.
#[derive(Debug)]
pub struct FontBook {
    slots: Vec<Slot>,
    roles: BTreeMap<String, Vec<usize>>,
    /// The characters a short run expects to set ([`FontBook::expect`]), sorted.
    expected: OnceLock<Vec<char>>,
}

impl FontBook {
    /// Read `fonts/fonts.yaml`; font files are not opened yet, only checked to exist.
    pub fn load(dir: &Path) -> Result<FontBook, Diagnostics> {
        let index_path = dir.join("fonts.yaml");
        let file: FontsFile = load_yaml(&index_path)?;
        let mut problems = Diagnostics::default();
        let mut slots: Vec<Slot> = Vec::new();
        let mut roles = BTreeMap::new();
        for entry in file.roles {
            if entry.files.is_empty() {
                problems.push(
                    Diagnostic::data(format!("font role `{}` lists no font files", entry.role))
                        .in_file(&index_path)
                        .hint("give at least one file from fonts/"),
                );
            }
            let mut chain = Vec::new();
            for name in &entry.files {
                let path = dir.join(name);
                if !path.is_file() {
                    problems.push(
                        Diagnostic::data(format!("font role `{}`: font file `{name}` not found", entry.role))
                            .at(Location::file(&index_path))
                            .hint("run `python3 fonts/build.py`, or fix the file name"),
                    );
                    continue;
                }
                let idx = match slots.iter().position(|s| s.path == path) {
                    Some(i) => i,
                    None => {
                        slots.push(Slot { path, font: OnceLock::new(), part: OnceLock::new() });
                        slots.len() - 1
                    }
                };
                chain.push(idx);
            }
            if roles.insert(entry.role.clone(), chain).is_some() {
                problems.push(
                    Diagnostic::data(format!("font role `{}` is defined twice", entry.role)).in_file(&index_path),
                );
            }
        }
        problems.into_result(FontBook { slots, roles, expected: OnceLock::new() })
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.contains_key(role)
    }

    pub fn role_names(&self) -> impl Iterator<Item = &str> {
        self.roles.keys().map(String::as_str)
    }

    /// Tell the book which characters this process expects to set (a
    /// one-poster run: the slogan, the station, the item's own texts).
    /// [`FontBook::chain_for`] then hands out fonts read for those
    /// characters only when its text is among them, and the whole font
    /// otherwise, so a character left out costs time, never a wrong glyph.
    /// Only the first call counts.
    pub fn expect(&self, chars: impl IntoIterator<Item = char>) {
        let mut v: Vec<char> = chars.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        let _ = self.expected.set(v);
    }

    /// The font at `index` for a text of `chars`: the partial one when it
    /// covers them and the whole font has not been read anyway.
    fn font_for(&self, index: usize, chars: &[char]) -> Result<Arc<Font>, Diagnostic> {
        let slot = &self.slots[index];
        if let Some(expected) = self.expected.get()
            && slot.font.get().is_none()
            && let Some(part) = slot.part.get_or_init(|| Font::parse_partial(index, &slot.path, expected).map(Arc::new))
            && part.covers(chars)
        {
            return Ok(part.clone());
        }
        self.font(index)
    }

    /// The font at a book index, parsed on first use.
    pub fn font(&self, index: usize) -> Result<Arc<Font>, Diagnostic> {
        let slot = &self.slots[index];
        slot.font.get_or_init(|| Font::parse(index, &slot.path).map(Arc::new)).clone()
    }

    fn role_slots(&self, role: &str) -> Result<&[usize], Diagnostic> {
        self.roles.get(role).map(Vec::as_slice).ok_or_else(|| {
            Diagnostic::data(format!("unknown font role `{role}`"))
                .hint(format!("use one of: {}", self.role_names().collect::<Vec<_>>().join(", ")))
        })
    }

    /// The fallback chain of a role, parsed.
    pub fn chain(&self, role: &str) -> Result<Vec<Arc<Font>>, Diagnostic> {
        self.role_slots(role)?.iter().map(|&i| self.font(i)).collect()
    }

    /// The start of a role's chain that `text` needs: up to the first font
    /// after which every character of `text` has a font (the whole chain if
    /// some character has none; never less than the first font). A character
    /// is set in the first font of the chain that has it, so `text` is set
    /// exactly as with the whole chain, but the fallbacks for rare characters
    /// (the Ext faces, 4.5 MB each) are read only by a text that uses one.
    pub fn chain_for(&self, role: &str, text: impl IntoIterator<Item = char>) -> Result<Vec<Arc<Font>>, Diagnostic> {
        let mut left: Vec<char> = text.into_iter().collect();
        left.sort_unstable();
        left.dedup();
        let mut fonts = Vec::new();
        let all = left.clone();
        for &i in self.role_slots(role)? {
            let font = self.font_for(i, &all)?;
            let face = font.face();
            left.retain(|&c| face.glyph_index(c).is_none());
            fonts.push(font);
            if left.is_empty() {
                break;
            }
        }
        Ok(fonts)
    }

    /// Parse every font (for `check`).
    pub fn load_all(&self) -> Diagnostics {
        let mut d = Diagnostics::default();
        for i in 0..self.slots.len() {
            if let Err(e) = self.font(i) {
                d.push(e);
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    /// The stored bounding box is the outline's, for every glyph of every
    /// shipped face (so layout may read it instead of outlining).
    #[test]
    fn stored_glyph_boxes_are_the_outlines_boxes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let mut checked = 0;
        for (name, _) in super::SHIPPED {
            let data = std::fs::read(dir.join(name)).unwrap();
            let face = ttf_parser::Face::parse(&data, 0).unwrap();
            assert!(face.tables().glyf.is_some() && !face.is_variable(), "{name}: the fast path applies");
            for id in 0..face.number_of_glyphs() {
                let g = ttf_parser::GlyphId(id);
                assert_eq!(super::glyph_bbox(&face, g), face.glyph_bounding_box(g), "{name} glyph {id}");
                checked += 1;
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn every_role_has_gb2312_and_the_basic_cjk_block() {
        let book = super::FontBook::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap();
        // GB2312's hanzi rows 16–87 (GBK decodes the five unassigned codes to the private use area).
        let mut gb = Vec::new();
        for hi in 0xB0u8..=0xF7 {
            for lo in 0xA1u8..=0xFE {
                let code = [hi, lo];
                let (s, bad) = encoding_rs::GBK.decode_without_bom_handling(&code);
                let c = s.chars().next().unwrap();
                if !bad && !('\u{E000}'..='\u{F8FF}').contains(&c) {
                    gb.push(c);
                }
            }
        }
        assert_eq!(gb.len(), 6763);
        // The whole basic block (U+9FF0–9FFF, which Noto lacks, from the Kai
        // face at the end of the sans chains); beyond it, 通用规范汉字表
        // characters in Extensions A to F.
        let basic = ('\u{4E00}'..='\u{9FFF}').chain("㑇䶮𠅤𫟼𬌗𬺓".chars());
        for role in ["heavy", "sans", "kai"] {
            let chain = book.chain(role).unwrap();
            let faces: Vec<_> = chain.iter().map(|f| f.face()).collect();
            let missing: String = gb
                .iter()
                .copied()
                .chain(basic.clone())
                .filter(|&c| !faces.iter().any(|f| f.glyph_index(c).is_some()))
                .collect();
            assert!(missing.is_empty(), "role {role} lacks {missing}");
        }
    }

    #[test]
    fn a_text_reads_the_ext_faces_only_when_it_needs_them() {
        let book = super::FontBook::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap();
        let names = |role: &str, text: &str| -> Vec<String> {
            let fonts = book.chain_for(role, text.chars()).unwrap();
            fonts.iter().map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned()).collect()
        };
        let loaded = || book.slots.iter().filter(|s| s.font.get().is_some()).count();
        assert_eq!(names("heavy", "转账之前多核实，“喆堃镕”"), ["JiediqiSans-Bold.ttf"]);
        assert_eq!(loaded(), 1, "a common text read the Ext face");
        assert_eq!(names("heavy", "佢话冇问题"), ["JiediqiSans-Bold.ttf", "JiediqiSansExt-Bold.ttf"]);
        assert_eq!(names("kai", "别信“安全账户”"), ["JiediqiKai-Regular.ttf"]);
        assert_eq!(
            names("kai", "冇"),
            ["JiediqiKai-Regular.ttf", "JiediqiSans-Regular.ttf", "JiediqiSansExt-Regular.ttf"]
        );
        // A character no font has: the whole chain, which then reports it.
        assert_eq!(
            names("sans", "𠮷"),
            ["JiediqiSans-Regular.ttf", "JiediqiSansExt-Regular.ttf", "JiediqiKai-Regular.ttf"]
        );
        // U+9FF0, which Noto lacks, comes from the Kai face at the chain's end.
        assert_eq!(
            names("heavy", "\u{9FF0}"),
            ["JiediqiSans-Bold.ttf", "JiediqiSansExt-Bold.ttf", "JiediqiKai-Regular.ttf"]
        );
        assert_eq!(names("sans", ""), ["JiediqiSans-Regular.ttf"]);
    }

    /// A font read for some characters sets them exactly as the whole font:
    /// same metrics, glyphs, advances, outlines and PDF subset; it holds no
    /// other outline; and a file not noted as verified is never read in part.
    #[test]
    fn a_partial_font_sets_its_characters_as_the_whole_font() {
        use super::Font;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/JiediqiSans-Bold.ttf");
        let text = "转账之前多核实，“安全账户”是骗局！96110";
        let chars: Vec<char> = text.chars().collect();
        let meta = std::fs::metadata(&path).unwrap();
        let part = Font::read_partial(0, &path, &meta, &chars).expect("reads in part");
        let whole = Font::parse(0, &path).unwrap();
        assert!(part.is_partial() && !whole.is_partial());
        assert_eq!(part.data.len(), whole.data.len());
        assert_eq!(
            (part.postscript_name.as_str(), part.units_per_em, part.ideograph_height, part.bbox, part.em_top),
            (whole.postscript_name.as_str(), whole.units_per_em, whole.ideograph_height, whole.bbox, whole.em_top)
        );
        assert!(part.covers(&chars) && !part.covers(&['龙']));
        let (pf, wf) = (part.face(), whole.face());
        for vertical in [false, true] {
            let shape = |f: &Font| {
                let mut buf = rustybuzz::UnicodeBuffer::new();
                buf.push_str(text);
                if vertical {
                    buf.set_direction(rustybuzz::Direction::TopToBottom);
                }
                let out = f.shape(&f.shaper(), buf);
                let ids: Vec<u16> = out.glyph_infos().iter().map(|g| g.glyph_id as u16).collect();
                let pos: Vec<(i32, i32)> = out.glyph_positions().iter().map(|p| (p.x_advance, p.y_advance)).collect();
                (ids, pos)
            };
            let (ids, pos) = shape(&part);
            assert_eq!((&ids, &pos), (&shape(&whole).0, &shape(&whole).1), "vertical {vertical}");
            for &g in &ids {
                assert!(part.has_glyph(g), "glyph {g} not read");
                let id = ttf_parser::GlyphId(g);
                assert_eq!(super::glyph_bbox(&pf, id), super::glyph_bbox(&wf, id), "glyph {g}");
                assert!(super::glyph_bbox(&pf, id).is_some(), "glyph {g} has no outline");
            }
            let mut remap = subsetter::GlyphRemapper::new();
            ids.iter().for_each(|&g| {
                remap.remap(g);
            });
            assert!(
                subsetter::subset(&part.data, 0, &remap).unwrap() == subsetter::subset(&whole.data, 0, &remap).unwrap()
            );
        }
        let other = wf.glyph_index('龙').unwrap().0;
        assert!(!part.has_glyph(other) && whole.has_glyph(other));
        // Most of the outlines were never read.
        let read = (0..wf.number_of_glyphs()).filter(|&g| part.has_glyph(g)).count();
        assert!(read < 300, "{read} glyphs read");
        // A copy of the file (another inode, never noted) is read whole.
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/partial-font-test");
        let _ = std::fs::create_dir_all(&dir);
        let copy = dir.join(format!("JiediqiSans-Bold.ttf-{}", std::process::id()));
        std::fs::copy(&path, &copy).unwrap();
        let copy_named = dir.join(format!("{}", std::process::id()));
        std::fs::create_dir_all(&copy_named).unwrap();
        let named = copy_named.join("JiediqiSans-Bold.ttf");
        std::fs::rename(&copy, &named).unwrap();
        assert!(Font::parse_partial(0, &named, &chars).is_none());
        let _ = std::fs::remove_dir_all(&copy_named);
    }

    #[test]
    fn the_shipped_fonts_are_the_pinned_ones() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        for (name, sum) in super::SHIPPED {
            let data = std::fs::read(dir.join(name)).unwrap();
            assert_eq!(crate::review::sha256_hex(&data), *sum, "{name}: update SHIPPED after rebuilding the fonts");
        }
    }
}
