//! Stem widths measured from outlines: how thick the strokes of a glyph (or
//! any filled shape) really are, for the legibility floor (a process's
//! thinnest printable stroke) and for `jiediqi preflight`.
//!
//! A shape is rasterised (fine enough that its thin stems are at least
//! [`MIN_STEM_PX`] pixels across), the exact Euclidean distance transform of
//! its inside is taken (Felzenszwalb & Huttenlocher), and a stroke's width is
//! read at its medial pixels as twice the distance to the outside. Medial
//! pixels are those whose distance is a local maximum across the stroke and
//! flat along it: on the ridges that run into a stroke's corners, and on the
//! tapering tips of serifs and brush terminals, the distance grows by half a
//! pixel or more per pixel, so those are left out ([`RIDGE_SLOPE`]).
//!
//! A glyph's thin value is a low percentile ([`THIN_QUANTILE`]) of its
//! medial widths, each weighted by the length of ridge it stands for, pooled
//! over the glyphs of a text: the 10th percentile lands inside the thinnest
//! class of real strokes (the horizontals of a CJK sans are about a third of
//! its ridge length) instead of on the few pixels where two strokes meet at
//! an angle or a stroke thins as it turns; the minimum would report those.

use std::sync::Arc;

use resvg::tiny_skia::{FillRule, Mask, PathBuilder, Transform};
use ttf_parser::OutlineBuilder;

use super::Font;

/// The thin stems of a text are read at this quantile of their medial widths.
pub const THIN_QUANTILE: f64 = 0.10;

/// Thin stems are rasterised at least this many pixels across (a width read
/// from the distance transform is within half a pixel).
pub const MIN_STEM_PX: f32 = 24.0;

/// Largest change of the distance (pixels per pixel) along a ridge that
/// still counts as a stroke: a stroke's corner ridges climb by 1 per
/// diagonal step, a straight stem by 0.
const RIDGE_SLOPE: f32 = 0.35;

/// First raster: the shape's longer side in pixels.
const FIRST_PX: f32 = 256.0;
/// No raster larger than this on a side (a hairline in a large shape is
/// measured coarser, never by allocating gigabytes).
const MAX_PX: f32 = 2048.0;

/// The medial widths of one shape, in its own units (font units for a
/// glyph), ascending, and the ridge length each sample stands for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stems {
    pub widths: Vec<f32>,
    /// Units of ridge length per sample (one pixel at the raster's scale).
    pub weight: f32,
}

impl Stems {
    pub fn is_empty(&self) -> bool {
        self.widths.is_empty()
    }
}

/// The width at quantile `q` (0–1) of the medial widths of several shapes
/// pooled, each sample weighted by the ridge length it stands for; `None`
/// when no shape has a stem.
pub fn quantile<'a>(shapes: impl IntoIterator<Item = &'a Stems>, q: f64) -> Option<f32> {
    let mut all: Vec<(f32, f32)> = Vec::new();
    for s in shapes {
        all.extend(s.widths.iter().map(|&w| (w, s.weight)));
    }
    if all.is_empty() {
        return None;
    }
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = all.iter().map(|p| f64::from(p.1)).sum();
    let target = total * q.clamp(0.0, 1.0);
    let mut seen = 0.0;
    for &(w, weight) in &all {
        seen += f64::from(weight);
        if seen >= target {
            return Some(w);
        }
    }
    all.last().map(|p| p.0)
}

/// The medial widths of a filled shape whose outline `draw` sends to the
/// builder (y up, as fonts and PDF have it), inside `bbox` = [x0, y0, x1,
/// y1]. Filled with the nonzero rule, as glyphs and PDF `f` fills are.
pub fn outline_stems(bbox: [f32; 4], draw: &dyn Fn(&mut dyn OutlineBuilder)) -> Stems {
    let [x0, y0, x1, y1] = bbox;
    let side = (x1 - x0).max(y1 - y0);
    if !(side.is_finite() && side > 0.0) {
        return Stems::default();
    }
    let first = raster_stems(bbox, FIRST_PX / side, draw);
    // Finer when the thin stems came out narrower than MIN_STEM_PX.
    let Some(thin) = quantile([&first], THIN_QUANTILE) else { return first };
    let px = thin * FIRST_PX / side;
    if px >= MIN_STEM_PX {
        return first;
    }
    let scale = (FIRST_PX / side * MIN_STEM_PX / px.max(1.0)).min(MAX_PX / side);
    if scale <= FIRST_PX / side * 1.01 {
        return first;
    }
    raster_stems(bbox, scale, draw)
}

/// The medial widths of a glyph of a face, in font units (empty for a glyph
/// with no outline).
pub fn glyph_stems(face: &ttf_parser::Face, glyph: ttf_parser::GlyphId) -> Stems {
    let Some(b) = super::glyph_bbox(face, glyph) else { return Stems::default() };
    let bbox = [f32::from(b.x_min), f32::from(b.y_min), f32::from(b.x_max), f32::from(b.y_max)];
    outline_stems(bbox, &|builder| {
        face.outline_glyph(glyph, builder);
    })
}

impl Font {
    /// The medial widths of a glyph, font units; measured once per glyph
    /// (layout asks for the same glyphs on every item).
    pub fn stems(&self, glyph: u16) -> Arc<Stems> {
        if let Some(s) = self.stems.lock().unwrap_or_else(|p| p.into_inner()).get(&glyph) {
            return s.clone();
        }
        let s = Arc::new(glyph_stems(&self.face(), ttf_parser::GlyphId(glyph)));
        self.stems.lock().unwrap_or_else(|p| p.into_inner()).insert(glyph, s.clone());
        s
    }
}

