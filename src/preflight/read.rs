//! Reading a PDF for preflight: its pages' boxes, and what their content
//! streams paint (colours, strokes, text, images), gathered by a small
//! interpreter of the graphics state. Nothing is rendered.
//!
//! Any PDF a shop gets must give facts or a clear error, never a panic nor
//! unbounded work: streams are inflated with a size limit, forms and
//! patterns are followed to a fixed depth (never into themselves), and the
//! operators of a file are counted against a budget.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use hayro_syntax::Pdf;
use hayro_syntax::content::TypedIter;
use hayro_syntax::content::ops::TypedInstruction as Op;
use hayro_syntax::object::{Array, Dict, Name, Object, Stream};
use hayro_syntax::page::Resources;

use super::fonts::{FontFacts, read_font};

/// No stream inflates past this (a font program of a CJK face is about
/// 15 MB; a page's content a few MB).
const STREAM_LIMIT: usize = 64 << 20;
/// All streams of a file together.
const TOTAL_LIMIT: usize = 512 << 20;
/// Content operators interpreted in one file.
const OP_BUDGET: usize = 5_000_000;
/// Forms inside forms (and patterns) followed this deep.
const MAX_DEPTH: usize = 12;
/// Saved graphics states kept (PDF's own limit is 28).
const MAX_SAVES: usize = 256;