/// The thinnest stem (at [`THIN_QUANTILE`]) of these glyphs set at an em of
/// `size_mm`, in mm; `None` when none of them has an outline.
pub fn thinnest_stem_mm(font: &Font, glyphs: &[u16], size_mm: f64) -> Option<f64> {
    let stems: Vec<Arc<Stems>> = glyphs.iter().map(|&g| font.stems(g)).collect();
    let thin = quantile(stems.iter().map(|s| &**s), THIN_QUANTILE)?;
    Some(f64::from(thin) * size_mm / font.units_per_em)
}

/// The thin stem (at [`THIN_QUANTILE`]) of one glyph alone, font units;
/// `None` for a glyph with no stem.
pub fn glyph_thin(font: &Font, glyph: u16) -> Option<f32> {
    quantile([&*font.stems(glyph)], THIN_QUANTILE)
}

/// The thin stem of a text as a fraction of the em: the weighted
/// [`THIN_QUANTILE`] of the medial widths of all its glyphs (each
/// occurrence counts, as `jiediqi preflight` counts them), pooled over the
/// fonts it is set in; `None` when no glyph has a stem.
pub fn thin_em(glyphs: &[(&Font, u16)]) -> Option<f64> {
    let mut all: Vec<(f32, f32)> = Vec::new();
    for &(font, g) in glyphs {
        let s = font.stems(g);
        let k = (1.0 / font.units_per_em) as f32;
        all.extend(s.widths.iter().map(|&w| (w * k, s.weight * k)));
    }
    if all.is_empty() {
        return None;
    }
    // Unstable: equal widths give the same answer in any order.
    all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = all.iter().map(|p| f64::from(p.1)).sum();
    let target = total * THIN_QUANTILE;
    let mut seen = 0.0;
    for &(w, weight) in &all {
        seen += f64::from(weight);
        if seen >= target {
            return Some(f64::from(w));
        }
    }
    all.last().map(|p| f64::from(p.0))
}

/// A lower bound of [`thin_em`] of these glyphs, cheap: the least of the
/// glyphs' own thin stems (a pooled quantile is never below the least of the
/// members' quantiles: below that value every glyph has less than its share
/// of weight). Read from [`table`] for the shipped faces, so layout measures
/// a text only when its size is close to the stroke floor.
pub fn thin_em_lower_bound(glyphs: &[(&Font, u16)]) -> Option<f64> {
    let least = glyphs
        .iter()
        .filter_map(|&(font, g)| {
            let units = match table::lookup(font, g) {
                Some(t) => t,
                None => glyph_thin(font, g),
            };
            units.map(|u| f64::from(u) / font.units_per_em)
        })
        .reduce(f64::min)?;
    Some(histogram::lower_bound(glyphs).map_or(least, |h| h.max(least)))
}

/// A tighter bound for the bold sans, the face of screen prints' small text
/// (whose sizes sit near the floor): each glyph's share of ridge length
/// below fixed widths ([`histogram::EDGES`]), rounded up (`fonts/stem-histograms.bin`).
/// Below a width where the glyphs' shares, weighted by their ridge lengths,
/// add up to less than [`THIN_QUANTILE`], the pooled quantile cannot lie: it
/// is above that width. The least-glyph bound is 30 % under a text's measure;
/// this one within one step (6 %), so far fewer texts need measuring.
pub mod histogram {
    use std::sync::OnceLock;

    use super::super::Font;

    const DATA: &[u8] = include_bytes!("../../fonts/stem-histograms.bin");
    pub const MAGIC: &str = "jiediqi stem histograms v1\n";
    /// The face it is made for.
    pub const FACE: &str = "JiediqiSans-Bold.ttf";
    /// Widths (fractions of the em) at which each glyph's share is kept:
    /// 0.06 em × 1.06ⁿ, over the bold sans's thin stems (about 0.08–0.12 em).
    pub const STEPS: usize = 16;
    pub fn edge(k: usize) -> f64 {
        0.06 * 1.06f64.powi(k as i32)
    }
    /// Bytes per glyph: its ridge length (f32, font units) and a share (in
    /// 255ths, rounded up) per edge.
    const RECORD: usize = 4 + STEPS;

    struct Table {
        sum: String,
        body: &'static [u8],
    }

    fn table() -> Option<&'static Table> {
        static T: OnceLock<Option<Table>> = OnceLock::new();
        T.get_or_init(|| {
            let rest = DATA.strip_prefix(MAGIC.as_bytes())?;
            let nl = rest.iter().position(|&b| b == b'\n')?;
            let head = std::str::from_utf8(&rest[..nl]).ok()?;
            let mut f = head.split(' ');
            let (name, sum, count) = (f.next()?, f.next()?, f.next()?.parse::<usize>().ok()?);
            let body = rest.get(nl + 1..nl + 1 + RECORD * count)?;
            (name == FACE).then(|| Table { sum: sum.to_string(), body })
        })
        .as_ref()
    }

    fn record(font: &Font, glyph: u16) -> Option<&'static [u8]> {
        let t = table()?;
        let name = font.path.file_name()?.to_str()?;
        if name != FACE || !super::super::SHIPPED.iter().any(|(n, s)| *n == name && *s == t.sum) {
            return None;
        }
        t.body.get(usize::from(glyph) * RECORD..(usize::from(glyph) + 1) * RECORD)
    }

    /// The bound for a text set wholly in the bold sans; `None` otherwise,
    /// or when no edge can be shown to lie below its thin stems.
    pub fn lower_bound(glyphs: &[(&Font, u16)]) -> Option<f64> {
        let mut total = 0.0f64;
        let mut below = [0.0f64; STEPS];
        for &(font, g) in glyphs {
            let r = record(font, g)?;
            let w = f64::from(f32::from_le_bytes([r[0], r[1], r[2], r[3]]));
            total += w;
            for (k, b) in below.iter_mut().enumerate() {
                *b += w * f64::from(r[4 + k]) / 255.0;
            }
        }
        if total <= 0.0 {
            return None;
        }
        // The highest edge with less than the quantile's share below it (a
        // hair less, for the sums' rounding).
        (0..STEPS).rev().find(|&k| below[k] < total * super::THIN_QUANTILE * (1.0 - 1e-6)).map(edge)
    }

    /// One glyph's record.
    pub fn encode_glyph(stems: &super::Stems, upem: f64) -> [u8; RECORD] {
        let mut out = [0u8; RECORD];
        let total = stems.weight as f64 * stems.widths.len() as f64;
        out[..4].copy_from_slice(&(total as f32).to_le_bytes());
        for k in 0..STEPS {
            let limit = edge(k) * upem;
            let n = stems.widths.iter().filter(|&&w| f64::from(w) <= limit).count();
            let share = if stems.widths.is_empty() { 0.0 } else { n as f64 / stems.widths.len() as f64 };
            out[4 + k] = (share * 255.0).ceil().min(255.0) as u8;
        }
        out
    }
}

/// Each shipped face's glyphs' own thin stems, measured once by this module
/// (`fonts/thin-stems.bin`, made by the ignored test
/// `stem::table::tests::regenerate`) and rounded down, so layout does not
/// rasterise every glyph of every text to learn that a poster's slogan is
/// far above the stroke floor (a glyph takes 2–4 ms; a one-poster run is
/// about 15 ms). The file names each face's SHA-256; a face it does not
/// match (none: fonts are pinned, `fonts::SHIPPED`) is measured instead.
pub mod table {
    use std::collections::HashMap;
    use std::sync::OnceLock;

    use super::super::Font;

    const DATA: &[u8] = include_bytes!("../../fonts/thin-stems.bin");
    pub const MAGIC: &str = "jiediqi thin stems v1\n";
    /// Stored as font units × 8, rounded down; this value: no stem.
    pub const NONE: u16 = u16::MAX;

    type Table = HashMap<String, (String, &'static [u8])>;

    /// name → (SHA-256, little-endian u16 per glyph id).
    fn parse(data: &'static [u8]) -> Option<Table> {
        let mut rest = data.strip_prefix(MAGIC.as_bytes())?;
        let mut out = HashMap::new();
        while !rest.is_empty() {
            let nl = rest.iter().position(|&b| b == b'\n')?;
            let head = std::str::from_utf8(&rest[..nl]).ok()?;
            let mut f = head.split(' ');
            let (name, sum, count) = (f.next()?, f.next()?, f.next()?.parse::<usize>().ok()?);
            let body = rest.get(nl + 1..nl + 1 + 2 * count)?;
            out.insert(name.to_string(), (sum.to_string(), body));
            rest = &rest[nl + 1 + 2 * count..];
        }
        Some(out)
    }

    fn tables() -> &'static Table {
        static T: OnceLock<Table> = OnceLock::new();
        T.get_or_init(|| parse(DATA).unwrap_or_default())
    }

    /// A glyph's own thin stem from the table, font units (rounded down);
    /// `None` when the face or glyph is not in it (measure instead).
    pub fn lookup(font: &Font, glyph: u16) -> Option<Option<f32>> {
        let name = font.path.file_name()?.to_str()?;
        let (sum, body) = tables().get(name)?;
        // Loaded fonts are the pinned ones; a table made from other bytes is not used.
        let pinned = super::super::SHIPPED.iter().any(|(n, s)| *n == name && s == sum);
        if !pinned {
            return None;
        }
        let i = usize::from(glyph) * 2;
        let v = u16::from_le_bytes([*body.get(i)?, *body.get(i + 1)?]);
        Some((v != NONE).then_some(f32::from(v) / 8.0))
    }