/// A 2-D affine transform as PDF writes it: [a b c d e f], points as rows.
pub(super) type M = [f64; 6];
const IDENTITY: M = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b`.
fn concat(a: &M, b: &M) -> M {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

/// The smaller singular value of the linear part: the least a unit length
/// is scaled to in any direction (a stroke's thinnest side).
pub(super) fn min_scale(m: &M) -> f64 {
    let [a, b, c, d, ..] = *m;
    let s = a * a + b * b + c * c + d * d;
    let det = a * d - b * c;
    let disc = (s * s - 4.0 * det * det).max(0.0);
    ((s - disc.sqrt()) / 2.0).max(0.0).sqrt()
}

/// Length of the unit y vector after the linear part (a glyph's height scale).
fn y_scale(m: &M) -> f64 {
    (m[2] * m[2] + m[3] * m[3]).sqrt()
}

fn x_scale(m: &M) -> f64 {
    (m[0] * m[0] + m[1] * m[1]).sqrt()
}

/// A page box in points, [x0, y0, x1, y1], normalised.
pub(super) type BoxPt = [f64; 4];

/// A colour space as far as print cares.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Space {
    Gray,
    Rgb,
    Cmyk,
    /// ICCBased with N components (1 gray, 3 RGB, 4 CMYK).
    Icc(u8),
    CalGray,
    CalRgb,
    Lab,
    /// A spot ink, its alternate and, when it is a PDF exponential
    /// function, the alternate at tint 0 and 1.
    Separation {
        name: String,
        alt: Box<Space>,
        c0: Option<Vec<f64>>,
        c1: Option<Vec<f64>>,
    },
    DeviceN {
        names: Vec<String>,
        alt: Box<Space>,
    },
    Indexed {
        base: Box<Space>,
        lookup: Arc<Vec<u8>>,
    },
    Pattern,
    Unknown(String),
}

impl Space {
    /// The family, as a stable English label.
    pub(super) fn label(&self) -> String {
        match self {
            Space::Gray => "DeviceGray".into(),
            Space::Rgb => "DeviceRGB".into(),
            Space::Cmyk => "DeviceCMYK".into(),
            Space::Icc(n) => format!("ICCBased N={n}"),
            Space::CalGray => "CalGray".into(),
            Space::CalRgb => "CalRGB".into(),
            Space::Lab => "Lab".into(),
            Space::Separation { .. } => "Separation".into(),
            Space::DeviceN { .. } => "DeviceN".into(),
            Space::Indexed { base, .. } => format!("Indexed {}", base.label()),
            Space::Pattern => "Pattern".into(),
            Space::Unknown(s) => s.clone(),
        }
    }

    /// A screen colour space: RGB in any form, or Lab (device-independent,
    /// converted by someone's profile, never by the print file's intent).
    pub(super) fn is_rgb(&self) -> bool {
        match self {
            Space::Rgb | Space::CalRgb | Space::Lab | Space::Icc(3) => true,
            Space::Indexed { base, .. } => base.is_rgb(),
            _ => false,
        }
    }

    /// Components a colour in it has.
    fn components(&self) -> usize {
        match self {
            Space::Gray | Space::CalGray | Space::Separation { .. } | Space::Indexed { .. } => 1,
            Space::Rgb | Space::CalRgb | Space::Lab => 3,
            Space::Cmyk => 4,
            Space::Icc(n) => usize::from(*n),
            Space::DeviceN { names, .. } => names.len(),
            Space::Pattern | Space::Unknown(_) => 0,
        }
    }

    /// The colour a space starts with when it is set.
    fn initial(&self) -> Vec<f64> {
        match self {
            Space::Cmyk | Space::Icc(4) => vec![0.0, 0.0, 0.0, 1.0],
            Space::Separation { .. } => vec![1.0],
            Space::DeviceN { names, .. } => vec![1.0; names.len()],
            Space::Lab => vec![0.0, 0.0, 0.0],
            s => vec![0.0; s.components()],
        }
    }
}

/// A colour in use: its space and components.
#[derive(Debug, Clone)]
pub(super) struct Colour {
    pub space: Arc<Space>,
    pub comps: Vec<f64>,
}

impl Colour {
    fn black() -> Colour {
        Colour { space: Arc::new(Space::Gray), comps: vec![0.0] }
    }
}

/// What is known about one distinct colour a page paints with.
#[derive(Debug, Clone, Default)]
pub(super) struct ColourFacts {
    /// Family label of its space.
    pub space: String,
    pub rgb: bool,
    /// Spot (and DeviceN) ink names it uses.
    pub spots: Vec<String>,
    /// Whether it puts process ink (CMYK, gray) on the sheet.
    pub process_ink: bool,
    /// Total ink, percent (None where it cannot be worked out).
    pub ink: Option<f64>,
    pub uses: usize,
}

/// One placed image.
#[derive(Debug, Clone)]
pub(super) struct ImageUse {
    pub px: (u32, u32),
    /// Placed size, points.
    pub placed: (f64, f64),
}

/// Glyphs set at one size on a page.
#[derive(Debug, Clone, Default)]
pub(super) struct TextGroup {
    /// Points per text-space unit along the glyphs' y axis (the em height).
    pub em_pt: f64,
    /// Points per text-space unit in the thinnest direction.
    pub thin_pt: f64,
    /// (font key, character code) of every glyph shown.
    pub glyphs: BTreeSet<(String, u32)>,
    /// Strings whose codes could not be split (a CMap other than Identity).
    pub opaque: usize,
}

#[derive(Debug, Clone, Default)]
pub(super) struct PageFacts {
    pub media: Option<BoxPt>,
    pub crop: Option<BoxPt>,
    pub bleed: Option<BoxPt>,
    pub trim: Option<BoxPt>,
    /// Distinct colours by a label of space and components.
    pub colours: BTreeMap<String, ColourFacts>,
    /// Colour spaces seen in images, shadings, patterns and transparency groups: (where, space label, rgb).
    pub other_spaces: BTreeSet<(&'static str, String, bool)>,
    /// Stroke widths in mm (rounded to 1 µm) with the colour label they were stroked in.
    pub strokes: BTreeMap<(i64, String), usize>,
    /// Visible text by size: key (em in 1/1000 pt, thin scale in 1/1000 pt).
    pub text: BTreeMap<(i64, i64), TextGroup>,
    pub invisible_text: usize,
    pub images: Vec<ImageUse>,
    /// Fonts shown visibly on this page, by key.
    pub fonts: BTreeSet<String>,
}

/// A PDF/X output intent of the catalog.
#[derive(Debug, Clone)]
pub(super) struct OutputIntent {
    pub subtype: String,
    pub condition: Option<String>,
    /// Components of the destination profile (4 for CMYK).
    pub n: Option<i64>,
}

#[derive(Debug, Default)]
pub(super) struct Doc {
    pub pages: Vec<PageFacts>,
    pub fonts: BTreeMap<String, FontFacts>,
    pub output_intents: Vec<OutputIntent>,
    /// What could not be read completely (the budget ran out, a stream was
    /// too large or broken), as Chinese notes for the report.
    pub incomplete: Vec<String>,
}

/// Why a file gives no facts at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a PDF: no `%PDF-` header in its first kilobyte")]
    NotPdf,
    #[error("a PDF that cannot be parsed (its cross-reference table and page tree are broken beyond repair)")]
    Broken,
    #[error("an encrypted PDF that needs a password")]
    Encrypted,
    #[error("a PDF without pages")]
    NoPages,
}

/// Bounded inflation of streams, shared by everything a file reads.
pub(super) struct Inflater {
    total: usize,
    pub failures: Vec<String>,
}

impl Inflater {
    fn new() -> Inflater {
        Inflater { total: 0, failures: Vec::new() }
    }

    /// The decoded bytes of a stream, or `None` (noted) when they cannot be
    /// had within the limits.
    pub(super) fn decode(&mut self, s: &Stream<'_>, what: &str) -> Option<Vec<u8>> {
        let left = TOTAL_LIMIT.saturating_sub(self.total).min(STREAM_LIMIT);
        let filters = s.filters();
        let dict = s.dict();
        let plain_flate = filters.len() == 1
            && filters[0] == hayro_syntax::Filter::FlateDecode
            && !dict.contains_key(b"DecodeParms")
            && !dict.contains_key(b"DP");
        let out = if filters.is_empty() {
            Some(s.raw_data().into_owned())
        } else if plain_flate {
            // Our own inflater, with a limit: a small zlib stream can expand a thousandfold.
            let raw = s.raw_data();
            match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&raw, left) {
                Ok(v) => Some(v),
                Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    self.failures.push(format!("{what}解压后超过 {} MB，未读", left >> 20));
                    return None;
                }
                // Raw deflate without the zlib header, which some writers produce.
                Err(_) => miniz_oxide::inflate::decompress_to_vec_with_limit(&raw, left).ok(),
            }
        } else {
            // Other filters (predictors, LZW, ASCII85, run length) expand
            // boundedly or rarely hold content: hayro-syntax's decoders.
            s.decoded_data().ok().map(|c| c.into_owned())
        };
        match out {
            Some(v) if v.len() <= left => {
                self.total += v.len();
                Some(v)
            }
            Some(_) => {
                self.failures.push(format!("{what}解压后超过 {} MB，未读", left >> 20));
                None
            }
            None => {
                self.failures.push(format!("{what}的数据流无法解码"));
                None
            }
        }
    }
}

/// Read a PDF's facts.
pub(super) fn read(data: &[u8]) -> Result<Doc, ReadError> {
    let head = &data[..data.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(ReadError::NotPdf);
    }
    let pdf = match Pdf::new(data.to_vec()) {
        Ok(p) => p,
        Err(hayro_syntax::LoadPdfError::Decryption(_)) => return Err(ReadError::Encrypted),
        Err(_) => return Err(ReadError::Broken),
    };
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(ReadError::NoPages);
    }
    let mut doc = Doc::default();
    let mut inflater = Inflater::new();
    let mut budget = OP_BUDGET;
    let catalog: Option<Dict<'_>> = pdf.xref().get(pdf.xref().root_id());
    if let Some(cat) = &catalog {
        doc.output_intents = output_intents(cat);
    }
    for page in pages.iter() {
        let raw = page.raw();
        let mut facts = PageFacts {
            media: inherited_box(raw, b"MediaBox"),
            crop: inherited_box(raw, b"CropBox"),
            bleed: page_box(raw, b"BleedBox"),
            trim: page_box(raw, b"TrimBox"),
            ..Default::default()
        };
        if let Some(group) = raw.get::<Dict<'_>>(b"Group") {
            group_space(&group, page.resources(), &mut facts);
        }
        let content = page_content(raw, &mut inflater);
        let mut run = Run { facts: &mut facts, fonts: &mut doc.fonts, inflater: &mut inflater, budget: &mut budget };
        run.content(&content, page.resources(), IDENTITY, 0, &mut Vec::new());
        doc.pages.push(facts);
    }
    if budget == 0 {
        doc.incomplete.push(format!("内容超过 {OP_BUDGET} 个绘图指令，其后未检查"));
    }
    doc.incomplete.append(&mut inflater.failures);
    doc.incomplete.sort();
    doc.incomplete.dedup();
    Ok(doc)
}

fn output_intents(cat: &Dict<'_>) -> Vec<OutputIntent> {
    let Some(arr) = cat.get::<Array<'_>>(b"OutputIntents") else { return Vec::new() };
    arr.iter::<Dict<'_>>()
        .take(16)
        .map(|oi| OutputIntent {
            subtype: oi.get::<Name<'_>>(b"S").map(|n| name_text(&n)).unwrap_or_default(),
            condition: oi
                .get::<hayro_syntax::object::String<'_>>(b"OutputConditionIdentifier")
                .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned()),
            n: oi.get::<Stream<'_>>(b"DestOutputProfile").and_then(|s| s.dict().get::<i32>(b"N")).map(i64::from),
        })
        .collect()
}

pub(super) fn name_text(n: &Name<'_>) -> String {
    String::from_utf8_lossy(n).into_owned()
}

fn to_box(r: hayro_syntax::object::Rect) -> Option<BoxPt> {
    let v = [r.x0.min(r.x1), r.y0.min(r.y1), r.x0.max(r.x1), r.y0.max(r.y1)];
    v.iter().all(|x| x.is_finite()).then_some(v)
}

fn page_box(page: &Dict<'_>, key: &[u8]) -> Option<BoxPt> {
    page.get::<hayro_syntax::object::Rect>(key).and_then(to_box)
}

fn inherited_box(page: &Dict<'_>, key: &[u8]) -> Option<BoxPt> {
    let mut node = page.clone();
    for _ in 0..32 {
        if let Some(r) = page_box(&node, key) {
            return Some(r);
        }
        node = node.get::<Dict<'_>>(b"Parent")?;
    }
    None
}

/// The page's content: one stream or several joined.
fn page_content(page: &Dict<'_>, inf: &mut Inflater) -> Vec<u8> {
    if let Some(s) = page.get::<Stream<'_>>(b"Contents") {
        return inf.decode(&s, "页面内容").unwrap_or_default();
    }
    let mut all = Vec::new();
    if let Some(arr) = page.get::<Array<'_>>(b"Contents") {
        for s in arr.iter::<Stream<'_>>().take(10_000) {
            if let Some(d) = inf.decode(&s, "页面内容") {
                all.extend(d);
                all.push(b'\n');
            }
        }
    }
    all
}

/// A transparency group's blending colour space.
fn group_space(group: &Dict<'_>, res: &Resources<'_>, facts: &mut PageFacts) {
    if let Some(cs) = group.get::<Object<'_>>(b"CS") {
        let space = resolve_space(&cs, res, 0);
        facts.other_spaces.insert(("group", space.label(), space.is_rgb()));
    }
}

/// A colour space object (a name, or an array) as a [`Space`].
pub(super) fn resolve_space(obj: &Object<'_>, res: &Resources<'_>, depth: usize) -> Space {
    if depth > 8 {
        return Space::Unknown("nested too deep".into());
    }
    match obj {
        Object::Name(n) => match &**n {
            b"DeviceGray" | b"G" => Space::Gray,
            b"DeviceRGB" | b"RGB" => Space::Rgb,
            b"DeviceCMYK" | b"CMYK" => Space::Cmyk,
            b"Pattern" => Space::Pattern,
            b"Indexed" | b"I" => Space::Unknown("Indexed".into()),
            _ => match res.get_color_space(n) {
                Some(o) => resolve_space(&o, res, depth + 1),
                None => Space::Unknown(format!("/{} (not in the resources)", name_text(n))),
            },
        },
        Object::Array(a) => {
            let mut it = a.iter::<Object<'_>>();
            let Some(Object::Name(family)) = it.next() else { return Space::Unknown("array".into()) };
            match &*family {
                b"ICCBased" => {
                    let n = it.next().and_then(|o| o.into_stream()).and_then(|s| s.dict().get::<i32>(b"N"));
                    match n {
                        Some(n @ (1 | 3 | 4)) => Space::Icc(n as u8),
                        Some(n) => Space::Unknown(format!("ICCBased N={n}")),
                        None => Space::Unknown("ICCBased without N".into()),
                    }
                }
                b"CalGray" => Space::CalGray,
                b"CalRGB" => Space::CalRgb,
                b"Lab" => Space::Lab,
                b"DeviceGray" | b"G" => Space::Gray,
                b"DeviceRGB" | b"RGB" => Space::Rgb,
                b"DeviceCMYK" | b"CMYK" => Space::Cmyk,
                b"Pattern" => Space::Pattern,
                b"Indexed" | b"I" => {
                    let base =
                        it.next().map(|b| resolve_space(&b, res, depth + 1)).unwrap_or(Space::Unknown("?".into()));
                    let _hival = it.next();
                    let lookup = match it.next() {
                        Some(Object::String(s)) => s.as_bytes().to_vec(),
                        Some(Object::Stream(s)) => s.decoded_data().map(|d| d.into_owned()).unwrap_or_default(),
                        _ => Vec::new(),
                    };
                    // A lookup table is at most 256 colours of 4 components.
                    let lookup = lookup.into_iter().take(256 * 4).collect();
                    Space::Indexed { base: Box::new(base), lookup: Arc::new(lookup) }
                }
                b"Separation" => {
                    let name = match it.next() {
                        Some(Object::Name(n)) => name_text(&n),
                        _ => String::new(),
                    };
                    let alt =
                        it.next().map(|b| resolve_space(&b, res, depth + 1)).unwrap_or(Space::Unknown("?".into()));
                    let (c0, c1) = match it.next() {
                        Some(Object::Dict(f)) => exponential(&f),
                        Some(Object::Stream(s)) => exponential(s.dict()),
                        _ => (None, None),
                    };
                    Space::Separation { name, alt: Box::new(alt), c0, c1 }
                }
                b"DeviceN" | b"NChannel" => {
                    let names = match it.next() {
                        Some(Object::Array(n)) => n.iter::<Name<'_>>().take(64).map(|n| name_text(&n)).collect(),
                        _ => Vec::new(),
                    };
                    let alt =
                        it.next().map(|b| resolve_space(&b, res, depth + 1)).unwrap_or(Space::Unknown("?".into()));
                    Space::DeviceN { names, alt: Box::new(alt) }
                }
                other => Space::Unknown(String::from_utf8_lossy(other).into_owned()),
            }
        }
        Object::Stream(s) => {
            // An ICC profile given directly (not valid, but seen).
            match s.dict().get::<i32>(b"N") {
                Some(n @ (1 | 3 | 4)) => Space::Icc(n as u8),
                _ => Space::Unknown("stream".into()),
            }
        }
        _ => Space::Unknown("?".into()),
    }
}

/// C0 and C1 of a type 2 (exponential) function with N = 1: the linear tint
/// transform that spot inks' alternates usually are.
fn exponential(f: &Dict<'_>) -> (Option<Vec<f64>>, Option<Vec<f64>>) {
    if f.get::<i32>(b"FunctionType") != Some(2) || f.get::<f64>(b"N").is_some_and(|n| (n - 1.0).abs() > 1e-6) {
        return (None, None);
    }
    let nums = |k: &[u8]| f.get::<Array<'_>>(k).map(|a| a.iter::<f64>().take(32).collect::<Vec<f64>>());
    (nums(b"C0").or(Some(vec![0.0])), nums(b"C1").or(Some(vec![1.0])))
}

/// Total ink of a colour, percent, where it can be worked out.
fn ink_total(space: &Space, comps: &[f64]) -> Option<f64> {
    let c = |i: usize| comps.get(i).copied().unwrap_or(0.0).clamp(0.0, 1.0);
    match space {
        Space::Gray | Space::CalGray | Space::Icc(1) => Some((1.0 - c(0)) * 100.0),
        Space::Cmyk | Space::Icc(4) => Some((c(0) + c(1) + c(2) + c(3)) * 100.0),
        Space::Separation { name, alt, c0, c1 } => {
            if name == "None" {
                return Some(0.0);
            }
            let t = c(0);
            match (&**alt, c0, c1) {
                (alt @ (Space::Cmyk | Space::Icc(4) | Space::Gray | Space::Icc(1)), Some(c0), Some(c1))
                    if c0.len() == c1.len() && c0.len() == alt.components() =>
                {
                    let v: Vec<f64> = c0.iter().zip(c1).map(|(a, b)| a + t * (b - a)).collect();
                    ink_total(alt, &v)
                }
                // Not a linear CMYK alternate: the spot ink alone.
                _ => Some(t * 100.0),
            }
        }
        // Each colorant is an ink of its own.
        Space::DeviceN { .. } => Some((0..comps.len()).map(c).sum::<f64>() * 100.0),
        Space::Indexed { base, lookup } => {
            let n = base.components();
            let i = comps.first().copied().unwrap_or(0.0).max(0.0) as usize;
            let entry = lookup.get(i * n..(i + 1) * n)?;
            let v: Vec<f64> = entry.iter().map(|&b| f64::from(b) / 255.0).collect();
            ink_total(base, &v)
        }
        _ => None,
    }
}

/// Spot names a colour space uses.
fn spot_names(space: &Space) -> Vec<String> {
    match space {
        Space::Separation { name, .. } => vec![name.clone()],
        Space::DeviceN { names, .. } => names.clone(),
        Space::Indexed { base, .. } => spot_names(base),
        _ => Vec::new(),
    }
}

fn is_process(space: &Space) -> bool {
    match space {
        Space::Gray | Space::CalGray | Space::Cmyk | Space::Icc(1) | Space::Icc(4) => true,
        Space::Indexed { base, .. } => is_process(base),
        _ => false,
    }
}

#[derive(Clone)]
struct Gs {
    ctm: M,
    line_width: f64,
    fill: Colour,
    stroke: Colour,
    font: Option<String>,
    font_size: f64,
    h_scale: f64,
    leading: f64,
    mode: i64,
}

/// One content stream being interpreted, with the page's facts to fill.
struct Run<'r> {
    facts: &'r mut PageFacts,
    fonts: &'r mut BTreeMap<String, FontFacts>,
    inflater: &'r mut Inflater,
    budget: &'r mut usize,
}

fn num(n: &hayro_syntax::object::Number) -> f64 {
    let v = n.as_f64();
    if v.is_finite() { v } else { 0.0 }
}

impl Run<'_> {
    /// Interpret a content stream with these resources, starting from `ctm`.
    /// `forms` are the object ids of the forms being interpreted (never re-entered).
    fn content(&mut self, data: &[u8], res: &Resources<'_>, ctm: M, depth: usize, forms: &mut Vec<(u32, i32)>) {
        let mut gs = Gs {
            ctm,
            line_width: 1.0,
            fill: Colour::black(),
            stroke: Colour::black(),
            font: None,
            font_size: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            mode: 0,
        };
        let mut saved: Vec<Gs> = Vec::new();
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        let mut path_open = false;
        let mut ops = TypedIter::new(data);
        while let Some(op) = ops.next() {
            if *self.budget == 0 {
                return;
            }
            *self.budget -= 1;
            match op {
                Op::SaveState(_) if saved.len() < MAX_SAVES => saved.push(gs.clone()),
                Op::RestoreState(_) => {
                    if let Some(g) = saved.pop() {
                        gs = g;
                    }
                }
                Op::Transform(t) => {
                    let m = [num(&t.0), num(&t.1), num(&t.2), num(&t.3), num(&t.4), num(&t.5)];
                    gs.ctm = concat(&m, &gs.ctm);
                }
                Op::LineWidth(w) => gs.line_width = num(&w.0).abs(),
                Op::SetGraphicsState(n) => {
                    if let Some(ext) = res.get_ext_g_state(n.0) {
                        if let Some(lw) = ext.get::<f64>(b"LW") {
                            gs.line_width = lw.abs();
                        }
                        if let Some(font) = ext.get::<Array<'_>>(b"Font") {
                            let mut it = font.iter::<Object<'_>>();
                            if let (Some(Object::Dict(d)), Some(Object::Number(size))) = (it.next(), it.next()) {
                                gs.font = Some(self.font_key(&d, "ExtGState"));
                                gs.font_size = num(&size);
                            }
                        }
                    }
                }
                Op::MoveTo(_)
                | Op::LineTo(_)
                | Op::CubicTo(_)
                | Op::CubicStartTo(_)
                | Op::CubicEndTo(_)
                | Op::ClosePath(_)
                | Op::RectPath(_) => path_open = true,
                Op::StrokePath(_) | Op::CloseAndStrokePath(_) => {
                    if path_open {
                        self.stroke(&gs);
                    }
                    path_open = false;
                }
                Op::FillPathNonZero(_) | Op::FillPathNonZeroCompatibility(_) | Op::FillPathEvenOdd(_) => {
                    if path_open {
                        self.paint(&gs.fill.clone());
                    }
                    path_open = false;
                }
                Op::FillAndStrokeNonZero(_)
                | Op::FillAndStrokeEvenOdd(_)
                | Op::CloseFillAndStrokeNonZero(_)
                | Op::CloseFillAndStrokeEvenOdd(_) => {
                    if path_open {
                        self.paint(&gs.fill.clone());
                        self.stroke(&gs);
                    }
                    path_open = false;
                }
                Op::EndPath(_) => path_open = false,
                Op::ColorSpaceStroke(n) => {
                    let s = resolve_space(&Object::Name(n.0.clone()), res, 0);
                    gs.stroke = Colour { comps: s.initial(), space: Arc::new(s) };
                }
                Op::ColorSpaceNonStroke(n) => {
                    let s = resolve_space(&Object::Name(n.0.clone()), res, 0);
                    gs.fill = Colour { comps: s.initial(), space: Arc::new(s) };
                }
                Op::StrokeColor(c) => gs.stroke.comps = c.0.iter().map(num).collect(),
                Op::NonStrokeColor(c) => gs.fill.comps = c.0.iter().map(num).collect(),
                Op::StrokeColorNamed(c) => {
                    gs.stroke.comps = c.0.iter().map(num).collect();
                    if let Some(p) = c.1 {
                        self.pattern(p, res, depth, forms);
                    }
                }
                Op::NonStrokeColorNamed(c) => {
                    gs.fill.comps = c.0.iter().map(num).collect();
                    if let Some(p) = c.1 {
                        self.pattern(p, res, depth, forms);
                    }
                }
                Op::StrokeColorDeviceGray(g) => {
                    gs.stroke = Colour { space: Arc::new(Space::Gray), comps: vec![num(&g.0)] }
                }
                Op::NonStrokeColorDeviceGray(g) => {
                    gs.fill = Colour { space: Arc::new(Space::Gray), comps: vec![num(&g.0)] }
                }
                Op::StrokeColorDeviceRgb(c) => {
                    gs.stroke = Colour { space: Arc::new(Space::Rgb), comps: vec![num(&c.0), num(&c.1), num(&c.2)] }
                }
                Op::NonStrokeColorDeviceRgb(c) => {
                    gs.fill = Colour { space: Arc::new(Space::Rgb), comps: vec![num(&c.0), num(&c.1), num(&c.2)] }
                }
                Op::StrokeColorCmyk(c) => {
                    gs.stroke =
                        Colour { space: Arc::new(Space::Cmyk), comps: vec![num(&c.0), num(&c.1), num(&c.2), num(&c.3)] }
                }
                Op::NonStrokeColorCmyk(c) => {
                    gs.fill =
                        Colour { space: Arc::new(Space::Cmyk), comps: vec![num(&c.0), num(&c.1), num(&c.2), num(&c.3)] }
                }
                Op::Shading(n) => {
                    if let Some(sh) = res.get_shading(n.0) {
                        self.shading(&sh, res);
                    }
                }
                Op::XObject(n) => {
                    if let Some(x) = res.get_x_object(n.0) {
                        self.x_object(&x, res, &gs, depth, forms);
                    }
                }
                Op::InlineImage(s) => self.image(s.0.dict(), res, &gs, true),
                Op::BeginText(_) => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                Op::HorizontalScaling(h) => gs.h_scale = num(&h.0) / 100.0,
                Op::TextLeading(l) => gs.leading = num(&l.0),
                Op::TextFont(f) => {
                    gs.font_size = num(&f.1);
                    gs.font = res.get_font(f.0).map(|d| self.font_key(&d, f.0.as_str()));
                }
                Op::TextRenderingMode(m) => gs.mode = num(&m.0) as i64,
                Op::NextLine(t) => {
                    tlm = concat(&[1.0, 0.0, 0.0, 1.0, num(&t.0), num(&t.1)], &tlm);
                    tm = tlm;
                }
                Op::NextLineAndSetLeading(t) => {
                    gs.leading = -num(&t.1);
                    tlm = concat(&[1.0, 0.0, 0.0, 1.0, num(&t.0), num(&t.1)], &tlm);
                    tm = tlm;
                }
                Op::SetTextMatrix(t) => {
                    tlm = [num(&t.0), num(&t.1), num(&t.2), num(&t.3), num(&t.4), num(&t.5)];
                    tm = tlm;
                }
                Op::NextLineUsingLeading(_) => {
                    tlm = concat(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                Op::ShowText(s) => self.show(&gs, &tm, &[s.0.as_bytes()]),
                Op::NextLineAndShowText(s) => {
                    tlm = concat(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                    self.show(&gs, &tm, &[s.0.as_bytes()]);
                }
                Op::ShowTextWithParameters(s) => {
                    tlm = concat(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                    self.show(&gs, &tm, &[s.2.as_bytes()]);
                }
                Op::ShowTexts(a) => {
                    let strings: Vec<Vec<u8>> =
                        a.0.iter::<Object<'_>>()
                            .take(100_000)
                            .filter_map(|o| match o {
                                Object::String(s) => Some(s.as_bytes().to_vec()),
                                _ => None,
                            })
                            .collect();
                    let refs: Vec<&[u8]> = strings.iter().map(Vec::as_slice).collect();
                    self.show(&gs, &tm, &refs);
                }
                _ => {}
            }
        }
    }

    /// A font dictionary's key, reading its facts the first time.
    fn font_key(&mut self, d: &Dict<'_>, name: &str) -> String {
        let key = match d.obj_id() {
            Some(id) => format!("{id:?}"),
            None => format!("direct:{name}:{}", d.data().len()),
        };
        if !self.fonts.contains_key(&key) {
            let facts = read_font(d, self.inflater);
            self.fonts.insert(key.clone(), facts);
        }
        key
    }

    /// A colour painted: its facts noted under a label of space and values.
    fn paint(&mut self, c: &Colour) -> String {
        let comps: Vec<String> = c.comps.iter().take(8).map(|v| format!("{:.3}", v)).collect();
        let mut label = c.space.label();
        if let Space::Separation { name, .. } = &*c.space {
            label = format!("{label} {name}");
        } else if let Space::DeviceN { names, .. } = &*c.space {
            label = format!("{label} {}", names.join("+"));
        }
        let label = format!("{label} [{}]", comps.join(" "));
        if let Some(f) = self.facts.colours.get_mut(&label) {
            f.uses += 1;
            return label;
        }
        let ink = ink_total(&c.space, &c.comps);
        let facts = ColourFacts {
            space: c.space.label(),
            rgb: c.space.is_rgb(),
            spots: spot_names(&c.space),
            process_ink: is_process(&c.space) && ink.is_some_and(|i| i > 0.05),
            ink,
            uses: 1,
        };
        // Thousands of distinct colours (a gradient drawn as strips) need no more entries.
        if self.facts.colours.len() < 20_000 {
            self.facts.colours.insert(label.clone(), facts);
        }
        label
    }

    fn stroke(&mut self, gs: &Gs) {
        // A stroke at no tint of an ink (an underbase's choke, knocking the
        // plate back) lays no ink down: it is no line a screen must hold.
        let c = &gs.stroke;
        if matches!(*c.space, Space::Separation { .. } | Space::DeviceN { .. } | Space::Cmyk)
            && !c.comps.is_empty()
            && c.comps.iter().all(|&v| v <= 0.0)
        {
            self.paint(&c.clone());
            return;
        }
        let label = self.paint(&gs.stroke.clone());
        let mm = gs.line_width * min_scale(&gs.ctm) / crate::PT_PER_MM;
        let key = ((mm * 1000.0).round() as i64, label);
        if self.facts.strokes.len() < 20_000 || self.facts.strokes.contains_key(&key) {
            *self.facts.strokes.entry(key).or_default() += 1;
        }
    }

    fn show(&mut self, gs: &Gs, tm: &M, strings: &[&[u8]]) {
        let Some(font) = gs.font.clone() else { return };
        // Invisible text (mode 3, 7: OCR layers, clipping) prints nothing.
        if gs.mode == 3 || gs.mode == 7 {
            self.facts.invisible_text += 1;
            return;
        }
        if strings.iter().all(|s| s.is_empty()) {
            return;
        }
        if matches!(gs.mode, 0 | 2 | 4 | 6) {
            self.paint(&gs.fill.clone());
        }
        if matches!(gs.mode, 1 | 2 | 5 | 6) {
            self.stroke(gs);
        }
        let size = [gs.font_size * gs.h_scale, 0.0, 0.0, gs.font_size, 0.0, 0.0];
        let trm = concat(&concat(&size, tm), &gs.ctm);
        let (em, thin) = (y_scale(&trm), min_scale(&trm).min(x_scale(&trm)));
        if !(em.is_finite() && thin.is_finite()) || em <= 0.0 {
            return;
        }
        self.facts.fonts.insert(font.clone());
        let bytes = self.fonts.get(&font).map(|f| f.code_bytes).unwrap_or(0);
        let g = self.facts.text.entry(((em * 1000.0).round() as i64, (thin * 1000.0).round() as i64)).or_default();
        g.em_pt = em;
        g.thin_pt = thin;
        for s in strings {
            match bytes {
                1 => g.glyphs.extend(s.iter().map(|&b| (font.clone(), u32::from(b)))),
                2 => g.glyphs.extend(
                    s.chunks(2).map(|c| (font.clone(), u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0)))),
                ),
                _ => g.opaque += 1,
            }
        }
    }

    fn pattern(&mut self, name: &Name<'_>, res: &Resources<'_>, depth: usize, forms: &mut Vec<(u32, i32)>) {
        let Some(p) = res.get_pattern(name) else { return };
        match p {
            Object::Dict(d) => {
                // A shading pattern.
                if let Some(sh) = d.get::<Object<'_>>(b"Shading") {
                    self.shading(&sh, res);
                }
            }
            Object::Stream(s) => {
                // A tiling pattern: its cell is content of its own, in the pattern's matrix.
                let m = s.dict().get::<[f64; 6]>(b"Matrix").unwrap_or(IDENTITY);
                self.form(&s, res, m, depth, forms);
            }
            _ => {}
        }
    }

    fn shading(&mut self, sh: &Object<'_>, res: &Resources<'_>) {
        let dict = match sh {
            Object::Dict(d) => d.clone(),
            Object::Stream(s) => s.dict().clone(),
            _ => return,
        };
        if let Some(cs) = dict.get::<Object<'_>>(b"ColorSpace") {
            let space = resolve_space(&cs, res, 0);
            for name in spot_names(&space) {
                self.facts.other_spaces.insert(("spot", name, false));
            }
            self.facts.other_spaces.insert(("shading", space.label(), space.is_rgb()));
        }
    }

    fn x_object(&mut self, x: &Stream<'_>, res: &Resources<'_>, gs: &Gs, depth: usize, forms: &mut Vec<(u32, i32)>) {
        match x.dict().get::<Name<'_>>(b"Subtype").as_deref() {
            Some(b"Image") => self.image(x.dict(), res, gs, false),
            Some(b"Form") => {
                let m = x.dict().get::<[f64; 6]>(b"Matrix").unwrap_or(IDENTITY);
                let m = concat(&m, &gs.ctm);
                if let Some(group) = x.dict().get::<Dict<'_>>(b"Group") {
                    let own = x.dict().get::<Dict<'_>>(b"Resources").map(Resources::new);
                    group_space(&group, own.as_ref().unwrap_or(res), self.facts);
                }
                self.form(x, res, m, depth, forms);
            }
            _ => {}
        }
    }

    fn form(&mut self, x: &Stream<'_>, res: &Resources<'_>, ctm: M, depth: usize, forms: &mut Vec<(u32, i32)>) {
        let id = x.obj_id();
        let id = (id.obj_number, id.gen_number);
        if depth >= MAX_DEPTH || forms.contains(&id) {
            return;
        }
        let Some(data) = self.inflater.decode(x, "表单对象") else { return };
        // A form without resources uses its parent's (PDF 1.1 habit).
        let own = x.dict().get::<Dict<'_>>(b"Resources").map(Resources::new);
        forms.push(id);
        self.content(&data, own.as_ref().unwrap_or(res), ctm, depth + 1, forms);
        forms.pop();
    }

    fn image(&mut self, d: &Dict<'_>, res: &Resources<'_>, gs: &Gs, inline: bool) {
        let key =
            |long: &'static [u8], short: &'static [u8]| if inline && !d.contains_key(long) { short } else { long };
        let w = d.get::<i32>(key(b"Width", b"W")).unwrap_or(0).max(0) as u32;
        let h = d.get::<i32>(key(b"Height", b"H")).unwrap_or(0).max(0) as u32;
        let mask = d.get::<bool>(key(b"ImageMask", b"IM")).unwrap_or(false);
        if mask {
            // A stencil mask paints the fill colour.
            self.paint(&gs.fill.clone());
        } else if let Some(cs) = d.get::<Object<'_>>(key(b"ColorSpace", b"CS")) {
            let space = resolve_space(&cs, res, 0);
            for name in spot_names(&space) {
                self.facts.other_spaces.insert(("spot", name, false));
            }
            self.facts.other_spaces.insert(("image", space.label(), space.is_rgb()));
        }
        // (No colour space: JPEG 2000, which carries its own.)
        let m = gs.ctm;
        self.facts.images.push(ImageUse { px: (w, h), placed: (x_scale(&m), y_scale(&m)) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_scale_is_the_thin_side() {
        assert!((min_scale(&[2.0, 0.0, 0.0, 3.0, 5.0, 5.0]) - 2.0).abs() < 1e-9);
        // A rotation keeps lengths.
        let (s, c) = (0.6, 0.8);
        assert!((min_scale(&[c, s, -s, c, 0.0, 0.0]) - 1.0).abs() < 1e-9);
        assert_eq!(min_scale(&[0.0; 6]), 0.0);
    }

    #[test]
    fn a_linear_cmyk_alternate_gives_the_ink_total() {
        let red = Space::Separation {
            name: "PANTONE 186 C".into(),
            alt: Box::new(Space::Cmyk),
            c0: Some(vec![0.0; 4]),
            c1: Some(vec![0.0, 1.0, 0.81, 0.04]),
        };
        assert!((ink_total(&red, &[1.0]).unwrap() - 185.0).abs() < 1e-9);
        assert!((ink_total(&red, &[0.5]).unwrap() - 92.5).abs() < 1e-9);
        assert_eq!(ink_total(&Space::Cmyk, &[1.0, 1.0, 1.0, 1.0]), Some(400.0));
        assert_eq!(ink_total(&Space::Gray, &[0.25]), Some(75.0));
        assert_eq!(ink_total(&Space::Rgb, &[1.0, 0.0, 0.0]), None);
    }
}