    /// The table's entry of one face: its glyphs' thin stems, in order.
    pub fn encode(font: &Font, name: &str, sum: &str) -> Vec<u8> {
        let n = font.face().number_of_glyphs();
        let mut out = format!("{name} {sum} {n}\n").into_bytes();
        let face = font.face();
        for g in 0..n {
            // Not through the font's cache: every glyph of a face at once is a gigabyte of samples.
            let stems = super::glyph_stems(&face, ttf_parser::GlyphId(g));
            let v = match super::quantile([&stems], super::THIN_QUANTILE) {
                Some(t) => ((t * 8.0).floor() as u16).min(NONE - 1),
                None => NONE,
            };
            out.extend(v.to_le_bytes());
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn book() -> crate::fonts::FontBook {
            crate::fonts::FontBook::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap()
        }

        /// The shipped fonts and their folder, when asked to rewrite the tables.
        fn blessing() -> Option<(crate::fonts::FontBook, std::path::PathBuf)> {
            std::env::var_os("JIEDIQI_BLESS")?;
            Some((book(), std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")))
        }

        /// `JIEDIQI_BLESS=1 cargo test --release --lib stem::table -- --ignored`
        /// rewrites fonts/thin-stems.bin (about 3 minutes of CPU).
        #[test]
        #[ignore]
        fn regenerate() {
            use rayon::prelude::*;
            let Some((book, dir)) = blessing() else { return };
            let mut fonts: Vec<std::sync::Arc<Font>> = Vec::new();
            for role in ["heavy", "sans", "kai"] {
                for f in book.chain(role).unwrap() {
                    if !fonts.iter().any(|g| g.index == f.index) {
                        fonts.push(f);
                    }
                }
            }
            let parts: Vec<Vec<u8>> = crate::fonts::SHIPPED
                .par_iter()
                .map(|(name, sum)| {
                    let font = fonts.iter().find(|f| f.path.file_name().unwrap().to_str() == Some(name)).unwrap();
                    encode(font, name, sum)
                })
                .collect();
            let mut out = MAGIC.as_bytes().to_vec();
            parts.into_iter().for_each(|p| out.extend(p));
            std::fs::write(dir.join("thin-stems.bin"), out).unwrap();
        }

        /// `JIEDIQI_BLESS=1 cargo test --release --lib stem::table -- --ignored`
        /// also rewrites fonts/stem-histograms.bin (about 20 s).
        #[test]
        #[ignore]
        fn regenerate_histograms() {
            use rayon::prelude::*;
            let Some((book, dir)) = blessing() else { return };
            let fonts = book.chain("heavy").unwrap();
            use super::super::histogram;
            let bold = fonts.iter().find(|f| f.path.file_name().unwrap().to_str() == Some(histogram::FACE)).unwrap();
            let sum = crate::fonts::SHIPPED.iter().find(|(n, _)| *n == histogram::FACE).unwrap().1;
            let n = bold.face().number_of_glyphs();
            let records: Vec<Vec<u8>> = (0..n)
                .into_par_iter()
                .map(|g| {
                    let stems = super::super::glyph_stems(&bold.face(), ttf_parser::GlyphId(g));
                    histogram::encode_glyph(&stems, bold.units_per_em).to_vec()
                })
                .collect();
            let mut out = format!("{}{} {sum} {n}\n", histogram::MAGIC, histogram::FACE).into_bytes();
            records.into_iter().for_each(|r| out.extend(r));
            std::fs::write(dir.join("stem-histograms.bin"), out).unwrap();
        }

        /// The bold sans's histogram bound holds for every text of the
        /// library (its slogans and tips), and is close: never above the
        /// measure, and within two steps of it.
        #[test]
        fn the_histogram_bound_holds_and_is_close_for_the_library() {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let lib = crate::validate::Library::load(root).unwrap();
            let font = lib.fonts.chain("heavy").unwrap().remove(0);
            let face = font.face();
            let mut worst = f64::INFINITY;
            for s in &lib.slogans {
                for text in [s.text()].into_iter().chain(s.tip.clone()) {
                    let glyphs: Vec<(&Font, u16)> =
                        text.chars().filter_map(|c| face.glyph_index(c)).map(|g| (&*font, g.0)).collect();
                    let thin = super::super::thin_em(&glyphs).unwrap();
                    let bound = super::super::histogram::lower_bound(&glyphs).expect("a bound for bold text");
                    assert!(bound < thin, "{}: bound {bound} above the measure {thin}", s.id);
                    worst = worst.min(bound / thin);
                }
            }
            assert!(worst > 1.0 / 1.06 / 1.06, "the bound is {worst} of the measure at worst");
        }

        /// Every shipped face is in the table with its pinned checksum and
        /// glyph count, and a spread of its glyphs reads what measuring them
        /// now gives (rounded down to an eighth of a unit).
        #[test]
        fn the_table_is_what_the_faces_measure() {
            let book = book();
            let t = tables();
            assert_eq!(t.len(), crate::fonts::SHIPPED.len());
            for role in ["heavy", "sans", "kai"] {
                for font in book.chain(role).unwrap() {
                    let name = font.path.file_name().unwrap().to_str().unwrap().to_string();
                    let (sum, body) = &t[&name];
                    assert!(crate::fonts::SHIPPED.iter().any(|(n, s)| *n == name && s == sum), "{name}");
                    let n = font.face().number_of_glyphs();
                    assert_eq!(body.len(), 2 * usize::from(n), "{name}");
                    let face = font.face();
                    let common = "转账国警一丶口".chars().filter_map(|c| face.glyph_index(c)).map(|g| g.0);
                    for g in common.chain((0..n).step_by(997)) {
                        let want = super::super::glyph_thin(&font, g).map(|t| (t * 8.0).floor() / 8.0);
                        assert_eq!(lookup(&font, g), Some(want), "{name} glyph {g}");
                    }
                    // The bound layout trusts is one: never above the text's measure.
                    for text in ["电话里让您转账汇款，先挂断，再打96110问一问。", "城关派出所　0912-1234567", "一"]
                    {
                        let glyphs: Vec<(&Font, u16)> =
                            text.chars().filter_map(|c| face.glyph_index(c)).map(|g| (&*font, g.0)).collect();
                        if glyphs.len() < 2 {
                            continue; // an Ext face: its rare characters only
                        }
                        let (lower, thin) = (
                            super::super::thin_em_lower_bound(&glyphs).unwrap(),
                            super::super::thin_em(&glyphs).unwrap(),
                        );
                        assert!(lower <= thin && lower > thin * 0.4, "{name} `{text}`: bound {lower}, measured {thin}");
                    }
                }
            }
        }
    }
}

/// What [`shape_stems`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The filled shape's strokes.
    Strokes,
    /// The gaps: the unfilled space inside the bounding box, as a shape of
    /// its own. The space outside the box counts as open too, so the room
    /// between a round shape and its box's corners is not a gap; a slot, a
    /// counter or the space between two parts is.
    Gaps,
}

/// The medial widths of a filled shape (nonzero rule, outline sent to the
/// builder y up) or of its gaps, rasterised at `scale` pixels per unit
/// inside `bbox` = [x0, y0, x1, y1]. For shapes measured at a known
/// resolution (pictograms) rather than the adaptive one of [`outline_stems`].
pub fn shape_stems(bbox: [f32; 4], scale: f32, measure: Measure, draw: &dyn Fn(&mut dyn OutlineBuilder)) -> Stems {
    let [x0, y0, x1, y1] = bbox;
    let side = (x1 - x0).max(y1 - y0);
    if !(side.is_finite() && side > 0.0 && scale.is_finite() && scale > 0.0) {
        return Stems::default();
    }
    raster_measure(bbox, scale.min(MAX_PX / side), measure, 1.0, draw)
}

/// Rasterise at `scale` pixels per unit, then read the medial widths.
fn raster_stems(bbox: [f32; 4], scale: f32, draw: &dyn Fn(&mut dyn OutlineBuilder)) -> Stems {
    raster_measure(bbox, scale, Measure::Strokes, 1.5, draw)
}

/// `floor`: the least distance (pixels) a medial pixel may have. Glyphs skip
/// the one-pixel ridges of their antialiased edges (1.5); a pictogram's
/// check keeps them (1.0), so a hairline too thin to raster two pixels wide
/// still shows, as a stroke of a pixel and a half.
fn raster_measure(
    bbox: [f32; 4],
    scale: f32,
    measure: Measure,
    floor: f32,
    draw: &dyn Fn(&mut dyn OutlineBuilder),
) -> Stems {
    let [x0, y0, x1, y1] = bbox;
    // One pixel of outside all round, so every inside pixel has an outside;
    // for gaps a band of open space instead, wider than a ridge's neighbourhood.
    let pad: u32 = if measure == Measure::Gaps { 4 } else { 1 };
    let w = ((x1 - x0) * scale).ceil() as u32 + 2 * pad;
    let h = ((y1 - y0) * scale).ceil() as u32 + 2 * pad;
    let mut pb = Builder(PathBuilder::new());
    draw(&mut pb);
    let Some(path) = pb.0.finish() else { return Stems::default() };
    let Some(mut mask) = Mask::new(w, h) else { return Stems::default() };
    // Font units (y up) to pixels (y down), the bbox's top-left at (pad, pad).
    let p = pad as f32;
    let t = Transform::from_row(scale, 0.0, 0.0, -scale, p - x0 * scale, p + y1 * scale);
    mask.fill_path(&path, FillRule::Winding, true, t);
    let (w, h) = (w as usize, h as usize);
    let inside: Vec<bool> = match measure {
        Measure::Strokes => mask.data().iter().map(|&c| c >= 128).collect(),
        Measure::Gaps => mask.data().iter().map(|&c| c < 128).collect(),
    };
    let dist = distance_transform(&inside, w, h);
    let mut widths = Vec::new();
    // Gaps are read inside the box only: the open band around it is no gap.
    let (lo, hi_x, hi_y) = match measure {
        Measure::Strokes => (1, w - 1, h - 1),
        Measure::Gaps => (pad as usize, w - pad as usize, h - pad as usize),
    };
    for y in lo..hi_y {
        for x in lo..hi_x {
            let i = y * w + x;
            let d = dist[i];
            if d < floor || !medial(&dist, w, i) {
                continue;
            }
            // d is the distance to the nearest outside pixel centre; the
            // edge lies half a pixel nearer on average (odd widths read W,
            // even ones W − 1 from 2d − 1: 2d − 0.5 halves the bias).
            widths.push((2.0 * d - 0.5) / scale);
        }
    }
    widths.sort_by(f32::total_cmp);
    Stems { widths, weight: 1.0 / scale }
}

/// A medial pixel: its distance is at least its eight neighbours' (less the
/// slope a ridge may have along itself) and above both neighbours' in one
/// direction across it, or above one with the other equal (even widths have
/// two centre pixels).
fn medial(dist: &[f32], w: usize, i: usize) -> bool {
    let d = dist[i];
    let lim = d + RIDGE_SLOPE;
    // The eight neighbours by name, no array: this runs for every inside pixel.
    let (nw, n, ne) = (dist[i - w - 1], dist[i - w], dist[i - w + 1]);
    let (west, east) = (dist[i - 1], dist[i + 1]);
    let (sw, s, se) = (dist[i + w - 1], dist[i + w], dist[i + w + 1]);
    if nw > lim || n > lim || ne > lim || west > lim || east > lim || sw > lim || s > lim || se > lim {
        return false;
    }
    // Opposite pairs: left/right, up/down and the two diagonals.
    let across = |p: f32, q: f32| d >= p.max(q) && d > p.min(q);
    across(west, east) || across(n, s) || across(nw, se) || across(ne, sw)
}

/// Euclidean distance from each inside pixel's centre to the nearest outside
/// pixel's centre (0 outside), exact: the squared distance along each
/// column, then a 1-D lower envelope of parabolas over rows (Felzenszwalb &
/// Huttenlocher, 2012). Along a column the input is only inside or outside,
/// so the envelope there is the squared distance to the nearest outside
/// pixel, found by two scans over the rows (in memory order; a column-wise
/// envelope was half of all layout time on screen prints), and the row
/// envelope only over a row's inside span. A test compares it with
/// envelopes over whole columns and rows, bit for bit.
fn distance_transform(inside: &[bool], w: usize, h: usize) -> Vec<f32> {
    const FAR: f32 = 1e20;
    // Rows down, then up: the distance to the nearest outside pixel above / below.
    let mut above = vec![u32::MAX; w];
    let mut g = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            above[x] = if inside[y * w + x] { above[x].saturating_add(1) } else { 0 };
        }
        for x in 0..w {
            let a = above[x];
            g[y * w + x] = if a == u32::MAX { FAR } else { (a as f32) * (a as f32) };
        }
    }
    let mut below = vec![u32::MAX; w];
    for y in (0..h).rev() {
        for x in 0..w {
            below[x] = if inside[y * w + x] { below[x].saturating_add(1) } else { 0 };
            let b = below[x];
            if b != u32::MAX {
                let d = (b as f32) * (b as f32);
                if d < g[y * w + x] {
                    g[y * w + x] = d;
                }
            }
        }
    }
    let (mut f, mut out) = (vec![0.0f32; w], vec![0.0f32; w]);
    let (mut v, mut z) = (vec![0usize; w], vec![0.0f32; w + 1]);
    for y in 0..h {
        let ins = &inside[y * w..(y + 1) * w];
        // Only from the outside pixel before the first inside one to the one
        // after the last: pixels beyond are nearer neither (their value is 0
        // and farther than those two).
        let (Some(first), Some(last)) = (ins.iter().position(|&i| i), ins.iter().rposition(|&i| i)) else {
            continue;
        };
        let (a, b) = (first.saturating_sub(1), (last + 1).min(w - 1));
        let row = &mut g[y * w + a..=y * w + b];
        let n = row.len();
        f[..n].copy_from_slice(row);
        envelope(&f[..n], &mut out[..n], &mut v, &mut z);
        row.copy_from_slice(&out[..n]);
    }
    g.iter_mut().for_each(|d| *d = d.sqrt());
    g
}

/// The transform with envelopes over columns and rows, as first written:
/// the reference [`distance_transform`] must equal.
#[cfg(test)]
fn distance_transform_reference(inside: &[bool], w: usize, h: usize) -> Vec<f32> {
    const FAR: f32 = 1e20;
    let mut g: Vec<f32> = inside.iter().map(|&i| if i { FAR } else { 0.0 }).collect();
    let n = w.max(h);
    let (mut f, mut out) = (vec![0.0f32; n], vec![0.0f32; n]);
    let (mut v, mut z) = (vec![0usize; n], vec![0.0f32; n + 1]);
    for x in 0..w {
        for y in 0..h {
            f[y] = g[y * w + x];
        }
        envelope(&f[..h], &mut out[..h], &mut v, &mut z);
        for y in 0..h {
            g[y * w + x] = out[y];
        }
    }
    for y in 0..h {
        f[..w].copy_from_slice(&g[y * w..(y + 1) * w]);
        envelope(&f[..w], &mut out[..w], &mut v, &mut z);
        g[y * w..(y + 1) * w].copy_from_slice(&out[..w]);
    }
    g.iter_mut().for_each(|d| *d = d.sqrt());
    g
}

/// Squared distance transform of a sampled function in one dimension.
fn envelope(f: &[f32], d: &mut [f32], v: &mut [usize], z: &mut [f32]) {
    let n = f.len();
    if n == 0 {
        return;
    }
    // Where the parabolas from q and p (p < q) cross.
    let cross = |q: usize, p: usize| -> f32 {
        let (qf, pf) = (q as f32, p as f32);
        ((f[q] + qf * qf) - (f[p] + pf * pf)) / (2.0 * (qf - pf))
    };
    let mut k = 0;
    v[0] = 0;
    z[0] = f32::NEG_INFINITY;
    z[1] = f32::INFINITY;
    for q in 1..n {
        let mut s = cross(q, v[k]);
        while s <= z[k] {
            if k == 0 {
                break;
            }
            k -= 1;
            s = cross(q, v[k]);
        }
        if s <= z[k] {
            // k == 0 and q's parabola lies below v[0]'s everywhere.
            v[0] = q;
            z[1] = f32::INFINITY;
            continue;
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f32::INFINITY;
    }
    k = 0;
    for (q, out) in d.iter_mut().enumerate() {
        let qf = q as f32;
        while z[k + 1] < qf {
            k += 1;
        }
        let p = v[k] as f32;
        *out = (qf - p) * (qf - p) + f[v[k]];
    }
}

/// Outline segments into a tiny-skia path (coordinates as given; the
/// raster's transform places them).
struct Builder(PathBuilder);

impl OutlineBuilder for Builder {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(b: &mut dyn OutlineBuilder, x0: f32, y0: f32, x1: f32, y1: f32) {
        b.move_to(x0, y0);
        b.line_to(x1, y0);
        b.line_to(x1, y1);
        b.line_to(x0, y1);
        b.close();
    }

    fn thin(s: &Stems) -> f32 {
        quantile([s], THIN_QUANTILE).unwrap()
    }

    fn near(got: f32, want: f32, rel: f32) -> bool {
        (got - want).abs() <= want * rel
    }

    #[test]
    fn a_bar_100_units_wide_measures_100() {
        // Tall and wide bars, at offsets that put the edges between pixels.
        for (x0, y0, x1, y1) in [(0.0, 0.0, 100.0, 700.0), (13.3, -40.0, 113.3, 660.0), (0.0, 0.0, 800.0, 100.0)] {
            let s = outline_stems([x0, y0, x1, y1], &|b| rect(b, x0, y0, x1, y1));
            let t = thin(&s);
            assert!(near(t, 100.0, 0.03), "{x0},{y0}: thin {t}");
            // The corners' ridges are left out: the thin value is the bar,
            // not a quarter of it as a plain minimum over the medial axis would be.
            assert!(near(quantile([&s], 0.5).unwrap(), 100.0, 0.03));
        }
    }

    #[test]
    fn a_ring_measures_its_band() {
        // Outer radius 300, inner 200 (the inner circle wound the other way).
        let circle = |b: &mut dyn OutlineBuilder, r: f32, ccw: bool| {
            let k = 0.552_284_8 * r;
            let s = if ccw { 1.0 } else { -1.0 };
            b.move_to(r, 0.0);
            b.curve_to(r, s * k, k, s * r, 0.0, s * r);
            b.curve_to(-k, s * r, -r, s * k, -r, 0.0);
            b.curve_to(-r, -s * k, -k, -s * r, 0.0, -s * r);
            b.curve_to(k, -s * r, r, -s * k, r, 0.0);
            b.close();
        };
        let s = outline_stems([-300.0, -300.0, 300.0, 300.0], &|b| {
            circle(b, 300.0, true);
            circle(b, 200.0, false);
        });
        let t = thin(&s);
        assert!(near(t, 100.0, 0.04), "ring thin {t}");
    }

    #[test]
    fn a_slanted_bar_measures_its_width() {
        // A bar 100 wide at 45°: corners (0,0)…, along (1,1), across (1,−1)/√2·100.
        let a = 100.0 / 2f32.sqrt();
        let s = outline_stems([0.0, -a, 600.0 + a, 600.0], &|b| {
            b.move_to(0.0, 0.0);
            b.line_to(a, -a);
            b.line_to(600.0 + a, 600.0 - a);
            b.line_to(600.0, 600.0);
            b.close();
        });
        let t = thin(&s);
        assert!(near(t, 100.0, 0.05), "slanted thin {t}");
    }

    #[test]
    fn the_thin_part_of_a_shape_is_found_and_fine_enough() {
        // Two 300-unit blocks joined by a bar 20 units thick and 600 long: the
        // first raster (256 px over 1200 units) gives the bar 4 px; the second
        // is fine enough to read it.
        let s = outline_stems([0.0, 0.0, 1200.0, 300.0], &|b| {
            rect(b, 0.0, 0.0, 300.0, 300.0);
            rect(b, 290.0, 140.0, 910.0, 160.0);
            rect(b, 900.0, 0.0, 1200.0, 300.0);
        });
        let t = thin(&s);
        assert!(near(t, 20.0, 0.05), "bar thin {t}");
        assert!(s.weight * MIN_STEM_PX <= 20.0 * 1.01, "raster too coarse: {} units a pixel", s.weight);
    }

    /// Glyph `g` (bounding box `b`) filled at `scale` pixels a unit, with
    /// `pad` pixels of outside all round: the mask, its width and height.
    fn glyph_mask(
        face: &ttf_parser::Face,
        g: ttf_parser::GlyphId,
        b: ttf_parser::Rect,
        scale: f32,
        pad: u32,
    ) -> Option<(Mask, u32, u32)> {
        let w = (f32::from(b.width()) * scale) as u32 + 2 * pad;
        let h = (f32::from(b.height()) * scale) as u32 + 2 * pad;
        let mut pb = Builder(PathBuilder::new());
        face.outline_glyph(g, &mut pb);
        let (path, mut mask) = (pb.0.finish()?, Mask::new(w, h)?);
        let p = pad as f32;
        let t = Transform::from_row(
            scale,
            0.0,
            0.0,
            -scale,
            p - f32::from(b.x_min) * scale,
            p + f32::from(b.y_max) * scale,
        );
        mask.fill_path(&path, FillRule::Winding, true, t);
        Some((mask, w, h))
    }

    /// Glyph contours never overlap in the shipped faces: the filled area
    /// of each glyph is the sum of its contours' signed areas. The underbase
    /// (layout) chokes a glyph by stroking its contours, which would cut a
    /// line through a glyph wherever two of its contours overlapped.
    #[test]
    fn no_shipped_glyph_has_overlapping_contours() {
        struct Area {
            a: f64,
            cur: (f32, f32),
            start: (f32, f32),
        }
        impl OutlineBuilder for Area {
            fn move_to(&mut self, x: f32, y: f32) {
                (self.cur, self.start) = ((x, y), (x, y));
            }
            fn line_to(&mut self, x: f32, y: f32) {
                self.a += f64::from(self.cur.0 * y - x * self.cur.1) / 2.0;
                self.cur = (x, y);
            }
            fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
                let (x0, y0) = self.cur;
                for i in 1..=16 {
                    let (t, u) = (i as f32 / 16.0, 1.0 - i as f32 / 16.0);
                    self.line_to(u * u * x0 + 2.0 * u * t * x1 + t * t * x, u * u * y0 + 2.0 * u * t * y1 + t * t * y);
                }
            }
            fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, x: f32, y: f32) {
                self.line_to(x, y);
            }
            fn close(&mut self) {
                let s = self.start;
                self.line_to(s.0, s.1);
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let book = crate::fonts::FontBook::load(&dir).unwrap();
        for role in ["heavy", "sans", "kai"] {
            let font = book.chain(role).unwrap().remove(0);
            let face = font.face();
            let mut checked = 0;
            for g in (0..face.number_of_glyphs()).step_by(5) {
                let gid = ttf_parser::GlyphId(g);
                let mut area = Area { a: 0.0, cur: (0.0, 0.0), start: (0.0, 0.0) };
                let (Some(_), Some(b)) = (face.outline_glyph(gid, &mut area), super::super::glyph_bbox(&face, gid))
                else {
                    continue;
                };
                let scale = 0.5f32;
                let Some((mask, _, _)) = glyph_mask(&face, gid, b, scale, 2) else { continue };
                let filled: f64 =
                    mask.data().iter().map(|&c| f64::from(c) / 255.0).sum::<f64>() / f64::from(scale * scale);
                // Overlapping contours wound alike fill their overlap once but count it twice.
                assert!(
                    area.a.abs() <= filled * 1.02 + 50.0,
                    "{role} glyph {g}: contours overlap ({} vs {filled})",
                    area.a
                );
                checked += 1;
            }
            assert!(checked > 1500, "{role}: {checked}");
        }
    }

    #[test]
    fn the_fast_transform_is_the_reference_one() {
        // Glyph rasters of every shipped weight, and noise with edge cases
        // (empty rows and columns, a full border, single pixels).
        let book =
            crate::fonts::FontBook::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap();
        let mut masks: Vec<(Vec<bool>, usize, usize)> = Vec::new();
        for role in ["heavy", "sans", "kai"] {
            let font = book.chain(role).unwrap().remove(0);
            let face = font.face();
            for c in "转账国警一丶口，96110".chars() {
                let g = face.glyph_index(c).unwrap();
                let b = crate::fonts::glyph_bbox(&face, g).unwrap();
                let scale = 300.0 / f32::from(b.width().max(b.height()));
                let (mask, w, h) = glyph_mask(&face, g, b, scale, 1).unwrap();
                masks.push((mask.data().iter().map(|&c| c >= 128).collect(), w as usize, h as usize));
            }
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for (w, h) in [(1, 1), (7, 3), (64, 64), (33, 90)] {
            let m: Vec<bool> = (0..w * h)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    !seed.is_multiple_of(5)
                })
                .collect();
            masks.push((m, w, h));
            masks.push((vec![true; w * h], w, h));
            masks.push((vec![false; w * h], w, h));
        }
        for (m, w, h) in &masks {
            assert_eq!(distance_transform(m, *w, *h), distance_transform_reference(m, *w, *h), "{w}×{h}");
        }
    }

    #[test]
    fn nothing_to_measure_is_none() {
        assert_eq!(quantile([&Stems::default()], THIN_QUANTILE), None);
        assert!(outline_stems([0.0, 0.0, 0.0, 0.0], &|_| {}).is_empty());
        assert!(outline_stems([0.0, 0.0, 100.0, 100.0], &|_| {}).is_empty());
    }

    #[test]
    fn the_shipped_faces_measure_as_their_weights_look() {
        let book =
            crate::fonts::FontBook::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap();
        let text = "转账之前多核实电话里让您汇款先挂断";
        let em = |role: &str| -> f64 {
            let font = book.chain(role).unwrap().remove(0);
            let face = font.face();
            let glyphs: Vec<u16> = text.chars().map(|c| face.glyph_index(c).unwrap().0).collect();
            // At a 1000 mm em: the thin stem as thousandths of the em.
            thinnest_stem_mm(&font, &glyphs, 1000.0).unwrap()
        };
        let (bold, regular, kai) = (em("heavy"), em("sans"), em("kai"));
        // Noto Sans CJK: Bold's strokes are about 1.5 times Regular's.
        assert!(bold > regular * 1.4, "bold {bold} regular {regular}");
        assert!((80.0..120.0).contains(&bold), "bold {bold}");
        assert!((45.0..75.0).contains(&regular), "regular {regular}");
        assert!((35.0..90.0).contains(&kai), "kai {kai}");
        // 一 of the sans faces is one plain bar: its stem is its outline's height.
        for role in ["heavy", "sans"] {
            let font = book.chain(role).unwrap().remove(0);
            let face = font.face();
            let g = face.glyph_index('一').unwrap();
            let b = face.glyph_bounding_box(g).unwrap();
            let want = f64::from(b.y_max - b.y_min);
            let got = thinnest_stem_mm(&font, &[g.0], 1000.0).unwrap();
            assert!((got - want).abs() < want * 0.04, "{role} 一: {got} vs outline {want}");
        }
    }
}
